//! The resumable upload of a large write, sent by rs-storage itself over the JSON API: a
//! documented workaround for a defect of google-cloud-storage 1.21, as Google's Go and Java
//! clients drive their own uploads. After a chunk request that gets no answer (a connection
//! reset before the response or during the body, a stall), the SDK's buffered upload does not
//! ask the service what it kept and sends its next chunk at the failed chunk's offset
//! (googleapis/google-cloud-rust#6685): wrong bytes. Here, after any failed chunk request the
//! session is asked where it stands (`Content-Range: bytes */*`), and the chunk, still held in
//! memory, is sent again from there. Every write at or above the single-upload limit comes
//! here, streamed or held in memory; below it the SDK sends one request.
//!
//! The protocol (<https://cloud.google.com/storage/docs/performing-resumable-uploads>): a POST
//! starts a session (`session`), PUTs send chunks of a multiple of 256 KiB, the last one with
//! the object's size and its CRC32C (`chunk`), and the final answer is the object resource
//! (`object`). Memory is one chunk; the object appears only when the last chunk finalises it.

mod chunk;
mod object;
mod session;
mod transport;

use bytes::Bytes;
use futures_util::StreamExt;
use storage_types::backend::PartReader;
use storage_types::{Error, ErrorKind, Metadata, Result, WriteOptions};

use crate::GcsStorage;
use crate::conditions::Generations;
use crate::encryption::GcsEncryption;
use chunk::{Chunk, Progress};

/// A streamed write: what its upload's requests carry.
pub(crate) struct Streamed<'a> {
    pub(crate) name: &'a str,
    pub(crate) opts: &'a WriteOptions,
    pub(crate) encryption: &'a GcsEncryption,
    pub(crate) conditions: Generations,
    /// The chunk size, a multiple of 256 KiB.
    pub(crate) chunk: u64,
    /// The body's declared size, if it has one.
    pub(crate) size: Option<u64>,
}

impl GcsStorage {
    /// Uploads `first` and then the rest of `parts` as the object `upload.name`.
    pub(crate) async fn write_streamed(
        &self,
        upload: Streamed<'_>,
        first: Bytes,
        parts: PartReader,
    ) -> Result<Metadata> {
        let first = futures_util::stream::once(async move { Ok(first) });
        let parts = PartReader::new(Box::pin(first.chain(parts.into_stream())));
        let session = session::start(self, &upload).await?;
        let sent = send_all(&session, &upload, parts).await;
        if sent.is_err() {
            // Nothing of a failed upload becomes an object, but its session would linger
            // (GCS keeps one a week, and none can be listed): it is cancelled, if it can be.
            session.cancel().await;
        }
        sent
    }
}

/// Sends the body chunk by chunk into `session`, until the last one finalises the object.
async fn send_all(
    session: &chunk::Session<'_>,
    upload: &Streamed<'_>,
    mut parts: PartReader,
) -> Result<Metadata> {
    let mut offset = 0_u64;
    let mut crc32c = 0_u32;
    loop {
        let (bytes, last) = parts.next_part(upload.chunk).await?;
        crc32c = crc32c::crc32c_append(crc32c, &bytes);
        let end = offset + bytes.len() as u64;
        check_size(upload.size, end, last)?;
        let chunk = Chunk {
            bytes: &bytes,
            start: offset,
            // The size on every chunk when it is known (the emulators need it), else on
            // the last.
            total: upload.size.or(last.then_some(end)),
            crc32c: last.then_some(crc32c),
        };
        match session.send(chunk).await? {
            Progress::Persisted => offset = end,
            Progress::Finished(answer) => {
                return object::finished(&answer, end, crc32c, upload.opts.checksum);
            }
        }
        parts.recycle(bytes);
    }
}

/// Refuses a body that runs past its declared size, or ends before it, before the chunk that
/// shows it goes up (a declared total finalises the object once reached).
fn check_size(size: Option<u64>, end: u64, last: bool) -> Result<()> {
    let Some(size) = size else {
        return Ok(());
    };
    if end > size || (end == size && !last) {
        return Err(Error::new(
            ErrorKind::IntegrityMismatch,
            "the body is longer than the size it declared",
        ));
    }
    if last && end < size {
        return Err(Error::new(
            ErrorKind::IntegrityMismatch,
            format!("the body ended after {end} of the {size} bytes it declared"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_must_end_at_its_declared_size() {
        assert!(check_size(None, 10, false).is_ok());
        assert!(check_size(Some(10), 8, false).is_ok());
        assert!(check_size(Some(10), 10, true).is_ok());
        for (end, last) in [(10, false), (12, true), (12, false), (8, true)] {
            let err = check_size(Some(10), end, last).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::IntegrityMismatch, "{end} {last}");
        }
    }
}

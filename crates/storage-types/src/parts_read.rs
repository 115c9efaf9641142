//! Reads of one object as ranged requests made side by side (`ReadOptions::concurrency`): parts
//! of `part_size` bytes, at most `concurrency` of them in flight and in memory, handed on in
//! order and pinned to the ETag of the first part, so that an object replaced meanwhile fails
//! the read with `ConditionNotMet` instead of splicing two versions together.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt, TryStreamExt, stream};

use crate::body::ByteStream;
use crate::error::{Error, ErrorKind, Result};
use crate::options::ReadOptions;
use crate::path::ObjectPath;
use crate::range::ByteRange;
use crate::response::Reader;
use crate::service::Backend;

/// The part size of a read in parts whose options set only a concurrency.
pub const DEFAULT_READ_PART_SIZE: u64 = 8 << 20;

/// Whether `opts` sets a part size or concurrency, which [`read_in_parts`] handles: a read in
/// parts for a concurrency above 1, a refusal of a zero part size, else a plain read.
pub fn reads_in_parts(opts: &ReadOptions) -> bool {
    opts.part_size.is_some() || opts.concurrency.is_some()
}

/// Reads what `opts` asks for through `read`, one ranged read per part, up to
/// `opts.concurrency` at once. `read` is the backend's own read of one range (it sees `opts`
/// without the part size and concurrency). The reader holds at most `concurrency + 1` parts in
/// memory; its metadata is the first part's, and a later part whose object no longer has that
/// part's ETag ends the stream with `ConditionNotMet`.
///
/// An object no larger than one part costs one request, as a plain read does. An empty
/// object, which has no byte to range over, is read plainly; so is an object without an ETag,
/// whose parts could not be pinned to one version.
///
/// ```
/// # futures_executor::block_on(async {
/// use bytes::Bytes;
/// use futures_util::FutureExt;
/// use storage_types::backend::read_in_parts;
/// use storage_types::{Metadata, ReadOptions, Reader};
///
/// let data = Bytes::from_static(b"0123456789");
/// let object = data.clone();
/// let opts = ReadOptions::default().with_part_size(4u64).with_concurrency(2usize);
/// let reader = read_in_parts(opts, move |opts: ReadOptions| {
///     let (offset, len) = opts.range.unwrap().resolve(object.len() as u64).unwrap();
///     let part = object.slice(offset as usize..(offset + len) as usize);
///     let mut meta = Metadata::file(object.len() as u64);
///     meta.etag = Some("\"v1\"".into());
///     async move { Ok(Reader::from_bytes(meta, part)) }.boxed()
/// })
/// .await
/// .unwrap();
/// assert_eq!(reader.content_length(), 10);
/// assert_eq!(reader.bytes().await.unwrap(), data);
/// # });
/// ```
pub async fn read_in_parts<F>(opts: ReadOptions, read: F) -> Result<Reader>
where
    F: Fn(ReadOptions) -> BoxFuture<'static, Result<Reader>> + Send + Sync + 'static,
{
    let concurrency = opts.concurrency.unwrap_or(1).max(1);
    let part = opts.part_size.unwrap_or(DEFAULT_READ_PART_SIZE);
    if part == 0 {
        return Err(Error::invalid_input(
            "the part size of a read in parts must be at least one byte",
        ));
    }
    let mut single = opts;
    single.concurrency = None;
    single.part_size = None;
    if concurrency == 1 {
        return read(single).await;
    }
    let start = single.range.map_or(0, |r| r.offset());
    let asked_end = single.range.and_then(|r| r.end());
    let mut first_opts = single.clone();
    let first_len = asked_end.map_or(part, |end| (end - start).min(part));
    first_opts.range = Some(ByteRange::new(start, Some(first_len)));
    let first = match read(first_opts).await {
        Ok(reader) => reader,
        // An empty object has no first byte to range over; the plain read answers as a
        // read without parts would (and repeats any other range error).
        Err(err) if err.kind() == ErrorKind::RangeNotSatisfiable => return read(single).await,
        Err(err) => return Err(err),
    };
    let (meta, first_length, first_stream) = first.into_parts();
    let end = asked_end.map_or(meta.size, |end| end.min(meta.size));
    let total = end.saturating_sub(start);
    if total <= first_length {
        return Ok(Reader::new(meta, first_length, first_stream));
    }
    let Some(etag) = meta.etag.clone() else {
        drop(first_stream);
        return read(single).await;
    };

    let read = Arc::new(read);
    let rest = std::iter::successors(Some(start + first_length), move |at| Some(at + part))
        .take_while(move |at| *at < end)
        .map(move |offset| {
            let len = part.min(end - offset);
            let mut opts = single.clone();
            opts.range = Some(ByteRange::new(offset, Some(len)));
            opts.if_match = Some(etag.clone());
            opts.if_none_match = None;
            let read = Arc::clone(&read);
            async move {
                let reader = read(opts).await.map_err(changed_meanwhile)?;
                collect_part(reader.into_stream(), len).await
            }
            .boxed()
        });
    let first = collect_part(first_stream, first_length).boxed();
    let parts = stream::iter(std::iter::once(first).chain(rest))
        .buffered(concurrency)
        .map_ok(|chunks| stream::iter(chunks.into_iter().map(Ok)))
        .try_flatten();
    Ok(Reader::new(meta, total, parts.boxed()))
}

/// [`read_in_parts`] with `backend`'s own read of each range: what a backend's `read` calls
/// when [`reads_in_parts`] says so.
pub async fn read_in_parts_of<B: Backend + Clone>(
    backend: &B,
    path: &ObjectPath,
    opts: ReadOptions,
) -> Result<Reader> {
    let (backend, path) = (backend.clone(), path.clone());
    read_in_parts(opts, move |opts| {
        let (backend, path) = (backend.clone(), path.clone());
        async move { Backend::read(&backend, &path, opts).await }.boxed()
    })
    .await
}

/// One part's chunks, as they came (no copy), checked to be `len` bytes.
async fn collect_part(mut stream: ByteStream, len: u64) -> Result<Vec<Bytes>> {
    let mut chunks = Vec::new();
    let mut got = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        got += chunk.len() as u64;
        if !chunk.is_empty() {
            chunks.push(chunk);
        }
    }
    if got != len {
        return Err(Error::new(
            ErrorKind::Unavailable,
            format!("a part of the read ended after {got} of its {len} bytes"),
        ));
    }
    Ok(chunks)
}

fn changed_meanwhile(err: Error) -> Error {
    if err.kind() != ErrorKind::ConditionNotMet {
        return err;
    }
    Error::new(
        ErrorKind::ConditionNotMet,
        "the object changed while it was being read in parts (its ETag no longer matches)",
    )
    .with_source(err)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::metadata::Metadata;

    /// A fake backend read over `object` (ETag `"v1"`, or none), counting requests, that
    /// answers a range past the end as services do and fails `If-Match` once `replaced`.
    struct Fake {
        object: Bytes,
        etag: Option<&'static str>,
        requests: AtomicUsize,
        replaced: Mutex<bool>,
    }

    impl Fake {
        fn new(object: &'static [u8], etag: Option<&'static str>) -> Arc<Self> {
            Arc::new(Fake {
                object: Bytes::from_static(object),
                etag,
                requests: AtomicUsize::new(0),
                replaced: Mutex::new(false),
            })
        }

        fn reader(
            self: &Arc<Self>,
        ) -> impl Fn(ReadOptions) -> BoxFuture<'static, Result<Reader>> + Send + Sync + 'static + use<>
        {
            let fake = Arc::clone(self);
            move |opts: ReadOptions| {
                let fake = Arc::clone(&fake);
                async move { fake.read(opts) }.boxed()
            }
        }

        fn read(&self, opts: ReadOptions) -> Result<Reader> {
            assert!(opts.concurrency.is_none() && opts.part_size.is_none());
            self.requests.fetch_add(1, Ordering::SeqCst);
            if opts.if_match.is_some() && *self.replaced.lock().unwrap() {
                return Err(Error::new(ErrorKind::ConditionNotMet, "412"));
            }
            let size = self.object.len() as u64;
            let (offset, len) = match opts.range {
                Some(range) if size == 0 => {
                    return Err(Error::new(
                        ErrorKind::RangeNotSatisfiable,
                        format!("{range:?} of nothing"),
                    ));
                }
                Some(range) => range.resolve(size)?,
                None => (0, size),
            };
            let mut meta = Metadata::file(size);
            meta.etag = self.etag.map(str::to_owned);
            // Two chunks per answer, so that parts are made of several.
            let body = self.object.slice(offset as usize..(offset + len) as usize);
            let half = body.len() / 2;
            let chunks = vec![Ok(body.slice(..half)), Ok(body.slice(half..))];
            Ok(Reader::new(meta, len, stream::iter(chunks).boxed()))
        }
    }

    fn opts(part: u64, concurrency: usize) -> ReadOptions {
        ReadOptions::default()
            .with_part_size(part)
            .with_concurrency(concurrency)
    }

    async fn read_all(fake: &Arc<Fake>, opts: ReadOptions) -> Result<(u64, Bytes)> {
        let reader = read_in_parts(opts, fake.reader()).await?;
        let length = reader.content_length();
        Ok((length, reader.bytes().await?))
    }

    #[test]
    fn whole_object_in_parts_with_a_short_last_one() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let (length, bytes) = read_all(&fake, opts(3, 2)).await.unwrap();
            assert_eq!((length, &bytes[..]), (10, &b"0123456789"[..]));
            assert_eq!(fake.requests.load(Ordering::SeqCst), 4);
        });
    }

    #[test]
    fn a_range_is_read_in_parts_of_itself() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let (length, bytes) = read_all(&fake, opts(2, 3).with_range(3..8)).await.unwrap();
            assert_eq!((length, &bytes[..]), (5, &b"34567"[..]));
            let (_, bytes) = read_all(&fake, opts(4, 3).with_range(7..)).await.unwrap();
            assert_eq!(&bytes[..], b"789");
        });
    }

    #[test]
    fn one_part_or_less_is_one_request() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let (_, bytes) = read_all(&fake, opts(10, 4)).await.unwrap();
            assert_eq!(&bytes[..], b"0123456789");
            assert_eq!(fake.requests.load(Ordering::SeqCst), 1);
        });
    }

    #[test]
    fn an_empty_object_is_read_plainly() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"", Some("\"v1\""));
            let (length, bytes) = read_all(&fake, opts(4, 2)).await.unwrap();
            assert_eq!((length, bytes.len()), (0, 0));
        });
    }

    #[test]
    fn a_range_past_the_end_is_still_refused() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let err = read_all(&fake, opts(4, 2).with_range(10..))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RangeNotSatisfiable);
        });
    }

    #[test]
    fn without_an_etag_the_object_is_read_plainly() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", None);
            let (_, bytes) = read_all(&fake, opts(3, 2)).await.unwrap();
            assert_eq!(&bytes[..], b"0123456789");
            // The first part, then one plain read.
            assert_eq!(fake.requests.load(Ordering::SeqCst), 2);
        });
    }

    #[test]
    fn a_replaced_object_fails_the_read() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let reader = read_in_parts(opts(3, 2), fake.reader()).await.unwrap();
            *fake.replaced.lock().unwrap() = true;
            let err = reader.bytes().await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConditionNotMet);
            assert!(err.to_string().contains("changed while it was being read"));
        });
    }

    #[test]
    fn a_zero_part_size_is_refused() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let err = read_all(&fake, opts(0, 2)).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert_eq!(fake.requests.load(Ordering::SeqCst), 0);
        });
    }

    #[test]
    fn concurrency_one_is_a_plain_read() {
        futures_executor::block_on(async {
            let fake = Fake::new(b"0123456789", Some("\"v1\""));
            let (_, bytes) = read_all(&fake, opts(3, 1)).await.unwrap();
            assert_eq!(&bytes[..], b"0123456789");
            assert_eq!(fake.requests.load(Ordering::SeqCst), 1);
        });
    }
}

//! `write`: one single-shot upload for a body that fits under the single-upload limit, else a
//! resumable upload fed chunk by chunk from the body stream (memory bounded by the chunk
//! size); with `concurrency` above 1, a parallel composite upload (see `composite`). The
//! object appears only when the upload is finalised: a write that fails leaves the old object
//! (or none).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use google_cloud_storage::streaming_source::{SizeHint, StreamingSource};
use storage_types::backend::{PartReader, verify_checksum};
use storage_types::{Body, ByteStream, Checksum, Error, Metadata, Result, WriteOptions};
use sync_wrapper::SyncWrapper;

use crate::GcsStorage;
use crate::capability::{CHUNK_QUANTUM, DEFAULT_CONCURRENCY, MAX_PARTS};
use crate::composite::Upload;
use crate::conditions::generations;
use crate::error::map_error;
use crate::object::metadata;

impl GcsStorage {
    /// Writes the object `name` (a full object name, not a path below the root).
    pub(crate) async fn write_object(
        &self,
        name: &str,
        body: Body,
        opts: WriteOptions,
    ) -> Result<Metadata> {
        write(self, name, body, opts).await
    }
}

async fn write(s: &GcsStorage, name: &str, body: Body, opts: WriteOptions) -> Result<Metadata> {
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let mut g = generations(opts.if_match.as_deref(), opts.if_none_match.as_deref())?;
    if g.must_exist {
        // `if_match: *`: pin the write to the generation there is now.
        let current = s.object_of(name).await?;
        let current = current
            .ok_or_else(|| Error::not_found("if_match is `*` but there is no object to replace"))?;
        g.if_match = Some(current.generation);
    }
    let chunk = opts
        .part_size
        .unwrap_or(s.inner.chunk_size)
        .max(1)
        .div_ceil(CHUNK_QUANTUM)
        * CHUNK_QUANTUM;
    let size = body.size();
    // A checksum given with the write is checked as the body streams past, and sent to GCS,
    // which checks it again before it finalises the object.
    let body = verify_checksum(body, opts.checksum);
    let failure = Arc::new(Mutex::new(None));
    let source = match body.as_bytes() {
        Some(bytes) => BodySource::whole(bytes.clone(), &failure),
        None => {
            let mut parts = PartReader::new(body.into_stream());
            let concurrency = opts.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
            if concurrency > 1 {
                // Asked for parallel uploads: parts as staged objects, composed at the end;
                // parts large enough that a body of known size fits in the part limit.
                let needed = size.map_or(0, |n| n.div_ceil(u64::from(MAX_PARTS)));
                let chunk = chunk.max(needed.div_ceil(CHUNK_QUANTUM) * CHUNK_QUANTUM);
                let (first, end) = parts.next_part(chunk).await?;
                if !end {
                    let upload = Upload {
                        name,
                        part_size: chunk,
                        concurrency,
                        opts: &opts,
                        conditions: g,
                        encryption: &encryption,
                    };
                    // Boxed: inline, the composite upload's large future would make this
                    // one as large for every write (see `reader::stat`).
                    return Box::pin(s.write_composite(upload, first, parts)).await;
                }
                BodySource::whole(first, &failure)
            } else {
                // Read up to the single-upload limit first: a body that ends there (of known
                // length or not) goes up in one request.
                let (first, end) = parts.next_part(s.inner.single_upload_limit).await?;
                if end {
                    BodySource::whole(first, &failure)
                } else {
                    BodySource::streamed(first, parts.into_stream(), size, &failure)
                }
            }
        }
    };
    let mut req = s
        .inner
        .storage
        .write_object(s.bucket_path(), name, source)
        .with_resumable_upload_buffer_size(usize::try_from(chunk).unwrap_or(usize::MAX))
        .set_metadata(opts.user_metadata.clone());
    if let Some(v) = &opts.content_type {
        req = req.set_content_type(v.clone());
    }
    if let Some(v) = &opts.content_encoding {
        req = req.set_content_encoding(v.clone());
    }
    if let Some(v) = &opts.cache_control {
        req = req.set_cache_control(v.clone());
    }
    if let Some(v) = &opts.content_disposition {
        req = req.set_content_disposition(v.clone());
    }
    if let Some(class) = opts
        .storage_class
        .as_ref()
        .or(s.inner.storage_class.as_ref())
    {
        req = req.set_storage_class(class.clone());
    }
    if let Some(acl) = &s.inner.predefined_acl {
        req = req.set_predefined_acl(acl.clone());
    }
    if let Some(kms) = &encryption.kms_key {
        req = req.set_kms_key(kms.clone());
    }
    if let Some(key) = encryption.key.clone() {
        req = req.set_key(key);
    }
    if let Some(generation) = g.if_match {
        req = req.set_if_generation_match(generation);
    }
    if let Some(generation) = g.if_not_match {
        req = req.set_if_generation_not_match(generation);
    }
    match opts.checksum {
        Some(Checksum::Crc32c(crc)) => req = req.with_known_crc32c(crc),
        Some(Checksum::Md5(md5)) => req = req.with_known_md5_hash(md5),
        _ => {}
    }
    // Boxed, as every SDK request future is here (see `reader::stat`).
    match Box::pin(req.send_buffered()).await {
        Ok(object) => Ok(metadata(&object)),
        // The body's own error (a broken source, a checksum that did not match) says more than
        // the SDK's wrapper of it.
        Err(err) => Err(taken(&failure).unwrap_or_else(|| map_error(err))),
    }
}

fn taken(failure: &Mutex<Option<Error>>) -> Option<Error> {
    failure.lock().ok()?.take()
}

/// The error the SDK sees when the body fails; the real one waits in `failure`.
#[derive(Debug, thiserror::Error)]
#[error("the body of the write failed")]
pub(crate) struct BodyFailed;

/// A write's body as the SDK's [`StreamingSource`]: the bytes already read, then the rest of
/// the stream.
struct BodySource {
    first: Option<Bytes>,
    rest: Option<SyncWrapper<ByteStream>>,
    size: Option<u64>,
    /// Bytes handed to the SDK so far.
    delivered: u64,
    failure: Arc<Mutex<Option<Error>>>,
}

impl BodySource {
    fn whole(bytes: Bytes, failure: &Arc<Mutex<Option<Error>>>) -> Self {
        BodySource {
            size: Some(bytes.len() as u64),
            first: Some(bytes),
            rest: None,
            delivered: 0,
            failure: Arc::clone(failure),
        }
    }

    fn streamed(
        first: Bytes,
        rest: ByteStream,
        size: Option<u64>,
        failure: &Arc<Mutex<Option<Error>>>,
    ) -> Self {
        BodySource {
            first: Some(first),
            rest: Some(SyncWrapper::new(rest)),
            size,
            delivered: 0,
            failure: Arc::clone(failure),
        }
    }
}

impl StreamingSource for BodySource {
    type Error = BodyFailed;

    async fn next(&mut self) -> Option<std::result::Result<Bytes, BodyFailed>> {
        let bytes = match self.first.take() {
            Some(first) => first,
            None => match self.rest.as_mut()?.get_mut().next().await? {
                Ok(bytes) => bytes,
                Err(err) => return Some(Err(self.fail(err))),
            },
        };
        let before = self.delivered;
        self.delivered += bytes.len() as u64;
        // With the declared size in hand the SDK finalises the upload without asking for more:
        // make sure the body does end there (the stream fails if it runs long).
        if self
            .size
            .is_some_and(|size| before < size && self.delivered >= size)
            && let Err(err) = self.ensure_ended().await
        {
            return Some(Err(self.fail(err)));
        }
        Some(Ok(bytes))
    }

    fn size_hint(&self) -> impl Future<Output = std::result::Result<SizeHint, BodyFailed>> + Send {
        let hint = match self.size {
            Some(size) => SizeHint::with_exact(size),
            None => SizeHint::default(),
        };
        std::future::ready(Ok(hint))
    }
}

impl BodySource {
    /// Keeps the body's error for the caller; the SDK gets a stand-in.
    fn fail(&self, err: Error) -> BodyFailed {
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(err);
        }
        BodyFailed
    }

    /// Reads on past the declared end: nothing more may come.
    async fn ensure_ended(&mut self) -> Result<()> {
        let Some(rest) = self.rest.as_mut() else {
            return Ok(());
        };
        while let Some(chunk) = rest.get_mut().next().await {
            if !chunk?.is_empty() {
                return Err(Error::new(
                    storage_types::ErrorKind::IntegrityMismatch,
                    "the body is longer than the size it declared",
                ));
            }
        }
        Ok(())
    }
}

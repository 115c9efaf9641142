//! `write`: one single-shot upload for a body that fits under the single-upload limit, else a
//! resumable upload fed chunk by chunk from the body stream (memory bounded by the chunk
//! size); with `concurrency` above 1, a parallel composite upload (see `composite`). The
//! object appears only when the upload is finalised: a write that fails leaves the old object
//! (or none).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use google_cloud_storage::builder::storage::WriteObject;
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
        Some(bytes) => Source::Memory(bytes.clone()),
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
                Source::Memory(first)
            } else {
                // Read up to the single-upload limit first: a body that ends there (of known
                // length or not) goes up in one request.
                let (first, end) = parts.next_part(s.inner.single_upload_limit).await?;
                if end {
                    Source::Memory(first)
                } else {
                    Source::Streamed(BodySource::streamed(
                        first,
                        parts.into_stream(),
                        size,
                        &failure,
                    ))
                }
            }
        }
    };
    let settings = Settings {
        opts: &opts,
        encryption: &encryption,
        conditions: g,
        chunk,
        store: s,
    };
    let storage = &s.inner.storage;
    // Boxed, as every SDK request future is here (see `reader::stat`).
    let sent = match source {
        // Held in memory (a body under the single-upload limit, a part of a composite or
        // multipart upload), the body can be read again from any offset: the SDK sends it as
        // one request, or as a resumable upload that asks the service where to resume after
        // any failure and sends the rest from there.
        // A body that fits one chunk goes up in one request either way; the buffered path
        // sends it as the SDK always did (fake-gcs-server refuses the unbuffered single
        // request's checksums), and a retry sends the bytes again from the start.
        Source::Memory(bytes) if bytes.len() as u64 <= chunk => {
            let req = settings.apply(storage.write_object(s.bucket_path(), name, bytes));
            Box::pin(req.send_buffered()).await
        }
        Source::Memory(bytes) => {
            let req = settings.apply(storage.write_object(s.bucket_path(), name, bytes));
            Box::pin(req.send_unbuffered()).await
        }
        // A stream goes up in chunks from a buffer of one chunk. After a chunk whose request
        // broke off with no answer, google-cloud-storage 1.21 sends the next chunk at the
        // failed one's offset (googleapis/google-cloud-rust#6685): such a failure ends the
        // upload instead of being retried (see `retry::StorePolicy::streamed`).
        Source::Streamed(source) => {
            let req = settings
                .apply(storage.write_object(s.bucket_path(), name, source))
                .with_retry_policy(s.inner.retry.streamed());
            Box::pin(req.send_buffered()).await
        }
    };
    match sent {
        Ok(object) => Ok(metadata(&object)),
        // The body's own error (a broken source, a checksum that did not match) says more than
        // the SDK's wrapper of it.
        Err(err) => Err(taken(&failure).unwrap_or_else(|| map_error(err))),
    }
}

/// Where a write's bytes come from.
enum Source {
    /// All of them, in memory.
    Memory(Bytes),
    /// A stream.
    Streamed(BodySource),
}

/// What every upload request of a write carries, whatever its body.
struct Settings<'a> {
    opts: &'a WriteOptions,
    encryption: &'a crate::encryption::GcsEncryption,
    conditions: crate::conditions::Generations,
    chunk: u64,
    store: &'a GcsStorage,
}

impl Settings<'_> {
    fn apply<T>(&self, req: WriteObject<T>) -> WriteObject<T> {
        let (opts, s) = (self.opts, self.store);
        let mut req = req
            .with_resumable_upload_buffer_size(usize::try_from(self.chunk).unwrap_or(usize::MAX))
            // Safe to send again: see `retry` (the SDK retries resumable uploads anyway).
            .with_idempotency(true)
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
        if let Some(kms) = &self.encryption.kms_key {
            req = req.set_kms_key(kms.clone());
        }
        if let Some(key) = self.encryption.key.clone() {
            req = req.set_key(key);
        }
        if let Some(generation) = self.conditions.if_match {
            req = req.set_if_generation_match(generation);
        }
        if let Some(generation) = self.conditions.if_not_match {
            req = req.set_if_generation_not_match(generation);
        }
        match opts.checksum {
            Some(Checksum::Crc32c(crc)) => req.with_known_crc32c(crc),
            Some(Checksum::Md5(md5)) => req.with_known_md5_hash(md5),
            _ => req,
        }
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

//! `write`: a body under the single-upload limit goes up in one request, by the SDK; a longer
//! one as a resumable upload, chunk by chunk, by rs-storage's own driver (`resumable`: the
//! SDK's resends wrong bytes after a chunk request with no answer), memory bounded by the
//! chunk size; with `concurrency` above 1, a parallel composite upload (see `composite`). The
//! object appears only when the upload is finalised: a write that fails leaves the old object
//! (or none).

use google_cloud_storage::builder::storage::WriteObject;
use storage_types::backend::{PartReader, verify_checksum};
use storage_types::{Body, Checksum, Error, Metadata, Result, WriteOptions};

use crate::GcsStorage;
use crate::capability::{CHUNK_QUANTUM, DEFAULT_CONCURRENCY, MAX_PARTS};
use crate::composite::Upload;
use crate::conditions::generations;
use crate::error::map_error;
use crate::object::metadata;
use crate::resumable::Streamed;

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
    let bytes = match body.as_bytes() {
        Some(bytes) => bytes.clone(),
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
                first
            } else {
                // Read up to the single-upload limit first: a body that ends there (of known
                // length or not) goes up in one request.
                let (first, end) = parts.next_part(s.inner.single_upload_limit).await?;
                if !end {
                    let upload = Streamed {
                        name,
                        opts: &opts,
                        encryption: &encryption,
                        conditions: g,
                        chunk,
                        size,
                    };
                    return Box::pin(s.write_streamed(upload, first, parts)).await;
                }
                first
            }
        }
    };
    if bytes.len() as u64 >= s.inner.single_upload_limit {
        // Held in memory but past the single-upload limit (a part larger than it): chunks, by
        // rs-storage's own resumable upload, as a stream's (see `resumable` for why not the
        // SDK's).
        let upload = Streamed {
            name,
            opts: &opts,
            encryption: &encryption,
            conditions: g,
            chunk,
            size: Some(bytes.len() as u64),
        };
        let rest = PartReader::new(Box::pin(futures_util::stream::empty()));
        return Box::pin(s.write_streamed(upload, bytes, rest)).await;
    }
    // One request, which the SDK sends with the body's checksums; each attempt bounded on its
    // own (see `attempt`): a stalled request is sent again, the same bytes.
    let settings = Settings {
        opts: &opts,
        encryption: &encryption,
        conditions: g,
        store: s,
    };
    let storage = &s.inner.storage;
    let object = s
        .with_data(|| {
            let req = settings.apply(storage.write_object(s.bucket_path(), name, bytes.clone()));
            // Boxed, as every SDK request future is here (see `reader::stat`).
            async move { Box::pin(req.send_buffered()).await.map_err(map_error) }
        })
        .await?;
    Ok(metadata(&object))
}

/// What every upload request of a write carries, whatever its body.
struct Settings<'a> {
    opts: &'a WriteOptions,
    encryption: &'a crate::encryption::GcsEncryption,
    conditions: crate::conditions::Generations,
    store: &'a GcsStorage,
}

impl Settings<'_> {
    fn apply<T>(&self, req: WriteObject<T>) -> WriteObject<T> {
        let (opts, s) = (self.opts, self.store);
        let mut req = req
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

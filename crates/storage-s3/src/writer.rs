//! `write`: one PutObject for a body that fits in a part, otherwise a multipart upload whose
//! parts go up concurrently, with memory bounded by part size x (concurrency + 1). An upload
//! that fails is aborted before the error returns; one whose future is dropped is aborted in
//! the background.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use storage_types::backend::{PartPlan, PartReader, upload_parts, verify_checksum};
use storage_types::{Body, Checksum, Error, Metadata, ObjectPath, Result, WriteOptions};
use tokio_util::task::AbortOnDropHandle;

use crate::S3Storage;
use crate::capability::{MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE};
use crate::encryption::{send_upload, with_common, with_sse};
use crate::error::map_sdk_error;
use crate::headers::with_write_headers;
use crate::multipart::{AbortGuard, UploadContext, start_upload};

impl S3Storage {
    /// Writes `body` to `path`: one PutObject if it fits in a part, else a multipart upload.
    pub(crate) async fn write_object(
        &self,
        path: &ObjectPath,
        body: Body,
        opts: WriteOptions,
    ) -> Result<Metadata> {
        let key = self.key(path);
        let part_size = part_size(self, &opts, body.size())?;
        if let Some(bytes) = body.as_bytes().filter(|b| b.len() as u64 <= part_size) {
            return put(self, key, bytes.clone(), &opts).await;
        }
        // A checksum given with the write is checked over the whole body as it streams past: S3
        // checks it on a single PUT, but cannot across the parts of a multipart upload.
        let mut source = PartReader::new(verify_checksum(body, opts.checksum).into_stream());
        let (first, end) = source.next_part(part_size).await?;
        if end {
            return put(self, key, first, &opts).await;
        }
        multipart_write(self, key, first, source, part_size, opts).await
    }
}

/// The part size: the requested or default one, grown so that a body of known size needs no
/// more than the 10,000 parts S3 allows.
fn part_size(s: &S3Storage, opts: &WriteOptions, size: Option<u64>) -> Result<u64> {
    let requested = opts.part_size.unwrap_or(s.inner.part_size);
    if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&requested) {
        return Err(Error::invalid_input(format!(
            "part_size must be between 5 MiB and 5 GiB, not {requested} bytes"
        )));
    }
    let needed = size.map_or(0, |n| n.div_ceil(u64::from(MAX_PARTS)));
    let mib = 1 << 20;
    Ok(requested.max(needed.div_ceil(mib) * mib))
}

/// One PutObject of bytes in memory.
async fn put(s: &S3Storage, key: String, bytes: Bytes, opts: &WriteOptions) -> Result<Metadata> {
    let s3 = s.s3_options(&opts.extensions);
    let sse = s.write_sse(opts.encryption.as_ref());
    let size = bytes.len() as u64;
    let req = s
        .s3()
        .await
        .put_object()
        .bucket(s.bucket())
        .key(key)
        .content_length(size as i64)
        .body(bytes.into())
        .set_if_match(opts.if_match.clone())
        .set_if_none_match(opts.if_none_match.clone());
    let req = with_write_headers!(req, opts, s3, s.inner.storage_class);
    let req = match opts.checksum {
        Some(Checksum::Md5(md5)) => req.content_md5(STANDARD.encode(md5)),
        Some(Checksum::Crc32c(crc)) => req.checksum_crc32_c(STANDARD.encode(crc.to_be_bytes())),
        _ => req,
    };
    let req = with_common!(with_sse!(req, sse.as_ref(), s3), s3);
    let out = send_upload!(req, s.inner.unsigned_payload).map_err(map_sdk_error)?;
    let mut meta = Metadata::file(size);
    meta.etag = out.e_tag().map(str::to_owned);
    meta.version = out.version_id().map(str::to_owned);
    Ok(meta)
}

/// A multipart upload of `first` and the rest of `source`, completed, or aborted on failure.
async fn multipart_write(
    s: &S3Storage,
    key: String,
    first: Bytes,
    mut source: PartReader,
    part_size: u64,
    opts: WriteOptions,
) -> Result<Metadata> {
    let plan = PartPlan {
        part_size,
        concurrency: opts.concurrency.unwrap_or(s.inner.concurrency).max(1),
        max_parts: MAX_PARTS,
    };
    let upload_id = start_upload(s, &key, &opts).await?;
    let guard = AbortGuard::new(s, &key, &upload_id);
    let sse_c = s.read_sse_c(opts.encryption.as_ref());
    let upload = UploadContext::new(s, &key, &upload_id, sse_c, s.s3_options(&opts.extensions));
    let sent = upload_parts(&mut source, first, plan, |number, bytes| {
        spawned(upload.upload_part(number, bytes))
    })
    .await;
    let finished = match sent {
        Ok(sent) => {
            let conditions = (opts.if_none_match.clone(), opts.if_match.clone());
            upload.complete(sent.parts, conditions, sent.size).await
        }
        Err(err) => Err(err),
    };
    match finished {
        Ok(meta) => {
            guard.disarm();
            Ok(meta)
        }
        Err(err) => {
            guard.abort().await;
            Err(err)
        }
    }
}

/// Runs one part's upload as a task of its own, so that parts are signed and sent on every
/// core; dropping the returned future (the write was cancelled) aborts the task.
fn spawned<T: Send + 'static>(
    upload: impl Future<Output = Result<T>> + Send + 'static,
) -> impl Future<Output = Result<T>> {
    let task = AbortOnDropHandle::new(tokio::spawn(upload));
    async move {
        task.await
            .map_err(|err| Error::unexpected("a part upload task failed").with_source(err))?
    }
}

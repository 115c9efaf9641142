//! `write`: one PutObject for a body that fits in a part, otherwise a multipart upload whose
//! parts go up concurrently, with memory bounded by part size x (concurrency + 1). An upload
//! that fails is aborted before the error returns; one whose future is dropped is aborted in
//! the background.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use storage_types::backend::{PartReader, verify_checksum};
use storage_types::{Body, Checksum, Error, Metadata, ObjectPath, Result, WriteOptions};
use tokio::task::JoinSet;

use crate::S3Storage;
use crate::backend::{MAX_PART_SIZE, MAX_PARTS};
use crate::error::map_sdk_error;
use crate::headers::with_write_headers;
use crate::multipart::{AbortGuard, complete_parts, start_upload, upload_part_bytes};
use crate::sse::{send_upload, with_common, with_sse};

pub(crate) async fn write(
    s: &S3Storage,
    path: &ObjectPath,
    body: Body,
    opts: WriteOptions,
) -> Result<Metadata> {
    let key = s.key(path);
    let part_size = part_size(s, &opts, body.size())?;
    if let Some(bytes) = body.as_bytes().filter(|b| b.len() as u64 <= part_size) {
        return put(s, key, bytes.clone(), &opts).await;
    }
    // A checksum given with the write is checked over the whole body as it streams past: S3
    // checks it on a single PUT, but cannot across the parts of a multipart upload.
    let mut source = PartReader::new(verify_checksum(body, opts.checksum).into_stream());
    let (first, end) = source.next_part(part_size).await?;
    if end {
        return put(s, key, first, &opts).await;
    }
    multipart_write(s, key, first, source, part_size, opts).await
}

/// The part size: the requested or default one, grown so that a body of known size needs no
/// more than the 10,000 parts S3 allows.
fn part_size(s: &S3Storage, opts: &WriteOptions, size: Option<u64>) -> Result<u64> {
    let requested = opts.part_size.unwrap_or(s.inner.part_size);
    if !(crate::backend::MIN_PART_SIZE..=MAX_PART_SIZE).contains(&requested) {
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
        .client()
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

async fn multipart_write(
    s: &S3Storage,
    key: String,
    first: Bytes,
    mut source: PartReader,
    part_size: u64,
    opts: WriteOptions,
) -> Result<Metadata> {
    let concurrency = opts.concurrency.unwrap_or(s.inner.concurrency).max(1);
    let upload_id = start_upload(s, &key, &opts).await?;
    let guard = AbortGuard::new(s, &key, &upload_id);
    let result = upload_all(
        s,
        &key,
        &upload_id,
        first,
        &mut source,
        part_size,
        concurrency,
        &opts,
    )
    .await;
    let finished = match result {
        Ok((parts, size)) => complete_parts(s, &key, &upload_id, parts, size, &opts).await,
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

/// Uploads every part, at most `concurrency` at once, and returns them in order.
#[allow(clippy::too_many_arguments)]
async fn upload_all(
    s: &S3Storage,
    key: &str,
    upload_id: &str,
    first: Bytes,
    source: &mut PartReader,
    part_size: u64,
    concurrency: usize,
    opts: &WriteOptions,
) -> Result<(Vec<aws_sdk_s3::types::CompletedPart>, u64)> {
    let sse_c = s.read_sse_c(opts.encryption.as_ref());
    let s3 = s.s3_options(&opts.extensions);
    let mut tasks = JoinSet::new();
    let mut done = Vec::new();
    let (mut part, mut end, mut number) = (first, false, 1u32);
    let mut size = 0u64;
    loop {
        size += part.len() as u64;
        while tasks.len() >= concurrency {
            let (completed, buffer) = joined(tasks.join_next().await)?;
            source.recycle(buffer);
            done.push(completed);
        }
        let upload = upload_part_bytes(s, key, upload_id, number, part, sse_c.clone(), s3.clone());
        tasks.spawn(upload);
        if end {
            break;
        }
        if number == MAX_PARTS {
            return Err(Error::invalid_input(format!(
                "the body needs more than {MAX_PARTS} parts of {part_size} bytes; \
                 set a larger part_size"
            )));
        }
        number += 1;
        (part, end) = source.next_part(part_size).await?;
        if part.is_empty() && end {
            break;
        }
    }
    while let Some(result) = tasks.join_next().await {
        done.push(joined(Some(result))?.0);
    }
    done.sort_by_key(|p| p.part_number());
    Ok((done, size))
}

fn joined<T>(result: Option<std::result::Result<Result<T>, tokio::task::JoinError>>) -> Result<T> {
    match result {
        Some(Ok(outcome)) => outcome,
        Some(Err(join)) => Err(Error::unexpected("a part upload task failed").with_source(join)),
        None => Err(Error::unexpected("no part upload was running")),
    }
}

//! `write`: one Put Blob for a body that fits in a block, otherwise blocks staged concurrently
//! (memory bounded by block size x (concurrency + 1)) and committed with Put Block List.
//! Uncommitted blocks are never visible; a write that fails leaves the old blob (or none).

use std::num::NonZero;
use std::sync::Arc;

use azure_core::http::Etag;
use azure_storage_blob::models::{
    BlockBlobClientCommitBlockListOptions, BlockBlobClientCommitBlockListResultHeaders,
    BlockBlobClientStageBlockOptions, BlockBlobClientUploadOptions, BlockLookupList,
};
use bytes::Bytes;
use md5::Digest as _;
use storage_types::backend::{PartReader, verify_checksum};
use storage_types::{Body, Error, Metadata, ObjectPath, Result, WriteOptions};
use tokio::task::JoinSet;

use crate::AzBlobStorage;
use crate::backend::{MAX_BLOCK_SIZE, MAX_BLOCKS};
use crate::cpk::{AzureEncryption, with_cpk};
use crate::error::map_error;
use crate::headers::with_write_headers;

pub(crate) async fn write(
    s: &AzBlobStorage,
    path: &ObjectPath,
    body: Body,
    opts: WriteOptions,
) -> Result<Metadata> {
    let name = s.blob_name(path);
    let block_size = block_size(s, &opts, body.size())?;
    // A checksum given with the write is checked over the body as it streams past.
    let body = verify_checksum(body, opts.checksum);
    if let Some(bytes) = body.as_bytes().filter(|b| b.len() as u64 <= block_size) {
        return put_blob(s, &name, bytes.clone(), &opts).await;
    }
    let mut source = PartReader::new(body.into_stream());
    let (first, end) = source.next_part(block_size).await?;
    if end {
        return put_blob(s, &name, first, &opts).await;
    }
    let concurrency = opts.concurrency.unwrap_or(s.inner.concurrency).max(1);
    let nonce = crate::multipart::nonce();
    let (blocks, size) = stage_all(
        s,
        &name,
        &nonce,
        first,
        &mut source,
        block_size,
        concurrency,
        &opts,
    )
    .await?;
    commit(s, &name, blocks, size, &opts).await
}

/// The block size: the requested or default one, grown so that a body of known size needs no
/// more than the 50,000 blocks a blob may have.
fn block_size(s: &AzBlobStorage, opts: &WriteOptions, size: Option<u64>) -> Result<u64> {
    let requested = opts.part_size.unwrap_or(s.inner.block_size);
    if requested == 0 || requested > MAX_BLOCK_SIZE {
        return Err(Error::invalid_input(format!(
            "part_size must be between 1 byte and 4000 MiB, not {requested} bytes"
        )));
    }
    let needed = size.map_or(0, |n| n.div_ceil(u64::from(MAX_BLOCKS)));
    Ok(requested.max(needed))
}

/// One Put Blob of bytes in memory.
async fn put_blob(
    s: &AzBlobStorage,
    name: &str,
    bytes: Bytes,
    opts: &WriteOptions,
) -> Result<Metadata> {
    let encryption = s.encryption(opts.encryption.as_ref());
    let tier = crate::headers::tier(opts, s.inner.tier.as_ref())?;
    let size = bytes.len() as u64;
    let options = BlockBlobClientUploadOptions {
        if_match: opts.if_match.clone().map(Etag::from),
        if_none_match: opts.if_none_match.clone().map(Etag::from),
        // Larger than the body, so that the SDK sends it as one Put Blob.
        partition_size: NonZero::new(size.max(1)),
        ..Default::default()
    };
    let mut options = with_write_headers!(options, opts, encryption);
    options.tier = tier;
    // The blob's MD5 is stored with it, so that every whole download of it is checked (the SDK
    // sends none; Azure computes one only for some uploads, Azurite for none). A caller's MD5
    // was already checked against these bytes.
    let md5 = match opts.checksum {
        Some(storage_types::Checksum::Md5(md5)) => md5,
        _ => md5::Md5::digest(&bytes).into(),
    };
    options.blob_content_md5 = Some(md5.to_vec());
    let blob = s.inner.container.blob_client(name);
    // Boxed, as every SDK request future is here (see `reader::stat`).
    let result = Box::pin(blob.upload(bytes.into(), Some(options)))
        .await
        .map_err(map_error)?;
    let mut meta = Metadata::file(size);
    meta.etag = result.etag.map(|e| e.to_string());
    meta.version = result.version_id;
    Ok(meta)
}

/// Committing a blob discards its other uncommitted blocks: a concurrent write to the same
/// blob that committed first took ours with it. (Failed write conditions are translated by the
/// central layer.)
pub(crate) fn lost_blocks(err: Error) -> Error {
    use storage_types::ErrorKind;
    if err.message().contains("InvalidBlockList") {
        return Error::new(
            ErrorKind::ConditionNotMet,
            "another write to this blob committed while this one staged its blocks",
        )
        .with_temporary(true)
        .with_source(err);
    }
    err
}

/// The id of block `number` of an upload: fixed length, unique to the upload, so that
/// concurrent writers of one blob never mix their blocks.
pub(crate) fn block_id(nonce: &str, number: u32) -> Vec<u8> {
    format!("{nonce}-{number:06}").into_bytes()
}

/// Stages one block (a `'static` future, so the writer can spawn it).
pub(crate) fn stage_block(
    s: &AzBlobStorage,
    name: &str,
    id: Vec<u8>,
    data: Bytes,
    encryption: &AzureEncryption,
) -> impl Future<Output = Result<Bytes>> + Send + 'static {
    let client = Arc::new(s.inner.container.blob_client(name).block_blob_client());
    let options = BlockBlobClientStageBlockOptions {
        encryption_scope: encryption.scope.clone(),
        ..Default::default()
    };
    let options = with_cpk!(options, encryption.cpk.as_ref());
    async move {
        let length = data.len() as u64;
        // Kept to hand the buffer back once the SDK is done with it (`PartReader::recycle`).
        let kept = data.clone();
        Box::pin(client.stage_block(&id, length, data.into(), Some(options)))
            .await
            .map_err(map_error)?;
        Ok(kept)
    }
}

/// Stages every block, at most `concurrency` at once; returns their ids in order, and the
/// total size.
#[allow(clippy::too_many_arguments)]
async fn stage_all(
    s: &AzBlobStorage,
    name: &str,
    nonce: &str,
    first: Bytes,
    source: &mut PartReader,
    block_size: u64,
    concurrency: usize,
    opts: &WriteOptions,
) -> Result<(Vec<Vec<u8>>, u64)> {
    let encryption = s.encryption(opts.encryption.as_ref());
    let mut tasks = JoinSet::new();
    let mut ids = Vec::new();
    let mut size = 0u64;
    let (mut block, mut end, mut number) = (first, false, 1u32);
    loop {
        while tasks.len() >= concurrency {
            if let Some(buffer) = joined(tasks.join_next().await)? {
                source.recycle(buffer);
            }
        }
        let id = block_id(nonce, number);
        size += block.len() as u64;
        tasks.spawn(stage_block(s, name, id.clone(), block, &encryption));
        ids.push(id);
        if end {
            break;
        }
        if number == MAX_BLOCKS {
            return Err(Error::invalid_input(format!(
                "the body needs more than {MAX_BLOCKS} blocks of {block_size} bytes; \
                 set a larger part_size"
            )));
        }
        number += 1;
        (block, end) = source.next_part(block_size).await?;
        if block.is_empty() && end {
            break;
        }
    }
    while let Some(result) = tasks.join_next().await {
        joined(Some(result))?;
    }
    Ok((ids, size))
}

/// A finished block's outcome: its buffer, or `None` when no block was running.
fn joined(
    result: Option<std::result::Result<Result<Bytes>, tokio::task::JoinError>>,
) -> Result<Option<Bytes>> {
    match result {
        Some(Ok(outcome)) => outcome.map(Some),
        Some(Err(join)) => Err(Error::unexpected("a block upload task failed").with_source(join)),
        None => Ok(None),
    }
}

/// Commits staged blocks (in order) as the blob, with the write's headers and conditions.
pub(crate) async fn commit(
    s: &AzBlobStorage,
    name: &str,
    ids: Vec<Vec<u8>>,
    size: u64,
    opts: &WriteOptions,
) -> Result<Metadata> {
    let encryption = s.encryption(opts.encryption.as_ref());
    let tier = crate::headers::tier(opts, s.inner.tier.as_ref())?;
    let options = BlockBlobClientCommitBlockListOptions {
        if_match: opts.if_match.clone().map(Etag::from),
        if_none_match: opts.if_none_match.clone().map(Etag::from),
        ..Default::default()
    };
    let mut options = with_write_headers!(options, opts, encryption);
    options.tier = tier;
    let list = BlockLookupList {
        latest: Some(ids),
        ..Default::default()
    };
    let content = list.try_into().map_err(map_error)?;
    let client = s.inner.container.blob_client(name).block_blob_client();
    let r = Box::pin(client.commit_block_list(content, Some(options)))
        .await
        .map_err(|e| lost_blocks(map_error(e)))?;
    let mut meta = Metadata::file(size);
    meta.etag = r.etag().ok().flatten().map(|e| e.to_string());
    Ok(meta)
}

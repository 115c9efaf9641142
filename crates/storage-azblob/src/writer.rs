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
use storage_types::backend::{PartPlan, PartReader, upload_parts, verify_checksum};
use storage_types::{Body, Error, Metadata, ObjectPath, Result, WriteOptions};
use tokio_util::task::AbortOnDropHandle;

use crate::AzBlobStorage;
use crate::capability::{MAX_BLOCK_SIZE, MAX_BLOCKS};
use crate::encryption::{AzureEncryption, with_cpk};
use crate::error::map_error;
use crate::headers::with_write_headers;

impl AzBlobStorage {
    /// `write`: one Put Blob, or blocks staged concurrently and committed.
    pub(crate) async fn write_object(
        &self,
        path: &ObjectPath,
        body: Body,
        opts: WriteOptions,
    ) -> Result<Metadata> {
        let name = self.blob_name(path);
        let part_size = part_size(self, &opts, body.size())?;
        // A checksum given with the write is checked over the body as it streams past.
        let body = verify_checksum(body, opts.checksum);
        if let Some(bytes) = body.as_bytes().filter(|b| b.len() as u64 <= part_size) {
            return put_blob(self, &name, bytes.clone(), &opts).await;
        }
        let mut source = PartReader::new(body.into_stream());
        let (first, end) = source.next_part(part_size).await?;
        if end {
            return put_blob(self, &name, first, &opts).await;
        }
        let plan = PartPlan {
            part_size,
            concurrency: opts.concurrency.unwrap_or(self.inner.concurrency).max(1),
            max_parts: MAX_BLOCKS,
        };
        // Fixed for the whole write: unique, so that concurrent writers of one blob never mix
        // their blocks.
        let nonce = storage_types::backend::unique_token();
        let encryption = self.encryption(opts.encryption.as_ref());
        let staged = upload_parts(&mut source, first, plan, |number, data| {
            let id = block_id(&nonce, number);
            // Spawned, so that the blocks of one write are sent from every core.
            let task = AbortOnDropHandle::new(tokio::spawn(self.stage_block(
                &name,
                id.clone(),
                data,
                &encryption,
            )));
            async move {
                task.await.map_err(|e| {
                    Error::unexpected("a block upload task failed").with_source(e)
                })??;
                Ok(id)
            }
        })
        .await?;
        self.commit_blocks(&name, staged.parts, staged.size, &opts)
            .await
    }

    /// Stages one block: the one part upload of this backend, shared by `write` and
    /// multipart uploads (a `'static` future, so the writer can spawn it).
    pub(crate) fn stage_block(
        &self,
        name: &str,
        id: Vec<u8>,
        data: Bytes,
        encryption: &AzureEncryption,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let client = Arc::new(self.inner.container.blob_client(name).block_blob_client());
        let options = BlockBlobClientStageBlockOptions {
            encryption_scope: encryption.scope.clone(),
            ..Default::default()
        };
        let options = with_cpk!(options, encryption.cpk.as_ref());
        async move {
            let length = data.len() as u64;
            Box::pin(client.stage_block(&id, length, data.into(), Some(options)))
                .await
                .map_err(map_error)?;
            Ok(())
        }
    }

    /// Commits staged blocks (in order) as the blob, with the write's headers and conditions.
    pub(crate) async fn commit_blocks(
        &self,
        name: &str,
        ids: Vec<Vec<u8>>,
        size: u64,
        opts: &WriteOptions,
    ) -> Result<Metadata> {
        let encryption = self.encryption(opts.encryption.as_ref());
        let tier = crate::headers::tier(opts, self.inner.tier.as_ref())?;
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
        let client = self.inner.container.blob_client(name).block_blob_client();
        let r = Box::pin(client.commit_block_list(content, Some(options)))
            .await
            .map_err(|e| lost_blocks(map_error(e)))?;
        let mut meta = Metadata::file(size);
        meta.etag = r.etag().ok().flatten().map(|e| e.to_string());
        Ok(meta)
    }
}

/// The part (block) size: the requested or default one, grown so that a body of known size
/// needs no more than the 50,000 blocks a blob may have.
fn part_size(s: &AzBlobStorage, opts: &WriteOptions, size: Option<u64>) -> Result<u64> {
    let requested = opts.part_size.unwrap_or(s.inner.part_size);
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
fn lost_blocks(err: Error) -> Error {
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

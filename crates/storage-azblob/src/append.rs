//! Append blobs: create (replacing any blob), append a block at the expected offset (the
//! service checks it: `x-ms-blob-condition-appendpos`), and seal to finish.

use azure_storage_blob::models::{
    AppendBlobClientAppendBlockOptions, AppendBlobClientCreateOptions, AppendBlobClientSealOptions,
};
use storage_types::backend::verify_checksum;
use storage_types::{
    Body, Error, ErrorKind, Metadata, ObjectPath, PartOptions, Result, StatOptions, WriteOptions,
};

use crate::AzBlobStorage;
use crate::encryption::with_cpk;
use crate::error::map_error;
use crate::headers::with_write_headers;

impl AzBlobStorage {
    /// `create_append`: an empty append blob, replacing any blob at `path`.
    pub(crate) async fn create_append_blob(
        &self,
        path: &ObjectPath,
        opts: &WriteOptions,
    ) -> Result<Metadata> {
        let encryption = self.encryption(opts.encryption.as_ref());
        let base = AppendBlobClientCreateOptions {
            ..Default::default()
        };
        let options = with_write_headers!(base, opts, encryption);
        let client = self
            .inner
            .container
            .blob_client(&self.blob_name(path))
            .append_blob_client();
        client.create(Some(options)).await.map_err(map_error)?;
        Ok(Metadata::file(0))
    }

    /// `append`: one Append Block at `offset`; returns the new length.
    pub(crate) async fn append_block(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        // One Append Block is atomic: collected first, a failing body sends nothing.
        let data = verify_checksum(body, opts.checksum).collect().await?;
        let length = data.len() as u64;
        if length == 0 {
            // Azure refuses empty blocks; an empty append changes nothing but must still find the
            // object at the expected length.
            let meta = self.stat_object(path, StatOptions::default()).await?;
            if meta.size != offset {
                return Err(offset_error(offset, meta.size));
            }
            return Ok(offset);
        }
        let encryption = self.encryption(opts.encryption.as_ref());
        let options = AppendBlobClientAppendBlockOptions {
            append_position: Some(offset as i64),
            encryption_scope: encryption.scope.clone(),
            ..Default::default()
        };
        let options = with_cpk!(options, encryption.cpk.as_ref());
        let client = self
            .inner
            .container
            .blob_client(&self.blob_name(path))
            .append_blob_client();
        client
            .append_block(data.into(), length, Some(options))
            .await
            .map_err(map_error)?;
        Ok(offset + length)
    }

    /// `commit_append`: seals the blob (no more appends) and returns its metadata.
    pub(crate) async fn seal_append_blob(&self, path: &ObjectPath) -> Result<Metadata> {
        let client = self
            .inner
            .container
            .blob_client(&self.blob_name(path))
            .append_blob_client();
        client
            .seal(Some(AppendBlobClientSealOptions::default()))
            .await
            .map_err(map_error)?;
        self.stat_object(path, StatOptions::default()).await
    }
}

fn offset_error(offset: u64, length: u64) -> Error {
    Error::new(
        ErrorKind::ConditionNotMet,
        format!("append at offset {offset}, but the object has {length} bytes"),
    )
}

//! `copy` and `rename`: Copy Blob from the source's URL (authorized by a short-lived SAS when we hold the
//! key, else by the store's own SAS), waiting until the service reports the copy done.

use std::time::{Duration, SystemTime};

use azure_core::http::Etag;
use azure_storage_blob::models::{
    BlobClientGetPropertiesResultHeaders, BlobClientStartCopyFromUrlOptions,
    BlobClientStartCopyFromUrlResultHeaders, CopyStatus,
};
use storage_types::{CopyOptions, Error, ErrorKind, ObjectPath, Result};

use crate::AzBlobStorage;
use crate::error::map_error;
use crate::sas::{SAS_VERSION, SasRequest, service_sas};

/// How long a copy may stay pending before we give up waiting.
const COPY_WAIT: Duration = Duration::from_secs(600);

impl AzBlobStorage {
    /// `copy`: Copy Blob, waited for until the service reports it done.
    pub(crate) async fn copy_object(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        opts: &CopyOptions,
    ) -> Result<()> {
        let source_name = self.blob_name(from);
        let source = self.inner.container.blob_client(&source_name);
        let mut source_url = source.url().clone();
        if let Some(key) = &self.inner.key {
            let token = service_sas(
                key,
                &SasRequest {
                    permissions: "r",
                    expiry: SystemTime::now() + Duration::from_secs(3600),
                    container: &self.inner.container_name,
                    blob: Some(&source_name),
                    version: SAS_VERSION,
                },
            )?;
            source_url.set_query(Some(&token));
        }
        let options = BlobClientStartCopyFromUrlOptions {
            if_none_match: opts.if_none_match.clone().map(Etag::from),
            ..Default::default()
        };
        let target = self.inner.container.blob_client(&self.blob_name(to));
        let started = target
            .start_copy_from_url(source_url.to_string(), Some(options))
            .await
            .map_err(map_error)?;
        let mut status = started.copy_status().ok().flatten();
        let deadline = tokio::time::Instant::now() + COPY_WAIT;
        while status == Some(CopyStatus::Pending) {
            if tokio::time::Instant::now() > deadline {
                return Err(Error::new(ErrorKind::TimedOut, "the copy is still pending"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let props = target.get_properties(None).await.map_err(map_error)?;
            status = props.copy_status().ok().flatten();
        }
        match status {
            Some(CopyStatus::Success) | None => Ok(()),
            Some(other) => Err(Error::unexpected(format!("the copy ended as {other:?}"))),
        }
    }

    /// `rename`: a copy, then the source deleted.
    pub(crate) async fn rename_object(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        opts: &CopyOptions,
    ) -> Result<()> {
        self.copy_object(from, to, opts).await?;
        self.delete_object(from).await
    }
}

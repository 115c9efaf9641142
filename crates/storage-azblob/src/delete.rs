//! `delete` and `delete_many`: Delete Blob, where a blob already gone is no error.

use azure_core::http::StatusCode;
use storage_types::{ObjectPath, Result};

use crate::AzBlobStorage;
use crate::error::map_error;

impl AzBlobStorage {
    /// Deletes a blob (or a directory marker); one already gone is fine.
    pub(crate) async fn delete_object(&self, path: &ObjectPath) -> Result<()> {
        let blob = self.inner.container.blob_client(&self.blob_name(path));
        match Box::pin(blob.delete(None)).await {
            Ok(_) => Ok(()),
            Err(err) if err.http_status() == Some(StatusCode::NotFound) => Ok(()),
            Err(err) => Err(map_error(err)),
        }
    }

    /// Deletes each path in turn (Blob Batch is not in the official crate), reporting every
    /// failure.
    pub(crate) async fn delete_objects(&self, paths: &[ObjectPath]) -> Result<()> {
        storage_types::backend::delete_each(self, paths).await
    }
}

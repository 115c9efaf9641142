//! Deletes: one object (or one generation of it), and many (each in turn, every one
//! attempted). Deleting what is not there succeeds.

use google_cloud_gax::options::RequestOptionsBuilder;
use google_cloud_storage::model::DeleteObjectRequest;
use storage_types::{ErrorKind, ObjectPath, Result};

use crate::GcsStorage;
use crate::conditions::version_of;
use crate::error::map_error;

impl GcsStorage {
    /// Deletes an object (or a directory's marker; or one generation with `version`).
    pub(crate) async fn delete_path(&self, path: &ObjectPath, version: Option<&str>) -> Result<()> {
        self.delete_generation(&self.object_name(path), version_of(version)?)
            .await
    }

    /// Deletes each path in turn; the error names the first failure and how many failed.
    pub(crate) async fn delete_paths(&self, paths: &[ObjectPath]) -> Result<()> {
        storage_types::backend::delete_each(self, paths).await
    }

    /// Deletes one generation of an object (or the live one), idempotently: a retried delete
    /// whose first attempt did land finds nothing, which is success.
    pub(crate) async fn delete_generation(
        &self,
        name: &str,
        generation: Option<i64>,
    ) -> Result<()> {
        let mut request = DeleteObjectRequest::new()
            .set_bucket(self.bucket_path())
            .set_object(name);
        if let Some(generation) = generation {
            request = request.set_generation(generation);
        }
        let result = self
            .with_control(|control| {
                // Safe to send again: see `retry`.
                let call = control
                    .delete_object()
                    .with_request(request.clone())
                    .with_idempotency(true);
                async move { Box::pin(call.send()).await.map_err(map_error) }
            })
            .await;
        match result {
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

//! `delete` (DeleteObject) and `delete_many` (DeleteObjects, 1,000 keys a request).

use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use storage_types::backend::many_failed;
use storage_types::{DeleteOptions, Error, ObjectPath, Result};

use crate::S3Storage;
use crate::encryption::with_common;
use crate::error::{classify, map_sdk_error};

impl S3Storage {
    /// Deletes an object (or a directory marker); S3 answers success for a missing key.
    pub(crate) async fn delete_object(&self, path: &ObjectPath, opts: DeleteOptions) -> Result<()> {
        let s3 = self.s3_options(&opts.extensions);
        let req = self
            .s3()
            .await
            .delete_object()
            .bucket(self.bucket())
            .key(self.key(path))
            .set_version_id(opts.version);
        Box::pin(with_common!(req, s3).send())
            .await
            .map_err(map_sdk_error)?;
        Ok(())
    }

    /// Deletes keys 1,000 at a time with DeleteObjects (quiet: only failures come back).
    pub(crate) async fn delete_objects(&self, paths: &[ObjectPath]) -> Result<()> {
        let mut failures = Vec::new();
        for chunk in paths.chunks(1000) {
            let objects = chunk
                .iter()
                .map(|p| ObjectIdentifier::builder().key(self.key(p)).build())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|err| {
                    Error::invalid_input("cannot build the delete request").with_source(err)
                })?;
            let request = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|err| {
                    Error::invalid_input("cannot build the delete request").with_source(err)
                })?;
            let req = self
                .s3()
                .await
                .delete_objects()
                .bucket(self.bucket())
                .delete(request);
            // A batch that fails as a whole counts against each of its keys; the other batches
            // still go.
            let out = match with_common!(req, self.inner.defaults).send().await {
                Ok(out) => out,
                Err(err) => {
                    let err = map_sdk_error(err);
                    for path in chunk {
                        failures.push(
                            Error::new(err.kind(), err.message().to_owned())
                                .with_path(path.as_str()),
                        );
                    }
                    continue;
                }
            };
            for failed in out.errors() {
                let (kind, temporary) = classify(None, failed.code());
                let key = failed.key().unwrap_or_default();
                let message = failed
                    .message()
                    .unwrap_or("the service refused to delete the key");
                let err = Error::new(kind, message.to_owned()).with_temporary(temporary);
                failures.push(match self.path_of(key) {
                    Some(path) => err.with_path(path.as_str()),
                    None => err,
                });
            }
        }
        many_failed(failures, paths.len())
    }
}

//! `copy`: RewriteObject, called again with the rewrite token until GCS reports it done (large
//! or cross-location copies take several calls). The destination appears only when done.
//! `rename`: a copy pinned to the source's generation, then a delete of that generation only,
//! so that a write to the source in between is neither lost nor half-moved.

use google_cloud_gax::options::RequestOptionsBuilder;
use google_cloud_storage::model::RewriteObjectRequest;
use storage_types::{CopyOptions, Error, ObjectPath, Result};

use crate::GcsStorage;
use crate::conditions::generations;
use crate::error::map_error;

impl GcsStorage {
    pub(crate) async fn copy_object(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        opts: &CopyOptions,
    ) -> Result<()> {
        rewrite(self, from, to, opts, None).await
    }

    pub(crate) async fn rename_object(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        opts: &CopyOptions,
    ) -> Result<()> {
        let source = self
            .object_of(&self.object_name(from))
            .await?
            .ok_or_else(|| Error::not_found("no object to rename"))?;
        rewrite(self, from, to, opts, Some(source.generation)).await?;
        self.delete_generation(&self.object_name(from), Some(source.generation))
            .await
    }
}

async fn rewrite(
    s: &GcsStorage,
    from: &ObjectPath,
    to: &ObjectPath,
    opts: &CopyOptions,
    source_generation: Option<i64>,
) -> Result<()> {
    let source_encryption = s.encryption(opts.source_encryption.as_ref())?;
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let g = generations(None, opts.if_none_match.as_deref())?;
    let mut token = String::new();
    loop {
        let mut req = RewriteObjectRequest::new()
            .set_source_bucket(s.bucket_path())
            .set_source_object(s.object_name(from))
            .set_destination_bucket(s.bucket_path())
            .set_destination_name(s.object_name(to))
            .set_or_clear_if_generation_match(g.if_match)
            .set_or_clear_if_generation_not_match(g.if_not_match)
            .set_rewrite_token(token);
        if let Some(generation) = source_generation {
            req = req.set_source_generation(generation);
        }
        if let Some(key) = &source_encryption.customer {
            let sha = source_encryption.key_sha256.unwrap_or_default();
            req = req
                .set_copy_source_encryption_algorithm("AES256")
                .set_copy_source_encryption_key_bytes(bytes::Bytes::copy_from_slice(
                    key.expose_bytes(),
                ))
                .set_copy_source_encryption_key_sha256_bytes(bytes::Bytes::copy_from_slice(&sha));
        }
        if let Some(params) = encryption.params() {
            req = req.set_common_object_request_params(params);
        }
        if let Some(kms) = &encryption.kms_key {
            req = req.set_destination_kms_key(kms.clone());
        }
        if let Some(acl) = &s.inner.predefined_acl {
            req = req.set_destination_predefined_acl(acl.clone());
        }
        // Safe to send again: see `retry`.
        let response = s
            .with_control(|control| {
                let call = control
                    .rewrite_object()
                    .with_request(req.clone())
                    .with_idempotency(true);
                async move { Box::pin(call.send()).await.map_err(map_error) }
            })
            .await?;
        if response.done {
            return Ok(());
        }
        token = response.rewrite_token;
    }
}

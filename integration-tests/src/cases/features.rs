//! Operations of a feature the store does not declare answer `Unsupported`, and do nothing.

use std::time::Duration;

use storage_types::{
    BucketOptions, ErrorKind, Feature, MultipartUpload, Part, PresignMethod, PresignOptions,
    WriteOptions,
};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("features"; undeclared_are_unsupported)
}

/// Fails unless `result` is `Unsupported`, naming the call in the failure.
fn unsupported<T>(result: storage_types::Result<T>, call: &str) -> anyhow::Result<()> {
    expect_kind(result, ErrorKind::Unsupported)
        .map_err(|e| e.context(format!("{call} of an undeclared feature")))?;
    Ok(())
}

// Iterates the undeclared features, so a store that declares every feature passes trivially:
// what it declares is tested by the cases of each feature.
async fn undeclared_are_unsupported(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    let (src, dst, store) = (ctx.path("src"), ctx.path("dst"), &ctx.store);
    let undeclared: Vec<Feature> = Feature::ALL
        .into_iter()
        .filter(|f| !ctx.capability().has_feature(*f))
        .collect();
    for feature in undeclared {
        match feature {
            Feature::Multipart => {
                let opts = WriteOptions::default();
                unsupported(
                    store.create_multipart_with(&dst, opts).await,
                    "create_multipart",
                )?;
                let upload = MultipartUpload::new(&dst, "conformance-upload")?;
                let body = "x".into();
                let part = store.upload_part(&upload, 1, body).await;
                unsupported(part, "upload_part")?;
                let parts = [Part {
                    number: 1,
                    etag: "\"e\"".into(),
                    size: 1,
                }];
                let done = store.complete_multipart(&upload, &parts);
                unsupported(done.await, "complete_multipart")?;
                unsupported(store.abort_multipart(&upload).await, "abort_multipart")?;
                unsupported(store.list_parts(&upload).await, "list_parts")?;
            }
            Feature::UploadListing => {
                let uploads = store.list_multipart_uploads(ctx.base()).await;
                unsupported(uploads, "list_multipart_uploads")?;
            }
            Feature::Append => {
                let opts = WriteOptions::default();
                unsupported(store.create_append_with(&dst, opts).await, "create_append")?;
                let append = store.append(&src, 7, "x".into()).await;
                unsupported(append, "append")?;
                unsupported(store.commit_append(&src).await, "commit_append")?;
            }
            Feature::Copy => {
                unsupported(store.copy(&src, &dst).await, "copy")?;
            }
            Feature::Rename => {
                unsupported(store.rename(&src, &dst).await, "rename")?;
            }
            Feature::Presign => {
                let expires = Duration::from_secs(60);
                let opts = PresignOptions::default();
                let signed = store
                    .presign_with(PresignMethod::Get, &src, expires, opts)
                    .await;
                unsupported(signed, "presign")?;
            }
            Feature::CreateDir => {
                unsupported(store.create_dir(&ctx.path("d")).await, "create_dir")?;
            }
            Feature::Buckets => {
                let name = format!("conformance-{}", ctx.run_id());
                let opts = BucketOptions::default();
                unsupported(store.create_bucket_with(&name, opts).await, "create_bucket")?;
                unsupported(store.delete_bucket(&name).await, "delete_bucket")?;
                unsupported(store.list_buckets().await, "list_buckets")?;
            }
            other => anyhow::bail!("the suite does not know the feature {other}: extend this case"),
        }
    }
    // Nothing moved, appended or created.
    ctx.ensure_content("src", b"content").await?;
    ctx.ensure_absent("dst").await?;
    let names = ctx.list_names("", Default::default()).await?;
    ensure_eq!(
        names,
        vec!["src".to_owned()],
        "objects after the refused calls"
    );
    Ok(())
}

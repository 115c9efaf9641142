//! Directory markers, and buckets (create, delete, list in the store's project).

use futures_util::TryStreamExt;
use google_cloud_storage::model::{Bucket, ListBucketsRequest};
use storage_types::{Body, Error, ErrorKind, ObjectPath, Result, WriteOptions};

use crate::GcsStorage;
use crate::error::map_error;

impl GcsStorage {
    /// A directory is an empty marker object named `dir/`.
    pub(crate) async fn create_dir_marker(&self, dir: &ObjectPath) -> Result<()> {
        if dir.is_root() {
            return Ok(());
        }
        self.write_object(
            &self.object_name(dir),
            Body::empty(),
            WriteOptions::default(),
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn create_named_bucket(&self, name: &str) -> Result<()> {
        create_bucket(self, name).await
    }

    pub(crate) async fn delete_named_bucket(&self, name: &str) -> Result<()> {
        delete_bucket(self, name).await
    }

    /// The buckets of the store's project.
    pub(crate) async fn bucket_names(&self) -> Result<Vec<String>> {
        list_buckets(self).await
    }
}

fn project(s: &GcsStorage) -> Result<String> {
    s.inner
        .project_id
        .as_ref()
        .map(|p| format!("projects/{p}"))
        .ok_or_else(|| {
            Error::invalid_input(
                "creating and listing buckets needs a project: set project_id (URL key \
                 `project-id`, or GOOGLE_CLOUD_PROJECT)",
            )
        })
}

async fn create_bucket(s: &GcsStorage, name: &str) -> Result<()> {
    // Not attempted again after a stall: a second create of a bucket the first made would
    // fail as `AlreadyExists`.
    s.control()
        .create_bucket()
        .set_parent(project(s)?)
        .set_bucket_id(name)
        .set_bucket(Bucket::new())
        .send()
        .await
        .map_err(map_error)?;
    Ok(())
}

async fn delete_bucket(s: &GcsStorage, name: &str) -> Result<()> {
    let result = s
        .control()
        .delete_bucket()
        .set_name(format!("projects/_/buckets/{name}"))
        .send()
        .await
        .map_err(map_error);
    match result {
        // GCS refuses to delete a bucket that still holds objects.
        Err(err) if err.kind() == ErrorKind::ConditionNotMet => Err(Error::new(
            ErrorKind::DirectoryNotEmpty,
            "the bucket still holds objects",
        )
        .with_source(err)),
        other => other,
    }
}

async fn list_buckets(s: &GcsStorage) -> Result<Vec<String>> {
    let request = ListBucketsRequest::new().set_parent(project(s)?);
    let pages = crate::paging::pages(s, move |control, token| {
        let call = control
            .list_buckets()
            .with_request(request.clone().set_page_token(token));
        async move { Box::pin(call.send()).await.map_err(map_error) }
    });
    let pages: Vec<_> = pages.try_collect().await?;
    Ok(pages
        .into_iter()
        .flat_map(|page| page.buckets)
        .map(|b| {
            if b.bucket_id.is_empty() {
                b.name.rsplit('/').next().unwrap_or_default().to_owned()
            } else {
                b.bucket_id
            }
        })
        .collect())
}

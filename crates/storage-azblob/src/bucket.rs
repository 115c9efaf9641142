//! Containers (create, delete, list) and directory markers.

use azure_storage_blob::models::BlobServiceClientListContainersOptions;
use bytes::Bytes;
use futures_util::TryStreamExt;
use storage_types::{Error, ObjectPath, Result};

use crate::AzBlobStorage;
use crate::error::map_error;

impl AzBlobStorage {
    /// `create_dir`: a directory is an empty blob whose name ends with `/`.
    pub(crate) async fn create_dir_marker(&self, dir: &ObjectPath) -> Result<()> {
        let blob = self.inner.container.blob_client(&self.blob_name(dir));
        blob.upload(Bytes::new().into(), None)
            .await
            .map_err(map_error)?;
        Ok(())
    }

    /// `create_bucket`: a new container of the account.
    pub(crate) async fn create_container(&self, name: &str) -> Result<()> {
        check_container_name(name)?;
        let container = self.inner.service.blob_container_client(name);
        container.create(None).await.map_err(map_error)?;
        Ok(())
    }

    /// `delete_bucket`: removes a container of the account.
    pub(crate) async fn delete_container(&self, name: &str) -> Result<()> {
        check_container_name(name)?;
        let container = self.inner.service.blob_container_client(name);
        container.delete(None).await.map_err(map_error)?;
        Ok(())
    }

    /// `list_buckets`: the account's containers, by name.
    pub(crate) async fn list_containers(&self) -> Result<Vec<String>> {
        let options = BlobServiceClientListContainersOptions::default();
        let mut pages = self
            .inner
            .service
            .list_containers(Some(options))
            .map_err(map_error)?
            .into_pages();
        let mut names = Vec::new();
        while let Some(page) = pages.try_next().await.map_err(map_error)? {
            let model = page.into_model().map_err(map_error)?;
            names.extend(model.container_items.into_iter().filter_map(|c| c.name));
        }
        names.sort();
        Ok(names)
    }
}

/// Azure's container naming rules, checked before a request is made for a name that cannot
/// work.
fn check_container_name(name: &str) -> Result<()> {
    let valid = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--");
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "`{name}` is not a valid container name (3-63 lower-case letters, digits and single `-`)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names() {
        assert!(check_container_name("backups-2024").is_ok());
        for bad in ["ab", "Upper", "-a-b", "a--b", "dots.not.allowed"] {
            assert!(check_container_name(bad).is_err(), "{bad}");
        }
    }
}

//! Containers (create, delete, list), directory markers, and `delete`.

use azure_core::http::StatusCode;
use azure_storage_blob::models::BlobServiceClientListContainersOptions;
use bytes::Bytes;
use futures_util::TryStreamExt;
use storage_types::{Error, ObjectPath, Result};

use crate::AzBlobStorage;
use crate::error::map_error;

/// Deletes a blob (or a directory marker); one already gone is fine.
pub(crate) async fn delete(s: &AzBlobStorage, path: &ObjectPath) -> Result<()> {
    let blob = s.inner.container.blob_client(&s.blob_name(path));
    match Box::pin(blob.delete(None)).await {
        Ok(_) => Ok(()),
        Err(err) if err.http_status() == Some(StatusCode::NotFound) => Ok(()),
        Err(err) => Err(map_error(err)),
    }
}

/// A directory is an empty blob whose name ends with `/`.
pub(crate) async fn create_dir(s: &AzBlobStorage, dir: &ObjectPath) -> Result<()> {
    let blob = s.inner.container.blob_client(&s.blob_name(dir));
    blob.upload(Bytes::new().into(), None)
        .await
        .map_err(map_error)?;
    Ok(())
}

pub(crate) async fn create_container(s: &AzBlobStorage, name: &str) -> Result<()> {
    check_container_name(name)?;
    let container = s.inner.service.blob_container_client(name);
    container.create(None).await.map_err(map_error)?;
    Ok(())
}

pub(crate) async fn delete_container(s: &AzBlobStorage, name: &str) -> Result<()> {
    check_container_name(name)?;
    let container = s.inner.service.blob_container_client(name);
    container.delete(None).await.map_err(map_error)?;
    Ok(())
}

pub(crate) async fn list_containers(s: &AzBlobStorage) -> Result<Vec<String>> {
    let options = BlobServiceClientListContainersOptions::default();
    let mut pages = s
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

//! Multipart uploads on composition. An upload is a staging directory below the store's root,
//! `.stor-multipart/<id>/`, holding a manifest object (`upload`, empty, whose custom metadata
//! records the target path and the write's headers) and one object per part (`part-NNNNN`).
//! Completion composes the listed parts into the target (cascading past 32 parts) and removes
//! the staging directory; aborting removes it too. Listings of the store hide it. GCS composes
//! only sources of one storage class, so parts are staged in the class of the target.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::TryStreamExt;
use google_cloud_storage::model::{ListObjectsRequest, Object};
use storage_types::{
    Body, CompleteOptions, Error, Metadata, MultipartUpload, ObjectPath, Part, PartOptions, Result,
    WriteOptions,
};

use crate::GcsStorage;
use crate::capability::{MAX_PAGE_SIZE, MAX_PARTS};
use crate::compose::{compose, source};
use crate::conditions::{generation_of, generations};
use crate::encryption::GcsEncryption;
use crate::error::map_error;
use crate::object::metadata;

/// The staging directory of multipart uploads, relative to the store's root.
pub(crate) const STAGING: &str = ".stor-multipart/";

const MANIFEST: &str = "upload";
/// Manifest metadata keys: ours start `stor-`, the user's metadata is kept as `user-<key>`.
const PATH_KEY: &str = "stor-path";
const USER_PREFIX: &str = "user-";
/// The SHA256 (base64) of the customer key the upload was created with: parts and completion
/// must use the same key.
const KEY_SHA256: &str = "stor-key-sha256";
/// The manifest is never composed and lives seconds: the class without a minimum storage
/// duration. (Parts are composed, so they take the target's class: see `target_class`.)
const MANIFEST_CLASS: &str = "STANDARD";
const HEADER_KEYS: [&str; 6] = [
    "stor-content-type",
    "stor-content-encoding",
    "stor-cache-control",
    "stor-content-disposition",
    "stor-storage-class",
    "stor-kms-key",
];

/// The staging directory of an upload (an object-name prefix ending in `/`).
fn staging(s: &GcsStorage, id: &str) -> Result<String> {
    // The id becomes part of object names: only what `unique_token` makes is accepted.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::not_found(format!("no multipart upload {id:?}")));
    }
    Ok(format!("{}{STAGING}{id}/", s.inner.root))
}

pub(crate) fn part_name(dir: &str, number: u32) -> String {
    format!("{dir}part-{number:05}")
}

impl GcsStorage {
    pub(crate) async fn create_upload(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        create(self, path, opts).await
    }

    pub(crate) async fn upload_staged_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        upload_part(self, upload, number, body, opts).await
    }

    pub(crate) async fn complete_upload(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        complete(self, upload, parts, opts).await
    }

    pub(crate) async fn abort_upload(&self, upload: &MultipartUpload) -> Result<()> {
        abort(self, upload).await
    }

    pub(crate) async fn list_upload_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        manifest(self, upload).await?;
        staged_parts(self, &staging(self, &upload.upload_id)?).await
    }

    pub(crate) async fn list_uploads_below(
        &self,
        dir: &ObjectPath,
    ) -> Result<Vec<MultipartUpload>> {
        list_uploads(self, dir).await
    }

    /// Every object below a prefix, all pages.
    pub(crate) async fn objects_below(&self, prefix: &str) -> Result<Vec<Object>> {
        let request = ListObjectsRequest::new()
            .set_parent(self.bucket_path())
            .set_prefix(prefix)
            .set_page_size(MAX_PAGE_SIZE as i32);
        let pages = crate::paging::pages(self, move |control, token| {
            let call = control
                .list_objects()
                .with_request(request.clone().set_page_token(token));
            async move { Box::pin(call.send()).await.map_err(map_error) }
        });
        let pages: Vec<_> = pages.try_collect().await?;
        Ok(pages.into_iter().flat_map(|p| p.objects).collect())
    }

    /// Removes a finished upload's staging objects. The target is already written, so a
    /// failure here is logged, not returned (for a multipart upload, `list_multipart_uploads`
    /// still shows it and `abort_multipart` removes what is left).
    pub(crate) async fn remove_staging(&self, dir: &str) {
        let objects = match self.objects_below(dir).await {
            Ok(objects) => objects,
            Err(err) => {
                tracing::warn!(error = %err, "cannot list a finished upload's staging objects");
                return;
            }
        };
        let (manifest, parts): (Vec<_>, Vec<_>) =
            objects.iter().partition(|o| o.name.ends_with(MANIFEST));
        for object in parts.into_iter().chain(manifest) {
            if let Err(err) = delete_staged(self, object).await {
                tracing::warn!(error = %err, "cannot remove a finished upload's staging object");
            }
        }
    }
}

async fn create(s: &GcsStorage, path: &ObjectPath, opts: WriteOptions) -> Result<MultipartUpload> {
    let id = storage_types::backend::unique_token();
    let dir = staging(s, &id)?;
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let headers = [
        opts.content_type.clone(),
        opts.content_encoding.clone(),
        opts.cache_control.clone(),
        opts.content_disposition.clone(),
        opts.storage_class.clone(),
        encryption.kms_key.clone(),
    ];
    let mut manifest: BTreeMap<String, String> = HEADER_KEYS
        .iter()
        .zip(headers)
        .filter_map(|(key, value)| Some(((*key).to_owned(), value?)))
        .collect();
    manifest.insert(PATH_KEY.to_owned(), path.as_str().to_owned());
    if let Some(sha) = encryption.key_sha256 {
        manifest.insert(KEY_SHA256.to_owned(), STANDARD.encode(sha));
    }
    for (key, value) in &opts.user_metadata {
        manifest.insert(format!("{USER_PREFIX}{key}"), value.clone());
    }
    let mut manifest_opts = WriteOptions::default();
    manifest_opts.user_metadata = manifest;
    manifest_opts.storage_class = Some(MANIFEST_CLASS.to_owned());
    s.write_object(&format!("{dir}{MANIFEST}"), Body::empty(), manifest_opts)
        .await?;
    let mut upload = MultipartUpload::new(path.as_str(), id)?;
    upload.initiated = Some(SystemTime::now());
    Ok(upload)
}

/// The manifest's metadata, if the upload exists for this path.
async fn manifest(s: &GcsStorage, upload: &MultipartUpload) -> Result<HashMap<String, String>> {
    let dir = staging(s, &upload.upload_id)?;
    let none = || Error::not_found(format!("no multipart upload {:?}", upload.upload_id));
    let object = s
        .object_of(&format!("{dir}{MANIFEST}"))
        .await?
        .ok_or_else(none)?;
    if object.metadata.get(PATH_KEY).map(String::as_str) != Some(upload.path.as_str()) {
        return Err(none());
    }
    Ok(object.metadata)
}

async fn upload_part(
    s: &GcsStorage,
    upload: &MultipartUpload,
    number: u32,
    body: Body,
    opts: PartOptions,
) -> Result<Part> {
    if !(1..=MAX_PARTS).contains(&number) {
        return Err(Error::invalid_input(format!(
            "part numbers run from 1 to {MAX_PARTS}, not {number}"
        )));
    }
    let manifest = manifest(s, upload).await?;
    same_key(&manifest, &s.encryption(opts.encryption.as_ref())?)?;
    let dir = staging(s, &upload.upload_id)?;
    let mut part_opts = WriteOptions::default();
    part_opts.checksum = opts.checksum;
    part_opts.encryption = opts.encryption;
    part_opts.storage_class = target_class(s, &manifest);
    let meta = s
        .write_object(&part_name(&dir, number), body, part_opts)
        .await?;
    Ok(Part {
        number,
        etag: meta.etag.unwrap_or_default(),
        size: meta.size,
    })
}

/// Refuses a customer key other than the one the upload was created with (or one for an
/// upload created without): the parts and the object must all be under one key.
fn same_key(manifest: &HashMap<String, String>, given: &GcsEncryption) -> Result<()> {
    let given = given.key_sha256.map(|sha| STANDARD.encode(sha));
    if manifest.get(KEY_SHA256) == given.as_ref() {
        return Ok(());
    }
    Err(Error::invalid_input(
        "give the customer key this multipart upload was created with (and only that one)",
    ))
}

/// The parts staged in an upload's directory, by number.
async fn staged_parts(s: &GcsStorage, dir: &str) -> Result<Vec<Part>> {
    let prefix = format!("{dir}part-");
    let mut parts: Vec<Part> = s
        .objects_below(&prefix)
        .await?
        .iter()
        .filter_map(|o| {
            let number = o.name.strip_prefix(&prefix)?.parse().ok()?;
            Some(Part {
                number,
                etag: o.generation.to_string(),
                size: u64::try_from(o.size).unwrap_or_default(),
            })
        })
        .collect();
    parts.sort_by_key(|p| p.number);
    Ok(parts)
}

async fn complete(
    s: &GcsStorage,
    upload: &MultipartUpload,
    parts: &[Part],
    opts: CompleteOptions,
) -> Result<Metadata> {
    let manifest = manifest(s, upload).await?;
    if parts.is_empty() {
        return Err(Error::invalid_input(
            "a multipart upload needs at least one part",
        ));
    }
    if parts.windows(2).any(|w| w[0].number >= w[1].number) {
        return Err(Error::invalid_input(
            "parts must be listed in ascending order of their numbers",
        ));
    }
    let dir = staging(s, &upload.upload_id)?;
    // The manifest was read above: list the parts without reading it again.
    let staged: HashMap<u32, Part> = staged_parts(s, &dir)
        .await?
        .into_iter()
        .map(|p| (p.number, p))
        .collect();
    let mut sources = Vec::with_capacity(parts.len());
    for part in parts {
        let found = staged
            .get(&part.number)
            .filter(|p| storage_types::backend::etag_matches(&p.etag, &part.etag));
        let Some(found) = found else {
            return Err(Error::invalid_input(format!(
                "part {} was not uploaded, or its ETag is not {:?}",
                part.number, part.etag
            )));
        };
        let generation = generation_of(&found.etag).unwrap_or_default();
        sources.push(source(&part_name(&dir, part.number), generation));
    }
    let mut encryption = s.encryption(opts.encryption.as_ref())?;
    same_key(&manifest, &encryption)?;
    if encryption.kms_key.is_none() {
        encryption.kms_key = manifest.get("stor-kms-key").cloned();
    }
    let g = generations(None, opts.if_none_match.as_deref())?;
    let destination = destination(s, upload, &manifest)?;
    let (object, _) = compose(
        s,
        sources,
        destination,
        g,
        &encryption,
        &format!("{dir}compose"),
    )
    .await?;
    s.remove_staging(&dir).await;
    Ok(metadata(&object))
}

/// The target object resource, with the headers recorded at creation.
fn destination(
    s: &GcsStorage,
    upload: &MultipartUpload,
    manifest: &HashMap<String, String>,
) -> Result<Object> {
    let path = &upload.path;
    let header = |key: &str| manifest.get(key).cloned().unwrap_or_default();
    let user: HashMap<String, String> = manifest
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(USER_PREFIX)?.to_owned(), v.clone())))
        .collect();
    let class = target_class(s, manifest).unwrap_or_default();
    Ok(Object::new()
        .set_name(s.object_name(path))
        .set_bucket(s.bucket_path())
        .set_content_type(header("stor-content-type"))
        .set_content_encoding(header("stor-content-encoding"))
        .set_cache_control(header("stor-cache-control"))
        .set_content_disposition(header("stor-content-disposition"))
        .set_storage_class(class)
        .set_metadata(user))
}

/// The class the upload was created with, else the store's; `None` leaves it to the bucket's
/// default (for the parts and the target alike).
fn target_class(s: &GcsStorage, manifest: &HashMap<String, String>) -> Option<String> {
    manifest
        .get("stor-storage-class")
        .cloned()
        .or_else(|| s.inner.storage_class.clone())
}

async fn abort(s: &GcsStorage, upload: &MultipartUpload) -> Result<()> {
    // Aborting is idempotent: an unknown (or finished) upload has nothing left to remove.
    let Ok(dir) = staging(s, &upload.upload_id) else {
        return Ok(());
    };
    match manifest(s, upload).await {
        Ok(_) => {}
        Err(err) if err.kind() == storage_types::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    }
    let objects = s.objects_below(&dir).await?;
    // The manifest goes last, so an interrupted abort can be repeated.
    let (manifest, parts): (Vec<_>, Vec<_>) =
        objects.iter().partition(|o| o.name.ends_with(MANIFEST));
    for object in parts.into_iter().chain(manifest) {
        delete_staged(s, object).await?;
    }
    Ok(())
}

/// Deletes a staged object, naming its generation (so that the SDK may retry the delete).
async fn delete_staged(s: &GcsStorage, object: &Object) -> Result<()> {
    s.delete_generation(&object.name, Some(object.generation))
        .await
}

async fn list_uploads(s: &GcsStorage, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
    let staging_root = format!("{}{STAGING}", s.inner.root);
    let mut uploads = Vec::new();
    for object in s.objects_below(&staging_root).await? {
        let Some(id) = object
            .name
            .strip_prefix(&staging_root)
            .and_then(|rest| rest.strip_suffix(&format!("/{MANIFEST}")))
        else {
            continue;
        };
        let Some(path) = object.metadata.get(PATH_KEY) else {
            continue;
        };
        if !path.starts_with(dir.as_str()) {
            continue;
        }
        let mut upload = MultipartUpload::new(path, id)?;
        upload.initiated = object
            .create_time
            .and_then(|t| SystemTime::try_from(t).ok());
        uploads.push(upload);
    }
    Ok(uploads)
}

//! Multipart uploads on disk: each upload is a staging directory under `.stor-multipart/` in the
//! root, holding the target path and one file per part; completion concatenates the parts into
//! a temporary file and renames it over the target. Staged parts are not synced (a crash
//! before completion loses the upload, or leaves a part whose ETag no longer matches); the
//! assembled file is, with durability on, like any write.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use storage_types::{Body, Error, ErrorKind, MultipartUpload, ObjectPath, Part, Result};

use storage_types::backend::etag_matches;
use tokio::io::AsyncWriteExt;

use crate::blocking::blocking;
use crate::durable::Durability;
use crate::paths::{RESERVED_PREFIX, create_parents, etag};
use crate::temp::TempPath;

static COUNTER: AtomicU64 = AtomicU64::new(0);

const TARGET_FILE: &str = "target";

/// The directory holding every staged upload.
pub(crate) fn staging_root(root: &Path) -> PathBuf {
    root.join(format!("{RESERVED_PREFIX}multipart"))
}

/// The staging directory of `upload`, if its id is one of ours and it exists for that path.
fn upload_dir(root: &Path, upload: &MultipartUpload) -> Result<PathBuf> {
    let id = &upload.upload_id;
    let well_formed = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !well_formed {
        return Err(no_such_upload(upload));
    }
    let dir = staging_root(root).join(id);
    match fs::read_to_string(dir.join(TARGET_FILE)) {
        Ok(target) if target == upload.path.as_str() => Ok(dir),
        Ok(_) => Err(no_such_upload(upload)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Err(no_such_upload(upload)),
        Err(err) => Err(err.into()),
    }
}

fn no_such_upload(upload: &MultipartUpload) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("no multipart upload {:?}", upload.upload_id),
    )
}

fn part_name(number: u32) -> String {
    format!("part-{number:05}")
}

pub(crate) async fn create(root: PathBuf, path: ObjectPath) -> Result<MultipartUpload> {
    blocking(move || {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:x}-{nanos:x}-{n:x}", std::process::id());
        let dir = staging_root(&root).join(&id);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(TARGET_FILE), path.as_str())?;
        Ok(MultipartUpload {
            path,
            upload_id: id,
            initiated: Some(SystemTime::now()),
        })
    })
    .await
}

pub(crate) async fn upload_part(
    root: PathBuf,
    upload: &MultipartUpload,
    number: u32,
    body: Body,
) -> Result<Part> {
    let up = upload.clone();
    let dir = blocking(move || upload_dir(&root, &up)).await?;
    let temp = crate::writer::spill(&dir, body, &Durability::new(false)).await?;
    blocking(move || {
        let part = dir.join(part_name(number));
        temp.commit(&part, None, None)?;
        let meta = fs::metadata(&part)?;
        Ok(Part {
            number,
            etag: etag(&meta),
            size: meta.len(),
        })
    })
    .await
}

pub(crate) async fn list_parts(root: PathBuf, upload: &MultipartUpload) -> Result<Vec<Part>> {
    let up = upload.clone();
    blocking(move || {
        let dir = upload_dir(&root, &up)?;
        let mut parts = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(number) = name.to_str().and_then(|n| n.strip_prefix("part-")) else {
                continue;
            };
            let Ok(number) = number.parse::<u32>() else {
                continue;
            };
            let meta = entry.metadata()?;
            parts.push(Part {
                number,
                etag: etag(&meta),
                size: meta.len(),
            });
        }
        parts.sort_by_key(|p| p.number);
        Ok(parts)
    })
    .await
}

/// Concatenates the listed parts into a temporary file in the target's directory, synced if
/// `durability` is on; the caller commits it.
pub(crate) async fn assemble(
    root: PathBuf,
    upload: &MultipartUpload,
    target: PathBuf,
    parts: &[Part],
    durability: &Durability,
) -> Result<TempPath> {
    let up = upload.clone();
    let wanted = parts.to_vec();
    let for_mkdir = durability.clone();
    let (dir, files) = blocking(move || {
        let dir = upload_dir(&root, &up)?;
        let mut files = Vec::with_capacity(wanted.len());
        for part in &wanted {
            let file = dir.join(part_name(part.number));
            let meta = match fs::metadata(&file) {
                Ok(meta) => meta,
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    return Err(Error::invalid_input(format!(
                        "part {} was never uploaded",
                        part.number
                    )));
                }
                Err(err) => return Err(err.into()),
            };
            if !etag_matches(&etag(&meta), &part.etag) {
                return Err(Error::invalid_input(format!(
                    "part {} has changed since it was uploaded (ETag mismatch)",
                    part.number
                )));
            }
            files.push(file);
        }
        create_parents(&target, &for_mkdir)?;
        Ok((
            target.parent().map(Path::to_path_buf).unwrap_or_default(),
            files,
        ))
    })
    .await?;
    let temp = TempPath::new_in(&dir);
    let mut out = temp.create().await?;
    for file in files {
        let mut part = tokio::fs::File::open(&file).await?;
        tokio::io::copy(&mut part, &mut out).await?;
    }
    out.flush().await?;
    durability.tokio_file(&out).await?;
    Ok(temp)
}

/// Removes an upload's staging directory.
pub(crate) async fn remove(root: PathBuf, upload: &MultipartUpload) -> Result<()> {
    let up = upload.clone();
    blocking(move || {
        let dir = upload_dir(&root, &up)?;
        fs::remove_dir_all(dir)?;
        Ok(())
    })
    .await
}

pub(crate) async fn list_uploads(root: PathBuf, dir: ObjectPath) -> Result<Vec<MultipartUpload>> {
    blocking(move || {
        let staging = staging_root(&root);
        let entries = match fs::read_dir(&staging) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err.into()),
        };
        let mut uploads = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Ok(id) = entry.file_name().into_string() else {
                continue;
            };
            // An upload being created or removed may lack its target file for a moment.
            let Ok(target) = fs::read_to_string(entry.path().join(TARGET_FILE)) else {
                continue;
            };
            let Ok(path) = ObjectPath::from_backend(&target) else {
                continue;
            };
            if path.as_str().starts_with(dir.as_str()) {
                let initiated = entry.metadata().ok().and_then(|m| m.modified().ok());
                uploads.push(MultipartUpload {
                    path,
                    upload_id: id,
                    initiated,
                });
            }
        }
        uploads.sort_by(|a, b| (&a.path, &a.upload_id).cmp(&(&b.path, &b.upload_id)));
        Ok(uploads)
    })
    .await
}

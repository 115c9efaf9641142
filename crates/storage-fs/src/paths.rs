//! Where an object path lives on disk, and the guard that keeps every access inside the root,
//! symlinks included.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use storage_types::{Error, ErrorKind, Metadata, ObjectPath, Result};

use crate::durable::Durability;

/// Names starting with this are the backend's own (temporary files, staged uploads).
pub(crate) const RESERVED_PREFIX: &str = ".stor-";

/// The on-disk path of `path` below `root`, refusing reserved names.
pub(crate) fn local_path(root: &Path, path: &ObjectPath) -> Result<PathBuf> {
    let mut local = root.to_path_buf();
    for segment in path.segments() {
        if segment.starts_with(RESERVED_PREFIX) {
            return Err(Error::invalid_input(format!(
                "names starting with `{RESERVED_PREFIX}` are reserved by the fs backend"
            )));
        }
        local.push(segment);
    }
    Ok(local)
}

/// Fails unless `target` (or, where it does not exist yet, its nearest existing ancestor)
/// resolves, through any symlinks, to a place inside `root`. `root` must be canonical.
///
/// Most paths hold no symlink below the root, and such a path is where it says (its segments
/// have no `..`): one `lstat` per segment shows that, cheaper than resolving the whole path
/// from `/`. A path with a symlink on the way is resolved in full.
pub(crate) fn confine(root: &Path, target: &Path) -> Result<()> {
    let Ok(below) = target.strip_prefix(root) else {
        return Err(escapes_root());
    };
    let mut probe = root.to_path_buf();
    for segment in below.components() {
        probe.push(segment);
        match fs::symlink_metadata(&probe) {
            Ok(meta) if meta.file_type().is_symlink() => return confine_resolved(root, target),
            // A file ends the walk: nothing can exist below it.
            Ok(meta) if !meta.is_dir() => return Ok(()),
            Ok(_) => {}
            // Nothing exists from here on, so nothing here can lead out.
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(());
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

/// `confine` by resolving `target` (or its nearest existing ancestor) through its symlinks.
fn confine_resolved(root: &Path, target: &Path) -> Result<()> {
    let mut probe = target;
    loop {
        match fs::canonicalize(probe) {
            Ok(real) if real.starts_with(root) => return Ok(()),
            Ok(_) => return Err(escapes_root()),
            // A missing component, or a file where a directory would be: look further up.
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                probe = match probe.parent() {
                    Some(parent) if parent.starts_with(root) => parent,
                    _ => return Err(escapes_root()),
                };
            }
            Err(err) => return Err(err.into()),
        }
    }
}

fn escapes_root() -> Error {
    Error::invalid_input("the path resolves (through a symlink) to a place outside the root")
}

/// `local_path` followed by `confine`.
pub(crate) fn resolve(root: &Path, path: &ObjectPath) -> Result<PathBuf> {
    let local = local_path(root, path)?;
    confine(root, &local)?;
    Ok(local)
}

/// An ETag that changes whenever the file is replaced or modified: inode, mtime and size.
pub(crate) fn etag(meta: &fs::Metadata) -> String {
    let nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{:x}-{nanos:x}-{:x}\"", inode(meta), meta.len())
}

#[cfg(unix)]
fn inode(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &fs::Metadata) -> u64 {
    0
}

/// Our metadata for a file's or directory's filesystem metadata.
pub(crate) fn metadata_of(meta: &fs::Metadata) -> Metadata {
    if meta.is_dir() {
        return Metadata::dir();
    }
    let mut out = Metadata::file(meta.len()).with_etag(etag(meta));
    out.last_modified = meta.modified().ok();
    out
}

/// The metadata of the file at `local`, refusing directories; `None` if nothing is there.
pub(crate) fn file_metadata(local: &Path) -> Result<Option<fs::Metadata>> {
    match fs::metadata(local) {
        Ok(meta) if meta.is_dir() => Err(is_directory()),
        Ok(meta) => Ok(Some(meta)),
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}

pub(crate) fn is_directory() -> Error {
    Error::new(ErrorKind::IsDirectory, "the path is a directory")
}

pub(crate) fn not_found() -> Error {
    Error::not_found("no such file")
}

/// Creates the directories above `local`, mapping "a parent is a file" to `NotDirectory`.
/// With `durability` on, the name of every directory made is synced in its parent, so that a
/// file synced in a new directory is not lost with the directory.
pub(crate) fn create_parents(local: &Path, durability: &Durability) -> Result<()> {
    let Some(parent) = local.parent() else {
        return Ok(());
    };
    // The common case, in the one `stat` that `create_dir_all` would make anyway.
    if fs::metadata(parent).is_ok_and(|meta| meta.is_dir()) {
        return Ok(());
    }
    let missing: Vec<&Path> = match durability.is_on() {
        true => parent
            .ancestors()
            .take_while(|dir| fs::symlink_metadata(dir).is_err())
            .collect(),
        false => Vec::new(),
    };
    fs::create_dir_all(parent).map_err(|err| match err.kind() {
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => Error::new(
            ErrorKind::NotDirectory,
            "a parent of the path is a file, not a directory",
        ),
        _ => err.into(),
    })?;
    for made in missing {
        if let Some(above) = made.parent() {
            durability.dir(above)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_refused() {
        let root = Path::new("/r");
        let ok = ObjectPath::parse("a/.hidden").unwrap();
        assert_eq!(local_path(root, &ok).unwrap(), Path::new("/r/a/.hidden"));
        let reserved = ObjectPath::parse("a/.stor-multipart/x").unwrap();
        assert_eq!(
            local_path(root, &reserved).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(root.join("in-target"), root.join("in")).unwrap();
        assert!(confine(&root, &root.join("out")).is_err());
        assert!(confine(&root, &root.join("out/new/file")).is_err());
        assert!(confine(&root, &root.join("in")).is_ok());
        assert!(confine(&root, &root.join("plain/new")).is_ok());
    }
}

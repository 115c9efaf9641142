//! Listing a directory tree in lexicographic order of paths, one directory read at a time.
//!
//! Sorting each directory by name, with a `/` appended to subdirectory names, and walking depth
//! first yields exactly the order an object store gives for the same keys. A name prefix keeps
//! only the matching entries of the listed directory (and all below a matching subdirectory).

use std::collections::VecDeque;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use storage_types::{Entry, ListOptions, Lister, Metadata, ObjectPath, Result};

use crate::blocking::blocking;
use crate::paths::{RESERVED_PREFIX, metadata_of};

/// One directory entry, named by its path relative to the root.
struct Item {
    path: ObjectPath,
    local: PathBuf,
    meta: Metadata,
}

struct Walk {
    root: Arc<PathBuf>,
    recursive: bool,
    start_after: Option<String>,
    /// Directories being walked, innermost last, each with its entries still to visit.
    stack: Vec<VecDeque<Item>>,
}

pub(crate) async fn list(
    root: Arc<PathBuf>,
    dir: &ObjectPath,
    opts: &ListOptions,
) -> Result<Lister> {
    let (walk_root, walk_dir) = (Arc::clone(&root), dir.clone());
    let local = blocking(move || crate::paths::resolve(&walk_root, &walk_dir)).await?;
    let mut first = read_sorted(Arc::clone(&root), local, dir.clone()).await?;
    // The name prefix applies to the listed directory's own entries; below a matching
    // subdirectory everything matches.
    if let Some(name) = &opts.name_prefix {
        let prefix = format!("{dir}{name}");
        first.retain(|item| item.path.as_str().starts_with(&prefix));
    }
    let walk = Walk {
        root,
        recursive: opts.recursive,
        start_after: opts.start_after.clone(),
        stack: vec![first],
    };
    let stream = futures_util::stream::unfold(walk, |mut walk| async move {
        next_entry(&mut walk).await.map(|entry| (entry, walk))
    });
    Ok(Lister::new(stream))
}

async fn next_entry(walk: &mut Walk) -> Option<Result<Entry>> {
    loop {
        let top = walk.stack.last_mut()?;
        let Some(item) = top.pop_front() else {
            walk.stack.pop();
            continue;
        };
        if walk.recursive && item.meta.is_dir() {
            match read_sorted(Arc::clone(&walk.root), item.local, item.path).await {
                Ok(children) => walk.stack.push(children),
                Err(err) => return Some(Err(err)),
            }
            continue;
        }
        if walk
            .start_after
            .as_deref()
            .is_some_and(|after| item.path.as_str() <= after)
        {
            continue;
        }
        return Some(Ok(Entry::new(item.path, item.meta)));
    }
}

/// Reads one directory (a missing one is empty), sorted in object-store order.
async fn read_sorted(
    root: Arc<PathBuf>,
    local: PathBuf,
    dir: ObjectPath,
) -> Result<VecDeque<Item>> {
    blocking(move || {
        let entries = match fs::read_dir(&local) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(VecDeque::new()),
            Err(err) if err.kind() == std::io::ErrorKind::NotADirectory => {
                return Ok(VecDeque::new());
            }
            Err(err) => return Err(err.into()),
        };
        let mut items = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                // Names that are not UTF-8 cannot be object paths; they are skipped.
                continue;
            };
            if name.starts_with(RESERVED_PREFIX) {
                continue;
            }
            let local = entry.path();
            let Some(meta) = inside_metadata(&root, &local, &entry)? else {
                continue;
            };
            let mut raw = format!("{dir}{name}");
            if meta.is_dir() {
                raw.push('/');
            }
            let Ok(path) = ObjectPath::from_backend(&raw) else {
                continue;
            };
            items.push(Item {
                path,
                local,
                meta: metadata_of(&meta),
            });
        }
        items.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(items.into())
    })
    .await
}

/// The metadata of an entry, following a symlink to a file only if it stays inside the root;
/// `None` for links that lead outside or nowhere, and for links to directories, which a walk
/// must not enter (a link to an ancestor would loop; `remove_all` would delete through an
/// alias).
fn inside_metadata(
    root: &Path,
    local: &Path,
    entry: &fs::DirEntry,
) -> Result<Option<fs::Metadata>> {
    let file_type = entry.file_type()?;
    if !file_type.is_symlink() {
        return Ok(Some(entry.metadata()?));
    }
    match fs::canonicalize(local) {
        Ok(real) if real.starts_with(root) => Ok(fs::metadata(&real).ok().filter(|m| !m.is_dir())),
        _ => Ok(None),
    }
}

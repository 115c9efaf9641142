//! Copy and rename inside the root (blocking; the backend runs them on the blocking pool).
//! A copy goes through a temporary file like a write; a rename moves the file itself. Both
//! sync what they change when durability is on.

use std::fs;
use std::io;
use std::path::Path;

use storage_types::backend::check_preconditions;
use storage_types::{CopyOptions, Error, ErrorKind, ObjectPath, Result};

use crate::durable::Durability;
use crate::paths::{create_parents, etag, file_metadata, not_found, resolve};
use crate::temp::TempPath;

/// Copies `from` to `to`, replacing it (or not, with `if_none_match` = `*`).
pub(crate) fn copy(
    root: &Path,
    from: &ObjectPath,
    to: &ObjectPath,
    opts: &CopyOptions,
    durability: &Durability,
) -> Result<()> {
    let (source, target) = (resolve(root, from)?, resolve(root, to)?);
    file_metadata(&source)?.ok_or_else(not_found)?;
    create_parents(&target, durability)?;
    let parent = target.parent().unwrap_or(Path::new("/"));
    let temp = TempPath::new_in(parent);
    fs::copy(&source, temp.path())?;
    if durability.is_on() {
        durability.file(&fs::OpenOptions::new().write(true).open(temp.path())?)?;
    }
    temp.commit(&target, None, opts.if_none_match.as_deref())?;
    Ok(durability.dir(parent)?)
}

/// Moves `from` to `to`, replacing it (or not, with `if_none_match` = `*`).
pub(crate) fn rename(
    root: &Path,
    from: &ObjectPath,
    to: &ObjectPath,
    opts: &CopyOptions,
    durability: &Durability,
) -> Result<()> {
    let (source, target) = (resolve(root, from)?, resolve(root, to)?);
    file_metadata(&source)?.ok_or_else(not_found)?;
    create_parents(&target, durability)?;
    let current = file_metadata(&target)?.map(|meta| etag(&meta));
    if opts
        .if_none_match
        .as_deref()
        .is_some_and(|v| v.trim() == "*")
    {
        // A hard link fails on an existing name, atomically; then the source goes.
        fs::hard_link(&source, &target).map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => {
                Error::new(ErrorKind::ConditionNotMet, "the destination exists")
            }
            _ => err.into(),
        })?;
        fs::remove_file(&source)?;
    } else {
        check_preconditions(current.as_deref(), None, opts.if_none_match.as_deref())?;
        fs::rename(&source, &target)?;
    }
    // Both directories change: the target's gains a name, the source's loses one.
    let (to_dir, from_dir) = (target.parent(), source.parent());
    let from_dir = from_dir.filter(|dir| Some(*dir) != to_dir);
    for dir in [to_dir, from_dir].into_iter().flatten() {
        durability.dir(dir)?;
    }
    Ok(())
}

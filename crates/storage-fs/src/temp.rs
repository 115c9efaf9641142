//! Temporary files that vanish unless committed: the heart of atomic writes. A write that fails
//! or whose future is dropped removes its temporary file in `Drop`.

use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use storage_types::{Error, ErrorKind, Result};

use storage_types::backend::check_preconditions;

use crate::paths::{RESERVED_PREFIX, etag};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file's path, removed on drop unless committed.
#[derive(Debug)]
pub(crate) struct TempPath {
    path: PathBuf,
    armed: bool,
}

impl TempPath {
    /// A fresh name in `dir` (the target's directory, so that the final rename stays on one
    /// filesystem and is atomic).
    pub(crate) fn new_in(dir: &Path) -> TempPath {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // Random per process (SipHash's random keys): processes in separate PID namespaces
        // sharing a volume, or a planted file, cannot guess the name. Files are also created
        // with `create_new`, which refuses an existing name and never follows a final link.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(n);
        let name = format!(
            "{RESERVED_PREFIX}tmp-{:x}-{n:x}-{:016x}",
            std::process::id(),
            hasher.finish()
        );
        TempPath {
            path: dir.join(name),
            armed: true,
        }
    }

    /// Creates the temporary file, refusing a name that exists.
    pub(crate) async fn create(&self) -> std::io::Result<tokio::fs::File> {
        tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)
            .await
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the temporary file to `target` (blocking). With `if_none_match` = `*` the target
    /// must not exist, checked atomically by the kernel (a hard link fails on an existing
    /// name); other preconditions are checked just before the rename.
    pub(crate) fn commit(
        mut self,
        target: &Path,
        if_match: Option<&str>,
        if_none_match: Option<&str>,
    ) -> Result<()> {
        if if_none_match.is_some_and(|v| v.trim() == "*") && if_match.is_none() {
            match fs::hard_link(&self.path, target) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(Error::new(ErrorKind::ConditionNotMet, "the object exists"));
                }
                Err(err) => return Err(err.into()),
            }
            // The link is in place; the temporary name goes in Drop.
            return Ok(());
        }
        if if_match.is_some() || if_none_match.is_some() {
            let current = match fs::metadata(target) {
                Ok(meta) if meta.is_file() => Some(etag(&meta)),
                Ok(_) => return Err(crate::paths::is_directory()),
                Err(err) if err.kind() == io::ErrorKind::NotFound => None,
                Err(err) => return Err(err.into()),
            };
            check_preconditions(current.as_deref(), if_match, if_none_match)?;
        }
        if fs::metadata(target).is_ok_and(|m| m.is_dir()) {
            return Err(crate::paths::is_directory());
        }
        fs::rename(&self.path, target)?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the file may never have been created.
            let _ = fs::remove_file(&self.path);
        }
    }
}

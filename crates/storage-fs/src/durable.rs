//! Durable writes: what is flushed to the disk before a write returns. A rename is atomic but
//! not durable: after a crash, the new name may point to a file whose blocks never reached the
//! disk (an empty or torn object), or the rename itself may be lost. So, as TiKV's local
//! storage does, a write syncs the temporary file before renaming it, and the directory after
//! (on Unix; elsewhere a directory cannot be opened to be synced).
//!
//! On by default; [`FsStorage::with_sync(false)`](crate::FsStorage::with_sync) (URL key
//! `sync=false`) turns it off for scratch data, where speed matters more than surviving a
//! power cut.

use std::io;
use std::path::Path;

/// Whether to sync, and (in tests) how many syncs ran.
#[derive(Debug, Clone)]
pub(crate) struct Durability {
    on: bool,
    /// Counts the syncs issued, so tests can see the path runs (all clones share it).
    #[cfg(test)]
    pub(crate) syncs: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Durability {
    pub(crate) fn new(on: bool) -> Self {
        Durability {
            on,
            #[cfg(test)]
            syncs: Default::default(),
        }
    }

    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    #[cfg(test)]
    fn count(&self) {
        self.syncs
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    #[cfg(not(test))]
    fn count(&self) {}

    /// Flushes a file's data and metadata to the disk (blocking).
    pub(crate) fn file(&self, file: &std::fs::File) -> io::Result<()> {
        if !self.on {
            return Ok(());
        }
        self.count();
        file.sync_all()
    }

    /// [`file`](Self::file) for a tokio file.
    pub(crate) async fn tokio_file(&self, file: &tokio::fs::File) -> io::Result<()> {
        if !self.on {
            return Ok(());
        }
        self.count();
        file.sync_all().await
    }

    /// Flushes a directory's entries (names created, renamed or linked in it) to the disk
    /// (blocking).
    pub(crate) fn dir(&self, dir: &Path) -> io::Result<()> {
        if !self.on {
            return Ok(());
        }
        self.count();
        sync_dir(dir)
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Windows opens no directory as a file without special flags, and NTFS journals its
/// metadata: the file's own sync is what can be done.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

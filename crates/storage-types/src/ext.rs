//! [`StorageExt`]: conveniences on top of [`Storage`] for whole-object reads and writes,
//! existence checks, collected listings and recursive removal.

use async_trait::async_trait;
use bytes::Bytes;

use crate::body::Body;
use crate::error::{ErrorKind, Result};
use crate::metadata::{Entry, Metadata};
use crate::options::{ListOptions, ReadOptions};
use crate::range::ByteRange;
use crate::storage::Storage;

/// Shortcuts for common calls, available on every [`Storage`] (including `dyn Storage`).
///
/// ```
/// use storage_types::{Storage, StorageExt};
///
/// async fn copy_small(store: &dyn Storage) -> storage_types::Result<bool> {
///     store.write_bytes("a.txt", "hello").await?;
///     let hello = store.read_bytes("a.txt").await?;
///     store.write_bytes("b.txt", hello).await?;
///     store.exists("b.txt").await
/// }
/// ```
#[async_trait]
pub trait StorageExt: Storage {
    /// Reads the whole object into memory.
    async fn read_bytes(&self, path: &str) -> Result<Bytes> {
        self.read(path).await?.bytes().await
    }

    /// Reads a byte range into memory.
    async fn read_range(&self, path: &str, range: impl Into<ByteRange> + Send) -> Result<Bytes> {
        let opts = ReadOptions::default().with_range(range.into());
        self.read_with(path, opts).await?.bytes().await
    }

    /// Writes bytes held in memory, replacing the object.
    async fn write_bytes(&self, path: &str, bytes: impl Into<Bytes> + Send) -> Result<Metadata> {
        self.write(path, Body::from_bytes(bytes.into())).await
    }

    /// Whether an object (or, for a path ending in `/`, a directory) exists.
    async fn exists(&self, path: &str) -> Result<bool> {
        match self.stat(path).await {
            Ok(_) => Ok(true),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Collects a whole listing of `dir` (one level) into memory. Prefer walking
    /// [`Storage::list`] for large directories.
    async fn list_all(&self, dir: &str) -> Result<Vec<Entry>> {
        self.list(dir).await?.collect().await
    }

    /// [`list_all`](StorageExt::list_all) with options.
    async fn list_all_with(&self, dir: &str, opts: ListOptions) -> Result<Vec<Entry>> {
        self.list_with(dir, opts).await?.collect().await
    }

    /// Deletes every object below the directory `dir`, then the directory itself. Returns how
    /// many objects were deleted.
    async fn remove_all(&self, dir: &str) -> Result<u64> {
        let mut deleted = 0;
        let mut entries = self
            .list_with(dir, ListOptions::default().recursive())
            .await?;
        while let Some(entry) = entries.next().await.transpose()? {
            self.delete(entry.path.as_str()).await?;
            deleted += 1;
        }
        // Directories left behind (local files, explicit markers) go deepest first.
        let mut dirs = Vec::new();
        let mut pending = vec![crate::ObjectPath::parse_dir(dir)?];
        while let Some(next) = pending.pop() {
            for entry in self.list_all(next.as_str()).await? {
                if entry.metadata.is_dir() {
                    pending.push(entry.path.clone());
                    dirs.push(entry.path);
                }
            }
        }
        for d in dirs.iter().rev() {
            self.delete(d.as_str()).await?;
        }
        let top = crate::ObjectPath::parse_dir(dir)?;
        if !top.is_root() {
            self.delete(top.as_str()).await?;
        }
        Ok(deleted)
    }
}

impl<S: Storage + ?Sized> StorageExt for S {}

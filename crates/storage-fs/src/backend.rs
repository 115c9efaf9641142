//! [`FsStorage`]: the `Backend` implementation over a root directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use storage_types::backend::Backend;
use storage_types::backend::{check_preconditions, verify_checksum};
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Error, ErrorKind,
    Feature, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Operation, Pair, Part,
    PartOptions, PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result,
    StatOptions, StorageInfo, WriteOptions,
};

use crate::blocking::blocking;
use crate::durable::Durability;
use crate::paths::{file_metadata, is_directory, metadata_of, not_found, resolve};

/// A store of files below a root directory.
#[derive(Debug, Clone)]
pub struct FsStorage {
    root: Arc<PathBuf>,
    info: Arc<StorageInfo>,
    /// Serialises appends and conditional writes of this store, which check then act.
    guard: Arc<tokio::sync::Mutex<()>>,
    /// Whether writes are synced to the disk before they return.
    durability: Durability,
}

impl FsStorage {
    /// What this backend declares. A store's [`StorageInfo`] carries it; `cargo xtask docs`
    /// renders docs/compatibility.md from it.
    pub fn declared_capabilities() -> Vec<(&'static str, Capability)> {
        vec![("any root", capability())]
    }

    /// A store rooted at `root`, which is created if missing. Writes are durable: see
    /// [`with_sync`](Self::with_sync).
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        fs::create_dir_all(root)?;
        let root = fs::canonicalize(root)?;
        let info = StorageInfo::new(crate::SCHEME, root.display().to_string(), capability());
        Ok(FsStorage {
            root: Arc::new(root),
            info: Arc::new(info),
            guard: Arc::default(),
            durability: Durability::new(true),
        })
    }

    /// Durable writes on (the default) or off. On, a write, a copy, a completed multipart
    /// upload and the creation of an appendable object sync the new file to the disk before
    /// renaming it into place and sync its directory after, a rename syncs the directories
    /// involved, and an append syncs the file before it returns: once the call has returned,
    /// the object survives a crash or a power cut. Off, they stay atomic (a reader, or a
    /// crashed process, sees the old object or the new one) but a power cut may lose a write
    /// that returned, or leave an empty or torn file under the new name. Turn it off for
    /// scratch data that can be made again. The URL key is `sync=false`.
    pub fn with_sync(mut self, sync: bool) -> Self {
        self.durability = Durability::new(sync);
        self
    }

    /// Whether writes are synced to the disk (see [`with_sync`](Self::with_sync)).
    pub fn sync_enabled(&self) -> bool {
        self.durability.is_on()
    }

    /// Loose mode on or off: in loose mode, options this backend cannot honour are dropped
    /// instead of refused.
    pub fn with_loose(mut self, loose: bool) -> Self {
        self.info = Arc::new(StorageInfo::clone(&self.info).with_loose(loose));
        self
    }

    /// The sync policy, whose counter the tests read.
    #[cfg(test)]
    pub(crate) fn durability(&self) -> &Durability {
        &self.durability
    }

    /// The root directory (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    async fn resolved(&self, path: &ObjectPath) -> Result<PathBuf> {
        let root = Arc::clone(&self.root);
        let path = path.clone();
        blocking(move || resolve(&root, &path)).await
    }
}

/// What this backend supports. Part size and concurrency are accepted as hints: local writes
/// are never split. Stored headers (content type and the like) have no place on a filesystem.
fn capability() -> Capability {
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    // Checked while the body streams to disk (`verify_checksum`); a mismatch discards it.
    let checksums = [Pair::ContentMd5, Pair::Crc32c];
    Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::UploadListing)
        .with_feature(Feature::Append)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
        .with_feature(Feature::CreateDir)
        .with_pairs(Operation::Stat, &conditional)
        .with_pairs(Operation::Read, &conditional)
        .with_pairs(Operation::Read, &[Pair::Range])
        // Hints, as for writes: reads are never split.
        .with_pairs(Operation::Read, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Write, &checksums)
        .with_pairs(Operation::UploadPart, &checksums)
        .with_pairs(Operation::Append, &checksums)
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(
            Operation::List,
            &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
        )
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
}

fn is_conditional(if_match: &Option<String>, if_none_match: &Option<String>) -> bool {
    if_match.is_some() || if_none_match.as_deref().is_some_and(|v| v.trim() != "*")
}

#[async_trait]
impl Backend for FsStorage {
    fn info(&self) -> &StorageInfo {
        &self.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        let root = Arc::clone(&self.root);
        let path = path.clone();
        blocking(move || {
            let local = resolve(&root, &path)?;
            let meta = match fs::metadata(&local) {
                Ok(meta) => meta,
                Err(err) if err.kind() == io::ErrorKind::NotADirectory => return Err(not_found()),
                Err(err) => return Err(err.into()),
            };
            if meta.is_dir() != path.is_dir() {
                return Err(if meta.is_dir() {
                    is_directory()
                } else {
                    not_found()
                });
            }
            let metadata = metadata_of(&meta);
            check_preconditions(
                metadata.etag.as_deref(),
                opts.if_match.as_deref(),
                opts.if_none_match.as_deref(),
            )?;
            Ok(metadata)
        })
        .await
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        let root = Arc::clone(&self.root);
        let path = path.clone();
        let opened = blocking(move || crate::reader::open(&root, &path, &opts)).await?;
        Ok(crate::reader::reader(opened))
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        let _serial = match is_conditional(&opts.if_match, &opts.if_none_match) {
            true => Some(self.guard.lock().await),
            false => None,
        };
        // A body in memory (with no checksum to verify on the way) goes in one blocking trip.
        if let (Some(bytes), None) = (body.as_bytes(), opts.checksum) {
            let (root, path, bytes) = (Arc::clone(&self.root), path.clone(), bytes.clone());
            let durability = self.durability.clone();
            let meta = blocking(move || {
                crate::writer::write_bytes_atomic(
                    &root,
                    &path,
                    &bytes,
                    opts.if_match.as_deref(),
                    opts.if_none_match.as_deref(),
                    &durability,
                )
            })
            .await?;
            return Ok(metadata_of(&meta));
        }
        let local = self.resolved(path).await?;
        let body = verify_checksum(body, opts.checksum);
        let meta = crate::writer::write_atomic(
            local,
            body,
            opts.if_match,
            opts.if_none_match,
            &self.durability,
        )
        .await?;
        Ok(metadata_of(&meta))
    }

    async fn delete(&self, path: &ObjectPath, _opts: DeleteOptions) -> Result<()> {
        let root = Arc::clone(&self.root);
        let path = path.clone();
        blocking(move || {
            let local = resolve(&root, &path)?;
            let removed = if path.is_dir() {
                fs::remove_dir(&local)
            } else {
                match fs::symlink_metadata(&local) {
                    Ok(meta) if meta.is_dir() => return Err(is_directory()),
                    _ => fs::remove_file(&local),
                }
            };
            match removed {
                Ok(()) => Ok(()),
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    Ok(())
                }
                Err(err) => Err(err.into()),
            }
        })
        .await
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        storage_types::backend::delete_each(self, paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        crate::lister::list(Arc::clone(&self.root), dir, &opts).await
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        _opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        self.resolved(path).await?;
        crate::multipart::create(PathBuf::clone(&self.root), path.clone()).await
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        let body = verify_checksum(body, opts.checksum);
        crate::multipart::upload_part(PathBuf::clone(&self.root), upload, number, body).await
    }

    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        let target = self.resolved(&upload.path).await?;
        let root = PathBuf::clone(&self.root);
        let durability = &self.durability;
        let temp =
            crate::multipart::assemble(root.clone(), upload, target.clone(), parts, durability)
                .await?;
        let meta =
            crate::writer::commit(temp, target, None, opts.if_none_match, durability).await?;
        crate::multipart::remove(root, upload).await?;
        Ok(metadata_of(&meta))
    }

    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()> {
        // Aborting is idempotent: an upload already gone is fine.
        match crate::multipart::remove(PathBuf::clone(&self.root), upload).await {
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        crate::multipart::list_parts(PathBuf::clone(&self.root), upload).await
    }

    async fn list_multipart_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        crate::multipart::list_uploads(PathBuf::clone(&self.root), dir.clone()).await
    }

    async fn create_append(&self, path: &ObjectPath, _opts: WriteOptions) -> Result<Metadata> {
        let local = self.resolved(path).await?;
        let _serial = self.guard.lock().await;
        let meta =
            crate::writer::write_atomic(local, Body::empty(), None, None, &self.durability).await?;
        Ok(metadata_of(&meta))
    }

    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        let body = verify_checksum(body, opts.checksum);
        let local = self.resolved(path).await?;
        let _serial = self.guard.lock().await;
        crate::append::append(local, offset, body, self.durability.clone()).await
    }

    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata> {
        let local = self.resolved(path).await?;
        blocking(move || {
            let meta = file_metadata(&local)?.ok_or_else(not_found)?;
            Ok(metadata_of(&meta))
        })
        .await
    }

    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        let (root, from, to) = (Arc::clone(&self.root), from.clone(), to.clone());
        let durability = self.durability.clone();
        blocking(move || crate::copy::copy(&root, &from, &to, &opts, &durability)).await
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        let (root, from, to) = (Arc::clone(&self.root), from.clone(), to.clone());
        let durability = self.durability.clone();
        blocking(move || crate::copy::rename(&root, &from, &to, &opts, &durability)).await
    }

    async fn presign(
        &self,
        _method: PresignMethod,
        _path: &ObjectPath,
        _expires: Duration,
        _opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        Err(Error::unsupported("local files have no URLs to sign"))
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        let root = Arc::clone(&self.root);
        let dir = dir.clone();
        blocking(move || {
            let local = resolve(&root, &dir)?;
            fs::create_dir_all(&local).map_err(|err| match err.kind() {
                io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => Error::new(
                    ErrorKind::NotDirectory,
                    "a file is in the way of the directory",
                ),
                _ => err.into(),
            })
        })
        .await
    }

    async fn create_bucket(&self, _name: &str, _opts: BucketOptions) -> Result<()> {
        Err(Error::unsupported("local files have no buckets"))
    }

    async fn delete_bucket(&self, _name: &str) -> Result<()> {
        Err(Error::unsupported("local files have no buckets"))
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        Err(Error::unsupported("local files have no buckets"))
    }
}

//! [`MemoryStorage`]: the `Backend` implementation over the shared in-memory state.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use storage_types::backend::Backend;
use storage_types::backend::{check_preconditions, verify_checksum};
use storage_types::{
    Body, BucketOptions, Capability, CompleteOptions, CopyOptions, DeleteOptions, Error, ErrorKind,
    Feature, ListOptions, Lister, Metadata, MultipartUpload, ObjectPath, Operation, Pair, Part,
    PartOptions, PresignMethod, PresignOptions, PresignedRequest, ReadOptions, Reader, Result,
    StatOptions, StorageInfo, WriteOptions,
};

use crate::multipart::{self, Upload};
use crate::state::{Object, State, has_children};

/// A store held in memory. Clones share the same objects.
#[derive(Debug, Clone)]
pub struct MemoryStorage {
    state: Arc<State>,
    info: Arc<StorageInfo>,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        MemoryStorage::new()
    }
}

impl MemoryStorage {
    /// What this backend declares. A store's [`StorageInfo`] carries it; `cargo xtask docs`
    /// renders docs/compatibility.md from it.
    pub fn declared_capabilities() -> Vec<(&'static str, Capability)> {
        vec![("any store", capability())]
    }

    /// An empty store.
    pub fn new() -> Self {
        MemoryStorage::named("")
    }

    /// An empty store called `name` (shown in its info).
    pub fn named(name: &str) -> Self {
        MemoryStorage {
            state: Arc::default(),
            info: Arc::new(StorageInfo::new(crate::SCHEME, name, capability())),
        }
    }

    /// The same objects, with loose mode on or off: in loose mode, options this backend cannot
    /// honour are dropped instead of refused.
    pub fn with_loose(&self, loose: bool) -> Self {
        let info = StorageInfo::clone(&self.info).with_loose(loose);
        MemoryStorage {
            state: Arc::clone(&self.state),
            info: Arc::new(info),
        }
    }
}

/// What this backend supports. Part size and concurrency are accepted as hints: memory writes
/// are never split.
fn capability() -> Capability {
    let stored = [
        Pair::ContentType,
        Pair::ContentEncoding,
        Pair::CacheControl,
        Pair::ContentDisposition,
        Pair::UserMetadata,
    ];
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    // Checked here, as the body is collected (`verify_checksum`).
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
        .with_pairs(Operation::Write, &stored)
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Write, &checksums)
        .with_pairs(Operation::UploadPart, &checksums)
        .with_pairs(Operation::Append, &checksums)
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CreateAppend, &stored)
        .with_pairs(
            Operation::List,
            &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
        )
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
}

fn etag_of(object: Option<&Object>) -> Option<&str> {
    object.and_then(|o| o.meta.etag.as_deref())
}

fn not_found() -> Error {
    Error::not_found("no such object")
}

impl MemoryStorage {
    /// The object at `path` (not a directory), or `NotFound` / `IsDirectory`.
    fn object(&self, path: &ObjectPath) -> Result<Object> {
        let objects = self.state.objects();
        match objects.get(path.as_str()) {
            Some(object) => Ok(object.clone()),
            None if has_children(&objects, path.clone().into_dir().as_str()) => Err(Error::new(
                ErrorKind::IsDirectory,
                "the path is a directory",
            )),
            None => Err(not_found()),
        }
    }

    /// Stores `object` at `path` if the preconditions hold at that moment.
    fn put_checked(
        &self,
        path: &ObjectPath,
        object: Object,
        if_match: Option<&str>,
        if_none_match: Option<&str>,
    ) -> Result<Metadata> {
        let mut objects = self.state.objects_mut();
        check_preconditions(etag_of(objects.get(path.as_str())), if_match, if_none_match)?;
        let meta = object.meta.clone();
        objects.insert(path.as_str().to_owned(), object);
        Ok(meta)
    }
}

#[async_trait]
impl Backend for MemoryStorage {
    fn info(&self) -> &StorageInfo {
        &self.info
    }

    async fn stat(&self, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
        if path.is_dir() {
            let objects = self.state.objects();
            let exists = path.is_root()
                || objects.contains_key(path.as_str())
                || has_children(&objects, path.as_str());
            return if exists {
                Ok(Metadata::dir())
            } else {
                Err(not_found())
            };
        }
        let object = self.object(path)?;
        check_preconditions(
            object.meta.etag.as_deref(),
            opts.if_match.as_deref(),
            opts.if_none_match.as_deref(),
        )?;
        Ok(object.meta)
    }

    async fn read(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        let object = self.object(path)?;
        check_preconditions(
            object.meta.etag.as_deref(),
            opts.if_match.as_deref(),
            opts.if_none_match.as_deref(),
        )?;
        let data = match opts.range {
            None => object.data,
            Some(range) => {
                let (offset, len) = range.resolve(object.data.len() as u64)?;
                object.data.slice(offset as usize..(offset + len) as usize)
            }
        };
        Ok(Reader::from_bytes(object.meta, data))
    }

    async fn write(&self, path: &ObjectPath, body: Body, opts: WriteOptions) -> Result<Metadata> {
        // The body is collected (and checked) before the lock is taken: a failing body changes
        // nothing.
        let data = verify_checksum(body, opts.checksum).collect().await?;
        let object = self.state.new_object(data, &opts);
        self.put_checked(
            path,
            object,
            opts.if_match.as_deref(),
            opts.if_none_match.as_deref(),
        )
    }

    async fn delete(&self, path: &ObjectPath, _opts: DeleteOptions) -> Result<()> {
        self.state.objects_mut().remove(path.as_str());
        Ok(())
    }

    async fn delete_many(&self, paths: &[ObjectPath]) -> Result<()> {
        storage_types::backend::delete_each(self, paths).await
    }

    async fn list(&self, dir: &ObjectPath, opts: ListOptions) -> Result<Lister> {
        Ok(crate::lister::list(Arc::clone(&self.state), dir, &opts))
    }

    async fn create_multipart(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        let id = format!("mem-{:016x}", self.state.next_id());
        let upload = Upload {
            path: path.clone(),
            opts,
            initiated: SystemTime::now(),
            parts: Default::default(),
        };
        let handle = upload.handle(&id);
        self.state.uploads().insert(id, upload);
        Ok(handle)
    }

    async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        multipart::find(&mut self.state.uploads(), upload)?;
        let data = verify_checksum(body, opts.checksum).collect().await?;
        let etag = format!("\"part-{:016x}\"", self.state.next_id());
        let size = data.len() as u64;
        let mut uploads = self.state.uploads();
        // The upload may have been aborted while the body was read.
        let found = multipart::find(&mut uploads, upload)?;
        found.parts.insert(number, (data, etag.clone()));
        Ok(Part { number, etag, size })
    }

    async fn complete_multipart(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        let (data, write_opts) = {
            let mut uploads = self.state.uploads();
            let found = multipart::find(&mut uploads, upload)?;
            (found.assemble(parts)?, found.opts.clone())
        };
        let object = self.state.new_object(data, &write_opts);
        let meta = self.put_checked(&upload.path, object, None, opts.if_none_match.as_deref())?;
        self.state.uploads().remove(&upload.upload_id);
        Ok(meta)
    }

    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()> {
        let mut uploads = self.state.uploads();
        // Aborting is idempotent: an upload already gone is fine.
        if multipart::find(&mut uploads, upload).is_ok() {
            uploads.remove(&upload.upload_id);
        }
        Ok(())
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        Ok(multipart::find(&mut self.state.uploads(), upload)?.parts())
    }

    async fn list_multipart_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        let uploads = self.state.uploads();
        let mut found: Vec<MultipartUpload> = uploads
            .iter()
            .filter(|(_, u)| u.path.as_str().starts_with(dir.as_str()))
            .map(|(id, u)| u.handle(id))
            .collect();
        found.sort_by(|a, b| (&a.path, &a.upload_id).cmp(&(&b.path, &b.upload_id)));
        Ok(found)
    }

    async fn create_append(&self, path: &ObjectPath, opts: WriteOptions) -> Result<Metadata> {
        let object = self.state.new_object(Bytes::new(), &opts);
        self.put_checked(path, object, None, None)
    }

    async fn append(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        let tail = verify_checksum(body, opts.checksum).collect().await?;
        let mut objects = self.state.objects_mut();
        let current = objects.get(path.as_str()).ok_or_else(not_found)?;
        let length = current.data.len() as u64;
        if length != offset {
            return Err(Error::new(
                ErrorKind::ConditionNotMet,
                format!("append at offset {offset}, but the object has {length} bytes"),
            ));
        }
        let mut data = BytesMut::with_capacity(current.data.len() + tail.len());
        data.extend_from_slice(&current.data);
        data.extend_from_slice(&tail);
        let updated = self.state.replace_data(current, data.freeze());
        let new_length = updated.meta.size;
        objects.insert(path.as_str().to_owned(), updated);
        Ok(new_length)
    }

    async fn commit_append(&self, path: &ObjectPath) -> Result<Metadata> {
        Ok(self.object(path)?.meta)
    }

    async fn copy(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        let source = self.object(from)?;
        let copied = self.state.replace_data(&source, source.data.clone());
        self.put_checked(to, copied, None, opts.if_none_match.as_deref())?;
        Ok(())
    }

    async fn rename(&self, from: &ObjectPath, to: &ObjectPath, opts: CopyOptions) -> Result<()> {
        let mut objects = self.state.objects_mut();
        let source = objects.get(from.as_str()).ok_or_else(not_found)?;
        check_preconditions(
            etag_of(objects.get(to.as_str())),
            None,
            opts.if_none_match.as_deref(),
        )?;
        let moved = self.state.replace_data(source, source.data.clone());
        objects.remove(from.as_str());
        objects.insert(to.as_str().to_owned(), moved);
        Ok(())
    }

    async fn presign(
        &self,
        _method: PresignMethod,
        _path: &ObjectPath,
        _expires: Duration,
        _opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        Err(Error::unsupported("memory stores have no URLs to sign"))
    }

    async fn create_dir(&self, dir: &ObjectPath) -> Result<()> {
        let mut objects = self.state.objects_mut();
        objects
            .entry(dir.as_str().to_owned())
            .or_insert_with(|| Object {
                data: Bytes::new(),
                meta: Metadata::dir(),
            });
        Ok(())
    }

    async fn create_bucket(&self, _name: &str, _opts: BucketOptions) -> Result<()> {
        Err(Error::unsupported("memory stores have no buckets"))
    }

    async fn delete_bucket(&self, _name: &str) -> Result<()> {
        Err(Error::unsupported("memory stores have no buckets"))
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        Err(Error::unsupported("memory stores have no buckets"))
    }
}

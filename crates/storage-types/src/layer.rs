//! The central layer: the one `impl Storage for every Backend`. Paths are normalised, options
//! checked against the capability, bodies guarded, errors given context and calls traced here,
//! once, instead of in every backend.

use std::any::Any;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use tracing::Instrument;
use tracing::field::Empty;

use crate::body::{Body, CheckedStream, Direction};
use crate::error::{Error, ErrorKind, Result};
use crate::metadata::Metadata;
use crate::operation::Operation;
use crate::options::{
    BucketOptions, CompleteOptions, CopyOptions, DeleteOptions, ListOptions, OptionSet,
    PartOptions, PresignOptions, ReadOptions, StatOptions, WriteOptions,
};
use crate::path::ObjectPath;
use crate::response::{
    Lister, MultipartUpload, Part, PresignMethod, PresignedRequest, Reader, StorageInfo,
};
use crate::service::Backend;
use crate::storage::Storage;

/// Refuses `operation` if the backend lacks its feature, and every option the backend does not
/// honour for it, naming them. In loose mode the unsupported options are dropped instead.
///
/// This is the one place where go-storage's "pair unsupported" rule lives.
pub(crate) fn check_options<O: OptionSet>(
    info: &StorageInfo,
    operation: Operation,
    opts: &mut O,
) -> Result<()> {
    check_operation(info, operation)?;
    let cap = &info.capability;
    let unsupported: Vec<_> = opts
        .pairs()
        .iter()
        .filter(|pair| !cap.supports_pair(operation, *pair))
        .collect();
    let foreign: Vec<_> = opts
        .extensions_mut()
        .iter()
        .filter(|ext| ext.service() != info.service)
        .map(|ext| format!("{ext:?} (an option of {})", ext.service()))
        .collect();
    if unsupported.is_empty() && foreign.is_empty() {
        return Ok(());
    }
    if info.loose {
        for pair in unsupported {
            opts.clear(pair);
        }
        opts.extensions_mut().retain_service(info.service);
        return Ok(());
    }
    let mut names: Vec<String> = unsupported.iter().map(|p| format!("`{p}`")).collect();
    names.extend(foreign);
    Err(Error::unsupported(format!(
        "option {} not supported by {} for {operation} (turn on loose mode to ignore it)",
        names.join(", "),
        info.service,
    )))
}

/// Refuses an operation of a feature the backend does not declare.
fn check_operation(info: &StorageInfo, operation: Operation) -> Result<()> {
    if info.capability.supports(operation) {
        return Ok(());
    }
    let feature = operation.feature().map_or("", |f| f.as_str());
    Err(Error::unsupported(format!(
        "{} does not support {operation} (feature `{feature}`)",
        info.service
    )))
}

/// Services answer a failed write condition in their own ways (S3: 404 for `if_match` on a
/// missing key; Azure: 409 for create-only on an existing blob); the contract is
/// `ConditionNotMet`, translated here once for every backend.
fn condition_error(err: Error, if_match: bool, create_only: bool) -> Error {
    let failed = (if_match && err.kind() == ErrorKind::NotFound)
        || (create_only && err.kind() == ErrorKind::AlreadyExists);
    if !failed {
        return err;
    }
    let message = match err.kind() {
        ErrorKind::NotFound => "if_match given but the object does not exist",
        _ => "the object exists and the call was create-only",
    };
    Error::new(ErrorKind::ConditionNotMet, message).with_source(err)
}

fn is_create_only(if_none_match: Option<&str>) -> bool {
    if_none_match.is_some_and(|v| v.trim() == "*")
}

/// Parses a path that must name an object, not a directory.
fn object_path(raw: &str) -> Result<ObjectPath> {
    let path = ObjectPath::parse(raw)?;
    if path.is_dir() {
        return Err(Error::new(
            ErrorKind::IsDirectory,
            "the path names a directory (ends with `/` or is the root); an object path is needed",
        ));
    }
    Ok(path)
}

/// Runs one operation inside its tracing span, reports it to the metrics recorder (see
/// [`telemetry`](crate::telemetry)) and gives its error the call's context.
pub(crate) async fn traced<T>(
    info: &StorageInfo,
    operation: Operation,
    path: &str,
    bytes: impl FnOnce(&T) -> Option<u64>,
    call: impl Future<Output = Result<T>> + Send,
) -> Result<T> {
    let span = tracing::debug_span!(
        "storage",
        service = info.service,
        operation = operation.as_str(),
        path,
        bytes = Empty,
        outcome = Empty,
    );
    let started = std::time::Instant::now();
    let result = call.instrument(span.clone()).await;
    let elapsed = started.elapsed();
    match &result {
        Ok(value) => {
            let moved = bytes(value);
            if let Some(n) = moved {
                span.record("bytes", n);
            }
            span.record("outcome", "ok");
            crate::telemetry::record(info.service, operation, Ok(moved), elapsed);
        }
        Err(err) => {
            span.record("outcome", err.kind().as_str());
            crate::telemetry::record(info.service, operation, Err(err), elapsed);
        }
    }
    result.map_err(|err| err.with_context(operation, Some(path), info.service))
}

/// The context of a call, kept by its streams so that an error met while reading a body or a
/// listing names the operation, path and service like any other.
#[derive(Clone)]
struct ErrorContext {
    service: &'static str,
    operation: Operation,
    path: String,
}

impl ErrorContext {
    fn new(service: &'static str, operation: Operation, path: &str) -> Self {
        ErrorContext {
            service,
            operation,
            path: path.to_owned(),
        }
    }

    fn apply(&self, err: Error) -> Error {
        err.with_context(self.operation, Some(&self.path), self.service)
    }
}

fn no_bytes<T>(_: &T) -> Option<u64> {
    None
}

#[async_trait]
impl<B: Backend> Storage for B {
    fn info(&self) -> &StorageInfo {
        Backend::info(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    async fn stat_with(&self, path: &str, mut opts: StatOptions) -> Result<Metadata> {
        let info = Backend::info(self);
        traced(info, Operation::Stat, path, no_bytes, async {
            let path = ObjectPath::parse(path)?;
            check_options(info, Operation::Stat, &mut opts)?;
            Backend::stat(self, &path, opts).await
        })
        .await
    }

    async fn read_with(&self, path: &str, mut opts: ReadOptions) -> Result<Reader> {
        let info = Backend::info(self);
        let bytes = |r: &Reader| Some(r.content_length());
        traced(info, Operation::Read, path, bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::Read, &mut opts)?;
            if let Some(range) = opts.range {
                range.validate()?;
                if range.is_full() {
                    opts.range = None;
                }
            }
            let progress = opts.progress.clone();
            let reader = Backend::read(self, &path, opts).await?;
            let context = ErrorContext::new(info.service, Operation::Read, path.as_str());
            Ok(reader.map_stream(|stream, length| {
                let checked = CheckedStream::new(stream, Some(length), progress, Direction::Read);
                Box::pin(checked.map(move |chunk| chunk.map_err(|err| context.apply(err))))
            }))
        })
        .await
    }

    async fn write_with(&self, path: &str, body: Body, mut opts: WriteOptions) -> Result<Metadata> {
        let info = Backend::info(self);
        let bytes = |m: &Metadata| Some(m.size);
        traced(info, Operation::Write, path, bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::Write, &mut opts)?;
            let body = body.guarded(opts.progress.take());
            let (if_match, create_only) = (
                opts.if_match.is_some(),
                is_create_only(opts.if_none_match.as_deref()),
            );
            Backend::write(self, &path, body, opts)
                .await
                .map_err(|err| condition_error(err, if_match, create_only))
        })
        .await
    }

    async fn delete_with(&self, path: &str, mut opts: DeleteOptions) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::Delete, path, no_bytes, async {
            let path = ObjectPath::parse(path)?;
            if path.is_root() {
                return Err(Error::invalid_input("the store's root cannot be deleted"));
            }
            check_options(info, Operation::Delete, &mut opts)?;
            Backend::delete(self, &path, opts).await
        })
        .await
    }

    async fn delete_many(&self, paths: &[String]) -> Result<()> {
        let info = Backend::info(self);
        let first = paths.first().map_or("", String::as_str);
        traced(info, Operation::DeleteMany, first, no_bytes, async {
            let mut parsed = Vec::with_capacity(paths.len());
            for raw in paths {
                let path = ObjectPath::parse(raw).map_err(|err| err.with_path(raw.clone()))?;
                if path.is_root() {
                    return Err(Error::invalid_input("the store's root cannot be deleted"));
                }
                parsed.push(path);
            }
            if parsed.is_empty() {
                return Ok(());
            }
            Backend::delete_many(self, &parsed).await
        })
        .await
    }

    async fn list_with(&self, path: &str, opts: ListOptions) -> Result<Lister> {
        let info = Backend::info(self);
        traced(info, Operation::List, path, no_bytes, async {
            let dir = ObjectPath::parse_dir(path)?;
            let shown = dir.as_str().to_owned();
            checked_list(self, dir, opts, &shown).await
        })
        .await
    }

    async fn list_prefix_with(&self, prefix: &str, mut opts: ListOptions) -> Result<Lister> {
        let info = Backend::info(self);
        traced(info, Operation::List, prefix, no_bytes, async {
            if opts.name_prefix.is_some() {
                return Err(Error::invalid_input(
                    "list_prefix takes its name prefix from `prefix`; leave \
                     ListOptions::name_prefix unset",
                ));
            }
            let (dir, name) = ObjectPath::parse_key_prefix(prefix)?;
            opts.recursive = true;
            opts.name_prefix = Some(name);
            checked_list(self, dir, opts, prefix).await
        })
        .await
    }

    async fn create_multipart_with(
        &self,
        path: &str,
        mut opts: WriteOptions,
    ) -> Result<MultipartUpload> {
        let info = Backend::info(self);
        traced(info, Operation::CreateMultipart, path, no_bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::CreateMultipart, &mut opts)?;
            Backend::create_multipart(self, &path, opts).await
        })
        .await
    }

    async fn upload_part_with(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        mut opts: PartOptions,
    ) -> Result<Part> {
        let info = Backend::info(self);
        let bytes = |p: &Part| Some(p.size);
        traced(
            info,
            Operation::UploadPart,
            upload.path.as_str(),
            bytes,
            async {
                check_options(info, Operation::UploadPart, &mut opts)?;
                let max = info.capability.limits().max_parts.unwrap_or(u32::MAX);
                if number == 0 || number > max {
                    return Err(Error::invalid_input(format!(
                        "part number {number} is outside 1..={max}"
                    )));
                }
                let body = body.guarded(opts.progress.take());
                Backend::upload_part(self, upload, number, body, opts).await
            },
        )
        .await
    }

    async fn complete_multipart_with(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        mut opts: CompleteOptions,
    ) -> Result<Metadata> {
        let info = Backend::info(self);
        traced(
            info,
            Operation::CompleteMultipart,
            upload.path.as_str(),
            no_bytes,
            async {
                check_options(info, Operation::CompleteMultipart, &mut opts)?;
                if parts.is_empty() {
                    return Err(Error::invalid_input(
                        "a multipart upload needs at least one part",
                    ));
                }
                if parts.windows(2).any(|w| w[0].number >= w[1].number) {
                    return Err(Error::invalid_input(
                        "parts must be listed in strictly ascending order of their numbers",
                    ));
                }
                // An unknown upload is NotFound here, so only create-only is translated.
                let create_only = is_create_only(opts.if_none_match.as_deref());
                Backend::complete_multipart(self, upload, parts, opts)
                    .await
                    .map_err(|err| condition_error(err, false, create_only))
            },
        )
        .await
    }

    async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<()> {
        let info = Backend::info(self);
        traced(
            info,
            Operation::AbortMultipart,
            upload.path.as_str(),
            no_bytes,
            async {
                check_operation(info, Operation::AbortMultipart)?;
                Backend::abort_multipart(self, upload).await
            },
        )
        .await
    }

    async fn list_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        let info = Backend::info(self);
        traced(
            info,
            Operation::ListParts,
            upload.path.as_str(),
            no_bytes,
            async {
                check_operation(info, Operation::ListParts)?;
                Backend::list_parts(self, upload).await
            },
        )
        .await
    }

    async fn list_multipart_uploads(&self, dir: &str) -> Result<Vec<MultipartUpload>> {
        let info = Backend::info(self);
        traced(
            info,
            Operation::ListMultipartUploads,
            dir,
            no_bytes,
            async {
                let dir = ObjectPath::parse_dir(dir)?;
                check_operation(info, Operation::ListMultipartUploads)?;
                Backend::list_multipart_uploads(self, &dir).await
            },
        )
        .await
    }

    async fn create_append_with(&self, path: &str, mut opts: WriteOptions) -> Result<Metadata> {
        let info = Backend::info(self);
        traced(info, Operation::CreateAppend, path, no_bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::CreateAppend, &mut opts)?;
            Backend::create_append(self, &path, opts).await
        })
        .await
    }

    async fn append_with(
        &self,
        path: &str,
        offset: u64,
        body: Body,
        mut opts: PartOptions,
    ) -> Result<u64> {
        let info = Backend::info(self);
        traced(info, Operation::Append, path, no_bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::Append, &mut opts)?;
            let body = body.guarded(opts.progress.take());
            Backend::append(self, &path, offset, body, opts).await
        })
        .await
    }

    async fn commit_append(&self, path: &str) -> Result<Metadata> {
        let info = Backend::info(self);
        traced(info, Operation::CommitAppend, path, no_bytes, async {
            let path = object_path(path)?;
            check_operation(info, Operation::CommitAppend)?;
            Backend::commit_append(self, &path).await
        })
        .await
    }

    async fn copy_with(&self, from: &str, to: &str, mut opts: CopyOptions) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::Copy, from, no_bytes, async {
            let (from, to) = two_object_paths(from, to)?;
            check_options(info, Operation::Copy, &mut opts)?;
            let create_only = is_create_only(opts.if_none_match.as_deref());
            Backend::copy(self, &from, &to, opts)
                .await
                .map_err(|err| condition_error(err, false, create_only))
        })
        .await
    }

    async fn rename_with(&self, from: &str, to: &str, mut opts: CopyOptions) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::Rename, from, no_bytes, async {
            let (from, to) = two_object_paths(from, to)?;
            check_options(info, Operation::Rename, &mut opts)?;
            let create_only = is_create_only(opts.if_none_match.as_deref());
            Backend::rename(self, &from, &to, opts)
                .await
                .map_err(|err| condition_error(err, false, create_only))
        })
        .await
    }

    async fn presign_with(
        &self,
        method: PresignMethod,
        path: &str,
        expires: Duration,
        mut opts: PresignOptions,
    ) -> Result<PresignedRequest> {
        let info = Backend::info(self);
        traced(info, Operation::Presign, path, no_bytes, async {
            let path = object_path(path)?;
            check_options(info, Operation::Presign, &mut opts)?;
            if expires.is_zero() {
                return Err(Error::invalid_input("a signed URL needs a non-zero expiry"));
            }
            Backend::presign(self, method, &path, expires, opts).await
        })
        .await
    }

    async fn create_dir(&self, path: &str) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::CreateDir, path, no_bytes, async {
            let dir = ObjectPath::parse_dir(path)?;
            check_operation(info, Operation::CreateDir)?;
            if dir.is_root() {
                return Ok(());
            }
            Backend::create_dir(self, &dir).await
        })
        .await
    }

    async fn create_bucket_with(&self, name: &str, mut opts: BucketOptions) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::CreateBucket, name, no_bytes, async {
            check_options(info, Operation::CreateBucket, &mut opts)?;
            Backend::create_bucket(self, name, opts).await
        })
        .await
    }

    async fn delete_bucket(&self, name: &str) -> Result<()> {
        let info = Backend::info(self);
        traced(info, Operation::DeleteBucket, name, no_bytes, async {
            check_operation(info, Operation::DeleteBucket)?;
            Backend::delete_bucket(self, name).await
        })
        .await
    }

    async fn list_buckets(&self) -> Result<Vec<String>> {
        let info = Backend::info(self);
        traced(info, Operation::ListBuckets, "", no_bytes, async {
            check_operation(info, Operation::ListBuckets)?;
            Backend::list_buckets(self).await
        })
        .await
    }
}

/// The checks of every listing, then the backend's list of `dir`, whose errors name `shown`.
/// An empty name prefix is none (so it needs no capability); one holding a separator is refused.
async fn checked_list<B: Backend>(
    backend: &B,
    dir: ObjectPath,
    mut opts: ListOptions,
    shown: &str,
) -> Result<Lister> {
    let info = Backend::info(backend);
    if opts.name_prefix.as_deref() == Some("") {
        opts.name_prefix = None;
    }
    if let Some(name) = &opts.name_prefix
        && name.contains(['/', '\\', '\0'])
    {
        return Err(Error::invalid_input(format!(
            "name_prefix {name:?} must be a name within the listed directory, without `/`, \
             `\\` or NUL (list_prefix takes a whole key prefix)"
        )));
    }
    check_options(info, Operation::List, &mut opts)?;
    if opts.page_size == Some(0) {
        return Err(Error::invalid_input("page_size must be at least 1"));
    }
    if let Some(start_after) = &opts.start_after {
        opts.start_after = Some(ObjectPath::parse(start_after)?.as_str().to_owned());
    }
    let context = ErrorContext::new(info.service, Operation::List, shown);
    let entries = Backend::list(backend, &dir, opts).await?;
    Ok(Lister::new(
        entries.map(move |entry| entry.map_err(|err| context.apply(err))),
    ))
}

/// Parses the source and destination of a copy or move; both must be objects, and distinct.
fn two_object_paths(from: &str, to: &str) -> Result<(ObjectPath, ObjectPath)> {
    let from = object_path(from)?;
    let to = object_path(to)?;
    if from == to {
        return Err(Error::invalid_input(
            "source and destination are the same object",
        ));
    }
    Ok((from, to))
}

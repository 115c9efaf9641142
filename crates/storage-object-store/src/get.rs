//! `get_opts` (and so `get`, `get_range`, `head`): reads, byte ranges and conditions.
//!
//! `if_match` / `if_none_match` go to the backend with the read when it honours them, so the
//! condition and the bytes come from one request. What rs-storage has no option for (the
//! `if_modified_since` / `if_unmodified_since` dates, suffix ranges, lists of ETags, both
//! ETag conditions at once) is evaluated here against a `stat`, and the read that follows is
//! pinned to the ETag it saw, so that the bytes are those of the object the conditions were
//! checked on; if the object changed in between, the whole get is tried again.

use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, GetResult, GetResultPayload, Result};
use storage_types::{
    ByteRange, ErrorKind, Metadata, Operation, Pair, ReadOptions, Reader, StatOptions,
};

use crate::error::{self, generic, not_modified};
use crate::meta::{attributes, object_meta};
use crate::paths;
use crate::store::StorageObjectStore;

/// How often a get checked against a `stat` is tried when the object keeps changing between
/// the `stat` and the read.
const PINNED_ATTEMPTS: usize = 3;

impl StorageObjectStore {
    /// The work of `ObjectStore::get_opts`.
    pub(crate) async fn read_object(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> Result<GetResult> {
        let service = self.service();
        let path = paths::object(service, location)?;
        if let Some(range) = &options.range {
            range
                .is_valid()
                .map_err(|err| generic(service, err.to_string()))?;
        }
        if options.head {
            let meta = stat(self, location, &path, &options).await?;
            options.check_preconditions(&object_meta(location.clone(), &meta))?;
            let size = meta.size;
            return Ok(result(
                location,
                meta,
                0..size,
                futures_util::stream::empty().boxed(),
            ));
        }
        if needs_stat(self, &options) {
            return get_checked(self, location, &path, &options).await;
        }
        let mut opts = read_options(&options, options.range.as_ref().map(byte_range));
        opts.if_match = options.if_match.clone();
        opts.if_none_match = options.if_none_match.clone();
        match self.store.read_with(&path, opts).await {
            Ok(reader) => Ok(into_result(self, location, reader, &options)),
            Err(err) if err.kind() == ErrorKind::ConditionNotMet && options.if_match.is_none() => {
                Err(not_modified(err, location.as_ref()))
            }
            Err(err) => Err(error::for_read(err, service, location.as_ref())),
        }
    }
}

/// Whether the conditions or the range need the object's metadata before the read.
fn needs_stat(adapter: &StorageObjectStore, options: &GetOptions) -> bool {
    let cap = &adapter.store.info().capability;
    let native = |value: &Option<String>, pair: Pair| {
        value
            .as_deref()
            .is_none_or(|tag| !tag.contains(',') && cap.supports_pair(Operation::Read, pair))
    };
    options.if_modified_since.is_some()
        || options.if_unmodified_since.is_some()
        || matches!(options.range, Some(GetRange::Suffix(_)))
        || (options.if_match.is_some() && options.if_none_match.is_some())
        || !native(&options.if_match, Pair::IfMatch)
        || !native(&options.if_none_match, Pair::IfNoneMatch)
}

/// A get whose conditions are evaluated here, against a `stat`, with the read pinned to the
/// ETag that `stat` reported (where the backend can pin reads).
async fn get_checked(
    adapter: &StorageObjectStore,
    location: &Path,
    path: &str,
    options: &GetOptions,
) -> Result<GetResult> {
    let service = adapter.service();
    let can_pin = adapter
        .store
        .info()
        .capability
        .supports_pair(Operation::Read, Pair::IfMatch);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let meta = stat(adapter, location, path, options).await?;
        options.check_preconditions(&object_meta(location.clone(), &meta))?;
        let range = match options.range {
            Some(GetRange::Suffix(n)) => Some(ByteRange::new(meta.size.saturating_sub(n), None)),
            Some(ref range) => Some(byte_range(range)),
            None => None,
        };
        let mut opts = read_options(options, range);
        if can_pin {
            opts.if_match = meta.etag.clone();
        }
        match adapter.store.read_with(path, opts).await {
            Ok(reader) => return Ok(into_result(adapter, location, reader, options)),
            // The object changed since the stat: check the conditions again on the new one.
            Err(err) if err.kind() == ErrorKind::ConditionNotMet && attempt < PINNED_ATTEMPTS => {}
            Err(err) => return Err(error::for_read(err, service, location.as_ref())),
        }
    }
}

/// The metadata of the object (of the requested version, if any).
async fn stat(
    adapter: &StorageObjectStore,
    location: &Path,
    path: &str,
    options: &GetOptions,
) -> Result<Metadata> {
    let mut opts = StatOptions::default();
    opts.version = options.version.clone();
    adapter
        .store
        .stat_with(path, opts)
        .await
        .map_err(|err| error::for_read(err, adapter.service(), location.as_ref()))
}

fn read_options(options: &GetOptions, range: Option<ByteRange>) -> ReadOptions {
    let mut opts = ReadOptions::default();
    opts.range = range;
    opts.version = options.version.clone();
    opts
}

/// A bounded or open-ended range; suffix ranges are resolved against the size first.
fn byte_range(range: &GetRange) -> ByteRange {
    match range {
        GetRange::Bounded(r) => ByteRange::new(r.start, Some(r.end - r.start)),
        GetRange::Offset(start) => ByteRange::new(*start, None),
        GetRange::Suffix(n) => ByteRange::new(0, Some(*n)),
    }
}

/// The get's result: metadata and attributes of the object, and its bytes as they stream.
fn into_result(
    adapter: &StorageObjectStore,
    location: &Path,
    reader: Reader,
    options: &GetOptions,
) -> GetResult {
    let (meta, length, stream) = reader.into_parts();
    let start = match &options.range {
        Some(GetRange::Bounded(r)) => r.start,
        Some(GetRange::Offset(start)) => *start,
        Some(GetRange::Suffix(n)) => meta.size.saturating_sub(*n),
        None => 0,
    };
    let service = adapter.service();
    let shown = location.to_string();
    let stream = stream
        .map_err(move |err| error::for_read(err, service, &shown))
        .boxed();
    result(location, meta, start..start + length, stream)
}

fn result(
    location: &Path,
    meta: Metadata,
    range: std::ops::Range<u64>,
    stream: futures_util::stream::BoxStream<'static, Result<bytes::Bytes>>,
) -> GetResult {
    GetResult {
        payload: GetResultPayload::Stream(stream),
        meta: object_meta(location.clone(), &meta),
        range,
        attributes: attributes(&meta),
        extensions: Default::default(),
    }
}

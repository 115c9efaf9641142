//! The in-memory store both APIs share: buckets, objects in lexicographic order, generations,
//! preconditions and listing. It knows nothing about HTTP or gRPC.

use crate::csek::Csek;
use crate::errors::{ApiError, ApiResult, Kind};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use md5::Digest as _;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// A bucket and its live objects (no versioning: one generation per name).
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub(crate) name: String,
    pub(crate) created: SystemTime,
    pub(crate) metageneration: i64,
    /// The class of objects written without one (GCS's bucket default storage class).
    pub(crate) storage_class: String,
    pub(crate) objects: BTreeMap<String, Object>,
}

/// One object generation with everything GCS reports about it.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub(crate) bucket: String,
    pub(crate) name: String,
    pub(crate) data: Bytes,
    pub(crate) generation: i64,
    pub(crate) metageneration: i64,
    pub(crate) attrs: ObjectAttrs,
    pub(crate) crc32c: u32,
    /// `None` for composite objects: GCS computes no MD5 for them, only a CRC32C.
    pub(crate) md5: Option<[u8; 16]>,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    pub(crate) component_count: i32,
    /// The SHA-256 of the customer-supplied key the object was written with, if any.
    pub(crate) csek_sha256: Option<[u8; 32]>,
}

/// The writable metadata of an object, as uploads, rewrites, composes and updates set it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ObjectAttrs {
    pub(crate) content_type: String,
    pub(crate) content_encoding: String,
    pub(crate) content_disposition: String,
    pub(crate) content_language: String,
    pub(crate) cache_control: String,
    pub(crate) storage_class: String,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) kms_key_name: String,
}

impl Object {
    pub(crate) fn size(&self) -> u64 {
        self.data.len() as u64
    }

    pub(crate) fn crc32c_base64(&self) -> String {
        BASE64.encode(self.crc32c.to_be_bytes())
    }

    pub(crate) fn md5_base64(&self) -> Option<String> {
        self.md5.map(|md5| BASE64.encode(md5))
    }

    /// The object's hashes as `x-goog-hash` lists them (no MD5 for composites).
    pub(crate) fn x_goog_hash(&self) -> String {
        match self.md5_base64() {
            Some(md5) => format!("crc32c={},md5={md5}", self.crc32c_base64()),
            None => format!("crc32c={}", self.crc32c_base64()),
        }
    }

    /// The `ETag` header of a download: the quoted hex MD5, or for a composite (which has none)
    /// the resource's etag.
    pub(crate) fn http_etag(&self) -> String {
        match self.md5 {
            Some(md5) => format!("\"{}\"", hex::encode(md5)),
            None => format!("\"{}\"", self.etag()),
        }
    }

    /// Changes with every generation and metageneration, like GCS's etags.
    pub(crate) fn etag(&self) -> String {
        let mut raw = self.generation.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.metageneration.to_be_bytes());
        BASE64.encode(raw)
    }
}

/// What a write supplies; the store adds generation, hashes and times.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewObject {
    pub(crate) data: Bytes,
    pub(crate) attrs: ObjectAttrs,
    pub(crate) csek: Option<Csek>,
    /// How many objects were composed into this one (0 for plain writes).
    pub(crate) component_count: i32,
}

/// The four generation preconditions of GCS. `if_generation_match == Some(0)` means the object
/// must not exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Preconditions {
    pub(crate) if_generation_match: Option<i64>,
    pub(crate) if_generation_not_match: Option<i64>,
    pub(crate) if_metageneration_match: Option<i64>,
    pub(crate) if_metageneration_not_match: Option<i64>,
}

impl Preconditions {
    /// Checks against the current live object (`None` when there is none).
    pub(crate) fn check(&self, current: Option<&Object>) -> ApiResult<()> {
        let generation = current.map_or(0, |o| o.generation);
        let failed = |what: &str| {
            Err(ApiError::precondition(format!(
                "At least one of the pre-conditions you specified did not hold ({what})."
            )))
        };
        if let Some(want) = self.if_generation_match
            && want != generation
        {
            return failed("ifGenerationMatch");
        }
        if let Some(want) = self.if_generation_not_match
            && want == generation
        {
            return failed("ifGenerationNotMatch");
        }
        if let Some(want) = self.if_metageneration_match
            && current.is_none_or(|o| o.metageneration != want)
        {
            return failed("ifMetagenerationMatch");
        }
        if let Some(want) = self.if_metageneration_not_match
            && current.is_some_and(|o| o.metageneration == want)
        {
            return failed("ifMetagenerationNotMatch");
        }
        Ok(())
    }
}

impl Preconditions {
    /// The check of a read (metadata or media): GCS answers a failed `ifGenerationNotMatch` or
    /// `ifMetagenerationNotMatch` there with 304 Not Modified, not 412.
    pub(crate) fn check_read(&self, current: &Object) -> ApiResult<()> {
        // The match conditions still fail with 412; only the not-match ones become 304.
        let matches = Preconditions {
            if_generation_not_match: None,
            if_metageneration_not_match: None,
            ..*self
        };
        matches.check(Some(current))?;
        let not_modified = self.if_generation_not_match == Some(current.generation)
            || self.if_metageneration_not_match == Some(current.metageneration);
        if not_modified {
            return Err(ApiError::new(
                Kind::NotModified,
                "notModified",
                "the object has the generation (or metageneration) the request excludes",
            ));
        }
        Ok(())
    }
}

/// The parameters of an object listing, shared by the JSON and gRPC halves.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    pub(crate) prefix: String,
    pub(crate) delimiter: String,
    pub(crate) include_trailing_delimiter: bool,
    pub(crate) start_offset: String,
    pub(crate) end_offset: String,
    pub(crate) page_size: usize,
    pub(crate) page_token: String,
}

/// One page of a listing: objects and common prefixes, each in lexicographic order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListPage {
    pub(crate) objects: Vec<Object>,
    pub(crate) prefixes: Vec<String>,
    pub(crate) next_page_token: Option<String>,
}

/// The whole server state behind one lock: operations are short and in memory, and one lock
/// makes every precondition check atomic with the write it guards.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    buckets: BTreeMap<String, Bucket>,
    last_generation: i64,
}

pub(crate) fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                buckets: BTreeMap::new(),
                last_generation: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated (every update is a
        // single insert or remove), so a poisoned lock is still safe to use.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a bucket; `storage_class` empty means STANDARD, as in GCS.
    pub(crate) fn create_bucket(&self, name: &str, storage_class: &str) -> ApiResult<Bucket> {
        validate_bucket_name(name)?;
        let storage_class = match storage_class {
            "" => "STANDARD".to_string(),
            class => validate_storage_class(class)?.to_string(),
        };
        let mut state = self.lock();
        if state.buckets.contains_key(name) {
            return Err(ApiError::new(
                Kind::Conflict,
                "conflict",
                format!("The requested bucket name is not available: {name}"),
            ));
        }
        let bucket = Bucket {
            name: name.to_string(),
            created: SystemTime::now(),
            metageneration: 1,
            storage_class,
            objects: BTreeMap::new(),
        };
        state.buckets.insert(name.to_string(), bucket.clone());
        Ok(bucket)
    }

    /// The bucket without its objects (cheap to hand out).
    pub(crate) fn get_bucket(&self, name: &str) -> ApiResult<Bucket> {
        let state = self.lock();
        let bucket = state
            .buckets
            .get(name)
            .ok_or_else(|| ApiError::no_such_bucket(name))?;
        Ok(Bucket {
            objects: BTreeMap::new(),
            ..bucket.clone()
        })
    }

    pub(crate) fn delete_bucket(
        &self,
        name: &str,
        if_metageneration_match: Option<i64>,
    ) -> ApiResult<()> {
        let mut state = self.lock();
        let bucket = state
            .buckets
            .get(name)
            .ok_or_else(|| ApiError::no_such_bucket(name))?;
        if if_metageneration_match.is_some_and(|m| m != bucket.metageneration) {
            return Err(ApiError::precondition(
                "bucket metageneration does not match",
            ));
        }
        if !bucket.objects.is_empty() {
            return Err(ApiError::new(
                Kind::NotEmpty,
                "conflict",
                format!("The bucket you tried to delete is not empty: {name}"),
            ));
        }
        state.buckets.remove(name);
        Ok(())
    }

    /// Buckets whose names start with `prefix`, after `page_token`, at most `page_size`.
    pub(crate) fn list_buckets(
        &self,
        prefix: &str,
        page_size: usize,
        page_token: &str,
    ) -> (Vec<Bucket>, Option<String>) {
        let state = self.lock();
        let mut page: Vec<Bucket> = state
            .buckets
            .range::<str, _>((Bound::Excluded(page_token), Bound::Unbounded))
            .map(|(_, b)| b)
            .filter(|b| b.name.starts_with(prefix))
            .take(page_size + 1)
            .map(|b| Bucket {
                objects: BTreeMap::new(),
                ..b.clone()
            })
            .collect();
        let next = if page.len() > page_size {
            page.truncate(page_size);
            page.last().map(|b| b.name.clone())
        } else {
            None
        };
        (page, next)
    }

    /// The live object, or NOT_FOUND; `generation` 0 means "the live one".
    pub(crate) fn get_object(
        &self,
        bucket: &str,
        name: &str,
        generation: i64,
    ) -> ApiResult<Object> {
        let state = self.lock();
        let b = state
            .buckets
            .get(bucket)
            .ok_or_else(|| ApiError::no_such_bucket(bucket))?;
        b.objects
            .get(name)
            .filter(|o| generation == 0 || o.generation == generation)
            .cloned()
            .ok_or_else(|| ApiError::no_such_object(bucket, name))
    }

    /// Writes a new generation, checking the preconditions under the same lock.
    pub(crate) fn put_object(
        &self,
        bucket: &str,
        name: &str,
        new: NewObject,
        preconditions: &Preconditions,
    ) -> ApiResult<Object> {
        let NewObject {
            data,
            attrs,
            csek,
            component_count,
        } = new;
        validate_object_name(name)?;
        let mut state = self.lock();
        let generation = (state.last_generation + 1).max(now_micros());
        let b = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| ApiError::no_such_bucket(bucket))?;
        preconditions.check(b.objects.get(name))?;
        // An object written without a class takes the bucket's default, as in GCS.
        let storage_class = match attrs.storage_class.as_str() {
            "" => b.storage_class.clone(),
            class => validate_storage_class(class)?.to_string(),
        };
        let now = SystemTime::now();
        let object = Object {
            bucket: bucket.to_string(),
            name: name.to_string(),
            crc32c: crc32c::crc32c(&data),
            md5: (component_count == 0).then(|| md5::Md5::digest(&data).into()),
            data,
            generation,
            metageneration: 1,
            attrs: ObjectAttrs {
                storage_class,
                ..attrs
            },
            created: now,
            updated: now,
            component_count,
            csek_sha256: csek.map(|k| k.sha256),
        };
        b.objects.insert(name.to_string(), object.clone());
        state.last_generation = generation;
        Ok(object)
    }

    pub(crate) fn delete_object(
        &self,
        bucket: &str,
        name: &str,
        generation: i64,
        preconditions: &Preconditions,
    ) -> ApiResult<()> {
        let mut state = self.lock();
        let b = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| ApiError::no_such_bucket(bucket))?;
        let current = b
            .objects
            .get(name)
            .filter(|o| generation == 0 || o.generation == generation)
            .ok_or_else(|| ApiError::no_such_object(bucket, name))?;
        preconditions.check(Some(current))?;
        b.objects.remove(name);
        Ok(())
    }

    /// Applies `change` to the live object's metadata and bumps its metageneration. `change`
    /// may refuse (e.g. a CSEK check) before anything is modified.
    pub(crate) fn update_object(
        &self,
        bucket: &str,
        name: &str,
        generation: i64,
        preconditions: &Preconditions,
        change: impl FnOnce(&mut Object) -> ApiResult<()>,
    ) -> ApiResult<Object> {
        let mut state = self.lock();
        let b = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| ApiError::no_such_bucket(bucket))?;
        let current = b
            .objects
            .get(name)
            .filter(|o| generation == 0 || o.generation == generation)
            .ok_or_else(|| ApiError::no_such_object(bucket, name))?;
        preconditions.check(Some(current))?;
        let mut updated = current.clone();
        change(&mut updated)?;
        updated.metageneration += 1;
        updated.updated = SystemTime::now();
        b.objects.insert(name.to_string(), updated.clone());
        Ok(updated)
    }

    /// One page of objects and common prefixes, merged in lexicographic order. The page token
    /// is the last entry returned, so every entry appears exactly once across pages.
    pub(crate) fn list_objects(&self, bucket: &str, query: &ListQuery) -> ApiResult<ListPage> {
        let state = self.lock();
        let b = state
            .buckets
            .get(bucket)
            .ok_or_else(|| ApiError::no_such_bucket(bucket))?;
        let resume = decode_page_token(&query.page_token)?;
        let start = query.prefix.clone().max(query.start_offset.clone());
        let mut cursor = match resume {
            Some(after) if after >= start => Bound::Excluded(after),
            _ => Bound::Included(start),
        };
        let mut page = ListPage::default();
        let mut entries = 0;
        let mut last_key: Option<String> = None;
        loop {
            let next = b
                .objects
                .range::<String, _>((cursor.as_ref(), Bound::Unbounded))
                .next();
            let Some((name, object)) = next else { break };
            if !name.starts_with(&query.prefix)
                || (!query.end_offset.is_empty() && *name >= query.end_offset)
            {
                break;
            }
            if entries >= query.page_size {
                page.next_page_token = last_key.as_deref().map(encode_page_token);
                break;
            }
            entries += 1;
            let rest = &name[query.prefix.len()..];
            let common = (!query.delimiter.is_empty())
                .then(|| rest.find(&query.delimiter))
                .flatten()
                .map(|i| name[..query.prefix.len() + i + query.delimiter.len()].to_string());
            match common {
                None => {
                    page.objects.push(object.clone());
                    last_key = Some(name.clone());
                    cursor = Bound::Excluded(name.clone());
                }
                Some(common) => {
                    // A common prefix is one entry: every name under it is skipped, here and
                    // on the following pages.
                    if query.include_trailing_delimiter && *name == common {
                        page.objects.push(object.clone());
                    }
                    let after = prefix_successor(&common);
                    page.prefixes.push(common);
                    last_key = Some(after.clone());
                    cursor = Bound::Excluded(after);
                }
            }
        }
        Ok(page)
    }
}

/// A key after every name under `prefix` (the highest code point follows it), to resume a
/// listing past a common prefix.
fn prefix_successor(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn encode_page_token(key: &str) -> String {
    BASE64.encode(key.as_bytes())
}

fn decode_page_token(token: &str) -> ApiResult<Option<String>> {
    if token.is_empty() {
        return Ok(None);
    }
    BASE64
        .decode(token)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("invalid page token"))
}

fn validate_bucket_name(name: &str) -> ApiResult<()> {
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-_.".contains(&c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid bucket name: {name:?}"
        )))
    }
}

/// The storage classes GCS knows; it refuses any other name with 400.
const STORAGE_CLASSES: [&str; 7] = [
    "STANDARD",
    "NEARLINE",
    "COLDLINE",
    "ARCHIVE",
    "MULTI_REGIONAL",
    "REGIONAL",
    "DURABLE_REDUCED_AVAILABILITY",
];

fn validate_storage_class(class: &str) -> ApiResult<&str> {
    if STORAGE_CLASSES.contains(&class) {
        Ok(class)
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid argument: storage class {class:?}"
        )))
    }
}

fn validate_object_name(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.len() > 1024 || name.contains(['\r', '\n']) {
        return Err(ApiError::bad_request(format!(
            "Invalid object name: {name:?}"
        )));
    }
    Ok(())
}

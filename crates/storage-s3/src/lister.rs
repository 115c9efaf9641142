//! `list`: ListObjectsV2 page by page, objects and common prefixes merged into one sorted stream.
//! A name prefix extends the request prefix, so S3 lists by raw key prefix itself.

use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use futures_util::StreamExt;
use storage_types::{Entry, ListOptions, Lister, Metadata, ObjectPath, Result};

use crate::S3Storage;
use crate::error::map_sdk_error;

struct Cursor {
    store: S3Storage,
    /// The key of the listed directory (its own marker is not an entry of it).
    dir: String,
    /// The request prefix: the directory's key followed by the name prefix.
    prefix: String,
    opts: ListOptions,
    token: Option<String>,
    first: bool,
}

impl S3Storage {
    /// Lists `dir`, one ListObjectsV2 page at a time as the stream is read.
    pub(crate) fn list_objects(&self, dir: &ObjectPath, opts: ListOptions) -> Lister {
        list(self.clone(), dir, opts)
    }
}

fn list(store: S3Storage, dir: &ObjectPath, opts: ListOptions) -> Lister {
    let dir = store.key(dir);
    let prefix = format!("{dir}{}", opts.name_prefix.as_deref().unwrap_or_default());
    let cursor = Cursor {
        store,
        dir,
        prefix,
        opts,
        token: None,
        first: true,
    };
    let pages = futures_util::stream::unfold(Some(cursor), |cursor| async move {
        let mut cursor = cursor?;
        match fetch(&mut cursor).await {
            Ok((entries, more)) => {
                let next = if more { Some(cursor) } else { None };
                let items: Vec<Result<Entry>> = entries.into_iter().map(Ok).collect();
                Some((futures_util::stream::iter(items), next))
            }
            Err(err) => Some((futures_util::stream::iter(vec![Err(err)]), None)),
        }
    });
    Lister::new(pages.flatten())
}

/// One page, sorted; and whether another follows.
async fn fetch(cursor: &mut Cursor) -> Result<(Vec<Entry>, bool)> {
    let s = &cursor.store;
    let start_after = match (&cursor.opts.start_after, cursor.first) {
        (Some(after), true) => Some(format!("{}{after}", s.inner.root)),
        _ => None,
    };
    cursor.first = false;
    let page = s
        .s3()
        .await
        .list_objects_v2()
        .bucket(s.bucket())
        .prefix(&cursor.prefix)
        .set_delimiter((!cursor.opts.recursive).then(|| "/".to_owned()))
        .set_max_keys(cursor.opts.page_size.map(|n| n.min(1000) as i32))
        .set_continuation_token(cursor.token.take())
        .set_start_after(start_after)
        .set_expected_bucket_owner(s.inner.defaults.expected_bucket_owner.clone())
        .set_request_payer(
            s.inner
                .defaults
                .request_payer
                .then_some(aws_sdk_s3::types::RequestPayer::Requester),
        )
        .send();
    // Boxed, so that the page stream's state stays small (see `reader::stat`).
    let page = Box::pin(page).await.map_err(map_sdk_error)?;
    let mut entries = entries_of(s, &cursor.dir, cursor.opts.recursive, &page);
    // With a delimiter, keys after `start_after` can roll up into a prefix at or before it.
    if let Some(after) = &cursor.opts.start_after {
        entries.retain(|e| e.path.as_str() > after.as_str());
    }
    cursor.token = page.next_continuation_token().map(str::to_owned);
    let more = page.is_truncated() == Some(true) && cursor.token.is_some();
    Ok((entries, more))
}

fn entries_of(s: &S3Storage, dir: &str, recursive: bool, page: &ListObjectsV2Output) -> Vec<Entry> {
    let mut entries = Vec::new();
    for object in page.contents() {
        let Some(key) = object.key() else { continue };
        // The directory's own marker is not an entry of it; recursive listings name objects
        // only.
        if key == dir || (recursive && key.ends_with('/')) {
            continue;
        }
        let Some(path) = s.path_of(key) else { continue };
        let mut meta = Metadata::file(object.size().unwrap_or_default().max(0) as u64);
        meta.etag = object.e_tag().map(str::to_owned);
        meta.last_modified = object
            .last_modified()
            .and_then(|t| std::time::SystemTime::try_from(*t).ok());
        meta.storage_class = object.storage_class().map(|c| c.as_str().to_owned());
        if path.is_dir() {
            meta = Metadata::dir();
        }
        entries.push(Entry::new(path, meta));
    }
    for common in page.common_prefixes() {
        let Some(path) = common.prefix().and_then(|p| s.path_of(p)) else {
            continue;
        };
        entries.push(Entry::new(path, Metadata::dir()));
    }
    // S3 returns objects and prefixes apart, each in order; one page covers a contiguous range
    // of keys, so sorting within the page gives the global order.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

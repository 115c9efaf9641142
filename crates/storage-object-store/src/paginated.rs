//! `PaginatedListStore::list_paginated`: one page of a raw key prefix (`fo` matches `foo/x`
//! and `fob`), with or without the `/` delimiter, resumed by a page token.
//!
//! The prefix is split at its last `/` into a directory and a name prefix, which rs-storage
//! lists natively ([`ListOptions::name_prefix`]). The listing is stateless: the page token is
//! the path of the page's last entry, and the next page starts after it (`start_after`), as
//! does an `offset`. Where the backend lacks a pair (or the offset is not pushed down, see
//! [`StorageObjectStore::with_offset_pushdown`]) the adapter filters instead, so a page is
//! right on every backend, only slower there.

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::{ListResult, Result};
use storage_types::{Entry, ListOptions, ObjectPath, Operation, Pair};

use crate::error::{self, generic};
use crate::meta::object_meta;
use crate::paths;
use crate::store::StorageObjectStore;

/// Entries of a page when the caller sets no `max_keys` (S3's default too).
const DEFAULT_MAX_KEYS: usize = 1000;

#[async_trait]
impl PaginatedListStore for StorageObjectStore {
    async fn list_paginated(
        &self,
        prefix: Option<&str>,
        opts: PaginatedListOptions,
    ) -> Result<PaginatedListResult> {
        let service = self.service();
        let raw = prefix.unwrap_or_default();
        if raw.contains('\\') {
            return Err(generic(
                service,
                format!("prefix `{raw}` holds `\\`, which rs-storage reads as a separator"),
            ));
        }
        let recursive = match opts.delimiter.as_deref() {
            None => true,
            Some("/") => false,
            Some(other) => {
                return Err(generic(
                    service,
                    format!("delimiter `{other}` is not supported: rs-storage lists by `/`"),
                ));
            }
        };
        let (dir, name) =
            ObjectPath::parse_key_prefix(raw).map_err(|err| error::map(err, service, raw))?;
        let wanted = format!("{dir}{name}");
        // Start after the later of the offset and the token: both are exclusive.
        let after = [opts.offset.as_deref(), opts.page_token.as_deref()]
            .into_iter()
            .flatten()
            .filter(|a| !a.is_empty())
            .max()
            .map(str::to_owned);
        let max_keys = opts.max_keys.unwrap_or(DEFAULT_MAX_KEYS).max(1);
        let list_opts = self.list_options(recursive, &name, after.as_deref(), max_keys);
        let entries = self
            .store
            .list_with(dir.as_str(), list_opts)
            .await
            .map_err(|err| error::map(err, service, raw))?
            .map_err(|err| error::map(err, service, raw))
            .try_filter(|entry| {
                let keep = entry.path.as_str().starts_with(&wanted)
                    && after.as_deref().is_none_or(|a| entry.path.as_str() > a);
                std::future::ready(keep)
            });
        // One entry more than the page tells whether another page follows.
        let mut page: Vec<Entry> = entries.take(max_keys + 1).try_collect().await?;
        let page_token = (page.len() > max_keys).then(|| {
            page.truncate(max_keys);
            page.last().map(|e| e.path.as_str().to_owned())
        });
        Ok(PaginatedListResult {
            result: list_result(page),
            page_token: page_token.flatten(),
        })
    }
}

impl StorageObjectStore {
    /// The rs-storage options of one page: the name prefix, start and page size, each where
    /// the backend honours it (the caller filters for the rest).
    fn list_options(
        &self,
        recursive: bool,
        name: &str,
        after: Option<&str>,
        max_keys: usize,
    ) -> ListOptions {
        let cap = &self.store.info().capability;
        let honours = |pair| cap.supports_pair(Operation::List, pair);
        let mut opts = ListOptions::default();
        opts.recursive = recursive;
        if !name.is_empty() && honours(Pair::NamePrefix) {
            opts.name_prefix = Some(name.to_owned());
        }
        if let Some(after) = after
            && self.offset_pushdown
            && honours(Pair::StartAfter)
        {
            opts.start_after = Some(after.to_owned());
        }
        if honours(Pair::PageSize) {
            opts.page_size = Some(u32::try_from(max_keys + 1).unwrap_or(u32::MAX));
        }
        opts
    }
}

/// A page's entries as objects and common prefixes (directories, without their `/`).
fn list_result(page: Vec<Entry>) -> ListResult {
    let mut result = ListResult {
        common_prefixes: Vec::new(),
        objects: Vec::new(),
        extensions: Default::default(),
    };
    for entry in page {
        let location = paths::location(&entry.path);
        if entry.metadata.is_dir() {
            result.common_prefixes.push(location);
        } else {
            result.objects.push(object_meta(location, &entry.metadata));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use object_store::ObjectStoreExt;
    use object_store::path::Path;
    use storage_types::Storage;

    use super::*;

    fn store() -> StorageObjectStore {
        let memory: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
        StorageObjectStore::new(memory)
    }

    async fn put(store: &StorageObjectStore, paths: &[&str]) {
        for path in paths {
            store.put(&Path::from(*path), "x".into()).await.unwrap();
        }
    }

    fn names(result: &ListResult) -> Vec<String> {
        let objects = result.objects.iter().map(|o| o.location.to_string());
        let dirs = result.common_prefixes.iter().map(|p| format!("{p}/"));
        let mut all: Vec<String> = objects.chain(dirs).collect();
        all.sort();
        all
    }

    #[tokio::test]
    async fn pages_of_a_raw_prefix_resume_after_the_token() {
        let store = store();
        put(
            &store,
            &["v1/meta", "v1/meta.1", "v1/meta_x/a", "v1/met", "v2/meta"],
        )
        .await;
        let mut opts = PaginatedListOptions {
            max_keys: Some(2),
            ..Default::default()
        };
        let first = store
            .list_paginated(Some("v1/meta"), opts.clone())
            .await
            .unwrap();
        assert_eq!(names(&first.result), ["v1/meta", "v1/meta.1"]);
        opts.page_token = first.page_token;
        assert_eq!(opts.page_token.as_deref(), Some("v1/meta.1"));
        let second = store
            .list_paginated(Some("v1/meta"), opts.clone())
            .await
            .unwrap();
        assert_eq!(names(&second.result), ["v1/meta_x/a"]);
        assert_eq!(second.page_token, None);
        opts.page_token = None;
        opts.delimiter = Some("/".into());
        opts.max_keys = None;
        let level = store.list_paginated(Some("v1/meta"), opts).await.unwrap();
        assert_eq!(names(&level.result), ["v1/meta", "v1/meta.1", "v1/meta_x/"]);
    }

    #[tokio::test]
    async fn odd_delimiters_and_backslashes_are_refused() {
        let store = store();
        let opts = PaginatedListOptions {
            delimiter: Some("|".into()),
            ..Default::default()
        };
        assert!(store.list_paginated(None, opts).await.is_err());
        let plain = PaginatedListOptions::default();
        assert!(store.list_paginated(Some("a\\b"), plain).await.is_err());
    }
}

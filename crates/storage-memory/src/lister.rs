//! Listing a memory store page by page, so that a long listing never holds the lock for long and
//! sees writes made between pages, as a cloud listing would.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use storage_types::{Entry, ListOptions, Lister, Metadata, ObjectPath, Result};

use crate::state::{Object, State};

/// Entries fetched per lock acquisition when the caller sets no page size.
const DEFAULT_PAGE: usize = 1000;

struct Cursor {
    state: Arc<State>,
    dir: String,
    /// `dir` followed by the name prefix: every listed key starts with it.
    prefix: String,
    recursive: bool,
    /// Kept to drop a subdirectory entry at or before it: its keys can lie after it.
    start_after: Option<String>,
    page_size: usize,
    from: Bound<String>,
    done: bool,
}

/// A lister of `dir` (ending in `/`, or the root).
pub(crate) fn list(state: Arc<State>, dir: &ObjectPath, opts: &ListOptions) -> Lister {
    let dir = dir.as_str().to_owned();
    let prefix = format!("{dir}{}", opts.name_prefix.as_deref().unwrap_or_default());
    let from = match &opts.start_after {
        Some(after) if after.as_str() >= prefix.as_str() => Bound::Excluded(after.clone()),
        _ => Bound::Included(prefix.clone()),
    };
    let cursor = Cursor {
        state,
        dir,
        prefix,
        start_after: opts.start_after.clone(),
        recursive: opts.recursive,
        page_size: opts.page_size.map_or(DEFAULT_PAGE, |n| n as usize),
        from,
        done: false,
    };
    let pages = futures_util::stream::unfold(cursor, |mut cursor| async move {
        if cursor.done {
            return None;
        }
        let page = next_page(&mut cursor);
        Some((futures_util::stream::iter(page), cursor))
    });
    Lister::new(futures_util::StreamExt::flatten(pages))
}

/// Up to `page_size` entries after the cursor; advances it.
fn next_page(cursor: &mut Cursor) -> Vec<Result<Entry>> {
    let state = Arc::clone(&cursor.state);
    let objects = state.objects();
    let mut page = Vec::new();
    let mut from = cursor.from.clone();
    while page.len() < cursor.page_size {
        let Some((key, object)) = first_from(&objects, &from) else {
            cursor.done = true;
            break;
        };
        if !key.starts_with(&cursor.prefix) {
            cursor.done = true;
            break;
        }
        let rest = &key[cursor.dir.len()..];
        let entry = match rest.find('/') {
            // The directory's own marker is not an entry of it.
            _ if rest.is_empty() => None,
            Some(slash) if !cursor.recursive => {
                let sub = format!("{}{}", cursor.dir, &rest[..=slash]);
                // Skip everything below the subdirectory: the next key sorts after it.
                from = Bound::Included(prefix_successor(&sub));
                if cursor
                    .start_after
                    .as_deref()
                    .is_none_or(|after| sub.as_str() > after)
                {
                    page.push(dir_entry(&sub));
                }
                continue;
            }
            // Recursive listings name objects only; markers are directories.
            _ if key.ends_with('/') => None,
            _ => Some(object_entry(key, object)),
        };
        from = Bound::Excluded(key.clone());
        if let Some(entry) = entry {
            page.push(entry);
        }
    }
    cursor.from = from;
    page
}

fn first_from<'a>(
    objects: &'a BTreeMap<String, Object>,
    from: &Bound<String>,
) -> Option<(&'a String, &'a Object)> {
    objects
        .range::<String, _>((from.as_ref(), Bound::Unbounded))
        .next()
}

/// The smallest string greater than every string starting with `prefix` (which ends in `/`).
fn prefix_successor(prefix: &str) -> String {
    let mut next = prefix[..prefix.len() - 1].to_owned();
    next.push(char::from(b'/' + 1));
    next
}

fn dir_entry(path: &str) -> Result<Entry> {
    Ok(Entry::new(ObjectPath::from_backend(path)?, Metadata::dir()))
}

fn object_entry(key: &str, object: &Object) -> Result<Entry> {
    Ok(Entry::new(
        ObjectPath::from_backend(key)?,
        object.meta.clone(),
    ))
}

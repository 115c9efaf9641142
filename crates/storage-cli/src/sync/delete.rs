//! `stor sync --delete`: removing the destination's files that the source does not have, once
//! every copy has succeeded (the caller decides that), in batches where the store deletes many
//! at once, each reported as it goes.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures_util::{StreamExt, stream};
use storage::{ObjectPath, Storage};

use crate::report::Report;

/// The most paths one `delete_many` call takes: S3's DeleteObjects limit, and a fair batch
/// for the others.
const BATCH: usize = 1000;

/// A file to remove: its path below the destination directory, and its size.
pub(super) type Doomed = (String, u64);

/// Deletes `doomed` (paths below `dir` in `store`), reporting each; a file that cannot be
/// deleted is reported failed and the others go on. Local directories left empty go too.
pub(super) async fn delete(
    store: &Arc<dyn Storage>,
    dir: &ObjectPath,
    doomed: Vec<Doomed>,
    transfers: usize,
    report: &Report,
) {
    let mut paths = Vec::with_capacity(doomed.len());
    for (relative, size) in doomed {
        match dir.join(&relative) {
            Ok(path) => paths.push((path, relative, size)),
            Err(err) => report.failed(&relative, &err.into()),
        }
    }
    // The same rule as `rm -r`: a batch call only where it is one request.
    let batched = crate::remove::batches(store.as_ref());
    for chunk in paths.chunks(BATCH) {
        let all: Vec<String> = chunk.iter().map(|(path, ..)| path.to_string()).collect();
        if batched && store.delete_many(&all).await.is_ok() {
            for (_, relative, size) in chunk {
                report.deleted(relative, *size);
            }
            continue;
        }
        // One by one: without a batch call, or to learn which of a failed batch failed
        // (deleting what is already gone succeeds).
        one_by_one(store, chunk, transfers, report).await;
    }
    if store.info().service == "fs" {
        prune_parents(store, dir, paths.iter().map(|(path, ..)| path)).await;
    }
}

async fn one_by_one(
    store: &Arc<dyn Storage>,
    chunk: &[(ObjectPath, String, u64)],
    transfers: usize,
    report: &Report,
) {
    let mut done = stream::iter(chunk)
        .map(|(path, relative, size)| async move {
            (relative, *size, store.delete(path.as_str()).await)
        })
        .buffer_unordered(transfers.max(1));
    while let Some((relative, size, result)) = done.next().await {
        match result {
            Ok(()) => report.deleted(relative, size),
            Err(err) => report.failed(relative, &err.into()),
        }
    }
}

/// The local directories below `dir` that held deleted files, deepest first, where they are
/// now empty (a directory that still holds something refuses, and that is fine: tidying).
async fn prune_parents<'a>(
    store: &Arc<dyn Storage>,
    dir: &ObjectPath,
    deleted: impl Iterator<Item = &'a ObjectPath>,
) {
    let mut parents = BTreeSet::new();
    for path in deleted {
        let mut at = path.as_str();
        while let Some(cut) = at.trim_end_matches('/').rfind('/') {
            at = &at[..=cut];
            if at.len() <= dir.as_str().len() {
                break;
            }
            parents.insert(at.to_owned());
        }
    }
    // Longer paths first: a child before its parent.
    let mut parents: Vec<String> = parents.into_iter().collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for parent in parents {
        let _ = store.delete(&parent).await;
    }
}

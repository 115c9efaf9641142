//! `stor rm`: remove an object, or with `-r` a directory and everything below it: the listing
//! streams into batch deletes (S3: 1,000 keys a request) or into single deletes several at a
//! time, each removed file reported as it goes, then the directories left behind are tidied.

use std::future::ready;

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use futures_util::stream::TryChunksError;
use storage::{Entry, ErrorKind, ListOptions, ObjectPath, Operation, Storage};

use crate::exit::usage;
use crate::report::Report;
use crate::session::{Located, Session};

#[derive(Debug, Args)]
pub(crate) struct RmArgs {
    /// Remove a directory and everything below it.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// The object or directory.
    pub(crate) location: String,
}

/// Objects in one `delete_many` call: S3's DeleteObjects limit, so one call is one request.
const BATCH: usize = 1000;
/// Batch calls in flight at once: the listing's next page arrives while a batch is deleted.
const BATCHES_AT_ONCE: usize = 2;
/// Single deletes in flight at once on stores without a batch request.
const SINGLES_AT_ONCE: usize = 8;
/// The services whose `delete_many` sends a batch as one request. Every store answers
/// `delete_many` (a core operation, so the capability cannot tell), but the others delete the
/// batch's objects one after another, slower than eight single deletes at once.
const BATCHING_SERVICES: [&str; 1] = ["s3"];

pub(crate) async fn rm(session: &Session, args: RmArgs) -> Result<()> {
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    if args.recursive {
        let dir = ObjectPath::parse_dir(&loc.path).with_context(|| shown.clone())?;
        if dir.is_root() {
            return Err(usage(format!(
                "{shown}: refusing to remove the root of a store"
            )));
        }
        let report = Report::new(&session.global, "removed");
        let store = loc.store.as_ref();
        remove_tree(store, &dir, &report, batches(store))
            .await
            .with_context(|| shown.clone())?;
        return report.finish();
    }
    let metadata = match loc.store.stat(&loc.path).await {
        Ok(metadata) => metadata,
        // NotFound, so that the exit code says so (3).
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Err(storage::Error::not_found("no such object")).with_context(|| shown.clone());
        }
        Err(err) => return Err(err).with_context(|| shown.clone()),
    };
    loc.store
        .delete(&loc.path)
        .await
        .with_context(|| shown.clone())?;
    let report = Report::new(&session.global, "removed");
    let name = ObjectPath::parse(&loc.path)
        .map(|path| path.file_name().to_owned())
        .unwrap_or_else(|_| loc.path.clone());
    report.done(&name, metadata.size);
    report.finish()
}

/// An object to remove: its path in the store, its path below the removed directory (what
/// the report shows), its size.
struct Doomed {
    path: String,
    relative: String,
    size: u64,
}

impl Doomed {
    fn of(entry: Entry, dir: &ObjectPath) -> Doomed {
        let path = entry.path.to_string();
        let relative = path.strip_prefix(dir.as_str()).unwrap_or(&path).to_owned();
        Doomed {
            path,
            relative,
            size: entry.metadata.size,
        }
    }
}

/// Removes every object below `dir` as the listing finds them (with `delete_many` calls of up
/// to [`BATCH`] objects when `batch`, else one delete per object), then the directories left
/// behind. A failed delete is reported and the others go on; a failed listing stops the job
/// with its own error.
async fn remove_tree(
    store: &dyn Storage,
    dir: &ObjectPath,
    report: &Report,
    batch: bool,
) -> Result<()> {
    let entries = store
        .list_with(dir.as_str(), ListOptions::default().recursive())
        .await?;
    let doomed = entries
        .map_err(anyhow::Error::from)
        .try_filter(|entry| ready(!entry.metadata.is_dir()))
        .map_ok(|entry| {
            let doomed = Doomed::of(entry, dir);
            report.listed(&doomed.relative, doomed.size);
            doomed
        });
    if batch {
        doomed
            .try_chunks(BATCH)
            .map_err(|TryChunksError(_, err)| err)
            .map_ok(|batch| delete_batch(store, batch, report))
            .try_buffer_unordered(BATCHES_AT_ONCE)
            .try_collect::<()>()
            .await?;
    } else {
        doomed
            .map_ok(|one| delete_one(store, one, report))
            .try_buffer_unordered(SINGLES_AT_ONCE)
            .try_collect::<()>()
            .await?;
    }
    if !report.any_failed() {
        // With a file left, its directories stay (and deleting them would only fail).
        tidy(store, dir, report).await?;
    }
    Ok(())
}

/// Whether `store` deletes many objects in one request.
pub(crate) fn batches(store: &dyn Storage) -> bool {
    let info = store.info();
    info.capability.supports(Operation::DeleteMany) && BATCHING_SERVICES.contains(&info.service)
}

/// One `delete_many` call; its objects are reported removed together, or failed together
/// (the error names the first failure and how many of the batch failed).
async fn delete_batch(store: &dyn Storage, batch: Vec<Doomed>, report: &Report) -> Result<()> {
    let paths: Vec<String> = batch.iter().map(|one| one.path.clone()).collect();
    let outcome = store.delete_many(&paths).await.map_err(anyhow::Error::from);
    for one in &batch {
        finished(report, one, &outcome);
    }
    Ok(())
}

async fn delete_one(store: &dyn Storage, one: Doomed, report: &Report) -> Result<()> {
    let outcome = store.delete(&one.path).await.map_err(anyhow::Error::from);
    finished(report, &one, &outcome);
    Ok(())
}

fn finished(report: &Report, one: &Doomed, outcome: &Result<()>) {
    report.bar().inc(one.size);
    match outcome {
        Ok(()) => report.done(&one.relative, one.size),
        Err(err) => report.failed(&one.relative, err),
    }
}

/// The directories left below `dir` and `dir` itself (local directories, explicit markers),
/// deepest first, as `StorageExt::remove_all` tidies them. On stores without directories
/// the listings are empty and the deletes find nothing, which is success.
async fn tidy(store: &dyn Storage, dir: &ObjectPath, report: &Report) -> Result<()> {
    let dirs = crate::dirs::below(store, dir).await?;
    for gone in dirs.iter().rev().chain(std::iter::once(dir)) {
        if let Err(err) = store.delete(gone.as_str()).await {
            let relative = gone.as_str().strip_prefix(dir.as_str()).unwrap_or("");
            let shown = if relative.is_empty() {
                gone.as_str()
            } else {
                relative
            };
            report.failed(shown, &err.into());
            // Its parents still hold it.
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use storage::StorageExt;

    fn quiet_report() -> Report {
        Report::new(&crate::session::parse_global(&["stor", "-q"]), "removed")
    }

    async fn store_with_tree() -> std::sync::Arc<dyn Storage> {
        let store = storage::open("memory://rm-test")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // More than one batch's worth, nested, and a neighbour that must stay.
        for i in 0..(BATCH + 7) {
            let path = format!("d/{}/f{i}", i % 3);
            store
                .write_bytes(&path, "x")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        store
            .write_bytes("d2/keep", "k")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
    }

    #[tokio::test]
    async fn both_ways_remove_the_tree_and_nothing_else() {
        for batch in [true, false] {
            let store = store_with_tree().await;
            let dir = ObjectPath::parse_dir("d").unwrap_or_else(|e| panic!("{e}"));
            let report = quiet_report();
            remove_tree(store.as_ref(), &dir, &report, batch)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!report.any_failed());
            assert!(report.finish().is_ok());
            let left = store
                .list_all_with("", ListOptions::default().recursive())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let left: Vec<&str> = left.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(left, ["d2/keep"], "batch: {batch}");
        }
    }

    #[test]
    fn only_s3_batches() {
        assert!(BATCHING_SERVICES.contains(&"s3"));
        assert!(!BATCHING_SERVICES.contains(&"fs"));
    }
}

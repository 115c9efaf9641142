//! `stor sync SRC DST`: copy what the destination lacks or holds in another version, and with
//! `--delete` remove what the source does not have.
//!
//! The destination is listed once, into a map; the source's listing streams into the copies
//! (`--transfers` at a time) as `cp -r` does, and each file is decided as it comes:
//!
//! - Missing at the destination: copied (`new`).
//! - Present: current when it has the same size and is not older than the source, in whole
//!   seconds (`unchanged`); else copied (`changed`). rclone compares size and modification
//!   time and, after a copy, sets the destination's time to the source's. Cloud stores cannot
//!   set an object's time (it is when the write happened), so a copy is always newer than its
//!   source, and "not older" is the test a copy passes and an edit since does not. Whole
//!   seconds because S3 keeps no finer times than that; a file edited within the second of its
//!   upload, to the same size, is missed (as rclone's 1 s modify window on S3 would). A
//!   destination edited after the sync, to the same size, is kept. An unknown time copies.
//! - `--checksum`: sizes, then MD5s where both sides have one (S3's ETag of a single-part
//!   upload is the MD5; a multipart one is not, nor are Azure's or GCS's ETags, and the
//!   listings carry no other hash). A local file has none stored: it is read and hashed only
//!   when the other side has an MD5 to compare with. Without two MD5s, size and time decide, as
//!   without the flag.
//!
//! Copies go through the `cp` machinery ([`Copier`]): server-side within one store, the
//! upload flags, `--bwlimit`, `--ignore-existing` and `--no-overwrite` behave as with `cp -r`.
//! Writes are atomic, so an interrupted sync leaves whole files or none, and a second run
//! copies only what did not arrive.
//!
//! `--delete` runs after the copies, and only when all of them succeeded: a failed copy may
//! mean a source that was not fully read, and deleting on a partial view loses data. It deletes
//! only what the filters admit: a file excluded from the sync is not the sync's business, at
//! either end (as with rclone). `--dry-run` lists and decides, prints a `plan` event per copy
//! and deletion, and writes nothing.

mod decide;
mod delete;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use storage::{ErrorKind, ListOptions, Metadata, ObjectPath, Storage};

use crate::bulk::{BulkArgs, Job, Outcome, run_all, tree_jobs};
use crate::exit::usage;
use crate::options::WriteFlags;
use crate::report::Report;
use crate::same_store::{StoreAddress, same_store};
use crate::session::{Located, Session};
use crate::transfer::Copier;
use crate::upload::{ChecksumAlgorithm, checksum_of};
use decide::{Decision, Md5, Side, Which, decide, stored_md5};

/// `stor sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// How each object is written: parts, class, encryption, metadata.
    #[command(flatten)]
    pub(crate) write: WriteFlags,
    /// Several files at once, filters, and what to do with existing destinations.
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
    /// Compare content hashes (MD5) where both sides have one, not size and time: S3 ETags of
    /// single-part uploads; a local file is hashed when the other side has an MD5. Elsewhere
    /// size and time decide.
    #[arg(long)]
    pub(crate) checksum: bool,
    /// Then remove from the destination what the source does not have: only files the filters
    /// take, and nothing at all when a copy failed.
    #[arg(long)]
    pub(crate) delete: bool,
    /// Print what would be copied and deleted (`plan` events with --json); change nothing.
    #[arg(short = 'n', long)]
    pub(crate) dry_run: bool,
    /// The source directory.
    pub(crate) source: String,
    /// The destination directory (made as needed).
    pub(crate) destination: String,
}

/// `stor sync`.
pub(crate) async fn sync(session: &Session, args: SyncArgs) -> Result<()> {
    if args.source == "-" || args.destination == "-" {
        return Err(usage(
            "sync works on directories; for standard input or output (`-`) use stor cp",
        ));
    }
    if args.write.upload.expected_size.is_some() {
        return Err(usage(
            "--expected-size is the size of a stream on standard input: use it with stor cp -",
        ));
    }
    let filter = args.bulk.filter()?;
    let src = session.locate(&args.source).await?;
    let dst = session.locate(&args.destination).await?;
    let from_dir = ObjectPath::parse_dir(&src.loc.path).with_context(|| src.shown.clone())?;
    let to_dir = ObjectPath::parse_dir(&dst.loc.path).with_context(|| dst.shown.clone())?;
    refuse_overlap(&src, &from_dir, &dst, &to_dir)?;
    check_source(&src, &from_dir).await?;
    check_destination(&dst).await?;
    let existing = Mutex::new(destination_files(&dst, &to_dir).await?);
    let report = Report::new(&session.global, "copied");
    let flags = (&args.write, &args.bulk);
    let planner = Planner {
        copier: Copier::new(session, &src, &dst, flags, false, &report)?,
        src: src.loc.store.clone(),
        dst: dst.loc.store.clone(),
        checksum: args.checksum,
        dry_run: args.dry_run,
        ignore_existing: args.bulk.ignore_existing,
    };
    let jobs = tree_jobs(
        src.loc.store.as_ref(),
        from_dir,
        to_dir.clone(),
        filter.clone(),
    );
    let transfers = usize::from(args.bulk.transfers);
    run_all(jobs, transfers, &report, |job| {
        // What the destination holds at the file's place; taken out, so that what is left at
        // the end is what the source does not have.
        let there = existing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&job.relative);
        planner.run(job, there)
    })
    .await
    .with_context(|| src.shown.clone())?;
    if args.delete {
        let mut doomed: Vec<delete::Doomed> = existing
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .filter(|(relative, _)| filter.admits(relative))
            .map(|(relative, meta)| (relative, meta.size))
            .collect();
        doomed.sort();
        if report.any_failed() {
            if !doomed.is_empty() {
                eprintln!(
                    "stor: {} not deleted from {}: some files failed to copy, and --delete \
                     runs only after a sync without failures",
                    count(doomed.len()),
                    dst.shown
                );
            }
        } else if args.dry_run {
            for (relative, size) in &doomed {
                report.planned("delete", relative, *size, "not in the source");
            }
        } else {
            delete::delete(&dst.loc.store, &to_dir, doomed, transfers, &report).await;
        }
    }
    report.finish()
}

fn count(files: usize) -> String {
    match files {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    }
}

/// How one source file goes: decided against what the destination holds, then copied,
/// skipped, or (dry run) planned.
struct Planner {
    copier: Copier,
    src: Arc<dyn Storage>,
    dst: Arc<dyn Storage>,
    checksum: bool,
    dry_run: bool,
    ignore_existing: bool,
}

impl Planner {
    async fn run(&self, job: Job, there: Option<Metadata>) -> Result<Outcome> {
        if self.ignore_existing && there.is_some() {
            // Known from the listing: no need to ask the store again, nor to compare.
            return Ok(Outcome::Skipped("exists"));
        }
        match self.decide(&job, there.as_ref()).await? {
            Verdict::Skip(reason) => Ok(Outcome::Skipped(reason)),
            Verdict::Copy(reason) if self.dry_run => Ok(Outcome::Planned(reason)),
            Verdict::Copy(reason) => {
                tracing::info!(path = %job.relative, reason, "sync: copying");
                self.copier.run(job).await
            }
        }
    }

    /// The decision for `job`, reading one side for its MD5 where `--checksum` needs it.
    async fn decide(&self, job: &Job, there: Option<&Metadata>) -> Result<Verdict> {
        let mut src = Side {
            meta: &job.metadata,
            md5: stored_md5(self.src.info().service, &job.metadata),
        };
        let Some(there) = there else {
            return Ok(Verdict::of(decide(&src, None, self.checksum)));
        };
        let mut dst = Side {
            meta: there,
            md5: stored_md5(self.dst.info().service, there),
        };
        let decision = decide(&src, Some(&dst), self.checksum);
        let Decision::ReadMd5(which) = decision else {
            return Ok(Verdict::of(decision));
        };
        match which {
            Which::Source => src.md5 = md5_of(&self.src, &job.from).await?,
            Which::Destination => dst.md5 = md5_of(&self.dst, &job.to).await?,
        }
        // Both sides' MD5s are known now, so this decides.
        Ok(Verdict::of(decide(&src, Some(&dst), self.checksum)))
    }
}

/// A decision once any reading is done.
enum Verdict {
    Copy(&'static str),
    Skip(&'static str),
}

impl Verdict {
    fn of(decision: Decision) -> Verdict {
        match decision {
            Decision::Copy(reason) => Verdict::Copy(reason),
            Decision::Skip(reason) => Verdict::Skip(reason),
            // Still a side to read (the read found no MD5): copying is the safe mistake.
            Decision::ReadMd5(_) => Verdict::Copy("changed"),
        }
    }
}

/// The MD5 of the object at `path`, read whole.
async fn md5_of(store: &Arc<dyn Storage>, path: &str) -> Result<Md5> {
    match checksum_of(store, path, ChecksumAlgorithm::Md5).await? {
        storage::types::Checksum::Md5(md5) => Ok(Md5::Known(md5)),
        _ => Ok(Md5::Unknown),
    }
}

/// Refuses a source that is a file (that is `cp`) or a directory that does not exist: with
/// `--delete`, a mistyped source's empty listing would empty the destination.
async fn check_source(src: &Located, dir: &ObjectPath) -> Result<()> {
    refuse_file(
        src,
        "a file, and sync works on directories; use stor cp for one file",
    )
    .await?;
    if !dir.is_root() {
        src.loc
            .store
            .stat(dir.as_str())
            .await
            .with_context(|| format!("{}: the source directory", src.shown))?;
    }
    Ok(())
}

/// Refuses a destination that is a file; a directory is made as files arrive.
async fn check_destination(dst: &Located) -> Result<()> {
    refuse_file(dst, "a file, and sync writes into a directory").await
}

/// A usage error saying `why` when `at` names a file (a path without a trailing `/` may name
/// either; one that names nothing yet is fine).
async fn refuse_file(at: &Located, why: &str) -> Result<()> {
    let path = at.loc.path.as_str();
    if path.is_empty() || path.ends_with('/') {
        return Ok(());
    }
    match at.loc.store.stat(path).await {
        Ok(meta) if meta.is_file() => Err(usage(format!("{}: {why}", at.shown))),
        Ok(_) => Ok(()),
        Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::IsDirectory) => Ok(()),
        Err(err) => Err(err).with_context(|| at.shown.clone()),
    }
}

/// Refuses directories of one store where one holds the other: the copies would land in the
/// listing being read, and `--delete` would remove the source's own files.
fn refuse_overlap(
    src: &Located,
    from_dir: &ObjectPath,
    dst: &Located,
    to_dir: &ObjectPath,
) -> Result<()> {
    let src_address = StoreAddress::of(&src.url).with_context(|| src.shown.clone())?;
    let dst_address = StoreAddress::of(&dst.url).with_context(|| dst.shown.clone())?;
    let one_store = same_store(&src_address, &src.loc.store, &dst_address, &dst.loc.store);
    let (from, to) = (from_dir.as_str(), to_dir.as_str());
    if one_store && (to.starts_with(from) || from.starts_with(to)) {
        return Err(usage(format!(
            "{} and {} overlap (one is inside the other, on one store): sync between \
             separate directories",
            src.shown, dst.shown
        )));
    }
    Ok(())
}

/// The files below `dir` at the destination, by their path below it. A directory that does
/// not exist yet holds nothing.
async fn destination_files(dst: &Located, dir: &ObjectPath) -> Result<HashMap<String, Metadata>> {
    let listed = dst
        .loc
        .store
        .list_with(dir.as_str(), ListOptions::default().recursive())
        .await;
    let entries = match listed {
        Ok(entries) => entries,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(err) => return Err(err).with_context(|| dst.shown.clone()),
    };
    let files = entries
        .try_filter(|entry| std::future::ready(entry.metadata.is_file()))
        .try_fold(HashMap::new(), |mut files, entry| {
            let relative = entry
                .path
                .as_str()
                .strip_prefix(dir.as_str())
                .unwrap_or(entry.path.as_str())
                .to_owned();
            files.insert(relative, entry.metadata);
            std::future::ready(Ok(files))
        })
        .await;
    match files {
        Ok(files) => Ok(files),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(HashMap::new()),
        Err(err) => Err(err).with_context(|| dst.shown.clone()),
    }
}

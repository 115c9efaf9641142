//! Jobs over many files (`cp -r`, `mv -r`, `sync`): the listing streams into a bounded number
//! of transfers at once (`--transfers`), filtered, and a failed file is reported while the
//! others go on.

use std::future::Future;

use anyhow::Result;
use clap::Args;
use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use storage::{ListOptions, Metadata, ObjectPath, Storage};

use crate::filter::Filter;
use crate::report::Report;

/// Flags of jobs over many files.
#[derive(Debug, Args)]
pub(crate) struct BulkArgs {
    /// Files transferred at once by -r and sync; each may also send its parts in parallel
    /// (--concurrency).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) transfers: u16,
    /// Take only files matching this glob (`*.csv`, `logs/**`); repeat for more.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Leave out files matching this glob; an exclude wins over any include.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Skip files the destination already holds, whatever their content.
    #[arg(long, conflicts_with = "no_overwrite")]
    pub(crate) ignore_existing: bool,
    /// Refuse to replace what the destination holds (exit 6; the write itself is
    /// conditional where the store supports it, so a racing writer is not overwritten).
    #[arg(long)]
    pub(crate) no_overwrite: bool,
}

impl BulkArgs {
    /// The `--include` / `--exclude` rules.
    pub(crate) fn filter(&self) -> Result<Filter> {
        Filter::new(&self.include, &self.exclude)
    }
}

/// One object to transfer: its path in the source's store, its path in the destination's,
/// its path below the job's directory (what lines and filters show), its size, and what the
/// listing said of it (`sync` compares its time and ETag without asking again).
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) relative: String,
    pub(crate) size: u64,
    pub(crate) metadata: Metadata,
}

/// What became of one job's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Transferred (or copied on the service): this many bytes.
    Done(u64),
    /// Left alone, and why.
    Skipped(&'static str),
    /// A dry run's verdict: it would be copied, and why (`new`, `changed`).
    Planned(&'static str),
}

/// The files below `from_dir` in `src`, each paired with its place below `to_dir`, in listing
/// order and filtered. The listing is read page by page as the stream is, so transfers start
/// with the first page and memory holds a page, not the whole tree.
pub(crate) fn tree_jobs<'a>(
    src: &'a dyn Storage,
    from_dir: ObjectPath,
    to_dir: ObjectPath,
    filter: Filter,
) -> impl Stream<Item = Result<Job>> + 'a {
    let listing = stream::once(async move {
        src.list_with(from_dir.as_str(), ListOptions::default().recursive())
            .await
            .map(|entries| (entries, from_dir))
    });
    listing
        .map_ok(move |(entries, from_dir)| {
            let to_dir = to_dir.clone();
            let filter = filter.clone();
            entries
                .try_filter(|entry| std::future::ready(!entry.metadata.is_dir()))
                .map_err(anyhow::Error::from)
                .try_filter_map(move |entry| {
                    let relative = entry
                        .path
                        .as_str()
                        .strip_prefix(from_dir.as_str())
                        .unwrap_or(entry.path.as_str())
                        .to_owned();
                    let job = if filter.admits(&relative) {
                        to_dir.join(&relative).map(|to| {
                            Some(Job {
                                from: entry.path.to_string(),
                                to: to.to_string(),
                                relative,
                                size: entry.metadata.size,
                                metadata: entry.metadata,
                            })
                        })
                    } else {
                        Ok(None)
                    };
                    std::future::ready(job.map_err(anyhow::Error::from))
                })
        })
        .map_err(anyhow::Error::from)
        .try_flatten()
}

/// Runs `work` on every job of `jobs`, `transfers` at a time, reporting each file's outcome.
/// A failed file is reported and the others go on (the report's `finish` turns failures
/// into exit 7); a failed listing stops the job with its own error, after nothing more is
/// started (the transfers in flight are dropped: a write that did not finish stores nothing).
pub(crate) async fn run_all<S, F, Fut>(
    jobs: S,
    transfers: usize,
    report: &Report,
    work: F,
) -> Result<()>
where
    S: Stream<Item = Result<Job>>,
    F: Fn(Job) -> Fut,
    Fut: Future<Output = Result<Outcome>>,
{
    let work = &work;
    let finished = jobs
        .map(|item| async move {
            let job = item?;
            report.listed(&job.relative, job.size);
            match work(job.clone()).await {
                Ok(Outcome::Done(bytes)) => report.done(&job.relative, bytes),
                Ok(Outcome::Skipped(reason)) => report.skipped(&job.relative, job.size, reason),
                Ok(Outcome::Planned(reason)) => {
                    report.planned("copy", &job.relative, job.size, reason);
                }
                Err(err) => report.failed(&job.relative, &err),
            }
            Ok::<(), anyhow::Error>(())
        })
        .buffer_unordered(transfers.max(1));
    futures_util::pin_mut!(finished);
    while let Some(result) = finished.next().await {
        result?;
    }
    Ok(())
}

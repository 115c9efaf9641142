//! `stor cp` and `stor mv`: streaming transfers between any two locations, server-side
//! copies within one store, and with `-r` many files at once.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use storage::io::RateLimit;
use storage::types::Pair;
use storage::{
    Body, CopyOptions, Error, ErrorKind, ObjectPath, Operation, Storage, StorageExt, WriteOptions,
};

use crate::bulk::{BulkArgs, Job, Outcome, run_all, tree_jobs};
use crate::exit::usage;
use crate::options::{TransferArgs, WriteFlags, needs_streaming, parse_encryption, write_options};
use crate::progress::reporter;
use crate::report::Report;
use crate::same_store::{StoreAddress, looks_like_itself, same_store};
use crate::session::{Located, Session};
use crate::upload::{UploadArgs, checksum_of, object_options};

pub(crate) async fn cp(session: &Session, args: TransferArgs) -> Result<()> {
    transfer(session, args, false).await
}

pub(crate) async fn mv(session: &Session, args: TransferArgs) -> Result<()> {
    transfer(session, args, true).await
}

async fn transfer(session: &Session, args: TransferArgs, remove_source: bool) -> Result<()> {
    crate::pipe::check_usage(&args, remove_source)?;
    if crate::pipe::is_pipe(&args) {
        return crate::pipe::cp(session, args).await;
    }
    let filter = args.bulk.filter()?;
    if !args.recursive && !filter.is_empty() {
        return Err(usage(
            "--include and --exclude choose files of a directory: use them with -r (or sync)",
        ));
    }
    let src = session.locate(&args.source).await?;
    let dst = session.locate(&args.destination).await?;
    let report = Report::new(
        &session.global,
        if remove_source { "moved" } else { "copied" },
    );
    let flags = (&args.write, &args.bulk);
    let copier = Copier::new(session, &src, &dst, flags, remove_source, &report)?;
    if !args.recursive {
        let job = plan_one(&src, &dst)
            .await
            .with_context(|| src.shown.clone())?;
        report.listed(&job.relative, job.size);
        let context = || format!("{} -> {}", src.shown, dst.shown);
        match copier.run(job.clone()).await.with_context(context)? {
            Outcome::Done(bytes) => report.done(&job.relative, bytes),
            Outcome::Skipped(reason) => report.skipped(&job.relative, job.size, reason),
            Outcome::Planned(reason) => report.planned("copy", &job.relative, job.size, reason),
        }
        return report.finish();
    }
    let from_dir = ObjectPath::parse_dir(&src.loc.path).with_context(|| src.shown.clone())?;
    let to_dir = ObjectPath::parse_dir(&dst.loc.path).with_context(|| dst.shown.clone())?;
    let jobs = tree_jobs(
        src.loc.store.as_ref(),
        from_dir.clone(),
        to_dir,
        filter.clone(),
    );
    let transfers = usize::from(args.bulk.transfers);
    run_all(jobs, transfers, &report, |job| copier.run(job))
        .await
        .with_context(|| src.shown.clone())?;
    if report.seen() == 0 && filter.is_empty() {
        missing_source(&src, &from_dir).await?;
    }
    if remove_source && !report.any_failed() {
        // Local directories (and explicit markers) the moved files leave behind; one that
        // still holds a file (excluded by a filter) stays.
        prune_dirs(src.loc.store.as_ref(), &from_dir).await;
    }
    report.finish()
}

/// A recursive job that found nothing: an error (exit 3) when the source directory does not
/// exist, as rclone says "directory not found", rather than a silent success.
pub(crate) async fn missing_source(src: &Located, dir: &ObjectPath) -> Result<()> {
    if dir.is_root() || src.loc.store.exists(dir.as_str()).await.unwrap_or(true) {
        return Ok(());
    }
    Err(Error::not_found("no such directory, and nothing below it"))
        .with_context(|| src.shown.clone())
}

/// How each file of one `cp`/`mv` goes: on the service or streamed, with which options.
pub(crate) struct Copier {
    src: Arc<dyn Storage>,
    dst: Arc<dyn Storage>,
    /// Within one store, and with nothing asked that only a new write can carry: the service
    /// copies (or renames) without the bytes passing through here.
    server_side: bool,
    /// Source and destination buckets have one name (perhaps one bucket reached two ways).
    same_bucket_name: bool,
    remove_source: bool,
    ignore_existing: bool,
    no_overwrite: bool,
    copy_opts: CopyOptions,
    write_opts: WriteOptions,
    upload: UploadArgs,
    limit: Option<RateLimit>,
    bar: indicatif::ProgressBar,
}

impl Copier {
    /// The copier for `src` -> `dst` under the transfer's flags.
    pub(crate) fn new(
        session: &Session,
        src: &Located,
        dst: &Located,
        (write, bulk): (&WriteFlags, &BulkArgs),
        remove_source: bool,
        report: &Report,
    ) -> Result<Copier> {
        let src_address = StoreAddress::of(&src.url).with_context(|| src.shown.clone())?;
        let dst_address = StoreAddress::of(&dst.url).with_context(|| dst.shown.clone())?;
        // The copy runs on the source's client, so "one store" must be certain: when in
        // doubt, stream.
        let server_side = same_store(&src_address, &src.loc.store, &dst_address, &dst.loc.store)
            && !needs_streaming(write);
        Ok(Copier {
            src: src.loc.store.clone(),
            dst: dst.loc.store.clone(),
            server_side,
            same_bucket_name: src_address.same_bucket_name(&dst_address),
            remove_source,
            ignore_existing: bulk.ignore_existing,
            no_overwrite: bulk.no_overwrite,
            copy_opts: copy_options(write)?,
            write_opts: write_options(write)?,
            upload: write.upload.clone(),
            limit: session.global.bwlimit.map(RateLimit::per_second),
            bar: report.bar().clone(),
        })
    }

    /// Transfers one file (and with `mv` removes its source).
    pub(crate) async fn run(&self, job: Job) -> Result<Outcome> {
        if self.ignore_existing && self.dst.exists(&job.to).await? {
            return Ok(Outcome::Skipped("exists"));
        }
        if self.no_overwrite && self.dst.exists(&job.to).await? {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                "the destination exists and --no-overwrite keeps it",
            )
            .into());
        }
        let capability = &self.src.info().capability;
        if self.server_side && self.remove_source && capability.supports(Operation::Rename) {
            self.src
                .rename_with(&job.from, &job.to, self.copy_opts.clone())
                .await?;
            self.bar.inc(job.size);
            return Ok(Outcome::Done(job.size));
        }
        // Two spellings of one store stream rather than rename: a move of an object onto
        // itself would then delete the only copy.
        if self.remove_source
            && !self.server_side
            && job.from == job.to
            && self.same_bucket_name
            && looks_like_itself(&self.src, &job.from, &self.dst, &job.to).await?
        {
            bail!(
                "the destination looks like the source itself (the same bucket and path, \
                 reached through URLs with different keys); nothing was moved"
            );
        }
        if self.server_side && capability.supports(Operation::Copy) {
            let mut opts = self.copy_opts.clone();
            if self.no_overwrite && capability.supports_pair(Operation::Copy, Pair::IfNoneMatch) {
                opts.if_none_match = Some("*".into());
            }
            self.src.copy_with(&job.from, &job.to, opts).await?;
            self.bar.inc(job.size);
        } else {
            self.stream(&job).await?;
        }
        if self.remove_source {
            self.src.delete(&job.from).await?;
        }
        Ok(Outcome::Done(job.size))
    }

    /// Streams one object from the source to the destination: memory stays bounded by the
    /// stores' chunk sizes.
    async fn stream(&self, job: &Job) -> Result<()> {
        let checksum = match self.upload.checksum_algorithm {
            Some(algorithm) => Some(checksum_of(&self.src, &job.from, algorithm).await?),
            None => None,
        };
        let reader = self.src.read(&job.from).await?;
        let length = reader.content_length();
        let mut opts = object_options(
            self.write_opts.clone(),
            &self.upload,
            Some(reader.metadata()),
            (Some(&job.from), &job.to),
            self.dst.as_ref(),
        );
        opts.checksum = checksum;
        if self.no_overwrite
            && self
                .dst
                .info()
                .capability
                .supports_pair(Operation::Write, Pair::IfNoneMatch)
        {
            opts.if_none_match = Some("*".into());
        }
        let mut stream = reader.into_stream();
        if let Some(limit) = &self.limit {
            stream = limit.limit_stream(stream);
        }
        let body = Body::from_stream(stream, Some(length));
        let opts = opts.with_progress(reporter(&self.bar));
        self.dst.write_with(&job.to, body, opts).await?;
        Ok(())
    }
}

/// The copy options the flags give (encryption only: the rest needs a new write).
fn copy_options(write: &WriteFlags) -> Result<CopyOptions> {
    let mut opts = CopyOptions::default();
    if let Some(encryption) = &write.encryption {
        opts = opts.with_encryption(parse_encryption(encryption)?);
    }
    Ok(opts)
}

/// The one object a transfer without `-r` moves: the source must be an object; the
/// destination is that name in a directory, or the name given.
async fn plan_one(src: &Located, dst: &Located) -> Result<Job> {
    let from = ObjectPath::parse(&src.loc.path)?;
    if from.is_dir() {
        return Err(usage(
            "the source is a directory; use -r to copy directories",
        ));
    }
    let metadata = src.loc.store.stat(from.as_str()).await?;
    let into_dir = dst.loc.path.is_empty()
        || dst.loc.path.ends_with('/')
        || dst
            .loc
            .store
            .exists(&format!("{}/", dst.loc.path))
            .await
            .unwrap_or(false);
    let to = if into_dir {
        ObjectPath::parse_dir(&dst.loc.path)?.join(from.file_name())?
    } else {
        ObjectPath::parse(&dst.loc.path)?
    };
    Ok(Job {
        relative: from.file_name().to_owned(),
        from: from.to_string(),
        to: to.to_string(),
        size: metadata.size,
        metadata,
    })
}

/// Deletes the directories below `dir` (deepest first) and `dir` itself where they are empty;
/// a directory that still holds something stays, and so do errors: this is tidying.
async fn prune_dirs(store: &dyn Storage, dir: &ObjectPath) {
    let dirs = crate::dirs::below(store, dir).await.unwrap_or_default();
    for d in dirs.iter().rev() {
        let _ = store.delete(d.as_str()).await;
    }
    if !dir.is_root() {
        let _ = store.delete(dir.as_str()).await;
    }
}

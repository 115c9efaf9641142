//! `stor cp` and `stor mv`: streaming transfers between any two locations, and
//! server-side copies within one store.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use storage::{
    Body, CopyOptions, ListOptions, Location, ObjectPath, Operation, Storage, StorageExt,
    WriteOptions, locate, redact_url,
};

use crate::cli::TransferArgs;
use crate::exit::usage;
use crate::options::{needs_streaming, parse_encryption, write_options};
use crate::progress::{bar, reporter};
use crate::same_store::{StoreAddress, looks_like_itself, same_store};
use crate::upload::{UploadArgs, checksum_of, object_options};

/// One object to move: where from and where to.
struct Job {
    from: String,
    to: String,
    size: u64,
}

pub(crate) async fn cp(args: TransferArgs) -> Result<()> {
    transfer(args, false).await
}

pub(crate) async fn mv(args: TransferArgs) -> Result<()> {
    transfer(args, true).await
}

async fn transfer(args: TransferArgs, remove_source: bool) -> Result<()> {
    crate::pipe::check_usage(&args, remove_source)?;
    if crate::pipe::is_pipe(&args) {
        return crate::pipe::cp(args).await;
    }
    let (src_shown, dst_shown) = (redact_url(&args.source), redact_url(&args.destination));
    let src = locate(&args.source)
        .await
        .with_context(|| src_shown.clone())?;
    let dst = locate(&args.destination)
        .await
        .with_context(|| dst_shown.clone())?;
    let src_address = StoreAddress::of(&args.source).with_context(|| src_shown.clone())?;
    let dst_address = StoreAddress::of(&args.destination).with_context(|| dst_shown.clone())?;
    let jobs = if args.recursive {
        plan_tree(&src, &dst)
            .await
            .with_context(|| src_shown.clone())?
    } else {
        vec![
            plan_one(&src, &dst)
                .await
                .with_context(|| src_shown.clone())?,
        ]
    };
    let bar = bar(jobs.iter().map(|j| j.size).sum());
    let write_opts = write_options(&args)?;
    // Within one store, and with nothing asked that only a new write can carry, the service
    // copies (or renames) without the bytes passing through here. The copy runs on the
    // source's client, so "one store" must be certain: when in doubt, stream.
    let server_side =
        same_store(&src_address, &src.store, &dst_address, &dst.store) && !needs_streaming(&args);
    let mut copy_opts = CopyOptions::default();
    if let Some(encryption) = &args.encryption {
        copy_opts = copy_opts.with_encryption(parse_encryption(encryption)?);
    }
    for job in &jobs {
        bar.set_message(job.from.clone());
        let context = || format!("{} -> {}", src_shown, dst_shown);
        let capability = &src.store.info().capability;
        if server_side && remove_source && capability.supports(Operation::Rename) {
            src.store
                .rename_with(&job.from, &job.to, copy_opts.clone())
                .await
                .with_context(context)?;
            bar.inc(job.size);
            continue;
        }
        // Two spellings of one store stream rather than rename: a move of an object onto
        // itself would then delete the only copy.
        if remove_source
            && !server_side
            && job.from == job.to
            && src_address.same_bucket_name(&dst_address)
            && looks_like_itself(&src.store, &job.from, &dst.store, &job.to)
                .await
                .with_context(context)?
        {
            bail!(
                "{src_shown} -> {dst_shown}: the destination looks like the source itself \
                 (the same bucket and path, reached through URLs with different keys); \
                 nothing was moved"
            );
        }
        if server_side && capability.supports(Operation::Copy) {
            src.store
                .copy_with(&job.from, &job.to, copy_opts.clone())
                .await
                .with_context(context)?;
            bar.inc(job.size);
        } else {
            copy_one(
                &src.store,
                &job.from,
                &dst.store,
                &job.to,
                &bar,
                &write_opts,
                &args.upload,
            )
            .await
            .with_context(context)?;
        }
        if remove_source {
            src.store.delete(&job.from).await.with_context(context)?;
        }
    }
    if remove_source && args.recursive {
        src.store
            .remove_all(&src.path)
            .await
            .with_context(|| src_shown.clone())?;
    }
    bar.finish_and_clear();
    Ok(())
}

async fn plan_one(src: &Location, dst: &Location) -> Result<Job> {
    let from = ObjectPath::parse(&src.path)?;
    if from.is_dir() {
        return Err(usage(
            "the source is a directory; use -r to copy directories",
        ));
    }
    let size = src.store.stat(from.as_str()).await?.size;
    let into_dir = dst.path.is_empty()
        || dst.path.ends_with('/')
        || dst
            .store
            .exists(&format!("{}/", dst.path))
            .await
            .unwrap_or(false);
    let to = if into_dir {
        ObjectPath::parse_dir(&dst.path)?.join(from.file_name())?
    } else {
        ObjectPath::parse(&dst.path)?
    };
    Ok(Job {
        from: from.to_string(),
        to: to.to_string(),
        size,
    })
}

async fn plan_tree(src: &Location, dst: &Location) -> Result<Vec<Job>> {
    let from_dir = ObjectPath::parse_dir(&src.path)?;
    let to_dir = ObjectPath::parse_dir(&dst.path)?;
    let entries = src
        .store
        .list_all_with(from_dir.as_str(), ListOptions::default().recursive())
        .await?;
    let mut jobs = Vec::with_capacity(entries.len());
    for entry in entries {
        let relative = entry
            .path
            .as_str()
            .strip_prefix(from_dir.as_str())
            .unwrap_or_default();
        let to = to_dir.join(relative)?;
        jobs.push(Job {
            from: entry.path.to_string(),
            to: to.to_string(),
            size: entry.metadata.size,
        });
    }
    Ok(jobs)
}

/// Streams one object from `src` to `dst`: memory stays bounded by the stores' chunk sizes.
async fn copy_one(
    src: &Arc<dyn Storage>,
    from: &str,
    dst: &Arc<dyn Storage>,
    to: &str,
    bar: &indicatif::ProgressBar,
    opts: &WriteOptions,
    upload: &UploadArgs,
) -> Result<()> {
    let checksum = match upload.checksum_algorithm {
        Some(algorithm) => Some(checksum_of(src, from, algorithm).await?),
        None => None,
    };
    let reader = src.read(from).await?;
    let length = reader.content_length();
    let mut opts = object_options(
        opts.clone(),
        upload,
        Some(reader.metadata()),
        (Some(from), to),
        dst.as_ref(),
    );
    opts.checksum = checksum;
    let body = Body::from_stream(reader.into_stream(), Some(length));
    let opts = opts.with_progress(reporter(bar));
    dst.write_with(to, body, opts).await?;
    Ok(())
}

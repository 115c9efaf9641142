//! `stor mb` and `stor rb`: make and remove the bucket (container) a URL names.

use anyhow::{Context, Result};
use futures_util::TryStreamExt;
use storage::{Error, ErrorKind, ListOptions, locate, redact_url};

use crate::cli::LocationArg;

pub(crate) async fn mb(args: LocationArg) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    let name = loc.store.info().name.clone();
    loc.store
        .create_bucket(&name)
        .await
        .with_context(|| shown.clone())
}

pub(crate) async fn rb(args: LocationArg) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    // Azure's Delete Container removes the blobs with it; `rb` removes empty buckets only,
    // on every store (exit 6 otherwise).
    let mut entries = loc
        .store
        .list_with("", ListOptions::default().recursive())
        .await
        .with_context(|| shown.clone())?;
    if entries
        .try_next()
        .await
        .with_context(|| shown.clone())?
        .is_some()
    {
        return Err(Error::new(
            ErrorKind::DirectoryNotEmpty,
            "the bucket is not empty; remove its objects first (stor rm -r)",
        ))
        .with_context(|| shown.clone());
    }
    drop(entries);
    let name = loc.store.info().name.clone();
    loc.store
        .delete_bucket(&name)
        .await
        .with_context(|| shown.clone())
}

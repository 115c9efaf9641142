//! `stor mb` and `stor rb`: make and remove the bucket (container) a URL names.

use anyhow::{Context, Result};
use storage::{locate, redact_url};

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
    let name = loc.store.info().name.clone();
    loc.store
        .delete_bucket(&name)
        .await
        .with_context(|| shown.clone())
}

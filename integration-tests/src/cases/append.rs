//! Appendable objects: appends at the current length, the offset check, failed appends that
//! change nothing, and `create_append` replacing an object. Appended bytes are readable as soon
//! as `append` returns, so only `twice_then_commit` calls `commit_append`: a server that cannot
//! seal (Azurite under a SAS) then loses that one case, not all of them.

use storage_types::{ErrorKind, Feature};

use crate::check::{self, expect_error, expect_kind};
use crate::harness::{Case, Ctx, Need};

const APPEND: Need = Need::Feature(Feature::Append);

pub(super) fn cases() -> Vec<Case> {
    cases!("append";
        twice_then_commit [APPEND],
        returns_new_length [APPEND],
        wrong_offset_is_condition_not_met [APPEND],
        failed_append_keeps_length [APPEND],
        create_replaces_existing [APPEND],
    )
}

async fn create(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    let meta = ctx.store.create_append(&ctx.path(rel)).await?;
    ensure_eq!(meta.size, 0, "size of a new appendable object");
    Ok(())
}

async fn append(
    ctx: &Ctx,
    rel: &str,
    offset: u64,
    data: &'static str,
) -> storage_types::Result<u64> {
    ctx.store.append(&ctx.path(rel), offset, data.into()).await
}

async fn twice_then_commit(ctx: &Ctx) -> anyhow::Result<()> {
    create(ctx, "log").await?;
    append(ctx, "log", 0, "hello ").await?;
    append(ctx, "log", 6, "world").await?;
    let meta = ctx.store.commit_append(&ctx.path("log")).await?;
    ensure_eq!(meta.size, 11, "size returned by commit_append");
    ctx.ensure_content("log", b"hello world").await
}

async fn returns_new_length(ctx: &Ctx) -> anyhow::Result<()> {
    create(ctx, "log").await?;
    ensure_eq!(
        append(ctx, "log", 0, "abc").await?,
        3,
        "length after the first append"
    );
    ensure_eq!(
        append(ctx, "log", 3, "defgh").await?,
        8,
        "length after the second append"
    );
    ensure_eq!(ctx.stat("log").await?.size, 8, "size after two appends");
    Ok(())
}

// The offset is how concurrent appenders notice each other: a stale one must not land.
async fn wrong_offset_is_condition_not_met(ctx: &Ctx) -> anyhow::Result<()> {
    create(ctx, "log").await?;
    append(ctx, "log", 0, "abc").await?;
    expect_kind(
        append(ctx, "log", 0, "stale").await,
        ErrorKind::ConditionNotMet,
    )?;
    expect_kind(
        append(ctx, "log", 5, "ahead").await,
        ErrorKind::ConditionNotMet,
    )?;
    ctx.ensure_content("log", b"abc").await
}

async fn failed_append_keeps_length(ctx: &Ctx) -> anyhow::Result<()> {
    create(ctx, "log").await?;
    append(ctx, "log", 0, "abc").await?;
    let short = check::chunked_body(check::pattern(5, 1), 2, Some(10));
    let failed = ctx.store.append(&ctx.path("log"), 3, short).await;
    expect_error(failed)?;
    ensure_eq!(
        append(ctx, "log", 3, "def").await?,
        6,
        "length after appending at the old length"
    );
    ctx.ensure_content("log", b"abcdef").await
}

async fn create_replaces_existing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("log", "an ordinary object").await?;
    create(ctx, "log").await?;
    ensure_eq!(
        ctx.stat("log").await?.size,
        0,
        "size after create_append over an object"
    );
    append(ctx, "log", 0, "fresh").await?;
    ctx.ensure_content("log", b"fresh").await
}

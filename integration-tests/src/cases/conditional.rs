//! Conditional writes, reads and stats: `create_only` (`if_none_match: *`), `if_match` with the
//! current, a stale or a wrong ETag, `if_none_match` with the current one. A failed condition is
//! `ConditionNotMet` and changes nothing.

use storage_types::{ErrorKind, Operation, Pair, ReadOptions, StatOptions, WriteOptions};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const WRITE_IF_NONE_MATCH: Need = Need::Pair(Operation::Write, Pair::IfNoneMatch);
const WRITE_IF_MATCH: Need = Need::Pair(Operation::Write, Pair::IfMatch);
const READ_IF_MATCH: Need = Need::Pair(Operation::Read, Pair::IfMatch);
const READ_IF_NONE_MATCH: Need = Need::Pair(Operation::Read, Pair::IfNoneMatch);
const STAT_IF_MATCH: Need = Need::Pair(Operation::Stat, Pair::IfMatch);
const STAT_IF_NONE_MATCH: Need = Need::Pair(Operation::Stat, Pair::IfNoneMatch);

const WRONG_ETAG: &str = "\"conformance-no-such-etag\"";

pub(super) fn cases() -> Vec<Case> {
    cases!("conditional";
        create_only_when_absent [WRITE_IF_NONE_MATCH],
        create_only_when_present_fails [WRITE_IF_NONE_MATCH],
        write_if_match_current [WRITE_IF_MATCH],
        write_if_match_wrong_fails [WRITE_IF_MATCH],
        write_if_match_stale_fails [WRITE_IF_MATCH],
        write_if_match_missing_fails [WRITE_IF_MATCH],
        read_if_match_current [READ_IF_MATCH],
        read_if_match_wrong_fails [READ_IF_MATCH],
        read_if_none_match_current_fails [READ_IF_NONE_MATCH],
        read_if_none_match_other [READ_IF_NONE_MATCH],
        stat_if_match [STAT_IF_MATCH],
        stat_if_none_match [STAT_IF_NONE_MATCH],
    )
}

/// The current ETag of `rel`, which a store honouring conditions must report.
async fn etag(ctx: &Ctx, rel: &str) -> anyhow::Result<String> {
    let meta = ctx.stat(rel).await?;
    meta.etag
        .ok_or_else(|| anyhow::anyhow!("stat of {rel} reports no ETag to condition on"))
}

async fn write(
    ctx: &Ctx,
    rel: &str,
    data: &'static str,
    opts: WriteOptions,
) -> storage_types::Result<()> {
    ctx.store
        .write_with(&ctx.path(rel), data.into(), opts)
        .await
        .map(drop)
}

async fn create_only_when_absent(ctx: &Ctx) -> anyhow::Result<()> {
    write(ctx, "a", "created", WriteOptions::default().create_only()).await?;
    ctx.ensure_content("a", b"created").await
}

async fn create_only_when_present_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "old").await?;
    let second = write(ctx, "a", "new", WriteOptions::default().create_only()).await;
    expect_kind(second, ErrorKind::ConditionNotMet)?;
    ctx.ensure_content("a", b"old").await
}

async fn write_if_match_current(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "old").await?;
    let current = etag(ctx, "a").await?;
    write(
        ctx,
        "a",
        "new",
        WriteOptions::default().with_if_match(current),
    )
    .await?;
    ctx.ensure_content("a", b"new").await
}

async fn write_if_match_wrong_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "old").await?;
    let result = write(
        ctx,
        "a",
        "new",
        WriteOptions::default().with_if_match(WRONG_ETAG),
    )
    .await;
    expect_kind(result, ErrorKind::ConditionNotMet)?;
    ctx.ensure_content("a", b"old").await
}

// The lost-update case conditions exist for: a writer holding an ETag from before another
// write must not overwrite it.
async fn write_if_match_stale_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "first").await?;
    let stale = etag(ctx, "a").await?;
    ctx.write("a", "second!").await?;
    let result = write(
        ctx,
        "a",
        "third",
        WriteOptions::default().with_if_match(stale),
    )
    .await;
    expect_kind(result, ErrorKind::ConditionNotMet)?;
    ctx.ensure_content("a", b"second!").await
}

async fn write_if_match_missing_fails(ctx: &Ctx) -> anyhow::Result<()> {
    let result = write(
        ctx,
        "a",
        "new",
        WriteOptions::default().with_if_match(WRONG_ETAG),
    )
    .await;
    expect_kind(result, ErrorKind::ConditionNotMet)?;
    ctx.ensure_absent("a").await
}

async fn read_with(ctx: &Ctx, opts: ReadOptions) -> storage_types::Result<bytes::Bytes> {
    ctx.store
        .read_with(&ctx.path("a"), opts)
        .await?
        .bytes()
        .await
}

async fn read_if_match_current(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let current = etag(ctx, "a").await?;
    let bytes = read_with(ctx, ReadOptions::default().with_if_match(current)).await?;
    crate::check::ensure_bytes(&bytes, b"content", "read with the current if_match")
}

async fn read_if_match_wrong_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let read = read_with(ctx, ReadOptions::default().with_if_match(WRONG_ETAG)).await;
    expect_kind(read, ErrorKind::ConditionNotMet)?;
    Ok(())
}

// HTTP answers this with 304 Not Modified; the API makes it a failed condition.
async fn read_if_none_match_current_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let current = etag(ctx, "a").await?;
    let read = read_with(ctx, ReadOptions::default().with_if_none_match(current)).await;
    expect_kind(read, ErrorKind::ConditionNotMet)?;
    Ok(())
}

async fn read_if_none_match_other(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let bytes = read_with(ctx, ReadOptions::default().with_if_none_match(WRONG_ETAG)).await?;
    crate::check::ensure_bytes(&bytes, b"content", "read with a non-matching if_none_match")
}

async fn stat_if_match(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let current = etag(ctx, "a").await?;
    let path = ctx.path("a");
    let meta = ctx
        .store
        .stat_with(&path, StatOptions::default().with_if_match(current))
        .await?;
    ensure_eq!(meta.size, 7, "size from a stat with the current if_match");
    let stat = ctx
        .store
        .stat_with(&path, StatOptions::default().with_if_match(WRONG_ETAG))
        .await;
    expect_kind(stat, ErrorKind::ConditionNotMet)?;
    Ok(())
}

async fn stat_if_none_match(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    let current = etag(ctx, "a").await?;
    let path = ctx.path("a");
    let stat = ctx
        .store
        .stat_with(&path, StatOptions::default().with_if_none_match(current))
        .await;
    expect_kind(stat, ErrorKind::ConditionNotMet)?;
    let meta = ctx
        .store
        .stat_with(&path, StatOptions::default().with_if_none_match(WRONG_ETAG))
        .await?;
    ensure_eq!(
        meta.size,
        7,
        "size from a stat with a non-matching if_none_match"
    );
    Ok(())
}

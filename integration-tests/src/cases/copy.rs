//! `copy`: the destination gets the content (replacing what was there), the source stays; a
//! missing source is `NotFound`.

use storage_types::{CopyOptions, ErrorKind, Feature, Operation, Pair};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const COPY: Need = Need::Feature(Feature::Copy);

pub(super) fn cases() -> Vec<Case> {
    cases!("copy";
        copies_and_keeps_source [COPY],
        replaces_existing [COPY],
        missing_source_is_not_found [COPY],
        into_new_directory [COPY],
        empty_object [COPY],
        create_only_when_present_fails [COPY, Need::Pair(Operation::Copy, Pair::IfNoneMatch)],
    )
}

async fn copy(ctx: &Ctx, from: &str, to: &str, opts: CopyOptions) -> storage_types::Result<()> {
    ctx.store
        .copy_with(&ctx.path(from), &ctx.path(to), opts)
        .await
}

async fn copies_and_keeps_source(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    copy(ctx, "src", "dst", CopyOptions::default()).await?;
    ctx.ensure_content("dst", b"content").await?;
    ctx.ensure_content("src", b"content").await
}

async fn replaces_existing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "new").await?;
    ctx.write("dst", "an old, longer object").await?;
    copy(ctx, "src", "dst", CopyOptions::default()).await?;
    ctx.ensure_content("dst", b"new").await?;
    ensure_eq!(
        ctx.stat("dst").await?.size,
        3,
        "size of the replaced destination"
    );
    Ok(())
}

async fn missing_source_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    let copy = copy(ctx, "missing", "dst", CopyOptions::default()).await;
    expect_kind(copy, ErrorKind::NotFound)?;
    ctx.ensure_absent("dst").await
}

async fn into_new_directory(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    copy(ctx, "src", "x/y/z", CopyOptions::default()).await?;
    ctx.ensure_content("x/y/z", b"content").await
}

async fn empty_object(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "").await?;
    copy(ctx, "src", "dst", CopyOptions::default()).await?;
    ctx.ensure_content("dst", b"").await
}

async fn create_only_when_present_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "new").await?;
    ctx.write("dst", "old").await?;
    let opts = CopyOptions::default().with_if_none_match("*");
    expect_kind(
        copy(ctx, "src", "dst", opts.clone()).await,
        ErrorKind::ConditionNotMet,
    )?;
    ctx.ensure_content("dst", b"old").await?;
    copy(ctx, "src", "fresh", opts).await?;
    ctx.ensure_content("fresh", b"new").await
}

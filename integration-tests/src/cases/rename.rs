//! `rename`: the content moves (replacing the destination) and the source is gone; a missing
//! source is `NotFound` and changes nothing.

use storage_types::{CopyOptions, ErrorKind, Feature, ListOptions, Operation, Pair};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const RENAME: Need = Need::Feature(Feature::Rename);

pub(super) fn cases() -> Vec<Case> {
    cases!("rename";
        moves_and_removes_source [RENAME],
        replaces_existing [RENAME],
        missing_source_is_not_found [RENAME],
        into_new_directory [RENAME],
        create_only_when_present_fails [RENAME, Need::Pair(Operation::Rename, Pair::IfNoneMatch)],
    )
}

async fn rename(ctx: &Ctx, from: &str, to: &str, opts: CopyOptions) -> storage_types::Result<()> {
    ctx.store
        .rename_with(&ctx.path(from), &ctx.path(to), opts)
        .await
}

async fn moves_and_removes_source(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    rename(ctx, "src", "dst", CopyOptions::default()).await?;
    ctx.ensure_content("dst", b"content").await?;
    ctx.ensure_absent("src").await?;
    let names = ctx.list_names("", ListOptions::default()).await?;
    ensure_eq!(names, vec!["dst".to_owned()], "objects after the rename");
    Ok(())
}

async fn replaces_existing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "new").await?;
    ctx.write("dst", "an old, longer object").await?;
    rename(ctx, "src", "dst", CopyOptions::default()).await?;
    ctx.ensure_content("dst", b"new").await?;
    ctx.ensure_absent("src").await
}

async fn missing_source_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("dst", "kept").await?;
    expect_kind(
        rename(ctx, "missing", "dst", CopyOptions::default()).await,
        ErrorKind::NotFound,
    )?;
    ctx.ensure_content("dst", b"kept").await
}

async fn into_new_directory(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    rename(ctx, "src", "x/y/z", CopyOptions::default()).await?;
    ctx.ensure_content("x/y/z", b"content").await?;
    ctx.ensure_absent("src").await
}

async fn create_only_when_present_fails(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "new").await?;
    ctx.write("dst", "old").await?;
    let opts = CopyOptions::default().with_if_none_match("*");
    expect_kind(
        rename(ctx, "src", "dst", opts).await,
        ErrorKind::ConditionNotMet,
    )?;
    ctx.ensure_content("dst", b"old").await?;
    ctx.ensure_content("src", b"new").await
}

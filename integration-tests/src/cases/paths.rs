//! Path rules: `\` is `/`, `.` and empty segments vanish, and nothing can escape the root
//! (absolute paths, `..`, drive letters, NUL are `InvalidInput` for every operation, and
//! nothing is written).

use storage_types::{ErrorKind, ListOptions, StorageExt};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("paths";
        backslash_is_slash,
        dot_and_empty_segments_vanish,
        absolute_is_invalid,
        leading_backslash_is_invalid,
        dot_dot_is_invalid,
        dot_dot_inside_is_invalid,
        drive_letter_is_invalid,
        nul_is_invalid,
    )
}

async fn backslash_is_slash(ctx: &Ctx) -> anyhow::Result<()> {
    let with_backslash = ctx.path("a\\b");
    ctx.store.write_bytes(&with_backslash, "back").await?;
    ctx.ensure_content("a/b", b"back").await?;
    let names = ctx.list_names("a/", ListOptions::default()).await?;
    ensure_eq!(
        names,
        vec!["a/b".to_owned()],
        "entries of a/ after writing a\\b"
    );
    // And back: `a\b` reads what `a/b` holds.
    ctx.write("a/b", "slash").await?;
    let bytes = ctx.store.read_bytes(&with_backslash).await?;
    crate::check::ensure_bytes(&bytes, b"slash", "a\\b read after writing a/b")
}

async fn dot_and_empty_segments_vanish(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.store.write_bytes(&ctx.path("x/./y//z"), "dots").await?;
    ctx.ensure_content("x/y/z", b"dots").await?;
    let names = ctx
        .list_names("", ListOptions::default().recursive())
        .await?;
    ensure_eq!(
        names,
        vec!["x/y/z".to_owned()],
        "objects after writing x/./y//z"
    );
    Ok(())
}

/// Every operation on `raw` must be refused with `InvalidInput`, and leave nothing behind.
async fn refused(ctx: &Ctx, raw: &str) -> anyhow::Result<()> {
    let store = &ctx.store;
    let write = store.write(raw, "escape".into()).await;
    expect_kind(write, ErrorKind::InvalidInput).map_err(|e| e.context(format!("write {raw:?}")))?;
    let read = store.read(raw).await;
    expect_kind(read, ErrorKind::InvalidInput).map_err(|e| e.context(format!("read {raw:?}")))?;
    let stat = store.stat(raw).await;
    expect_kind(stat, ErrorKind::InvalidInput).map_err(|e| e.context(format!("stat {raw:?}")))?;
    let delete = store.delete(raw).await;
    expect_kind(delete, ErrorKind::InvalidInput)
        .map_err(|e| e.context(format!("delete {raw:?}")))?;
    let list = store.list(raw).await;
    expect_kind(list, ErrorKind::InvalidInput).map_err(|e| e.context(format!("list {raw:?}")))?;
    ctx.ensure_nothing_written().await
}

async fn absolute_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &format!("/{}", ctx.path("abs"))).await
}

async fn leading_backslash_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &format!("\\{}", ctx.path("abs"))).await
}

async fn dot_dot_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &ctx.path("../escaped")).await?;
    // The object it would have named, next to this case's directory, was not written either.
    let beside = format!("conformance-{}/escaped", ctx.run_id());
    let stat = ctx.store.stat(&beside).await;
    expect_kind(stat, ErrorKind::NotFound)?;
    Ok(())
}

// Even a `..` that would stay inside the root is refused: one simple rule, no resolution.
async fn dot_dot_inside_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &ctx.path("a/../b")).await?;
    ctx.ensure_absent("b").await
}

async fn drive_letter_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &format!("C:/{}", ctx.path("x"))).await?;
    refused(ctx, &format!("c:\\{}", ctx.path("x"))).await
}

async fn nul_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    refused(ctx, &ctx.path("a\0b")).await?;
    ctx.ensure_absent("a").await
}

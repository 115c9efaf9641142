//! `StorageExt`: `exists` for objects and directories, `read_range`, `list_all`, and
//! `remove_all` removing everything below a directory and nothing beside it.

use storage_types::{Feature, ListOptions, StorageExt};

use crate::harness::{Case, Ctx, Need};

pub(super) fn cases() -> Vec<Case> {
    cases!("ext";
        exists_object,
        exists_dir,
        read_range_of_object,
        remove_all_removes_below,
        remove_all_with_empty_dirs [Need::Feature(Feature::CreateDir)],
        remove_all_of_missing_dir,
    )
}

async fn exists(ctx: &Ctx, rel: &str) -> anyhow::Result<bool> {
    Ok(ctx.store.exists(&ctx.path(rel)).await?)
}

async fn exists_object(ctx: &Ctx) -> anyhow::Result<()> {
    anyhow::ensure!(!exists(ctx, "a").await?, "exists says yes before the write");
    ctx.write("a", "a").await?;
    anyhow::ensure!(exists(ctx, "a").await?, "exists says no after the write");
    ctx.store.delete(&ctx.path("a")).await?;
    anyhow::ensure!(!exists(ctx, "a").await?, "exists says yes after the delete");
    Ok(())
}

async fn exists_dir(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    anyhow::ensure!(
        exists(ctx, "d/").await?,
        "exists(d/) says no with d/a written"
    );
    anyhow::ensure!(
        !exists(ctx, "e/").await?,
        "exists(e/) says yes for a missing directory"
    );
    Ok(())
}

async fn read_range_of_object(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "0123456789").await?;
    let bytes = ctx.store.read_range(&ctx.path("a"), 2..5).await?;
    crate::check::ensure_bytes(&bytes, b"234", "read_range 2..5")
}

async fn remove_all_removes_below(ctx: &Ctx) -> anyhow::Result<()> {
    for rel in ["d/a", "d/b", "d/e/f", "d/e/g/h", "dz", "other/x"] {
        ctx.write(rel, rel.to_owned()).await?;
    }
    let removed = ctx.store.remove_all(&ctx.path("d")).await?;
    ensure_eq!(removed, 4, "objects remove_all reports");
    let left = ctx
        .list_names("", ListOptions::default().recursive())
        .await?;
    ensure_eq!(
        left,
        vec!["dz".to_owned(), "other/x".to_owned()],
        "objects left"
    );
    ctx.ensure_absent("d/").await
}

async fn remove_all_with_empty_dirs(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.store.create_dir(&ctx.path("d/empty/deeper")).await?;
    ctx.write("d/x/y", "y").await?;
    ctx.store.remove_all(&ctx.path("d/")).await?;
    ctx.ensure_absent("d/").await?;
    let left = ctx.list_names("", ListOptions::default()).await?;
    anyhow::ensure!(left.is_empty(), "entries left after remove_all: {left:?}");
    Ok(())
}

async fn remove_all_of_missing_dir(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("keep", "k").await?;
    ensure_eq!(
        ctx.store.remove_all(&ctx.path("missing/")).await?,
        0,
        "objects removed"
    );
    ctx.ensure_content("keep", b"k").await
}

//! `delete` and `delete_many`: idempotent (missing objects, twice), removing exactly the objects
//! named; a batch with a path that escapes the root deletes nothing.

use storage_types::ListOptions;

use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("delete";
        missing_succeeds,
        twice_succeeds,
        removes_object,
        keeps_siblings,
        then_write_again,
        many_removes_all_named,
        many_of_nothing_succeeds,
        many_with_an_escaping_path_deletes_nothing,
    )
}

async fn delete(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    Ok(ctx.store.delete(&ctx.path(rel)).await?)
}

async fn missing_succeeds(ctx: &Ctx) -> anyhow::Result<()> {
    delete(ctx, "never-written").await?;
    delete(ctx, "no/such/dir/object").await
}

async fn twice_succeeds(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "a").await?;
    delete(ctx, "a").await?;
    delete(ctx, "a").await?;
    ctx.ensure_absent("a").await
}

async fn removes_object(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    delete(ctx, "d/a").await?;
    ctx.ensure_absent("d/a").await?;
    let names = ctx
        .list_names("d/", ListOptions::default().recursive())
        .await?;
    anyhow::ensure!(
        names.is_empty(),
        "d/ still lists {names:?} after its only object was deleted"
    );
    Ok(())
}

// `d/a` must not be treated as a prefix: `d/ab` and `d/a.txt` stay.
async fn keeps_siblings(ctx: &Ctx) -> anyhow::Result<()> {
    for rel in ["d/a", "d/ab", "d/a.txt", "d/b"] {
        ctx.write(rel, rel.to_owned()).await?;
    }
    delete(ctx, "d/a").await?;
    ctx.ensure_absent("d/a").await?;
    for rel in ["d/ab", "d/a.txt", "d/b"] {
        ctx.ensure_content(rel, rel.as_bytes()).await?;
    }
    Ok(())
}

async fn then_write_again(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "first").await?;
    delete(ctx, "a").await?;
    ctx.write("a", "again").await?;
    ctx.ensure_content("a", b"again").await
}

async fn many_removes_all_named(ctx: &Ctx) -> anyhow::Result<()> {
    let names = ["a", "b", "sub/c", "sub/deeper/d", "keep"];
    for name in names {
        ctx.write(name, name).await?;
    }
    // Missing paths in a batch are fine, as with delete.
    let batch: Vec<String> = ["a", "b", "sub/c", "sub/deeper/d", "never-written"]
        .iter()
        .map(|n| ctx.path(n))
        .collect();
    ctx.store.delete_many(&batch).await?;
    for gone in ["a", "b", "sub/c", "sub/deeper/d"] {
        ctx.ensure_absent(gone).await?;
    }
    ctx.ensure_content("keep", b"keep").await
}

async fn many_of_nothing_succeeds(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.store.delete_many(&[]).await?;
    Ok(())
}

async fn many_with_an_escaping_path_deletes_nothing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "a").await?;
    let batch = vec![ctx.path("a"), "../outside".to_owned()];
    crate::check::expect_kind(
        ctx.store.delete_many(&batch).await,
        storage_types::ErrorKind::InvalidInput,
    )?;
    ctx.ensure_content("a", b"a").await
}

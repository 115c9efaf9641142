//! `delete`: idempotent (missing objects, twice), removes exactly the object named.

use storage_types::{DeleteOptions, ListOptions};

use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("delete";
        missing_succeeds,
        twice_succeeds,
        removes_object,
        keeps_siblings,
        then_write_again,
    )
}

async fn delete(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    Ok(ctx
        .store
        .delete(&ctx.path(rel), DeleteOptions::default())
        .await?)
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

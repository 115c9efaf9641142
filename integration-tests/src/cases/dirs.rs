//! `create_dir`: explicit directories, idempotent, visible to `stat` and to their parent's
//! listing, empty when listed, and removable with `delete("d/")`.

use storage_types::{Feature, ListOptions};

use crate::harness::{Case, Ctx, Need};

const CREATE_DIR: Need = Need::Feature(Feature::CreateDir);

pub(super) fn cases() -> Vec<Case> {
    cases!("dirs";
        create_twice_succeeds [CREATE_DIR],
        created_dir_stats_as_dir [CREATE_DIR],
        created_dir_listed_in_parent [CREATE_DIR],
        created_dir_lists_empty [CREATE_DIR],
        nested_dirs [CREATE_DIR],
        objects_inside_created_dir [CREATE_DIR],
        delete_empty_dir [CREATE_DIR],
    )
}

async fn create_dir(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    Ok(ctx.store.create_dir(&ctx.path(rel)).await?)
}

async fn create_twice_succeeds(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "d").await?;
    create_dir(ctx, "d/").await?;
    let meta = ctx.stat("d/").await?;
    anyhow::ensure!(
        meta.is_dir(),
        "d/ is {:?} after creating it twice",
        meta.mode
    );
    Ok(())
}

async fn created_dir_stats_as_dir(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "d").await?;
    let meta = ctx.stat("d/").await?;
    anyhow::ensure!(
        meta.is_dir(),
        "stat of a created directory gives {:?}",
        meta.mode
    );
    Ok(())
}

async fn created_dir_listed_in_parent(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "p/d").await?;
    let entries = ctx.list("p/").await?;
    let names: Vec<&str> = entries
        .iter()
        .map(|e| ctx.relative(e.path.as_str()))
        .collect();
    ensure_eq!(names, vec!["p/d/"], "entries of p/");
    anyhow::ensure!(entries[0].metadata.is_dir(), "p/d/ is listed as a file");
    Ok(())
}

// A directory marker is not an object of the directory it marks.
async fn created_dir_lists_empty(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "d").await?;
    for opts in [ListOptions::default(), ListOptions::default().recursive()] {
        let names = ctx.list_names("d/", opts).await?;
        anyhow::ensure!(names.is_empty(), "an empty directory lists {names:?}");
    }
    Ok(())
}

async fn nested_dirs(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "a/b/c").await?;
    let meta = ctx.stat("a/b/c/").await?;
    anyhow::ensure!(meta.is_dir(), "a/b/c/ is {:?}", meta.mode);
    let meta = ctx.stat("a/").await?;
    anyhow::ensure!(
        meta.is_dir(),
        "a/ (parent of a created directory) is {:?}",
        meta.mode
    );
    Ok(())
}

async fn objects_inside_created_dir(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "d").await?;
    ctx.write("d/x", "x").await?;
    let names = ctx.list_names("d/", ListOptions::default()).await?;
    ensure_eq!(names, vec!["d/x".to_owned()], "entries of d/");
    // Creating an existing, non-empty directory again changes nothing.
    create_dir(ctx, "d").await?;
    ctx.ensure_content("d/x", b"x").await
}

async fn delete_empty_dir(ctx: &Ctx) -> anyhow::Result<()> {
    create_dir(ctx, "d").await?;
    ctx.store.delete(&ctx.path("d/")).await?;
    ctx.ensure_absent("d/").await?;
    let names = ctx.list_names("", ListOptions::default()).await?;
    anyhow::ensure!(names.is_empty(), "the case directory still lists {names:?}");
    Ok(())
}

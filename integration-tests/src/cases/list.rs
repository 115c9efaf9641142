//! `list`: one level with directories or everything below, each object exactly once, in
//! lexicographic order, across pages, after a start path; missing and look-alike directories.

use std::collections::BTreeSet;

use storage_types::{ListOptions, Operation, Pair};

use crate::harness::{Case, Ctx, Need};

const PAGE_SIZE: Need = Need::Pair(Operation::List, Pair::PageSize);
const START_AFTER: Need = Need::Pair(Operation::List, Pair::StartAfter);

pub(super) fn cases() -> Vec<Case> {
    cases!("list";
        every_object_once,
        dirs_and_files,
        subdir_listed_once,
        recursive_lists_only_files,
        lexicographic_order,
        lexicographic_order_with_dirs,
        pages_of_two [PAGE_SIZE],
        pages_of_two_with_dirs [PAGE_SIZE],
        pages_of_two_recursive [PAGE_SIZE],
        start_after [START_AFTER],
        start_after_recursive [START_AFTER],
        missing_dir_is_empty,
        without_slash_equals_with,
        sibling_prefix_not_listed,
        entries_carry_sizes,
        paths_are_relative_to_root,
    )
}

fn one_level() -> ListOptions {
    ListOptions::default()
}

fn recursive() -> ListOptions {
    ListOptions::default().recursive()
}

async fn write_all(ctx: &Ctx, rels: &[&str]) -> anyhow::Result<()> {
    for rel in rels {
        ctx.write(rel, rel.to_string()).await?;
    }
    Ok(())
}

fn strings(rels: &[&str]) -> Vec<String> {
    rels.iter().map(|r| (*r).to_owned()).collect()
}

async fn every_object_once(ctx: &Ctx) -> anyhow::Result<()> {
    let mut rels = Vec::new();
    for i in 0..25 {
        rels.push(format!("d/{}/o{i:02}", ["x", "y/z", "w"][i % 3]));
    }
    for rel in &rels {
        ctx.write(rel, rel.clone()).await?;
    }
    let names = ctx.list_names("d/", recursive()).await?;
    let unique: BTreeSet<&String> = names.iter().collect();
    ensure_eq!(unique.len(), names.len(), "distinct entries in {names:?}");
    let expected: BTreeSet<&String> = rels.iter().collect();
    ensure_eq!(unique, expected, "objects listed below d/");
    Ok(())
}

async fn dirs_and_files(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(
        ctx,
        &["d/a", "d/b", "d/sub/c", "d/sub/deeper/e", "d/other/f"],
    )
    .await?;
    let entries = ctx.list_with("d/", one_level()).await?;
    let mut seen = Vec::new();
    for entry in &entries {
        let rel = ctx.relative(entry.path.as_str()).to_owned();
        let is_dir = rel.ends_with('/');
        anyhow::ensure!(
            entry.metadata.is_dir() == is_dir,
            "entry {rel} has mode {:?}; directories (and only they) end with `/`",
            entry.metadata.mode
        );
        seen.push(rel);
    }
    seen.sort();
    ensure_eq!(
        seen,
        strings(&["d/a", "d/b", "d/other/", "d/sub/"]),
        "entries of d/"
    );
    Ok(())
}

// A directory with many objects is still one entry of its parent.
async fn subdir_listed_once(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/s/1", "d/s/2", "d/s/3", "d/s/t/4", "d/z"]).await?;
    let names = ctx.list_names("d/", one_level()).await?;
    ensure_eq!(names, strings(&["d/s/", "d/z"]), "entries of d/");
    Ok(())
}

async fn recursive_lists_only_files(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "d/sub/b", "d/sub/deeper/c"]).await?;
    let entries = ctx.list_with("d/", recursive()).await?;
    for entry in &entries {
        anyhow::ensure!(
            entry.metadata.is_file() && !entry.path.as_str().ends_with('/'),
            "a recursive listing returned the directory entry {}",
            entry.path
        );
    }
    let names: Vec<String> = entries
        .iter()
        .map(|e| ctx.relative(e.path.as_str()).to_owned())
        .collect();
    ensure_eq!(
        names,
        strings(&["d/a", "d/sub/b", "d/sub/deeper/c"]),
        "recursive entries of d/"
    );
    Ok(())
}

// Byte order: `-` (0x2d) < `.` < `/` < `0` < upper case < lower case < non-ASCII.
const ORDERED: [&str; 7] = ["d/B", "d/a-1", "d/a.1", "d/a/x", "d/a0", "d/b", "d/é"];

async fn lexicographic_order(ctx: &Ctx) -> anyhow::Result<()> {
    // Written out of order, so that an order of creation does not pass for a sorted one.
    for rel in ORDERED.iter().rev() {
        ctx.write(rel, "x").await?;
    }
    let names = ctx.list_names("d/", recursive()).await?;
    ensure_eq!(names, strings(&ORDERED), "order of a recursive listing");
    Ok(())
}

// With a delimiter, `d/a/` sorts by its full path, between `d/a.1` and `d/a0`.
async fn lexicographic_order_with_dirs(ctx: &Ctx) -> anyhow::Result<()> {
    for rel in ORDERED.iter().rev() {
        ctx.write(rel, "x").await?;
    }
    let names = ctx.list_names("d/", one_level()).await?;
    let expected = ["d/B", "d/a-1", "d/a.1", "d/a/", "d/a0", "d/b", "d/é"];
    ensure_eq!(
        names,
        strings(&expected),
        "order of a listing with directories"
    );
    Ok(())
}

async fn pages_of_two(ctx: &Ctx) -> anyhow::Result<()> {
    let rels: Vec<String> = (0..7).map(|i| format!("d/o{i}")).collect();
    for rel in rels.iter().rev() {
        ctx.write(rel, "x").await?;
    }
    let names = ctx
        .list_names("d/", one_level().with_page_size(2u32))
        .await?;
    ensure_eq!(names, rels, "7 objects listed 2 per page");
    Ok(())
}

async fn pages_of_two_with_dirs(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(
        ctx,
        &[
            "d/a", "d/b/1", "d/b/2", "d/b/3", "d/c", "d/e/1", "d/e/2", "d/f/g/h",
        ],
    )
    .await?;
    let names = ctx
        .list_names("d/", one_level().with_page_size(2u32))
        .await?;
    ensure_eq!(
        names,
        strings(&["d/a", "d/b/", "d/c", "d/e/", "d/f/"]),
        "entries 2 per page"
    );
    Ok(())
}

async fn pages_of_two_recursive(ctx: &Ctx) -> anyhow::Result<()> {
    let rels = ["d/a", "d/b/1", "d/b/2", "d/b/3", "d/c", "d/e/1", "d/f/g/h"];
    write_all(ctx, &rels).await?;
    let names = ctx
        .list_names("d/", recursive().with_page_size(2u32))
        .await?;
    ensure_eq!(names, strings(&rels), "recursive entries 2 per page");
    Ok(())
}

async fn start_after(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "d/b", "d/c/x", "d/d", "d/e"]).await?;
    let opts = one_level().with_start_after(ctx.path("d/b"));
    let names = ctx.list_names("d/", opts).await?;
    ensure_eq!(names, strings(&["d/c/", "d/d", "d/e"]), "entries after d/b");
    Ok(())
}

async fn start_after_recursive(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "d/b/1", "d/b/2", "d/c"]).await?;
    let opts = recursive().with_start_after(ctx.path("d/b/1"));
    let names = ctx.list_names("d/", opts).await?;
    ensure_eq!(
        names,
        strings(&["d/b/2", "d/c"]),
        "recursive entries after d/b/1"
    );
    Ok(())
}

// Object stores have no directories to be missing; every backend answers the same.
async fn missing_dir_is_empty(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("other/a", "a").await?;
    for opts in [one_level(), recursive()] {
        let names = ctx.list_names("no-such-dir/", opts).await?;
        anyhow::ensure!(names.is_empty(), "a missing directory listed {names:?}");
    }
    Ok(())
}

async fn without_slash_equals_with(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "d/s/b"]).await?;
    for opts in [one_level(), recursive()] {
        let with = ctx.list_names("d/", opts.clone()).await?;
        let without = ctx.list_names("d", opts).await?;
        ensure_eq!(without, with, "listing of `d` against `d/`");
        anyhow::ensure!(!with.is_empty(), "d/ listed nothing");
    }
    Ok(())
}

// `d/` is a directory, not a string prefix: `dab` and `d-x/` are not in it.
async fn sibling_prefix_not_listed(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "dab", "d-x/b"]).await?;
    for opts in [one_level(), recursive()] {
        let names = ctx.list_names("d/", opts).await?;
        ensure_eq!(names, strings(&["d/a"]), "entries of d/");
    }
    Ok(())
}

async fn entries_carry_sizes(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/three", "abc").await?;
    ctx.write("d/empty", "").await?;
    ctx.write("d/big", vec![7u8; 10_000]).await?;
    ctx.write("d/s/x", "x").await?;
    let entries = ctx.list_with("d/", one_level()).await?;
    ensure_eq!(entries.len(), 4, "number of entries of d/ ({entries:?})");
    for entry in entries {
        let rel = ctx.relative(entry.path.as_str());
        let expected = match rel {
            "d/three" => 3,
            "d/empty" => 0,
            "d/big" => 10_000,
            "d/s/" => continue,
            other => anyhow::bail!("unexpected entry {other}"),
        };
        anyhow::ensure!(
            entry.metadata.is_file(),
            "{rel} is listed as {:?}",
            entry.metadata.mode
        );
        ensure_eq!(entry.metadata.size, expected, "size listed for {rel}");
    }
    Ok(())
}

// Entries name paths from the store's root, usable as they are in the next call.
async fn paths_are_relative_to_root(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    let entries = ctx.list_with("d/", one_level()).await?;
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let expected = ctx.path("d/a");
    ensure_eq!(paths, vec![expected.as_str()], "paths listed below d/");
    let bytes = ctx.store.read(paths[0]).await?.bytes().await?;
    crate::check::ensure_bytes(&bytes, b"a", "object read through its listed path")
}

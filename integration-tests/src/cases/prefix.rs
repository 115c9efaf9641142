//! `list_prefix`: listing by raw key prefix, not only by directory (`d/meta` lists `d/meta.1`
//! and `d/meta_x/a`), as the backup tools' metadata and lock files need; and the
//! `name_prefix` option it rests on, with one level, pages, a start path and odd bytes.

use storage_types::{ErrorKind, ListOptions, Operation, Pair};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const NAME_PREFIX: Need = Need::Pair(Operation::List, Pair::NamePrefix);
const PAGE_SIZE: Need = Need::Pair(Operation::List, Pair::PageSize);
const START_AFTER: Need = Need::Pair(Operation::List, Pair::StartAfter);

pub(super) fn cases() -> Vec<Case> {
    cases!("prefix";
        not_a_directory [NAME_PREFIX],
        whole_key [NAME_PREFIX],
        string_not_directory [NAME_PREFIX],
        dir_prefix_is_recursive_list [NAME_PREFIX],
        empty_prefix_lists_whole_store [NAME_PREFIX],
        start_after_with_prefix [NAME_PREFIX, START_AFTER],
        pages_with_prefix [NAME_PREFIX, PAGE_SIZE],
        odd_bytes [NAME_PREFIX],
        one_level_with_name_prefix [NAME_PREFIX],
        nothing_matches [NAME_PREFIX],
        bad_prefixes_are_refused [NAME_PREFIX],
    )
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

/// Lists the raw key prefix `rel` (below the case's directory) completely; the paths are
/// relative to the case's directory, in the order listed.
async fn prefix_names(ctx: &Ctx, rel: &str, opts: ListOptions) -> anyhow::Result<Vec<String>> {
    let prefix = ctx.path(rel);
    let lister = ctx.store.list_prefix_with(&prefix, opts).await;
    let entries = match lister {
        Ok(lister) => lister.collect().await,
        Err(err) => Err(err),
    };
    let entries = entries.map_err(|err| anyhow::anyhow!("listing the prefix {prefix:?}: {err}"))?;
    for entry in &entries {
        anyhow::ensure!(
            entry.metadata.is_file() && !entry.path.as_str().ends_with('/'),
            "a prefix listing returned the directory entry {}",
            entry.path
        );
    }
    Ok(entries
        .iter()
        .map(|e| ctx.relative(e.path.as_str()).to_owned())
        .collect())
}

// BR's `v1/backupmeta` lists `v1/backupmeta.1` and everything below `v1/backupmeta_x/`.
async fn not_a_directory(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(
        ctx,
        &[
            "d/met",
            "d/meta.1",
            "d/meta_x/a",
            "d/meta_x/b/c",
            "d/metb",
            "d/other/meta",
        ],
    )
    .await?;
    let names = prefix_names(ctx, "d/meta", ListOptions::default()).await?;
    let expected = ["d/meta.1", "d/meta_x/a", "d/meta_x/b/c"];
    ensure_eq!(
        names,
        strings(&expected),
        "objects whose key starts with d/meta"
    );
    Ok(())
}

// A prefix that is a whole key lists that key, and every key it prefixes.
async fn whole_key(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/loc", "d/lock", "d/lockfile", "d/locks/1"]).await?;
    let names = prefix_names(ctx, "d/lock", ListOptions::default()).await?;
    ensure_eq!(
        names,
        strings(&["d/lock", "d/lockfile", "d/locks/1"]),
        "objects whose key starts with d/lock"
    );
    let names = prefix_names(ctx, "d/lockfile", ListOptions::default()).await?;
    ensure_eq!(names, strings(&["d/lockfile"]), "the one object d/lockfile");
    Ok(())
}

// `d` without a slash is a string prefix: `dab` and `d-x/b` match, unlike a listing of `d/`.
async fn string_not_directory(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["c", "d/a", "dab", "d-x/b", "e"]).await?;
    let names = prefix_names(ctx, "d", ListOptions::default()).await?;
    ensure_eq!(
        names,
        strings(&["d-x/b", "d/a", "dab"]),
        "objects whose key starts with d"
    );
    Ok(())
}

// A prefix ending with `/` is the directory, listed recursively.
async fn dir_prefix_is_recursive_list(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/a", "d/s/b", "d/s/t/c", "dz"]).await?;
    let names = prefix_names(ctx, "d/", ListOptions::default()).await?;
    let listed = ctx
        .list_names("d/", ListOptions::default().recursive())
        .await?;
    ensure_eq!(names, listed, "prefix d/ against a recursive listing of d/");
    ensure_eq!(
        names,
        strings(&["d/a", "d/s/b", "d/s/t/c"]),
        "objects of d/"
    );
    Ok(())
}

// The empty prefix is the whole store: other cases write there at the same time, so this one
// checks that its own objects are in it, once each, among files in ascending order.
async fn empty_prefix_lists_whole_store(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["e/a", "e/b/c"]).await?;
    let entries = ctx.store.list_prefix("").await?.collect().await?;
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    for pair in paths.windows(2) {
        anyhow::ensure!(
            pair[0] < pair[1],
            "the whole store is not listed in ascending order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for rel in ["e/a", "e/b/c"] {
        let path = ctx.path(rel);
        anyhow::ensure!(
            paths.contains(&path.as_str()),
            "the empty prefix did not list {path}"
        );
    }
    if let Some(dir) = entries.iter().find(|e| !e.metadata.is_file()) {
        anyhow::bail!("the empty prefix listed the directory entry {}", dir.path);
    }
    Ok(())
}

async fn start_after_with_prefix(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/o", "d/p1", "d/p2", "d/p3/x", "d/p4", "d/q"]).await?;
    let after = |rel: &str| ListOptions::default().with_start_after(ctx.path(rel));
    let names = prefix_names(ctx, "d/p", after("d/p2")).await?;
    ensure_eq!(names, strings(&["d/p3/x", "d/p4"]), "d/p… after d/p2");
    let names = prefix_names(ctx, "d/p", after("d/a")).await?;
    let every = ["d/p1", "d/p2", "d/p3/x", "d/p4"];
    ensure_eq!(names, strings(&every), "d/p… after d/a (before the prefix)");
    let names = prefix_names(ctx, "d/p", after("d/z")).await?;
    ensure_eq!(
        names,
        Vec::<String>::new(),
        "d/p… after d/z (past the prefix)"
    );
    Ok(())
}

async fn pages_with_prefix(ctx: &Ctx) -> anyhow::Result<()> {
    let rels = ["d/k0", "d/k1", "d/k2/a", "d/k2/b", "d/k3", "d/k4"];
    write_all(ctx, &["d/j", "d/l", "d/k"]).await?;
    for rel in rels.iter().rev() {
        ctx.write(rel, "x").await?;
    }
    let opts = ListOptions::default().with_page_size(2u32);
    let names = prefix_names(ctx, "d/k", opts).await?;
    let mut expected = vec!["d/k".to_owned()];
    expected.extend(strings(&rels));
    ensure_eq!(names, expected, "d/k… listed 2 per page");
    Ok(())
}

// Spaces, `%`, `+` and non-ASCII bytes in the prefix and in the names it matches.
async fn odd_bytes(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(
        ctx,
        &[
            "d/a b",
            "d/a b+c%20é.txt",
            "d/a b+c%20é/1",
            "d/a+b",
            "d/a%20b",
            "d/über",
            "d/ü x/y",
            "d/u",
        ],
    )
    .await?;
    let cases: [(&str, &[&str]); 4] = [
        ("d/a b+c%", &["d/a b+c%20é.txt", "d/a b+c%20é/1"]),
        ("d/a b", &["d/a b", "d/a b+c%20é.txt", "d/a b+c%20é/1"]),
        ("d/a%", &["d/a%20b"]),
        ("d/ü", &["d/ü x/y", "d/über"]),
    ];
    for (prefix, expected) in cases {
        let names = prefix_names(ctx, prefix, ListOptions::default()).await?;
        ensure_eq!(
            names,
            strings(expected),
            "objects whose key starts with {prefix:?}"
        );
    }
    Ok(())
}

// The option itself on a one-level listing: matching names, subdirectories as entries.
async fn one_level_with_name_prefix(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(
        ctx,
        &["d/met", "d/meta", "d/meta.1", "d/meta_x/a", "d/meta_x/b/c"],
    )
    .await?;
    let opts = ListOptions::default().with_name_prefix("meta");
    let names = ctx.list_names("d/", opts.clone()).await?;
    ensure_eq!(
        names,
        strings(&["d/meta", "d/meta.1", "d/meta_x/"]),
        "entries of d/ named meta…"
    );
    // A subdirectory is one entry: a start at or below it does not bring it back.
    let after = |rel: &str| opts.clone().with_start_after(ctx.path(rel));
    let names = ctx.list_names("d/", after("d/meta.1")).await?;
    ensure_eq!(
        names,
        strings(&["d/meta_x/"]),
        "entries named meta… after d/meta.1"
    );
    let names = ctx.list_names("d/", after("d/meta_x/")).await?;
    ensure_eq!(
        names,
        Vec::<String>::new(),
        "entries named meta… after d/meta_x/"
    );
    let names = ctx.list_names("d/", opts.recursive()).await?;
    ensure_eq!(
        names,
        strings(&["d/meta", "d/meta.1", "d/meta_x/a", "d/meta_x/b/c"]),
        "objects below d/ named meta…"
    );
    Ok(())
}

// No match, a missing directory, and a prefix below an object all list nothing.
async fn nothing_matches(ctx: &Ctx) -> anyhow::Result<()> {
    write_all(ctx, &["d/file", "d/a"]).await?;
    for rel in ["d/b", "missing/x", "d/file/x", "d/file/"] {
        let names = prefix_names(ctx, rel, ListOptions::default()).await?;
        ensure_eq!(
            names,
            Vec::<String>::new(),
            "objects whose key starts with {rel}"
        );
    }
    Ok(())
}

async fn bad_prefixes_are_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let store = &ctx.store;
    let escape = store.list_prefix(&format!("{}../../x", ctx.base())).await;
    expect_kind(escape, ErrorKind::InvalidInput)?;
    let twice = ListOptions::default().with_name_prefix("a");
    let twice = store.list_prefix_with(&ctx.path("d/x"), twice).await;
    expect_kind(twice, ErrorKind::InvalidInput)?;
    let slash = ListOptions::default().with_name_prefix("a/b");
    let slash = store.list_with(&ctx.path("d/"), slash).await;
    expect_kind(slash, ErrorKind::InvalidInput)?;
    Ok(())
}

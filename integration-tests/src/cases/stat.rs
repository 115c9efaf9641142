//! `stat`: metadata of objects and directories, and the errors for what is not there.

use storage_types::{ErrorKind, Operation, Pair};

use crate::check::{expect_kind, expect_kind_in};
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("stat";
        missing_is_not_found,
        object_has_size_and_file_mode,
        empty_object_has_size_zero,
        matches_what_write_returned,
        dir_with_objects_is_dir,
        dir_name_without_slash,
        missing_dir_is_not_found,
        etag_changes_with_content,
    )
}

async fn missing_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    let stat = ctx.store.stat(&ctx.path("missing")).await;
    expect_kind(stat, ErrorKind::NotFound)?;
    Ok(())
}

async fn object_has_size_and_file_mode(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a.txt", "hello world").await?;
    let meta = ctx.stat("a.txt").await?;
    ensure_eq!(meta.size, 11, "size of a.txt");
    anyhow::ensure!(
        meta.is_file(),
        "a.txt should be a file, stat says {:?}",
        meta.mode
    );
    Ok(())
}

async fn empty_object_has_size_zero(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("empty", "").await?;
    let meta = ctx.stat("empty").await?;
    ensure_eq!(meta.size, 0, "size of an empty object");
    anyhow::ensure!(
        meta.is_file(),
        "an empty object is still a file, stat says {:?}",
        meta.mode
    );
    Ok(())
}

async fn matches_what_write_returned(ctx: &Ctx) -> anyhow::Result<()> {
    let written = ctx.write("a", vec![1u8; 1000]).await?;
    ensure_eq!(written.size, 1000, "size returned by write");
    let meta = ctx.stat("a").await?;
    ensure_eq!(meta.size, written.size, "size of stat against write");
    // Where both report an ETag it names the same (unchanged) object.
    if let (Some(a), Some(b)) = (&written.etag, &meta.etag) {
        anyhow::ensure!(
            storage_types::backend::etag_matches(a, b),
            "write returned ETag {a}, stat returns {b} for the same object"
        );
    }
    Ok(())
}

async fn dir_with_objects_is_dir(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    ctx.write("d/sub/b", "b").await?;
    for dir in ["d/", "d/sub/"] {
        let meta = ctx.stat(dir).await?;
        anyhow::ensure!(
            meta.is_dir(),
            "stat of {dir} should be a directory, got {:?}",
            meta.mode
        );
    }
    Ok(())
}

// Object stores cannot tell a directory name without its slash from a missing object; local
// files can. Either answer is allowed, but not success: `d` is not an object.
async fn dir_name_without_slash(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    let stat = ctx.store.stat(&ctx.path("d")).await;
    expect_kind_in(stat, &[ErrorKind::IsDirectory, ErrorKind::NotFound])?;
    Ok(())
}

async fn missing_dir_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("other/a", "a").await?;
    let stat = ctx.store.stat(&ctx.path("nothing-here/")).await;
    expect_kind(stat, ErrorKind::NotFound)?;
    Ok(())
}

// Conditional requests rely on this: an ETag that survived a change would let a stale
// `if_match` overwrite newer data.
async fn etag_changes_with_content(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "first").await?;
    let first = ctx.stat("a").await?.etag;
    ctx.write("a", "second, longer").await?;
    let second = ctx.stat("a").await?.etag;
    // A backend that honours `if_match` anywhere must report ETags to match against.
    let conditional = [Operation::Stat, Operation::Read, Operation::Write]
        .iter()
        .any(|op| ctx.capability().supports_pair(*op, Pair::IfMatch));
    if conditional {
        anyhow::ensure!(
            first.is_some() && second.is_some(),
            "the store declares if_match but stat reports no ETag ({first:?}, {second:?})"
        );
    }
    if let (Some(first), Some(second)) = (first, second) {
        anyhow::ensure!(
            !storage_types::backend::etag_matches(&first, &second),
            "the ETag stayed {first} although the content changed"
        );
    }
    Ok(())
}

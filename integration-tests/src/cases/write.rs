//! `write`: replacing, empty objects, streamed bodies, and writes that fail (a body error, a
//! body shorter or longer than declared) leaving the old object or none, never a partial one.

use bytes::Bytes;
use storage_types::{Body, ErrorKind, WriteOptions};

use crate::check::{self, chunked_body, expect_error, expect_kind, failing_body};
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("write";
        then_read,
        returns_size,
        replaces_existing,
        replaces_with_shorter,
        empty_from_bytes,
        empty_stream_of_unknown_size,
        stream_of_known_size,
        body_error_keeps_old_object,
        body_error_creates_nothing,
        short_body_keeps_old_object,
        short_body_creates_nothing,
        long_body_keeps_old_object,
        long_body_creates_nothing,
        dir_path_is_refused,
        progress_totals_size,
    )
}

async fn then_read(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "hello").await?;
    ctx.ensure_content("a", b"hello").await
}

async fn returns_size(ctx: &Ctx) -> anyhow::Result<()> {
    let meta = ctx.write("a", vec![0u8; 4321]).await?;
    ensure_eq!(meta.size, 4321, "size returned by write");
    anyhow::ensure!(meta.is_file(), "write returned {:?} metadata", meta.mode);
    Ok(())
}

async fn replaces_existing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "first").await?;
    ctx.write("a", "second").await?;
    ctx.ensure_content("a", b"second").await?;
    ensure_eq!(ctx.stat("a").await?.size, 6, "size after the second write");
    Ok(())
}

// A file store that overwrote in place without truncating would leave the old tail behind.
async fn replaces_with_shorter(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "a long first version").await?;
    ctx.write("a", "short").await?;
    ctx.ensure_content("a", b"short").await
}

async fn empty_from_bytes(ctx: &Ctx) -> anyhow::Result<()> {
    let meta = ctx.store.write(&ctx.path("e"), Body::empty()).await?;
    ensure_eq!(meta.size, 0, "size returned for an empty write");
    ctx.ensure_content("e", b"").await?;
    ensure_eq!(ctx.stat("e").await?.size, 0, "size of an empty object");
    Ok(())
}

async fn empty_stream_of_unknown_size(ctx: &Ctx) -> anyhow::Result<()> {
    let body = chunked_body(Bytes::new(), 1, None);
    ctx.store.write(&ctx.path("e"), body).await?;
    ctx.ensure_content("e", b"").await?;
    ensure_eq!(
        ctx.stat("e").await?.size,
        0,
        "size of an object written from an empty stream"
    );
    Ok(())
}

async fn stream_of_known_size(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(10_000, 1);
    let body = chunked_body(data.clone(), 1000, Some(10_000));
    let meta = ctx.store.write(&ctx.path("s"), body).await?;
    ensure_eq!(meta.size, 10_000, "size returned for a streamed write");
    ctx.ensure_content("s", &data).await
}

/// Writes `body` over `a` (which holds "old" first if `old` is set), expects the write to fail
/// with one of `kinds` (any error if empty), and checks that `a` is unchanged.
async fn failing_write(
    ctx: &Ctx,
    old: bool,
    body: Body,
    kind: Option<ErrorKind>,
) -> anyhow::Result<()> {
    if old {
        ctx.write("a", "old").await?;
    }
    let write = ctx.store.write(&ctx.path("a"), body).await;
    match kind {
        Some(kind) => expect_kind(write, kind)?,
        None => expect_error(write)?,
    };
    if old {
        ctx.ensure_content("a", b"old").await
    } else {
        ctx.ensure_absent("a").await
    }
}

async fn body_error_keeps_old_object(ctx: &Ctx) -> anyhow::Result<()> {
    failing_write(
        ctx,
        true,
        failing_body(check::pattern(5000, 2), 1000, None),
        None,
    )
    .await
}

async fn body_error_creates_nothing(ctx: &Ctx) -> anyhow::Result<()> {
    failing_write(
        ctx,
        false,
        failing_body(check::pattern(5000, 2), 1000, Some(9000)),
        None,
    )
    .await
}

async fn short_body_keeps_old_object(ctx: &Ctx) -> anyhow::Result<()> {
    let body = chunked_body(check::pattern(500, 4), 100, Some(1000));
    failing_write(ctx, true, body, Some(ErrorKind::IntegrityMismatch)).await
}

async fn short_body_creates_nothing(ctx: &Ctx) -> anyhow::Result<()> {
    let body = chunked_body(check::pattern(500, 4), 100, Some(1000));
    failing_write(ctx, false, body, Some(ErrorKind::IntegrityMismatch)).await
}

async fn long_body_keeps_old_object(ctx: &Ctx) -> anyhow::Result<()> {
    let body = chunked_body(check::pattern(1500, 5), 100, Some(1000));
    failing_write(ctx, true, body, Some(ErrorKind::IntegrityMismatch)).await
}

async fn long_body_creates_nothing(ctx: &Ctx) -> anyhow::Result<()> {
    let body = chunked_body(check::pattern(1500, 5), 100, Some(1000));
    failing_write(ctx, false, body, Some(ErrorKind::IntegrityMismatch)).await
}

// A path ending with `/` names a directory; an object cannot be written there.
async fn dir_path_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let write = ctx.store.write(&ctx.path("d/"), "x".into()).await;
    expect_kind(write, ErrorKind::IsDirectory)?;
    ctx.ensure_nothing_written().await
}

async fn progress_totals_size(ctx: &Ctx) -> anyhow::Result<()> {
    let (progress, counter) = check::progress_counter();
    let data = check::pattern(100_000, 6);
    let body = chunked_body(data.clone(), 7000, None);
    let opts = WriteOptions::default().with_progress(progress.clone());
    ctx.store.write_with(&ctx.path("p"), body, opts).await?;
    ensure_eq!(
        check::total(&counter),
        100_000,
        "bytes reported for a streamed write"
    );
    // An in-memory body is reported too.
    let opts = WriteOptions::default().with_progress(progress);
    ctx.store
        .write_with(&ctx.path("q"), Body::from_bytes(data.clone()), opts)
        .await?;
    ensure_eq!(
        check::total(&counter),
        200_000,
        "bytes reported after a second, in-memory write"
    );
    ctx.ensure_content("p", &data).await?;
    ctx.ensure_content("q", &data).await
}

//! `read`: whole objects and byte ranges (edges included), progress, and the errors for
//! missing objects, directories and unsatisfiable or empty ranges.

use storage_types::{ByteRange, ErrorKind, ReadOptions, StorageExt};

use crate::check::{self, expect_kind, expect_kind_in, progress_counter};
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("read";
        whole,
        with_offset,
        with_size,
        with_offset_and_size,
        first_bytes,
        last_byte,
        length_past_end_is_cut,
        start_at_end_is_unsatisfiable,
        start_past_end_is_unsatisfiable,
        empty_range_is_invalid,
        full_range_of_empty_object,
        ranged_metadata_has_full_size,
        missing_is_not_found,
        dir_path_is_directory,
        dir_name_without_slash,
        progress_totals_size,
    )
}

const TEN: &[u8] = b"0123456789";

/// Writes the ten digits to `r` and reads `range` of them.
async fn read_ten(ctx: &Ctx, range: impl Into<ByteRange>) -> anyhow::Result<bytes::Bytes> {
    ctx.write("r", TEN).await?;
    Ok(ctx.store.read_range(&ctx.path("r"), range.into()).await?)
}

async fn whole(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let reader = ctx.store.read(&ctx.path("r")).await?;
    ensure_eq!(
        reader.content_length(),
        10,
        "content length of a whole read"
    );
    ensure_eq!(reader.metadata().size, 10, "size in the read's metadata");
    check::ensure_bytes(&reader.bytes().await?, TEN, "whole read")
}

async fn with_offset(ctx: &Ctx) -> anyhow::Result<()> {
    check::ensure_bytes(&read_ten(ctx, 3..).await?, b"3456789", "read from offset 3")
}

async fn with_size(ctx: &Ctx) -> anyhow::Result<()> {
    check::ensure_bytes(
        &read_ten(ctx, ByteRange::new(0, Some(4))).await?,
        b"0123",
        "4 bytes",
    )
}

async fn with_offset_and_size(ctx: &Ctx) -> anyhow::Result<()> {
    check::ensure_bytes(&read_ten(ctx, 3..7).await?, b"3456", "range 3..7")
}

async fn first_bytes(ctx: &Ctx) -> anyhow::Result<()> {
    check::ensure_bytes(&read_ten(ctx, 0..1).await?, b"0", "range 0..1")
}

async fn last_byte(ctx: &Ctx) -> anyhow::Result<()> {
    check::ensure_bytes(&read_ten(ctx, 9..10).await?, b"9", "range 9..10")?;
    check::ensure_bytes(
        &ctx.store.read_range(&ctx.path("r"), 9..).await?,
        b"9",
        "range 9..",
    )
}

async fn length_past_end_is_cut(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let opts = ReadOptions::default().with_range(7..100);
    let reader = ctx.store.read_with(&ctx.path("r"), opts).await?;
    ensure_eq!(
        reader.content_length(),
        3,
        "content length of range 7..100 of 10 bytes"
    );
    check::ensure_bytes(&reader.bytes().await?, b"789", "range 7..100 of 10 bytes")
}

async fn start_at_end_is_unsatisfiable(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let read = ctx
        .store
        .read_with(&ctx.path("r"), ReadOptions::default().with_range(10..))
        .await;
    expect_kind(read, ErrorKind::RangeNotSatisfiable)?;
    let read = ctx
        .store
        .read_with(&ctx.path("r"), ReadOptions::default().with_range(10..12))
        .await;
    expect_kind(read, ErrorKind::RangeNotSatisfiable)?;
    Ok(())
}

async fn start_past_end_is_unsatisfiable(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let read = ctx
        .store
        .read_with(&ctx.path("r"), ReadOptions::default().with_range(11..20))
        .await;
    expect_kind(read, ErrorKind::RangeNotSatisfiable)?;
    Ok(())
}

// No two services answer an empty range alike, so the API refuses it up front.
async fn empty_range_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let read = ctx
        .store
        .read_with(&ctx.path("r"), ReadOptions::default().with_range(4..4))
        .await;
    expect_kind(read, ErrorKind::InvalidInput)?;
    Ok(())
}

// `0..` is a whole read, which an empty object must answer with no bytes, not an error.
async fn full_range_of_empty_object(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("empty", "").await?;
    let bytes = ctx.store.read_range(&ctx.path("empty"), 0..).await?;
    check::ensure_bytes(&bytes, b"", "range 0.. of an empty object")
}

async fn ranged_metadata_has_full_size(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("r", TEN).await?;
    let reader = ctx
        .store
        .read_with(&ctx.path("r"), ReadOptions::default().with_range(2..5))
        .await?;
    ensure_eq!(reader.content_length(), 3, "content length of range 2..5");
    ensure_eq!(
        reader.metadata().size,
        10,
        "object size in the metadata of a ranged read"
    );
    check::ensure_bytes(&reader.bytes().await?, b"234", "range 2..5")
}

async fn missing_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    let read = ctx.store.read(&ctx.path("missing")).await;
    expect_kind(read, ErrorKind::NotFound)?;
    Ok(())
}

async fn dir_path_is_directory(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    let read = ctx.store.read(&ctx.path("d/")).await;
    expect_kind(read, ErrorKind::IsDirectory)?;
    Ok(())
}

// As for stat: object stores may only know that there is no object `d`.
async fn dir_name_without_slash(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("d/a", "a").await?;
    let read = ctx.store.read(&ctx.path("d")).await;
    expect_kind_in(read, &[ErrorKind::IsDirectory, ErrorKind::NotFound])?;
    Ok(())
}

async fn progress_totals_size(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(100_000, 3);
    ctx.write("p", data.clone()).await?;
    let (progress, counter) = progress_counter();
    let opts = ReadOptions::default().with_progress(progress);
    let bytes = ctx
        .store
        .read_with(&ctx.path("p"), opts)
        .await?
        .bytes()
        .await?;
    check::ensure_bytes(&bytes, &data, "content read with progress")?;
    ensure_eq!(
        check::total(&counter),
        100_000,
        "bytes reported to the read's progress callback"
    );
    Ok(())
}

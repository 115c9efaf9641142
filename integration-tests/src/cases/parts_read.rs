//! Reads in parts (`ReadOptions::concurrency` above 1, ranged requests side by side): whole
//! objects and ranges come back exact, in order and with the right length; small and empty
//! objects and the read errors behave as in a plain read; and an object replaced during the
//! read fails it with `ConditionNotMet` instead of mixing two versions. Backends that take the
//! options as hints (local files, memory) pass as plain reads.

use bytes::Bytes;
use storage_types::{ByteRange, ErrorKind, Operation, Pair, ReadOptions, StorageExt};

use crate::check::{self, expect_kind, progress_counter};
use crate::harness::{Case, Ctx, Need};

const IN_PARTS: Need = Need::Pair(Operation::Read, Pair::Concurrency);

pub(super) fn cases() -> Vec<Case> {
    cases!("parts_read";
        whole_object [IN_PARTS],
        range_of_object [IN_PARTS],
        range_to_end [IN_PARTS],
        object_of_one_part [IN_PARTS],
        empty_object [IN_PARTS],
        start_past_end_is_unsatisfiable [IN_PARTS],
        missing_is_not_found [IN_PARTS],
        progress_totals_length [IN_PARTS],
        replaced_during_read_fails [IN_PARTS],
    )
}

/// Small parts, so that a 1 MiB object is read in many of them.
const PART: u64 = 64 * 1024;
const OBJECT: usize = 1024 * 1024 + 17;

fn in_parts(concurrency: usize) -> ReadOptions {
    ReadOptions::default()
        .with_part_size(PART)
        .with_concurrency(concurrency)
}

/// Writes the pattern object to `rel` and returns it.
async fn write_object(ctx: &Ctx, rel: &str, seed: u8) -> anyhow::Result<Bytes> {
    let data = check::pattern(OBJECT, seed);
    ctx.write(rel, data.clone()).await?;
    Ok(data)
}

/// Reads `rel` with `opts` and checks the reader's length, its metadata's size and the bytes.
async fn ensure_read(
    ctx: &Ctx,
    rel: &str,
    opts: ReadOptions,
    expected: &[u8],
    size: u64,
) -> anyhow::Result<()> {
    let reader = ctx.store.read_with(&ctx.path(rel), opts).await?;
    ensure_eq!(
        reader.content_length(),
        expected.len() as u64,
        "content length of a read in parts"
    );
    ensure_eq!(reader.metadata().size, size, "object size in its metadata");
    check::ensure_bytes(&reader.bytes().await?, expected, "read in parts")
}

async fn whole_object(ctx: &Ctx) -> anyhow::Result<()> {
    let data = write_object(ctx, "p", 31).await?;
    ensure_read(ctx, "p", in_parts(4), &data, data.len() as u64).await
}

async fn range_of_object(ctx: &Ctx) -> anyhow::Result<()> {
    let data = write_object(ctx, "p", 32).await?;
    // Starts and ends inside parts, and spans several.
    let (start, end) = (100_003usize, 900_001usize);
    let opts = in_parts(3).with_range(start as u64..end as u64);
    ensure_read(ctx, "p", opts, &data[start..end], data.len() as u64).await
}

async fn range_to_end(ctx: &Ctx) -> anyhow::Result<()> {
    let data = write_object(ctx, "p", 33).await?;
    let start = OBJECT - 3 * PART as usize - 5;
    let opts = in_parts(2).with_range(ByteRange::new(start as u64, None));
    ensure_read(ctx, "p", opts, &data[start..], data.len() as u64).await
}

async fn object_of_one_part(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("small", "0123456789").await?;
    ensure_read(ctx, "small", in_parts(4), b"0123456789", 10).await
}

async fn empty_object(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("empty", Bytes::new()).await?;
    ensure_read(ctx, "empty", in_parts(4), b"", 0).await
}

async fn start_past_end_is_unsatisfiable(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("small", "0123456789").await?;
    let opts = in_parts(2).with_range(ByteRange::new(11, None));
    let result = ctx.store.read_with(&ctx.path("small"), opts).await;
    expect_kind(result, ErrorKind::RangeNotSatisfiable)?;
    Ok(())
}

async fn missing_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    let result = ctx.store.read_with(&ctx.path("absent"), in_parts(2)).await;
    expect_kind(result, ErrorKind::NotFound)?;
    Ok(())
}

async fn progress_totals_length(ctx: &Ctx) -> anyhow::Result<()> {
    let data = write_object(ctx, "p", 34).await?;
    let (progress, seen) = progress_counter();
    let reader = ctx
        .store
        .read_with(&ctx.path("p"), in_parts(3).with_progress(progress))
        .await?;
    let read = reader.bytes().await?;
    ensure_eq!(read.len(), data.len(), "bytes read in parts");
    ensure_eq!(check::total(&seen), data.len() as u64, "progress total");
    Ok(())
}

async fn replaced_during_read_fails(ctx: &Ctx) -> anyhow::Result<()> {
    let original = write_object(ctx, "p", 35).await?;
    // The first part is asked for when the read opens; the others only as it is consumed.
    let reader = ctx.store.read_with(&ctx.path("p"), in_parts(2)).await?;
    let replacement = check::pattern(OBJECT, 36);
    ctx.write("p", replacement.clone()).await?;
    // A backend that reads in parts fails; one that takes the options as hints (local files,
    // memory) reads the version it opened. Never a mix of the two.
    match reader.bytes().await {
        Ok(read) => check::ensure_bytes(&read, &original, "a read that outlived a replace")?,
        Err(err) => {
            anyhow::ensure!(
                err.kind() == ErrorKind::ConditionNotMet && err.to_string().contains("changed"),
                "a read in parts of a replaced object should fail with ConditionNotMet, saying \
                 the object changed: {err}"
            );
        }
    }
    // The replacement is whole, and a new read sees it.
    let read = ctx.store.read_bytes(&ctx.path("p")).await?;
    check::ensure_bytes(&read, &replacement, "the replacement")
}

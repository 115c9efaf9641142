//! Streamed bodies: megabytes in many chunks, of known and unknown size, irregular chunks,
//! reading as a stream, dropping a read early, and writes split into parts.

use bytes::Bytes;
use futures_util::StreamExt;
use storage_types::{Body, Error, Operation, Pair, WriteOptions};

use crate::check::{self, chunked_body};
use crate::harness::{Case, Ctx, Need};

pub(super) fn cases() -> Vec<Case> {
    cases!("streaming";
        unknown_size_3_mib,
        known_size_3_mib,
        irregular_chunks,
        read_as_stream,
        drop_read_early_then_read_again,
        part_size_and_concurrency [
            Need::Pair(Operation::Write, Pair::PartSize),
            Need::Pair(Operation::Write, Pair::Concurrency),
        ],
        failure_after_parts_leaves_no_object_or_upload [Need::Pair(Operation::Write, Pair::PartSize)],
    )
}

const MIB: usize = 1024 * 1024;
const CHUNK: usize = 64 * 1024;

async fn unknown_size_3_mib(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(3 * MIB, 11);
    let body = chunked_body(data.clone(), CHUNK, None);
    let meta = ctx.store.write(&ctx.path("big"), body).await?;
    ensure_eq!(
        meta.size,
        data.len() as u64,
        "size returned for a 3 MiB stream"
    );
    ctx.ensure_content("big", &data).await
}

async fn known_size_3_mib(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(3 * MIB + 5, 12);
    let body = chunked_body(data.clone(), CHUNK, Some(data.len() as u64));
    ctx.store.write(&ctx.path("big"), body).await?;
    ctx.ensure_content("big", &data).await
}

// Writers that buffer into parts must cope with chunks that straddle part boundaries, empty
// chunks and one-byte chunks.
async fn irregular_chunks(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(MIB + 3 * CHUNK + 17, 13);
    let sizes = [1, 0, 7, CHUNK + 1, 0, 3 * CHUNK, 1, MIB];
    let mut chunks: Vec<Result<Bytes, Error>> = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        if at == data.len() {
            break;
        }
        let end = (at + size).min(data.len());
        chunks.push(Ok(data.slice(at..end)));
        at = end;
    }
    let body = Body::from_stream(futures_util::stream::iter(chunks), None);
    ctx.store.write(&ctx.path("odd"), body).await?;
    ctx.ensure_content("odd", &data).await
}

async fn read_as_stream(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(3 * MIB, 14);
    ctx.write("big", data.clone()).await?;
    let mut reader = ctx.store.read(&ctx.path("big")).await?;
    ensure_eq!(
        reader.content_length(),
        data.len() as u64,
        "content length of the read"
    );
    let mut collected = Vec::with_capacity(data.len());
    let mut chunks = 0;
    while let Some(chunk) = reader.next().await {
        collected.extend_from_slice(&chunk?);
        chunks += 1;
    }
    anyhow::ensure!(chunks > 0, "a 3 MiB read yielded no chunks");
    check::ensure_bytes(&collected, &data, "bytes streamed by a read")
}

// A reader dropped after its first chunk must release whatever it holds (a file handle, a
// connection, a lock) so that the object can be read and written again.
async fn drop_read_early_then_read_again(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(2 * MIB, 15);
    ctx.write("big", data.clone()).await?;
    let mut reader = ctx.store.read(&ctx.path("big")).await?;
    let first = reader.next().await;
    anyhow::ensure!(
        matches!(first, Some(Ok(_))),
        "the first chunk of the read: {first:?}"
    );
    drop(reader);
    ctx.ensure_content("big", &data).await?;
    let replacement = check::pattern(MIB, 16);
    ctx.write("big", replacement.clone()).await?;
    ctx.ensure_content("big", &replacement).await
}

async fn part_size_and_concurrency(ctx: &Ctx) -> anyhow::Result<()> {
    let part = ctx.part_size().max(MIB as u64);
    // At least 5 MiB, and always several parts.
    let len = (5 * MIB as u64).max(2 * part) + 17;
    let data = check::pattern(len as usize, 17);
    let opts = WriteOptions::default()
        .with_part_size(part)
        .with_concurrency(4usize);
    let body = chunked_body(data.clone(), CHUNK, None);
    let meta = ctx.store.write_with(&ctx.path("parts"), body, opts).await?;
    ensure_eq!(meta.size, len, "size returned for a write in parts");
    ctx.ensure_content("parts", &data).await?;
    ensure_eq!(
        ctx.stat("parts").await?.size,
        len,
        "size of an object written in parts"
    );
    Ok(())
}

// A write that fails after some of its parts went up must not leave a multipart upload (and
// its stored parts) behind, nor any object.
async fn failure_after_parts_leaves_no_object_or_upload(ctx: &Ctx) -> anyhow::Result<()> {
    let part_size = ctx.part_size();
    let data = crate::check::pattern(part_size as usize * 2 + 10, 29);
    let body = crate::check::failing_body(data, 128 * 1024, None);
    let opts = WriteOptions::default().with_part_size(part_size);
    crate::check::expect_error(ctx.store.write_with(&ctx.path("big"), body, opts).await)
        .map_err(|e| e.context("a write whose body fails after two parts"))?;
    ctx.ensure_absent("big").await?;
    let uploads = ctx.uploads_in_progress().await?;
    anyhow::ensure!(uploads.is_empty(), "uploads left in progress: {uploads:?}");
    Ok(())
}

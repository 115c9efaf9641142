//! Checksums given with a write: the right one stores the object, a wrong one is refused with
//! `IntegrityMismatch` and stores nothing, whether the write goes up in one request or in parts.

use bytes::Bytes;
use md5::{Digest, Md5};
use storage_types::{Checksum, ErrorKind, Operation, Pair, WriteOptions};

use crate::check::{self, expect_kind};
use crate::harness::{Case, Ctx, Need};

const CRC32C: Need = Need::Pair(Operation::Write, Pair::Crc32c);
const MD5: Need = Need::Pair(Operation::Write, Pair::ContentMd5);
const PARTS: Need = Need::Pair(Operation::Write, Pair::PartSize);

pub(super) fn cases() -> Vec<Case> {
    cases!("integrity";
        right_crc32c_stores [CRC32C],
        wrong_crc32c_is_refused [CRC32C],
        right_md5_stores [MD5],
        wrong_md5_is_refused [MD5],
        right_crc32c_in_parts_stores [CRC32C, PARTS],
        wrong_crc32c_in_parts_is_refused [CRC32C, PARTS],
        wrong_md5_in_parts_is_refused [MD5, PARTS],
    )
}

fn md5_of(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

async fn write_checked(
    ctx: &Ctx,
    data: Bytes,
    checksum: Checksum,
    in_parts: bool,
) -> storage_types::Result<storage_types::Metadata> {
    let mut opts = WriteOptions::default().with_checksum(checksum);
    let body = if in_parts {
        opts = opts.with_part_size(ctx.part_size());
        check::chunked_body(data, 256 * 1024, None)
    } else {
        data.into()
    };
    ctx.store.write_with(&ctx.path("sum"), body, opts).await
}

async fn refused(ctx: &Ctx, data: Bytes, checksum: Checksum, in_parts: bool) -> anyhow::Result<()> {
    ctx.write("sum", "previous").await?;
    let result = write_checked(ctx, data, checksum, in_parts).await;
    expect_kind(result, ErrorKind::IntegrityMismatch)?;
    // The previous object stays; nothing of the refused body is stored.
    ctx.ensure_content("sum", b"previous").await?;
    let uploads = ctx.uploads_in_progress().await?;
    anyhow::ensure!(uploads.is_empty(), "uploads left in progress: {uploads:?}");
    Ok(())
}

async fn right_crc32c_stores(ctx: &Ctx) -> anyhow::Result<()> {
    let data = Bytes::from_static(b"checked content");
    write_checked(
        ctx,
        data.clone(),
        Checksum::Crc32c(crc32c::crc32c(&data)),
        false,
    )
    .await?;
    ctx.ensure_content("sum", &data).await
}

async fn wrong_crc32c_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let data = Bytes::from_static(b"checked content");
    refused(
        ctx,
        data.clone(),
        Checksum::Crc32c(crc32c::crc32c(&data) ^ 1),
        false,
    )
    .await
}

async fn right_md5_stores(ctx: &Ctx) -> anyhow::Result<()> {
    let data = Bytes::from_static(b"checked content");
    write_checked(ctx, data.clone(), Checksum::Md5(md5_of(&data)), false).await?;
    ctx.ensure_content("sum", &data).await
}

async fn wrong_md5_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let data = Bytes::from_static(b"checked content");
    let mut digest = md5_of(&data);
    digest[0] ^= 1;
    refused(ctx, data, Checksum::Md5(digest), false).await
}

async fn right_crc32c_in_parts_stores(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(ctx.part_size() as usize * 2 + 77, 41);
    write_checked(
        ctx,
        data.clone(),
        Checksum::Crc32c(crc32c::crc32c(&data)),
        true,
    )
    .await?;
    ctx.ensure_content("sum", &data).await
}

async fn wrong_crc32c_in_parts_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(ctx.part_size() as usize * 2 + 77, 42);
    refused(
        ctx,
        data.clone(),
        Checksum::Crc32c(crc32c::crc32c(&data) ^ 1),
        true,
    )
    .await
}

async fn wrong_md5_in_parts_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(ctx.part_size() as usize * 2 + 77, 43);
    let mut digest = md5_of(&data);
    digest[15] ^= 1;
    refused(ctx, data, Checksum::Md5(digest), true).await
}

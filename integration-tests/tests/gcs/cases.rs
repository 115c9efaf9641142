//! Cases only the GCS backend has: multipart staging objects are gone after completion and
//! abort (looked up with the SDK, since listings hide them), compositions cascade past 32
//! parts, copies span several rewrite calls, and objects built by composition (parallel
//! writes, multipart uploads, appends) keep the storage class asked for, which GCS allows only
//! when every source is in one class.

use std::future::Future;
use std::pin::Pin;

use anyhow::Context as _;
use bytes::Bytes;
use storage_conformance::{Case, Ctx, Need, check};
use storage_gcs::GcsStorage;
use storage_types::{
    Checksum, CustomerKey, Encryption, ErrorKind, Feature, MultipartUpload, Part, ReadOptions,
    StatOptions, StorageExt, WriteOptions,
};

type CaseFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

const MULTIPART: &[Need] = &[Need::Feature(Feature::Multipart)];
const COPY: &[Need] = &[Need::Feature(Feature::Copy)];
const APPEND: &[Need] = &[Need::Feature(Feature::Append)];

/// A class other than the bucket's default (STANDARD on the test server).
const CLASS: &str = "NEARLINE";

pub(crate) fn cases() -> Vec<Case> {
    fn boxed<'a>(f: impl Future<Output = anyhow::Result<()>> + Send + 'a) -> CaseFuture<'a> {
        Box::pin(f)
    }
    vec![
        Case::new(
            "gcs::completed_upload_leaves_no_staging",
            MULTIPART,
            |ctx| boxed(completed_upload_leaves_no_staging(ctx)),
        ),
        Case::new("gcs::aborted_upload_leaves_no_staging", MULTIPART, |ctx| {
            boxed(aborted_upload_leaves_no_staging(ctx))
        }),
        Case::new("gcs::compose_cascades_past_32_parts", MULTIPART, |ctx| {
            boxed(compose_cascades_past_32_parts(ctx))
        }),
        Case::new("gcs::copy_over_several_rewrite_calls", COPY, |ctx| {
            boxed(copy_over_several_rewrite_calls(ctx))
        }),
        Case::new("gcs::parallel_write_in_a_storage_class", &[], |ctx| {
            boxed(parallel_write_in_a_storage_class(ctx))
        }),
        Case::new(
            "gcs::multipart_upload_in_a_storage_class",
            MULTIPART,
            |ctx| boxed(multipart_upload_in_a_storage_class(ctx)),
        ),
        Case::new("gcs::append_keeps_the_storage_class", APPEND, |ctx| {
            boxed(append_keeps_the_storage_class(ctx))
        }),
        Case::new("gcs::large_write_keeps_headers_and_key", &[], |ctx| {
            boxed(large_write_keeps_headers_and_key(ctx))
        }),
        Case::new("gcs::large_write_keeps_its_conditions", &[], |ctx| {
            boxed(large_write_keeps_its_conditions(ctx))
        }),
        Case::new("gcs::large_write_in_memory_goes_up_in_chunks", &[], |ctx| {
            boxed(large_write_in_memory_goes_up_in_chunks(ctx))
        }),
        Case::new(
            "gcs::long_body_at_a_chunk_boundary_stores_nothing",
            &[],
            |ctx| boxed(long_body_at_a_chunk_boundary_stores_nothing(ctx)),
        ),
    ]
}

fn gcs(ctx: &Ctx) -> anyhow::Result<&GcsStorage> {
    ctx.store
        .as_any()
        .downcast_ref::<GcsStorage>()
        .context("the store is not a GcsStorage")
}

/// The names of an upload's staging objects, read with the SDK's control client (the store's
/// root is the bucket's, so staging sits at `.stor-multipart/<id>/`).
async fn staged(ctx: &Ctx, upload: &MultipartUpload) -> anyhow::Result<Vec<String>> {
    let store = gcs(ctx)?;
    let page = store
        .control()
        .list_objects()
        .set_parent(format!("projects/_/buckets/{}", ctx.store.info().name))
        .set_prefix(format!(".stor-multipart/{}/", upload.upload_id))
        .send()
        .await
        .context("listing the staging objects with the SDK")?;
    Ok(page.objects.into_iter().map(|o| o.name).collect())
}

async fn upload_parts(
    ctx: &Ctx,
    rel: &str,
    parts: &[Bytes],
) -> anyhow::Result<(MultipartUpload, Vec<Part>)> {
    let upload = ctx.store.create_multipart(&ctx.path(rel)).await?;
    let mut uploaded = Vec::new();
    for (number, data) in (1u32..).zip(parts) {
        let part = ctx
            .store
            .upload_part(&upload, number, data.clone().into())
            .await?;
        uploaded.push(part);
    }
    Ok((upload, uploaded))
}

fn three_parts() -> Vec<Bytes> {
    (0..3u8)
        .map(|n| check::pattern(1000 + usize::from(n), n))
        .collect()
}

async fn completed_upload_leaves_no_staging(ctx: &Ctx) -> anyhow::Result<()> {
    let (upload, parts) = upload_parts(ctx, "m", &three_parts()).await?;
    // The manifest and three parts: the lookup does see staging objects.
    ensure_count(
        &staged(ctx, &upload).await?,
        4,
        "staging objects before completion",
    )?;
    ctx.store.complete_multipart(&upload, &parts).await?;
    ensure_count(
        &staged(ctx, &upload).await?,
        0,
        "staging objects after completion",
    )?;
    let expected: Vec<u8> = three_parts().concat();
    ctx.ensure_content("m", &expected).await
}

async fn aborted_upload_leaves_no_staging(ctx: &Ctx) -> anyhow::Result<()> {
    let (upload, _) = upload_parts(ctx, "m", &three_parts()).await?;
    ensure_count(
        &staged(ctx, &upload).await?,
        4,
        "staging objects before the abort",
    )?;
    ctx.store.abort_multipart(&upload).await?;
    ensure_count(
        &staged(ctx, &upload).await?,
        0,
        "staging objects after the abort",
    )?;
    ctx.ensure_absent("m").await
}

async fn compose_cascades_past_32_parts(ctx: &Ctx) -> anyhow::Result<()> {
    let parts: Vec<Bytes> = (0..40u8).map(|n| check::pattern(100, n)).collect();
    let (upload, uploaded) = upload_parts(ctx, "m", &parts).await?;
    ctx.store.complete_multipart(&upload, &uploaded).await?;
    ensure_count(
        &staged(ctx, &upload).await?,
        0,
        "staging objects after a cascade",
    )?;
    ctx.ensure_content("m", &parts.concat()).await
}

// The test server rewrites at most 1 MiB per call, so this copy takes four.
async fn copy_over_several_rewrite_calls(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern((3 << 20) + 5, 9);
    ctx.write("src", data.clone()).await?;
    ctx.store.copy(&ctx.path("src"), &ctx.path("dst")).await?;
    ctx.ensure_content("dst", &data).await
}

// A resumable upload of a declared size ends when that many bytes went up; bytes past it, in a
// chunk of their own, must fail the write rather than be dropped.
async fn long_body_at_a_chunk_boundary_stores_nothing(ctx: &Ctx) -> anyhow::Result<()> {
    const MIB: usize = 1 << 20;
    let declared = 17 * MIB;
    let body = check::chunked_body(check::pattern(declared + 10, 3), MIB, Some(declared as u64));
    let opts = WriteOptions::default().with_part_size(MIB as u64);
    let write = ctx.store.write_with(&ctx.path("long"), body, opts).await;
    check::expect_kind(write, ErrorKind::IntegrityMismatch)?;
    ctx.ensure_absent("long").await
}

/// Past the default single-upload limit (16 MiB), with an odd tail: a resumable upload of
/// 1 MiB chunks, which rs-storage sends itself (not the SDK).
const LARGE: usize = (17 << 20) + 12_345;
const CHUNK: u64 = 1 << 20;

fn large_streamed(seed: u8) -> (Bytes, storage_types::Body) {
    let data = check::pattern(LARGE, seed);
    let body = check::chunked_body(data.clone(), 1 << 20, None);
    (data, body)
}

fn customer_key() -> Encryption {
    Encryption::CustomerKey(CustomerKey::new(storage_conformance::customer_key(5)))
}

// The resumable upload's session carries the object's headers, user metadata and customer key.
async fn large_write_keeps_headers_and_key(ctx: &Ctx) -> anyhow::Result<()> {
    let (data, body) = large_streamed(41);
    let opts = WriteOptions::default()
        .with_part_size(CHUNK)
        .with_content_type("text/x-large")
        .with_cache_control("no-store")
        .with_user_metadata("origin", "streamed")
        .with_encryption(customer_key());
    ctx.store.write_with(&ctx.path("large"), body, opts).await?;
    let keyed = StatOptions::default().with_encryption(customer_key());
    let meta = ctx.store.stat_with(&ctx.path("large"), keyed).await?;
    anyhow::ensure!(
        meta.size == LARGE as u64,
        "size {} after the write",
        meta.size
    );
    anyhow::ensure!(
        meta.content_type.as_deref() == Some("text/x-large")
            && meta.cache_control.as_deref() == Some("no-store")
            && meta.user_metadata.get("origin").map(String::as_str) == Some("streamed"),
        "the headers of a large write were not kept: {meta:?}"
    );
    check::expect_kind(
        ctx.store.read_bytes(&ctx.path("large")).await,
        ErrorKind::InvalidInput,
    )
    .context("reading a large customer-key object without the key")?;
    let read = ReadOptions::default().with_encryption(customer_key());
    let bytes = ctx
        .store
        .read_with(&ctx.path("large"), read)
        .await?
        .bytes()
        .await?;
    check::ensure_bytes(&bytes, &data, "content of a large customer-key write")
}

// A large write honours `if_none_match: *` and a checksum given with it, and a refused one
// leaves what was there.
async fn large_write_keeps_its_conditions(ctx: &Ctx) -> anyhow::Result<()> {
    let (data, body) = large_streamed(42);
    let opts = WriteOptions::default().with_part_size(CHUNK);
    ctx.store
        .write_with(&ctx.path("kept"), body, opts.clone())
        .await?;
    let (_, again) = large_streamed(43);
    let create_only = opts.clone().with_if_none_match("*");
    let write = ctx
        .store
        .write_with(&ctx.path("kept"), again, create_only)
        .await;
    check::expect_kind(write, ErrorKind::ConditionNotMet)?;
    ctx.ensure_content("kept", &data).await?;
    let (_, wrong) = large_streamed(44);
    let checked = opts.with_checksum(Checksum::Crc32c(0x1234_5678));
    let write = ctx
        .store
        .write_with(&ctx.path("checked"), wrong, checked)
        .await;
    check::expect_kind(write, ErrorKind::IntegrityMismatch)?;
    ctx.ensure_absent("checked").await
}

// A body held in memory past the single-upload limit takes the same chunked path.
async fn large_write_in_memory_goes_up_in_chunks(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(LARGE, 45);
    let opts = WriteOptions::default().with_part_size(CHUNK);
    ctx.store
        .write_with(&ctx.path("memory"), data.clone().into(), opts)
        .await?;
    ctx.ensure_content("memory", &data).await
}

async fn ensure_class(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    let class = ctx.stat(rel).await?.storage_class;
    anyhow::ensure!(
        class.as_deref() == Some(CLASS),
        "storage class of {rel}: expected {CLASS}, found {class:?}"
    );
    Ok(())
}

// Parallel parts are composed into the target: they are staged in its class.
async fn parallel_write_in_a_storage_class(ctx: &Ctx) -> anyhow::Result<()> {
    const QUANTUM: usize = 256 * 1024;
    let data = check::pattern(3 * QUANTUM + 10, 5);
    let body = check::chunked_body(data.clone(), 64 * 1024, Some(data.len() as u64));
    let opts = WriteOptions::default()
        .with_storage_class(CLASS)
        .with_concurrency(2)
        .with_part_size(QUANTUM as u64);
    ctx.store.write_with(&ctx.path("p"), body, opts).await?;
    ensure_class(ctx, "p").await?;
    ctx.ensure_content("p", &data).await
}

async fn multipart_upload_in_a_storage_class(ctx: &Ctx) -> anyhow::Result<()> {
    let path = ctx.path("m");
    let opts = WriteOptions::default().with_storage_class(CLASS);
    let upload = ctx.store.create_multipart_with(&path, opts).await?;
    let mut parts = Vec::new();
    for (number, data) in (1u32..).zip(three_parts()) {
        parts.push(ctx.store.upload_part(&upload, number, data.into()).await?);
    }
    ctx.store.complete_multipart(&upload, &parts).await?;
    ensure_class(ctx, "m").await?;
    ctx.ensure_content("m", &three_parts().concat()).await
}

// An append composes the object with a temporary one: the server refuses the compose unless
// the temporary object is in the object's class.
async fn append_keeps_the_storage_class(ctx: &Ctx) -> anyhow::Result<()> {
    let path = ctx.path("a");
    let opts = WriteOptions::default().with_storage_class(CLASS);
    ctx.store.create_append_with(&path, opts).await?;
    let mut offset = 0;
    for piece in three_parts() {
        offset = ctx.store.append(&path, offset, piece.into()).await?;
    }
    ctx.store.commit_append(&path).await?;
    ensure_class(ctx, "a").await?;
    ctx.ensure_content("a", &three_parts().concat()).await
}

fn ensure_count(names: &[String], expected: usize, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        names.len() == expected,
        "{what}: expected {expected}, found {names:?}"
    );
    Ok(())
}

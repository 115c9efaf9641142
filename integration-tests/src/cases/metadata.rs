//! Stored metadata: content type, encoding, cache control, disposition and user metadata set
//! on write come back from `stat` and with every `read`.

use storage_types::{Metadata, Operation, Pair, WriteOptions};

use crate::harness::{Case, Ctx, Need};

pub(super) fn cases() -> Vec<Case> {
    cases!("metadata";
        content_type [Need::Pair(Operation::Write, Pair::ContentType)],
        content_encoding [Need::Pair(Operation::Write, Pair::ContentEncoding)],
        cache_control [Need::Pair(Operation::Write, Pair::CacheControl)],
        cache_control_from_read [Need::Pair(Operation::Write, Pair::CacheControl)],
        content_disposition [Need::Pair(Operation::Write, Pair::ContentDisposition)],
        user_metadata [Need::Pair(Operation::Write, Pair::UserMetadata)],
        replaced_with_the_object [Need::Pair(Operation::Write, Pair::ContentType)],
    )
}

/// Writes `a` with `opts` and checks `what` of the metadata that stat and read report.
async fn round_trip(
    ctx: &Ctx,
    opts: WriteOptions,
    check: impl Fn(&Metadata) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    ctx.store
        .write_with(&ctx.path("a"), "content".into(), opts)
        .await?;
    check(&ctx.stat("a").await?).map_err(|e| e.context("metadata from stat"))?;
    from_read(ctx, check).await
}

/// Checks `what` of the metadata a read of `a` reports, and its content.
async fn from_read(
    ctx: &Ctx,
    check: impl Fn(&Metadata) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let reader = ctx.store.read(&ctx.path("a")).await?;
    check(reader.metadata()).map_err(|e| e.context("metadata from read"))?;
    crate::check::ensure_bytes(&reader.bytes().await?, b"content", "content")
}

async fn content_type(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_content_type("text/csv; charset=utf-8");
    round_trip(ctx, opts, |m| {
        ensure_eq!(
            m.content_type.as_deref(),
            Some("text/csv; charset=utf-8"),
            "content type"
        );
        Ok(())
    })
    .await
}

async fn content_encoding(ctx: &Ctx) -> anyhow::Result<()> {
    // `identity`, not `gzip`: some services decode a gzip body they are asked to serve.
    let opts = WriteOptions::default().with_content_encoding("identity");
    round_trip(ctx, opts, |m| {
        ensure_eq!(
            m.content_encoding.as_deref(),
            Some("identity"),
            "content encoding"
        );
        Ok(())
    })
    .await
}

fn check_cache_control(m: &Metadata) -> anyhow::Result<()> {
    ensure_eq!(
        m.cache_control.as_deref(),
        Some("max-age=3600, public"),
        "cache control"
    );
    Ok(())
}

async fn write_cache_control(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_cache_control("max-age=3600, public");
    ctx.store
        .write_with(&ctx.path("a"), "content".into(), opts)
        .await?;
    Ok(())
}

// Cache control from stat and from read are separate cases: one SDK (GCS's) reports only some
// headers of a download.
async fn cache_control(ctx: &Ctx) -> anyhow::Result<()> {
    write_cache_control(ctx).await?;
    check_cache_control(&ctx.stat("a").await?).map_err(|e| e.context("metadata from stat"))
}

async fn cache_control_from_read(ctx: &Ctx) -> anyhow::Result<()> {
    write_cache_control(ctx).await?;
    from_read(ctx, check_cache_control).await
}

async fn content_disposition(ctx: &Ctx) -> anyhow::Result<()> {
    let value = "attachment; filename=\"report.csv\"";
    let opts = WriteOptions::default().with_content_disposition(value);
    round_trip(ctx, opts, |m| {
        ensure_eq!(
            m.content_disposition.as_deref(),
            Some(value),
            "content disposition"
        );
        Ok(())
    })
    .await
}

// Lower-case keys: every service keeps those as they are (some lower-case the others).
async fn user_metadata(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default()
        .with_user_metadata("owner", "conformance")
        // Names every service takes: lower-case letters and digits. Azure wants C# identifiers
        // (no `-`), S3 lower-cases, and some HTTP stacks drop header names with `_`.
        .with_user_metadata("runid", ctx.run_id());
    let run_id = ctx.run_id().to_owned();
    round_trip(ctx, opts, move |m| {
        ensure_eq!(
            m.user_metadata.get("owner").map(String::as_str),
            Some("conformance"),
            "owner"
        );
        ensure_eq!(m.user_metadata.get("runid"), Some(&run_id), "runid");
        ensure_eq!(m.user_metadata.len(), 2, "number of user metadata entries");
        Ok(())
    })
    .await
}

// Metadata belongs to the object version written with it: a new write replaces it too.
async fn replaced_with_the_object(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_content_type("text/plain");
    ctx.store
        .write_with(&ctx.path("a"), "one".into(), opts)
        .await?;
    let opts = WriteOptions::default().with_content_type("application/json");
    ctx.store
        .write_with(&ctx.path("a"), "{}".into(), opts)
        .await?;
    let meta = ctx.stat("a").await?;
    ensure_eq!(
        meta.content_type.as_deref(),
        Some("application/json"),
        "content type after replace"
    );
    Ok(())
}

//! Options a backend does not declare are refused, naming them, before anything happens
//! (go-storage's "pair unsupported"); so is a service-only option of another service.

use storage_types::{
    Checksum, CopyOptions, CustomerKey, Encryption, ErrorKind, Extension, Feature, ListOptions,
    Operation, Pair, PartOptions, ReadOptions, StatOptions, StorageExt, WriteOptions,
};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

pub(super) fn cases() -> Vec<Case> {
    cases!("options";
        write_refuses_undeclared,
        read_refuses_undeclared,
        stat_refuses_undeclared,
        list_refuses_undeclared,
        create_multipart_refuses_undeclared [Need::Feature(Feature::Multipart)],
        upload_part_refuses_undeclared [Need::Feature(Feature::Multipart)],
        copy_refuses_undeclared [Need::Feature(Feature::Copy)],
        foreign_extension_on_write,
        foreign_extension_on_read_stat_list,
    )
}

/// The encryption mode whose pair is `pair`.
fn encryption(pair: Pair) -> Option<Encryption> {
    match pair {
        Pair::EncryptionServiceManaged => Some(Encryption::ServiceManaged),
        Pair::EncryptionKms => Some(Encryption::kms("k")),
        Pair::EncryptionCustomerKey => Some(Encryption::CustomerKey(CustomerKey::new(
            crate::secrets::customer_key(7),
        ))),
        _ => None,
    }
}

/// The checksum whose pair is `pair` (its value does not matter: it is refused first).
fn checksum(pair: Pair) -> Option<Checksum> {
    match pair {
        Pair::ContentMd5 => Some(Checksum::Md5([0; 16])),
        Pair::Crc32c => Some(Checksum::Crc32c(0)),
        _ => None,
    }
}

/// Write options setting `pair`, if write options can express it.
fn write_options(ctx: &Ctx, pair: Pair) -> Option<WriteOptions> {
    let opts = WriteOptions::default();
    Some(match pair {
        Pair::IfMatch => opts.with_if_match("\"x\""),
        Pair::IfNoneMatch => opts.create_only(),
        Pair::ContentType => opts.with_content_type("text/plain"),
        Pair::ContentEncoding => opts.with_content_encoding("identity"),
        Pair::CacheControl => opts.with_cache_control("no-cache"),
        Pair::ContentDisposition => opts.with_content_disposition("inline"),
        Pair::UserMetadata => opts.with_user_metadata("k", "v"),
        Pair::StorageClass => opts.with_storage_class("STANDARD"),
        Pair::PartSize => opts.with_part_size(ctx.part_size()),
        Pair::Concurrency => opts.with_concurrency(2usize),
        other => {
            if let Some(enc) = encryption(other) {
                opts.with_encryption(enc)
            } else {
                opts.with_checksum(checksum(other)?)
            }
        }
    })
}

fn read_options(pair: Pair) -> Option<ReadOptions> {
    let opts = ReadOptions::default();
    Some(match pair {
        Pair::Range => opts.with_range(0..1),
        Pair::IfMatch => opts.with_if_match("*"),
        Pair::IfNoneMatch => opts.with_if_none_match("\"x\""),
        Pair::Version => opts.with_version("1"),
        Pair::PartSize => opts.with_part_size(1024),
        Pair::Concurrency => opts.with_concurrency(2usize),
        other => opts.with_encryption(encryption(other)?),
    })
}

fn stat_options(pair: Pair) -> Option<StatOptions> {
    let opts = StatOptions::default();
    Some(match pair {
        Pair::IfMatch => opts.with_if_match("*"),
        Pair::IfNoneMatch => opts.with_if_none_match("\"x\""),
        Pair::Version => opts.with_version("1"),
        other => opts.with_encryption(encryption(other)?),
    })
}

/// The pairs `operation` does not declare, with the options `build` makes for each (pairs the
/// options cannot express are skipped, as is progress, which every backend gets for free).
fn undeclared<O>(
    ctx: &Ctx,
    operation: Operation,
    build: impl Fn(Pair) -> Option<O>,
) -> Vec<(Pair, O)> {
    Pair::ALL
        .into_iter()
        .filter(|p| *p != Pair::Progress && !ctx.capability().supports_pair(operation, *p))
        .filter_map(|p| build(p).map(|opts| (p, opts)))
        .collect()
}

/// Fails unless `result` is `Unsupported` and its message names `pair`.
fn refused<T>(
    result: storage_types::Result<T>,
    pair: Pair,
    operation: Operation,
) -> anyhow::Result<()> {
    let err = expect_kind(result, ErrorKind::Unsupported)
        .map_err(|e| e.context(format!("{operation} with the undeclared option `{pair}`")))?;
    anyhow::ensure!(
        err.to_string().contains(pair.as_str()),
        "the refusal of `{pair}` for {operation} does not name it: {err}"
    );
    Ok(())
}

async fn write_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    for (i, (pair, opts)) in undeclared(ctx, Operation::Write, |p| write_options(ctx, p))
        .into_iter()
        .enumerate()
    {
        let rel = format!("w{i}");
        refused(
            ctx.store
                .write_with(&ctx.path(&rel), "x".into(), opts)
                .await,
            pair,
            Operation::Write,
        )?;
        ctx.ensure_absent(&rel).await?;
    }
    Ok(())
}

async fn read_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    for (pair, opts) in undeclared(ctx, Operation::Read, read_options) {
        refused(
            ctx.store.read_with(&ctx.path("a"), opts).await,
            pair,
            Operation::Read,
        )?;
    }
    Ok(())
}

async fn stat_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "content").await?;
    for (pair, opts) in undeclared(ctx, Operation::Stat, stat_options) {
        refused(
            ctx.store.stat_with(&ctx.path("a"), opts).await,
            pair,
            Operation::Stat,
        )?;
    }
    Ok(())
}

async fn list_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    let build = |pair| match pair {
        Pair::PageSize => Some(ListOptions::default().with_page_size(10u32)),
        Pair::StartAfter => Some(ListOptions::default().with_start_after(ctx.path("a"))),
        Pair::NamePrefix => Some(ListOptions::default().with_name_prefix("a")),
        _ => None,
    };
    for (pair, opts) in undeclared(ctx, Operation::List, build) {
        refused(
            ctx.store.list_with(ctx.base(), opts).await,
            pair,
            Operation::List,
        )?;
    }
    Ok(())
}

async fn create_multipart_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    for (pair, opts) in undeclared(ctx, Operation::CreateMultipart, |p| write_options(ctx, p)) {
        let created = ctx.store.create_multipart_with(&ctx.path("m"), opts).await;
        if let Ok(upload) = &created {
            // Not left behind to cost storage; the failure is reported below.
            let _ = ctx.store.abort_multipart(upload).await;
        }
        refused(created, pair, Operation::CreateMultipart)?;
    }
    let uploads = ctx.uploads_in_progress().await?;
    anyhow::ensure!(
        uploads.is_empty(),
        "refused uploads were started: {uploads:?}"
    );
    Ok(())
}

async fn upload_part_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    let upload = ctx.store.create_multipart(&ctx.path("m")).await?;
    let build = |pair| {
        let opts = PartOptions::default();
        match (encryption(pair), checksum(pair)) {
            (Some(enc), _) => Some(opts.with_encryption(enc)),
            (None, Some(sum)) => Some(opts.with_checksum(sum)),
            (None, None) => None,
        }
    };
    let mut outcome = Ok(());
    for (pair, opts) in undeclared(ctx, Operation::UploadPart, build) {
        let part = ctx
            .store
            .upload_part_with(&upload, 1, "x".into(), opts)
            .await;
        outcome = outcome.and_then(|()| refused(part, pair, Operation::UploadPart));
    }
    ctx.store.abort_multipart(&upload).await?;
    outcome
}

async fn copy_refuses_undeclared(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("src", "content").await?;
    let build = |pair| match pair {
        Pair::IfNoneMatch => Some(CopyOptions::default().with_if_none_match("*")),
        other => encryption(other).map(|enc| CopyOptions::default().with_encryption(enc)),
    };
    for (pair, opts) in undeclared(ctx, Operation::Copy, build) {
        let copy = ctx
            .store
            .copy_with(&ctx.path("src"), &ctx.path("dst"), opts)
            .await;
        refused(copy, pair, Operation::Copy)?;
        ctx.ensure_absent("dst").await?;
    }
    Ok(())
}

/// An option of a service that no backend is.
#[derive(Debug)]
struct ForeignOption;

impl Extension for ForeignOption {
    fn service(&self) -> &'static str {
        "conformance-foreign-service"
    }
}

async fn foreign_extension_on_write(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_extension(ForeignOption);
    let write = ctx.store.write_with(&ctx.path("a"), "x".into(), opts).await;
    let err = expect_kind(write, ErrorKind::Unsupported)?;
    anyhow::ensure!(
        err.to_string().contains("conformance-foreign-service"),
        "the refusal does not name the option's service: {err}"
    );
    ctx.ensure_absent("a").await
}

async fn foreign_extension_on_read_stat_list(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("a", "x").await?;
    let path = ctx.path("a");
    let read = ctx
        .store
        .read_with(&path, ReadOptions::default().with_extension(ForeignOption))
        .await;
    expect_kind(read, ErrorKind::Unsupported)?;
    let stat = ctx
        .store
        .stat_with(&path, StatOptions::default().with_extension(ForeignOption))
        .await;
    expect_kind(stat, ErrorKind::Unsupported)?;
    let opts = ListOptions::default().with_extension(ForeignOption);
    expect_kind(
        ctx.store.list_with(ctx.base(), opts).await,
        ErrorKind::Unsupported,
    )?;
    // The object itself is untouched.
    crate::check::ensure_bytes(&ctx.store.read_bytes(&path).await?, b"x", "content of a")
}

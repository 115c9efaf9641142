//! Parallel composite uploads, for writes that ask for `concurrency` above 1: the body is cut
//! into parts as it arrives, up to `concurrency` parts go up at once as staged objects
//! (`.stor-multipart/<token>/part-NNNNN`), and the parts are composed into the target, which
//! appears only then. Memory stays near part size x (concurrency + 1). Whatever happens, the
//! staged objects are removed. A composite object has a CRC32C but no MD5.

use std::collections::HashMap;

use bytes::Bytes;
use google_cloud_storage::model::Object;
use storage_types::backend::PartReader;
use storage_types::{Body, Error, Metadata, Result, WriteOptions};
use tokio::task::JoinSet;

use crate::GcsStorage;
use crate::compose::{compose, source};
use crate::conditions::Generations;
use crate::encryption::GcsEncryption;
use crate::multipart::{MAX_PARTS, STAGING, part_name, remove_staging};
use crate::object::metadata;

/// One composite upload's settings.
pub(crate) struct Upload<'a> {
    pub(crate) name: &'a str,
    pub(crate) part_size: u64,
    pub(crate) concurrency: usize,
    pub(crate) opts: &'a WriteOptions,
    pub(crate) conditions: Generations,
    pub(crate) encryption: &'a GcsEncryption,
}

/// Uploads `first` and the rest of `parts`, then composes them into the target.
pub(crate) async fn write(
    s: &GcsStorage,
    upload: Upload<'_>,
    first: Bytes,
    parts: PartReader,
) -> Result<Metadata> {
    let dir = format!(
        "{}{STAGING}{}/",
        s.inner.root,
        storage_types::backend::unique_token()
    );
    let outcome = upload_and_compose(s, &upload, &dir, first, parts).await;
    remove_staging(s, &dir).await;
    outcome.map(|object| metadata(&object))
}

async fn upload_and_compose(
    s: &GcsStorage,
    upload: &Upload<'_>,
    dir: &str,
    first: Bytes,
    parts: PartReader,
) -> Result<Object> {
    let mut tasks = JoinSet::new();
    let uploaded = upload_all(s, upload, dir, first, parts, &mut tasks).await;
    // A part still in flight after a failure must finish (or stop) before the staging objects
    // are removed, or it would land after the clean-up.
    tasks.shutdown().await;
    let (count, generations) = uploaded?;
    let sources = (1..=count)
        .map(|n| {
            let generation = generations.get(&n).copied().unwrap_or_default();
            source(&part_name(dir, n), generation)
        })
        .collect();
    let destination = destination(s, upload.name, upload.opts);
    let (object, _) = compose(
        s,
        sources,
        destination,
        upload.conditions,
        upload.encryption,
        &format!("{dir}compose"),
    )
    .await?;
    Ok(object)
}

type PartTasks = JoinSet<Result<(u32, i64)>>;

/// Uploads every part, at most `concurrency` at once; returns how many there were and the
/// generation of each.
async fn upload_all(
    s: &GcsStorage,
    upload: &Upload<'_>,
    dir: &str,
    first: Bytes,
    mut parts: PartReader,
    tasks: &mut PartTasks,
) -> Result<(u32, HashMap<u32, i64>)> {
    let mut generations = HashMap::new();
    let (mut part, mut end, mut number) = (first, false, 1u32);
    loop {
        while tasks.len() >= upload.concurrency {
            let (n, generation) = joined(tasks.join_next().await)?;
            generations.insert(n, generation);
        }
        tasks.spawn(upload_part(s.clone(), dir.to_owned(), number, part, upload));
        if end {
            break;
        }
        if number == MAX_PARTS {
            return Err(Error::invalid_input(format!(
                "the body needs more than {MAX_PARTS} parts of {} bytes; set a larger part_size",
                upload.part_size
            )));
        }
        (part, end) = parts.next_part(upload.part_size).await?;
        if part.is_empty() && end {
            break;
        }
        number += 1;
    }
    while let Some(result) = tasks.join_next().await {
        let (n, generation) = joined(Some(result))?;
        generations.insert(n, generation);
    }
    Ok((number, generations))
}

/// Uploads one part (a `'static` future, so that it can be spawned); returns its number and
/// generation.
fn upload_part(
    s: GcsStorage,
    dir: String,
    number: u32,
    data: Bytes,
    upload: &Upload<'_>,
) -> impl Future<Output = Result<(u32, i64)>> + Send + 'static {
    let mut opts = WriteOptions::default();
    opts.encryption = upload.opts.encryption.clone();
    opts.storage_class = Some(crate::multipart::STAGING_CLASS.to_owned());
    async move {
        let name = part_name(&dir, number);
        let meta = crate::writer::write(&s, &name, Body::from_bytes(data), opts).await?;
        let generation = meta
            .etag
            .as_deref()
            .and_then(crate::conditions::generation_of)
            .unwrap_or_default();
        Ok((number, generation))
    }
}

fn joined(
    result: Option<std::result::Result<Result<(u32, i64)>, tokio::task::JoinError>>,
) -> Result<(u32, i64)> {
    match result {
        Some(Ok(outcome)) => outcome,
        Some(Err(join)) => Err(Error::unexpected("a part upload task failed").with_source(join)),
        None => Err(Error::unexpected("no part upload was running")),
    }
}

/// The target resource, with the write's headers.
fn destination(s: &GcsStorage, name: &str, opts: &WriteOptions) -> Object {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Object::new()
        .set_name(name)
        .set_bucket(s.bucket_path())
        .set_content_type(text(&opts.content_type))
        .set_content_encoding(text(&opts.content_encoding))
        .set_cache_control(text(&opts.cache_control))
        .set_content_disposition(text(&opts.content_disposition))
        .set_storage_class(
            opts.storage_class
                .clone()
                .or_else(|| s.inner.storage_class.clone())
                .unwrap_or_default(),
        )
        .set_metadata(opts.user_metadata.clone())
}

//! Parallel composite uploads, for writes that ask for `concurrency` above 1: the body is cut
//! into parts as it arrives, up to `concurrency` parts go up at once as staged objects
//! (`.stor-multipart/<token>/part-NNNNN`), and the parts are composed into the target, which
//! appears only then. Memory stays near part size x (concurrency + 1). Whatever happens, the
//! staged objects are removed. A composite object has a CRC32C but no MD5.
//!
//! GCS composes only sources of one storage class, so the parts are staged in the class the
//! target is written in (none named: the bucket's default, for both).
//!
//! The loop that cuts and sends the parts is `storage_types::backend::upload_parts`; this
//! module uploads one part and composes them.

use std::future::Future;

use bytes::Bytes;
use google_cloud_storage::model::Object;
use storage_types::backend::{PartPlan, PartReader, upload_parts};
use storage_types::{Body, Error, Metadata, Result, WriteOptions};
use tokio_util::task::AbortOnDropHandle;

use crate::GcsStorage;
use crate::capability::MAX_PARTS;
use crate::compose::{compose, source};
use crate::conditions::{Generations, generation_of};
use crate::encryption::GcsEncryption;
use crate::multipart::{STAGING, part_name};
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

impl GcsStorage {
    /// Uploads `first` and the rest of `parts`, then composes them into the target; removes
    /// the staged parts either way.
    pub(crate) async fn write_composite(
        &self,
        upload: Upload<'_>,
        first: Bytes,
        mut parts: PartReader,
    ) -> Result<Metadata> {
        let dir = format!(
            "{}{STAGING}{}/",
            self.inner.root,
            storage_types::backend::unique_token()
        );
        // A write dropped half-way (a caller's timeout, the store's progress watchdog) never
        // reaches the removal below: the guard removes the staged parts in the background.
        let mut guard = StagingGuard {
            store: self.clone(),
            dir: Some(dir.clone()),
        };
        let outcome = upload_and_compose(self, &upload, &dir, first, &mut parts).await;
        guard.dir = None;
        self.remove_staging(&dir).await;
        outcome.map(|object| metadata(&object))
    }
}

/// Removes a composite upload's staged parts if the upload is dropped before it does.
struct StagingGuard {
    store: GcsStorage,
    dir: Option<String>,
}

impl Drop for StagingGuard {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = self.store.clone();
            runtime.spawn(async move { store.remove_staging(&dir).await });
        }
    }
}

async fn upload_and_compose(
    s: &GcsStorage,
    upload: &Upload<'_>,
    dir: &str,
    first: Bytes,
    parts: &mut PartReader,
) -> Result<Object> {
    let plan = PartPlan {
        part_size: upload.part_size,
        concurrency: upload.concurrency,
        max_parts: MAX_PARTS,
    };
    // After a failure `upload_parts` waits for the parts still in flight before it returns,
    // so none of them lands after the staged objects are removed.
    let uploaded = upload_parts(parts, first, plan, |number, data| {
        stage_part(s, dir, number, data, upload.opts)
    })
    .await?;
    let sources = (1..)
        .zip(&uploaded.parts)
        .map(|(number, generation)| source(&part_name(dir, number), *generation))
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

/// Uploads part `number` as a staged object, on a task of its own so that parts use every
/// core (the task stops if the write is dropped); returns the part's generation.
fn stage_part(
    s: &GcsStorage,
    dir: &str,
    number: u32,
    data: Bytes,
    write: &WriteOptions,
) -> impl Future<Output = Result<i64>> + Send + 'static {
    let mut opts = WriteOptions::default();
    opts.encryption = write.encryption.clone();
    // The target's class (see `destination`): compose refuses sources of another one.
    opts.storage_class = target_class(s, write);
    let (s, name) = (s.clone(), part_name(dir, number));
    let task = AbortOnDropHandle::new(tokio::spawn(async move {
        let meta = s.write_object(&name, Body::from_bytes(data), opts).await?;
        Ok(meta
            .etag
            .as_deref()
            .and_then(generation_of)
            .unwrap_or_default())
    }));
    async move {
        task.await
            .map_err(|e| Error::unexpected("a part upload task failed").with_source(e))?
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
        .set_storage_class(target_class(s, opts).unwrap_or_default())
        .set_metadata(opts.user_metadata.clone())
}

/// The class the write names, else the store's; `None` leaves it to the bucket's default.
fn target_class(s: &GcsStorage, opts: &WriteOptions) -> Option<String> {
    opts.storage_class
        .clone()
        .or_else(|| s.inner.storage_class.clone())
}

//! `stat` (gRPC GetObject) and `read` (one JSON-API download, ranged or whole, streamed as it
//! arrives; the SDK checks the CRC32C of whole reads and resumes broken downloads pinned to
//! the generation it started with).

use google_cloud_storage::model::{GetObjectRequest, Object};
use google_cloud_storage::model_ext::ReadRange;
use storage_types::{
    Error, ListOptions, Metadata, ObjectPath, ReadOptions, Reader, Result, StatOptions,
};

use crate::GcsStorage;
use crate::conditions::{generations, version_of};
use crate::error::map_error;
use crate::object::{from_highlights, key_sha256, metadata};

impl GcsStorage {
    pub(crate) async fn stat_object(
        &self,
        path: &ObjectPath,
        opts: StatOptions,
    ) -> Result<Metadata> {
        stat(self, path, opts).await
    }

    /// The object resource of a name (metadata only, which GCS serves without a customer
    /// key), or `None` when there is none.
    pub(crate) async fn object_of(&self, name: &str) -> Result<Option<Object>> {
        let request = GetObjectRequest::new()
            .set_bucket(self.bucket_path())
            .set_object(name);
        match self.get_object(&request).await {
            Ok(object) => Ok(Some(object)),
            Err(err) if err.kind() == storage_types::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub(crate) async fn read_object(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        read(self, path, opts).await
    }

    /// GetObject, attempted as `attempt` says.
    async fn get_object(&self, request: &GetObjectRequest) -> Result<Object> {
        self.with_control(|control| {
            let req = control.get_object().with_request(request.clone());
            // The SDK's request futures are tens of kilobytes: held inline, they would make
            // every future around them as large, and each wrapper (the deadline, the trait's
            // box) would copy them whole. Boxed where they are sent, they are copied once, as
            // in a plain SDK call.
            async move { Box::pin(req.send()).await.map_err(map_error) }
        })
        .await
    }
}

async fn stat(s: &GcsStorage, path: &ObjectPath, opts: StatOptions) -> Result<Metadata> {
    if path.is_dir() {
        return stat_dir(s, path).await;
    }
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let g = generations(opts.if_match.as_deref(), opts.if_none_match.as_deref())?;
    let mut request = GetObjectRequest::new()
        .set_bucket(s.bucket_path())
        .set_object(s.object_name(path))
        .set_or_clear_if_generation_match(g.if_match)
        .set_or_clear_if_generation_not_match(g.if_not_match);
    if let Some(generation) = version_of(opts.version.as_deref())? {
        request = request.set_generation(generation);
    }
    // GCS serves metadata without the customer key, and the key is checked here against the
    // SHA256 GCS records: it need not travel (nor be in the SDK's request logs).
    let object = s.get_object(&request).await?;
    encryption.check_object(key_sha256(&object))?;
    Ok(metadata(&object))
}

/// A directory exists if its marker object does, or any object below it.
async fn stat_dir(s: &GcsStorage, dir: &ObjectPath) -> Result<Metadata> {
    if dir.is_root() {
        return Ok(Metadata::dir());
    }
    if s.object_of(&s.object_name(dir)).await?.is_some() {
        return Ok(Metadata::dir());
    }
    let mut entries = s.list_entries(
        dir,
        ListOptions::default().recursive().with_page_size(1u32),
        true,
    );
    match entries.next().await {
        Some(Ok(_)) => Ok(Metadata::dir()),
        Some(Err(err)) => Err(err),
        None => Err(Error::not_found(
            "no object or directory marker below this prefix",
        )),
    }
}

async fn read(s: &GcsStorage, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let g = generations(opts.if_match.as_deref(), opts.if_none_match.as_deref())?;
    let version = version_of(opts.version.as_deref())?;
    let open = || {
        let mut req = s
            .inner
            .storage
            .read_object(s.bucket_path(), s.object_name(path));
        if let Some(generation) = g.if_match {
            req = req.set_if_generation_match(generation);
        }
        if let Some(generation) = g.if_not_match {
            req = req.set_if_generation_not_match(generation);
        }
        if let Some(generation) = version {
            req = req.set_generation(generation);
        }
        if let Some(range) = opts.range {
            req = req.set_read_range(match range.length() {
                Some(length) => ReadRange::segment(range.offset(), length),
                None => ReadRange::offset(range.offset()),
            });
        }
        if let Some(key) = encryption.key.clone() {
            req = req.set_key(key);
        }
        async move { Box::pin(req.send()).await.map_err(map_error) }
    };
    // Attempted until the download's headers arrive; from then on the SDK resumes it.
    let response = s.with_data(open).await?;
    let meta = from_highlights(&response.object());
    let length = match opts.range {
        None => meta.size,
        Some(range) => {
            let rest = meta.size.saturating_sub(range.offset());
            range.length().map_or(rest, |l| l.min(rest))
        }
    };
    let stream = futures_util::stream::unfold(response, |mut response| async move {
        let chunk = response.next().await?;
        Some((chunk.map_err(body_error), response))
    });
    Ok(Reader::new(meta, length, Box::pin(stream)))
}

/// An error of the body stream. The SDK resumes a broken download pinned to the generation it
/// started on; `NotFound` then means that generation is gone (the object was replaced or
/// deleted meanwhile), which is a changed object, not a missing one.
fn body_error(err: google_cloud_storage::Error) -> storage_types::Error {
    let err = map_error(err);
    if err.kind() != storage_types::ErrorKind::NotFound {
        return err;
    }
    storage_types::Error::new(
        storage_types::ErrorKind::ConditionNotMet,
        "the object changed while it was being read (the generation the download started on \
         is gone), so the read cannot be resumed",
    )
    .with_source(err)
}

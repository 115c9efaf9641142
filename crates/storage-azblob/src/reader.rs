//! `stat` (Get Blob Properties) and `read` (one ranged Get Blob, streamed as it arrives,
//! resumed where it broke off, and checked against the MD5 the service sends).

use std::num::NonZero;
use std::time::SystemTime;

use azure_core::http::Etag;
use azure_core::http::headers::HeaderName;
use azure_storage_blob::models::{
    BlobClientDownloadOptions, BlobClientGetPropertiesOptions,
    BlobClientGetPropertiesResultHeaders, HttpRange,
};
use futures_util::{FutureExt, StreamExt};
use storage_types::backend::{resume_pinned, verify_checksum};
use storage_types::{
    Body, ByteStream, Checksum, Error, ErrorKind, ListOptions, Metadata, ObjectPath, ReadOptions,
    Reader, Result, StatOptions,
};

use crate::AzBlobStorage;
use crate::encryption::with_cpk;
use crate::error::map_error;

/// A partition larger than any blob, so that a download is one GET with the range we asked for
/// (the SDK otherwise splits it into parallel 4 MiB requests).
const ONE_PARTITION: usize = 1 << 50;

/// The largest range Azure hashes on request (`x-ms-range-get-content-md5`).
const MAX_HASHED_RANGE: u64 = 4 << 20;

impl AzBlobStorage {
    /// `stat`: Get Blob Properties, or for a directory whether anything lies below it.
    pub(crate) async fn stat_object(
        &self,
        path: &ObjectPath,
        opts: StatOptions,
    ) -> Result<Metadata> {
        if path.is_dir() {
            return self.stat_dir(path).await;
        }
        let encryption = self.encryption(opts.encryption.as_ref());
        let options = BlobClientGetPropertiesOptions {
            if_match: opts.if_match.map(Etag::from),
            if_none_match: opts.if_none_match.map(Etag::from),
            ..Default::default()
        };
        let options = with_cpk!(options, encryption.cpk.as_ref());
        let blob = self.inner.container.blob_client(&self.blob_name(path));
        // The SDK's request futures are boxed where they are sent, so that the futures around
        // them stay small and are not copied whole by every wrapper and the trait's box.
        let r = Box::pin(blob.get_properties(Some(options)))
            .await
            .map_err(map_error)?;
        let mut meta = Metadata::file(r.content_length().ok().flatten().unwrap_or_default());
        meta.etag = r.etag().ok().flatten().map(|e| e.to_string());
        meta.last_modified = r.last_modified().ok().flatten().map(SystemTime::from);
        meta.content_type = r.content_type().ok().flatten();
        meta.content_encoding = r.content_encoding().ok().flatten();
        meta.cache_control = r.cache_control().ok().flatten();
        meta.content_disposition = r.content_disposition().ok().flatten();
        meta.user_metadata = r.metadata().unwrap_or_default().into_iter().collect();
        meta.version = r.version_id().ok().flatten();
        meta.storage_class = r.access_tier().ok().flatten();
        // The account's own key is reported as a scope too; it is no KMS key of the caller's.
        meta.kms_key_id = r
            .encryption_scope()
            .ok()
            .flatten()
            .filter(|scope| scope != "$account-encryption-key");
        Ok(meta)
    }

    /// A directory exists if its marker blob does, or any blob below it.
    async fn stat_dir(&self, dir: &ObjectPath) -> Result<Metadata> {
        if dir.is_root() {
            return Ok(Metadata::dir());
        }
        // An explicit marker blob `dir/` first, then anything below the prefix.
        let marker = self.inner.container.blob_client(&self.blob_name(dir));
        if marker.get_properties(None).await.is_ok() {
            return Ok(Metadata::dir());
        }
        let mut entries = self.list_blobs(dir, ListOptions::default().recursive(), true);
        match entries.next().await {
            Some(Ok(_)) => Ok(Metadata::dir()),
            Some(Err(err)) => Err(err),
            None => Err(Error::not_found(
                "no blob or directory marker below this prefix",
            )),
        }
    }

    /// `read`: one ranged Get Blob, streamed, resumed where it breaks off, and checked
    /// against the MD5 the service sends.
    pub(crate) async fn read_object(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        let (meta, length, md5, body) = get_blob(self, path, &opts).await?;
        // A body that breaks off is asked for again from where it stopped, pinned to the ETag that
        // the first response carried, so that a replaced blob fails instead of splicing.
        let (store, blob) = (self.clone(), path.clone());
        let etag = meta.etag.clone();
        let stream = resume_pinned(body, &opts, length, etag, move |opts| {
            let (store, blob) = (store.clone(), blob.clone());
            async move { Ok(get_blob(&store, &blob, &opts).await?.3) }.boxed()
        });
        // The MD5 covers exactly the bytes asked for (the whole blob, or a range of at most 4 MiB),
        // however many times the download was resumed.
        let stream = match md5 {
            Some(md5) => verify_checksum(
                Body::from_stream(stream, Some(length)),
                Some(Checksum::Md5(md5)),
            )
            .into_stream(),
            None => stream,
        };
        Ok(Reader::new(meta, length, stream))
    }
}

/// One Get Blob: the metadata, the length of the body, the MD5 of the body when the service
/// sent one, and the body.
async fn get_blob(
    s: &AzBlobStorage,
    path: &ObjectPath,
    opts: &ReadOptions,
) -> Result<(Metadata, u64, Option<[u8; 16]>, ByteStream)> {
    let encryption = s.encryption(opts.encryption.as_ref());
    let range = opts.range.map(|r| match r.length() {
        Some(len) => HttpRange::new(r.offset(), len),
        None => HttpRange::from_offset(r.offset()),
    });
    // Azure hashes a range on request when it is at most 4 MiB, from the bytes it sends: a
    // check of the transfer alone, which TLS already makes, so it is asked for over plain HTTP
    // only. A whole blob's stored MD5 (end to end: written with the blob) comes with every
    // full read and is always checked.
    let hash_range = !s.inner.over_tls
        && opts
            .range
            .and_then(|r| r.length())
            .is_some_and(|len| len > 0 && len <= MAX_HASHED_RANGE);
    let options = BlobClientDownloadOptions {
        range,
        range_get_content_md5: hash_range.then_some(true),
        partition_size: NonZero::new(ONE_PARTITION),
        if_match: opts.if_match.clone().map(Etag::from),
        if_none_match: opts.if_none_match.clone().map(Etag::from),
        ..Default::default()
    };
    let options = with_cpk!(options, encryption.cpk.as_ref());
    let blob = s.inner.container.blob_client(&s.blob_name(path));
    let result = Box::pin(blob.download(Some(options)))
        .await
        .map_err(map_error)?;
    let content_range = HeaderName::from_static("content-range");
    let total = result
        .headers
        .get_optional_str(&content_range)
        .and_then(|r| r.rsplit('/').next()?.trim().parse::<u64>().ok());
    let p = &result.properties;
    let length = p.content_length.unwrap_or_default();
    // An empty blob read with a range that the SDK retried without one.
    if opts
        .range
        .is_some_and(|r| r.offset() >= total.unwrap_or(length))
    {
        return Err(Error::new(
            ErrorKind::RangeNotSatisfiable,
            "the range starts at or past the end",
        ));
    }
    let mut meta = Metadata::file(total.unwrap_or(length));
    meta.etag = p.etag.as_ref().map(|e| e.to_string());
    meta.last_modified = p.last_modified.map(SystemTime::from);
    meta.content_type = p.content_type.clone();
    meta.content_encoding = p.content_encoding.clone();
    meta.cache_control = p.cache_control.clone();
    meta.content_disposition = p.content_disposition.clone();
    meta.user_metadata = p
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    meta.version = p.version_id.clone();
    // Only a hash of exactly these bytes: a range hashed on request, or for a whole read the
    // blob's stored MD5 (the SDK reads through a range, so it comes as the blob's, not the
    // response's, Content-MD5).
    let md5 = if hash_range {
        p.content_md5.as_deref()
    } else if opts.range.is_none() {
        p.content_md5.as_deref().or(p.blob_content_md5.as_deref())
    } else {
        None
    };
    let md5 = md5.and_then(|m| <[u8; 16]>::try_from(m).ok());
    let stream = result
        .body
        .map(|chunk| {
            chunk.map_err(|err| {
                Error::new(ErrorKind::Unavailable, "the response body broke off")
                    .with_source(err.to_string())
            })
        })
        .boxed();
    Ok((meta, length, md5, stream))
}

//! `stat` (HeadObject) and `read` (GetObject, streamed as the body arrives, resumed where it
//! broke off).

use std::time::SystemTime;

use futures_util::{FutureExt, StreamExt};
use storage_types::backend::resume_pinned;
use storage_types::{
    ByteStream, Error, ErrorKind, Metadata, ObjectPath, ReadOptions, Reader, Result, StatOptions,
};

use crate::S3Storage;
use crate::encryption::{with_common, with_sse_c};
use crate::error::map_sdk_error;

/// Our metadata from a HeadObject or GetObject output (same field names, different types).
macro_rules! metadata_from {
    ($out:expr, $size:expr) => {{
        let out = &$out;
        let mut meta = Metadata::file($size);
        meta.etag = out.e_tag().map(str::to_owned);
        meta.last_modified = out
            .last_modified()
            .and_then(|t| SystemTime::try_from(*t).ok());
        meta.content_type = out.content_type().map(str::to_owned);
        meta.content_encoding = out.content_encoding().map(str::to_owned);
        meta.cache_control = out.cache_control().map(str::to_owned);
        meta.content_disposition = out.content_disposition().map(str::to_owned);
        meta.version = out.version_id().map(str::to_owned);
        meta.storage_class = out.storage_class().map(|c| c.as_str().to_owned());
        meta.kms_key_id = out.ssekms_key_id().map(str::to_owned);
        if let Some(user) = out.metadata() {
            meta.user_metadata = user.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        meta
    }};
}

impl S3Storage {
    /// HeadObject (or, for a directory, a one-key listing).
    pub(crate) async fn stat_object(
        &self,
        path: &ObjectPath,
        opts: StatOptions,
    ) -> Result<Metadata> {
        if path.is_dir() {
            return stat_dir(self, path).await;
        }
        let s3 = self.s3_options(&opts.extensions);
        let sse_c = self.read_sse_c(opts.encryption.as_ref());
        let req = self
            .s3()
            .await
            .head_object()
            .bucket(self.bucket())
            .key(self.key(path))
            .set_if_match(opts.if_match)
            .set_if_none_match(opts.if_none_match)
            .set_version_id(opts.version);
        let req = with_common!(with_sse_c!(req, sse_c.as_ref()), s3);
        // The SDK's request future is tens of kilobytes. Held inline, it would make this future
        // (and the boxed one of every caller up to the trait) as large, and every box would copy
        // it whole, un-started: boxed here, it is copied once, as a plain SDK call copies it.
        let out = Box::pin(req.send()).await.map_err(map_sdk_error)?;
        let size = out.content_length().unwrap_or_default().max(0) as u64;
        Ok(metadata_from!(out, size))
    }

    /// GetObject, streamed, resumed where a body breaks off.
    pub(crate) async fn read_object(&self, path: &ObjectPath, opts: ReadOptions) -> Result<Reader> {
        let (meta, length, body) = get_object(self, path, &opts).await?;
        // A body that breaks off is asked for again from where it stopped, pinned to the ETag that
        // the first response carried, so that a replaced object fails instead of splicing.
        let (store, key) = (self.clone(), path.clone());
        let etag = meta.etag.clone();
        let stream = resume_pinned(body_stream(body), &opts, length, etag, move |opts| {
            let (store, key) = (store.clone(), key.clone());
            async move { Ok(body_stream(get_object(&store, &key, &opts).await?.2)) }.boxed()
        });
        Ok(Reader::new(meta, length, stream))
    }
}

/// A directory exists if its marker object does, or any object below it.
async fn stat_dir(s: &S3Storage, dir: &ObjectPath) -> Result<Metadata> {
    if dir.is_root() {
        return Ok(Metadata::dir());
    }
    let page = s
        .s3()
        .await
        .list_objects_v2()
        .bucket(s.bucket())
        .prefix(s.key(dir))
        .max_keys(1)
        .send();
    let page = Box::pin(page).await.map_err(map_sdk_error)?;
    if page.key_count().unwrap_or_default() > 0 || !page.contents().is_empty() {
        Ok(Metadata::dir())
    } else {
        Err(Error::not_found(
            "no object or directory marker below this prefix",
        ))
    }
}

/// One GetObject: the metadata, the length of the body, and the body.
async fn get_object(
    s: &S3Storage,
    path: &ObjectPath,
    opts: &ReadOptions,
) -> Result<(Metadata, u64, aws_sdk_s3::primitives::ByteStream)> {
    let s3 = s.s3_options(&opts.extensions);
    let sse_c = s.read_sse_c(opts.encryption.as_ref());
    let opts_range_set = opts.range.is_some();
    let req = s
        .s3()
        .await
        .get_object()
        .bucket(s.bucket())
        .key(s.key(path))
        .set_range(opts.range.map(|r| r.to_http_header()))
        .set_if_match(opts.if_match.clone())
        .set_if_none_match(opts.if_none_match.clone())
        .set_version_id(opts.version.clone());
    let req = with_common!(with_sse_c!(req, sse_c.as_ref()), s3);
    let mut out = Box::pin(req.send()).await.map_err(map_sdk_error)?;
    let length = out.content_length().unwrap_or_default().max(0) as u64;
    let size = match out.content_range() {
        Some(range) => total_of_content_range(range).ok_or_else(|| {
            Error::unexpected(format!(
                "the service sent an unreadable Content-Range: {range}"
            ))
        })?,
        // A store that ignored the Range would hand back the whole object as if it were the
        // range asked for.
        None if opts_range_set => {
            return Err(Error::unexpected(
                "the service ignored the requested byte range",
            ));
        }
        None => length,
    };
    let meta = metadata_from!(out, size);
    Ok((meta, length, std::mem::take(&mut out.body)))
}

/// The SDK's body as our stream. A body whose checksum the SDK found wrong is
/// `IntegrityMismatch`; one that broke off is `Unavailable`, temporary (and resumable).
fn body_stream(body: aws_sdk_s3::primitives::ByteStream) -> ByteStream {
    futures_util::stream::unfold(Some(body), |body| async move {
        let mut body = body?;
        match body.next().await {
            Some(Ok(chunk)) => Some((Ok(chunk), Some(body))),
            Some(Err(err)) => Some((Err(body_error(err)), None)),
            None => None,
        }
    })
    .boxed()
}

fn body_error(err: aws_sdk_s3::primitives::ByteStreamError) -> Error {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if text.to_ascii_lowercase().contains("checksum mismatch") {
        return Error::new(
            ErrorKind::IntegrityMismatch,
            "the response body does not match the checksum the service stored",
        )
        .with_source(err);
    }
    Error::new(ErrorKind::Unavailable, "the response body broke off").with_source(err)
}

/// The object's total size from `bytes first-last/total`.
fn total_of_content_range(range: &str) -> Option<u64> {
    range.rsplit('/').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_total() {
        assert_eq!(total_of_content_range("bytes 0-9/100"), Some(100));
        assert_eq!(total_of_content_range("bytes 5-5/6"), Some(6));
        assert_eq!(total_of_content_range("bytes 0-9/*"), None);
    }
}

//! Fixes for S3-compatible stores: an interceptor that collapses a response header sent twice
//! with the same value (SeaweedFS repeats the SSE-C key MD5, which the SDK then refuses to
//! parse as one value), and one that puts Content-MD5 on uploads and batch deletes, instead of
//! the SDK's newer checksum headers where a vendor rejects those (as BR does for every store
//! but Amazon's) or besides them (for buckets with object lock).

use aws_sdk_s3::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

use crate::config::ContentMd5;

/// Collapses repeated identical response headers into one.
#[derive(Debug)]
pub(crate) struct CollapseRepeatedHeaders;

impl Intercept for CollapseRepeatedHeaders {
    fn name(&self) -> &'static str {
        "CollapseRepeatedHeaders"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let headers = context.response_mut().headers_mut();
        let repeated: Vec<(String, String)> = headers
            .iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("x-amz-"))
            .filter_map(|name| {
                let mut values = headers.get_all(name);
                let first = values.next()?;
                let mut rest = values.peekable();
                let all_same = rest.peek().is_some() && rest.all(|v| v == first);
                all_same.then(|| (name.to_owned(), first.to_owned()))
            })
            .collect();
        for (name, value) in repeated {
            headers.remove(&name);
            headers.try_insert(name, value)?;
        }
        Ok(())
    }
}

/// The header the SDK takes for a checksum the caller computed, set to a placeholder so that
/// the SDK adds none of its own; removed again before signing.
const PLACEHOLDER_HEADER: &str = "x-amz-checksum-crc32";
const PLACEHOLDER: &str = "rs-storage-content-md5-instead";

/// Adds Content-MD5 to every PUT and POST with a body in memory (PutObject, UploadPart,
/// CompleteMultipartUpload, DeleteObjects) that has none, and in
/// [`ContentMd5::InsteadOfChecksums`] mode keeps the SDK's flexible checksum headers off.
#[derive(Debug)]
pub(crate) struct ContentMd5Headers(pub(crate) ContentMd5);

fn wants_md5(context: &BeforeTransmitInterceptorContextMut<'_>) -> bool {
    let request = context.request();
    matches!(request.method(), "PUT" | "POST")
        && request.headers().get("x-amz-copy-source").is_none()
        && request.body().bytes().is_some_and(|b| !b.is_empty())
}

impl Intercept for ContentMd5Headers {
    fn name(&self) -> &'static str {
        "ContentMd5Headers"
    }

    // Client interceptors run before the SDK's own checksum interceptor in each hook, and that
    // one decides here, once per call, whether to add a checksum: a checksum header already
    // present makes it add none.
    fn modify_before_retry_loop(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        if self.0 != ContentMd5::InsteadOfChecksums || !wants_md5(context) {
            return Ok(());
        }
        let headers = context.request_mut().headers_mut();
        let has_checksum = headers
            .iter()
            .any(|(name, _)| name.starts_with("x-amz-checksum-"));
        if !has_checksum {
            headers.insert(PLACEHOLDER_HEADER, PLACEHOLDER);
        }
        Ok(())
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        if self.0 == ContentMd5::Off {
            return Ok(());
        }
        if context.request().headers().get(PLACEHOLDER_HEADER) == Some(PLACEHOLDER) {
            context
                .request_mut()
                .headers_mut()
                .remove(PLACEHOLDER_HEADER);
        }
        if !wants_md5(context) || context.request().headers().get("content-md5").is_some() {
            return Ok(());
        }
        let digest = match context.request().body().bytes() {
            Some(bytes) => STANDARD.encode(Md5::digest(bytes)),
            None => return Ok(()),
        };
        context
            .request_mut()
            .headers_mut()
            .insert("content-md5", digest);
        Ok(())
    }
}

//! `copy`: CopyObject, or a multipart copy (UploadPartCopy) above the 5 GiB CopyObject limit.

use aws_sdk_s3::types::CompletedMultipartUpload;
use storage_types::{CopyOptions, Encryption, ObjectPath, Result};

use crate::S3Storage;
use crate::capability::MAX_PART_SIZE;
use crate::encryption::{SseC, with_common, with_sse, with_sse_c};
use crate::error::map_sdk_error;
use crate::multipart::{AbortGuard, start_upload};

/// Smallest part size of multipart copies; grown so that no copy needs more than 10,000 parts.
const COPY_PART_SIZE: u64 = 512 << 20;

/// The object a multipart copy reads: its `x-amz-copy-source`, its size, the ETag each part
/// is pinned to, and the customer key it is encrypted with, if any.
struct CopySource {
    name: String,
    size: u64,
    etag: String,
    sse_c: Option<SseC>,
}

/// Sets the copy-source SSE-C headers.
macro_rules! with_source_sse_c {
    ($req:expr, $sse_c:expr) => {{
        let req = $req;
        match $sse_c {
            Some(c) => req
                .copy_source_sse_customer_algorithm(c.algorithm)
                .copy_source_sse_customer_key(c.key.clone())
                .copy_source_sse_customer_key_md5(c.key_md5.clone()),
            None => req,
        }
    }};
}

impl S3Storage {
    /// Copies `from` to `to` inside the bucket, server-side.
    pub(crate) async fn copy_object(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        opts: &CopyOptions,
    ) -> Result<()> {
        let s3 = self.s3_options(&opts.extensions);
        let source_key = self.key(from);
        let source_sse_c = self.read_sse_c(opts.source_encryption.as_ref());
        let head = self
            .s3()
            .await
            .head_object()
            .bucket(self.bucket())
            .key(&source_key);
        let head = with_common!(with_sse_c!(head, source_sse_c.as_ref()), s3);
        let head = head.send().await.map_err(map_sdk_error)?;
        let size = head.content_length().unwrap_or_default();
        let source = copy_source(self.bucket(), &source_key);
        let sse = self.write_sse(opts.encryption.as_ref());
        let key = self.key(to);
        if (size.max(0) as u64) <= MAX_PART_SIZE {
            let req = self
                .s3()
                .await
                .copy_object()
                .bucket(self.bucket())
                .key(key)
                .copy_source(source)
                .set_if_none_match(opts.if_none_match.clone())
                .set_acl(
                    s3.acl
                        .as_deref()
                        .map(aws_sdk_s3::types::ObjectCannedAcl::from),
                )
                .set_storage_class(
                    self.inner
                        .storage_class
                        .as_deref()
                        .map(aws_sdk_s3::types::StorageClass::from),
                );
            let req = with_source_sse_c!(req, source_sse_c.as_ref());
            let req = with_common!(with_sse!(req, sse.as_ref(), s3), s3);
            req.send().await.map_err(map_sdk_error)?;
            return Ok(());
        }
        // Above 5 GiB: parts copied by range, each pinned to the ETag read above (so an overwrite
        // of the source meanwhile fails the copy instead of splicing two versions), and the
        // source's headers carried over as CopyObject would.
        let mut write = storage_types::WriteOptions::default();
        write.content_type = head.content_type().map(str::to_owned);
        write.content_encoding = head.content_encoding().map(str::to_owned);
        write.cache_control = head.cache_control().map(str::to_owned);
        write.content_disposition = head.content_disposition().map(str::to_owned);
        if let Some(user) = head.metadata() {
            write.user_metadata = user.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        write.extensions = opts.extensions.clone();
        if let Some(enc) = &opts.encryption {
            write = write.with_encryption(Encryption::clone(enc));
        }
        let source = CopySource {
            name: source,
            size: size.max(0) as u64,
            etag: head.e_tag().unwrap_or_default().to_owned(),
            sse_c: source_sse_c,
        };
        copy_in_parts(self, &source, &key, write, opts).await
    }
}

/// Copies `source` to `key` part by part (UploadPartCopy), with the headers of `write`.
async fn copy_in_parts(
    s: &S3Storage,
    source: &CopySource,
    key: &str,
    write: storage_types::WriteOptions,
    opts: &CopyOptions,
) -> Result<()> {
    let size = source.size;
    let s3 = s.s3_options(&opts.extensions);
    let part_size = COPY_PART_SIZE.max(size.div_ceil(10_000).div_ceil(1 << 20) * (1 << 20));
    let upload_id = start_upload(s, key, &write).await?;
    let guard = AbortGuard::new(s, key, &upload_id);
    let dest_sse_c = s.read_sse_c(opts.encryption.as_ref());
    let mut parts = Vec::new();
    let mut offset = 0;
    let mut number = 1;
    let result: Result<()> = async {
        while offset < size {
            let end = (offset + part_size).min(size) - 1;
            let req = s
                .s3()
                .await
                .upload_part_copy()
                .bucket(s.bucket())
                .key(key)
                .upload_id(&upload_id)
                .part_number(number)
                .copy_source(&source.name)
                .copy_source_if_match(&source.etag)
                .copy_source_range(format!("bytes={offset}-{end}"));
            let req = with_source_sse_c!(req, source.sse_c.as_ref());
            let req = with_common!(with_sse_c!(req, dest_sse_c.as_ref()), s3);
            let out = req.send().await.map_err(map_sdk_error)?;
            let etag = out
                .copy_part_result()
                .and_then(|r| r.e_tag())
                .unwrap_or_default();
            parts.push(
                aws_sdk_s3::types::CompletedPart::builder()
                    .part_number(number)
                    .e_tag(etag)
                    .build(),
            );
            offset = end + 1;
            number += 1;
        }
        let upload = CompletedMultipartUpload::builder()
            .set_parts(Some(parts))
            .build();
        let req = s
            .s3()
            .await
            .complete_multipart_upload()
            .bucket(s.bucket())
            .key(key)
            .upload_id(&upload_id)
            .multipart_upload(upload)
            .set_if_none_match(opts.if_none_match.clone());
        with_sse_c!(req, dest_sse_c.as_ref())
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            guard.disarm();
            Ok(())
        }
        Err(err) => {
            guard.abort().await;
            Err(err)
        }
    }
}

/// `bucket/key` with the key percent-encoded (slashes kept), as `x-amz-copy-source` wants it.
fn copy_source(bucket: &str, key: &str) -> String {
    let mut out = format!("{bucket}/");
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_is_percent_encoded() {
        assert_eq!(copy_source("b", "a b/ü+%.txt"), "b/a%20b/%C3%BC%2B%25.txt");
    }
}

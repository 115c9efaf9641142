//! Multipart uploads: the explicit operations (create, upload part, complete, abort, list), and
//! the pieces the streaming writer and the multipart copy share with them: starting an upload,
//! [`UploadContext`] (upload one part, complete) and the [`AbortGuard`].

use std::time::SystemTime;

use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use storage_types::{
    Body, CompleteOptions, Error, Metadata, MultipartUpload, ObjectPath, Part, PartOptions, Result,
    WriteOptions,
};

use crate::encryption::{SseC, send_upload, with_common, with_sse, with_sse_c};
use crate::error::map_sdk_error;
use crate::headers::with_write_headers;
use crate::{S3Options, S3Storage};

/// Starts an upload with the write's headers and encryption; returns its id.
pub(crate) async fn start_upload(s: &S3Storage, key: &str, opts: &WriteOptions) -> Result<String> {
    let s3 = s.s3_options(&opts.extensions);
    let sse = s.write_sse(opts.encryption.as_ref());
    let req = s
        .s3()
        .await
        .create_multipart_upload()
        .bucket(s.bucket())
        .key(key);
    let req = with_write_headers!(req, opts, s3, s.inner.storage_class);
    let req = with_common!(with_sse!(req, sse.as_ref(), s3), s3);
    let out = req.send().await.map_err(map_sdk_error)?;
    out.upload_id()
        .map(str::to_owned)
        .ok_or_else(|| Error::unexpected("CreateMultipartUpload returned no upload id"))
}

/// One multipart upload in progress and what each of its requests carries (the SSE-C key, the
/// S3 options): what uploading a part and completing the upload need, and nothing else.
pub(crate) struct UploadContext {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
    upload_id: String,
    sse_c: Option<SseC>,
    s3: S3Options,
    unsigned_payload: bool,
}

impl UploadContext {
    /// The upload `upload_id` of `key`, whose requests send `sse_c` and the options `s3`.
    pub(crate) fn new(
        s: &S3Storage,
        key: &str,
        upload_id: &str,
        sse_c: Option<SseC>,
        s3: S3Options,
    ) -> Self {
        UploadContext {
            client: s.client().clone(),
            bucket: s.bucket().to_owned(),
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            sse_c,
            s3,
            unsigned_payload: s.inner.unsigned_payload,
        }
    }

    /// Uploads one part held in memory. The future is `'static`, so the writer can spawn it.
    pub(crate) fn upload_part(
        &self,
        number: u32,
        data: Bytes,
    ) -> impl Future<Output = Result<CompletedPart>> + Send + 'static {
        let req = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number as i32)
            .content_length(data.len() as i64)
            .body(data.into());
        let req = with_common!(with_sse_c!(req, self.sse_c.as_ref()), self.s3);
        let unsigned = self.unsigned_payload;
        async move {
            let out = send_upload!(req, unsigned).map_err(map_sdk_error)?;
            let etag = out
                .e_tag()
                .ok_or_else(|| Error::unexpected("UploadPart returned no ETag"))?;
            Ok(CompletedPart::builder()
                .part_number(number as i32)
                .e_tag(etag)
                .build())
        }
    }

    /// Completes the upload from its parts (ascending), under the write's conditions
    /// (`If-None-Match`, `If-Match`); `size` is what the parts hold together.
    pub(crate) async fn complete(
        &self,
        parts: Vec<CompletedPart>,
        (if_none_match, if_match): (Option<String>, Option<String>),
        size: u64,
    ) -> Result<Metadata> {
        let upload = CompletedMultipartUpload::builder()
            .set_parts(Some(parts))
            .build();
        let req = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(upload)
            .set_if_none_match(if_none_match)
            .set_if_match(if_match);
        let req = with_common!(with_sse_c!(req, self.sse_c.as_ref()), self.s3);
        let out = req.send().await.map_err(map_sdk_error)?;
        let mut meta = Metadata::file(size);
        meta.etag = out.e_tag().map(str::to_owned);
        meta.version = out.version_id().map(str::to_owned);
        Ok(meta)
    }
}

/// Aborts an upload when dropped armed: the writer's future was cancelled mid-upload.
pub(crate) struct AbortGuard {
    abort: Option<(aws_sdk_s3::Client, String, String, String)>,
}

impl AbortGuard {
    pub(crate) fn new(s: &S3Storage, key: &str, upload_id: &str) -> Self {
        let parts = (
            s.client().clone(),
            s.bucket().to_owned(),
            key.to_owned(),
            upload_id.to_owned(),
        );
        AbortGuard { abort: Some(parts) }
    }

    /// The upload completed: nothing to abort.
    pub(crate) fn disarm(mut self) {
        self.abort = None;
    }

    /// Aborts now and waits, so that no upload is left in progress when the error returns.
    pub(crate) async fn abort(mut self) {
        if let Some((client, bucket, key, id)) = self.abort.take() {
            abort_quietly(client, bucket, key, id).await;
        }
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some((client, bucket, key, id)) = self.abort.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(abort_quietly(client, bucket, key, id));
        }
    }
}

async fn abort_quietly(client: aws_sdk_s3::Client, bucket: String, key: String, id: String) {
    let sent = client
        .abort_multipart_upload()
        .bucket(bucket)
        .key(&key)
        .upload_id(id)
        .send()
        .await;
    if let Err(err) = sent {
        tracing::warn!(key, error = %map_sdk_error(err), "could not abort a failed multipart upload");
    }
}

impl S3Storage {
    /// Starts an explicit multipart upload of `path`.
    pub(crate) async fn create_upload(
        &self,
        path: &ObjectPath,
        opts: &WriteOptions,
    ) -> Result<MultipartUpload> {
        let upload_id = start_upload(self, &self.key(path), opts).await?;
        Ok(MultipartUpload {
            path: path.clone(),
            upload_id,
            initiated: Some(SystemTime::now()),
        })
    }

    /// Uploads part `number` of an explicit upload, with the checksum the caller gave.
    pub(crate) async fn upload_one_part(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        let data = body.collect().await?;
        let size = data.len() as u64;
        let s3 = self.s3_options(&opts.extensions);
        let sse_c = self.read_sse_c(opts.encryption.as_ref());
        let key = self.key(&upload.path);
        let req = self
            .s3()
            .await
            .upload_part()
            .bucket(self.bucket())
            .key(key)
            .upload_id(&upload.upload_id)
            .part_number(number as i32)
            .content_length(size as i64)
            .body(data.into());
        let req = match opts.checksum {
            Some(storage_types::Checksum::Md5(md5)) => req.content_md5(base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                md5,
            )),
            Some(storage_types::Checksum::Crc32c(crc)) => {
                req.checksum_crc32_c(base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    crc.to_be_bytes(),
                ))
            }
            _ => req,
        };
        let req = with_common!(with_sse_c!(req, sse_c.as_ref()), s3);
        let out = send_upload!(req, self.inner.unsigned_payload).map_err(map_sdk_error)?;
        let etag = out
            .e_tag()
            .ok_or_else(|| Error::unexpected("UploadPart returned no ETag"))?;
        Ok(Part {
            number,
            etag: etag.to_owned(),
            size,
        })
    }

    /// Completes an explicit upload from the parts the caller lists.
    pub(crate) async fn complete_upload(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        let completed = parts
            .iter()
            .map(|p| {
                CompletedPart::builder()
                    .part_number(p.number as i32)
                    .e_tag(&p.etag)
                    .build()
            })
            .collect();
        let s3 = self.s3_options(&opts.extensions);
        let sse_c = self.read_sse_c(opts.encryption.as_ref());
        let size = parts.iter().map(|p| p.size).sum();
        let key = self.key(&upload.path);
        let conditions = (opts.if_none_match, None);
        UploadContext::new(self, &key, &upload.upload_id, sse_c, s3)
            .complete(completed, conditions, size)
            .await
    }

    /// Aborts an upload; one that is already gone (aborted, completed, unknown) is fine.
    pub(crate) async fn abort_upload(&self, upload: &MultipartUpload) -> Result<()> {
        let req = self
            .s3()
            .await
            .abort_multipart_upload()
            .bucket(self.bucket())
            .key(self.key(&upload.path))
            .upload_id(&upload.upload_id);
        let sent = with_common!(req, self.inner.defaults).send().await;
        match sent.map_err(map_sdk_error) {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == storage_types::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// The parts uploaded so far, one per number.
    pub(crate) async fn list_upload_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        let mut parts = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let req = self
                .s3()
                .await
                .list_parts()
                .bucket(self.bucket())
                .key(self.key(&upload.path))
                .upload_id(&upload.upload_id)
                .set_part_number_marker(marker.take());
            let page = with_common!(req, self.inner.defaults)
                .send()
                .await
                .map_err(map_sdk_error)?;
            for p in page.parts() {
                let part = Part {
                    number: p.part_number().unwrap_or_default().max(0) as u32,
                    etag: p.e_tag().unwrap_or_default().to_owned(),
                    size: p.size().unwrap_or_default().max(0) as u64,
                };
                let modified = p
                    .last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok());
                parts.push((part, modified));
            }
            match (page.is_truncated(), page.next_part_number_marker()) {
                (Some(true), Some(next)) => marker = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(latest_per_number(parts))
    }

    /// The uploads in progress below `dir`, sorted by path and id.
    pub(crate) async fn list_uploads(&self, dir: &ObjectPath) -> Result<Vec<MultipartUpload>> {
        let mut uploads = Vec::new();
        let (mut key_marker, mut id_marker): (Option<String>, Option<String>) = (None, None);
        loop {
            let req = self
                .s3()
                .await
                .list_multipart_uploads()
                .bucket(self.bucket())
                .prefix(self.key(dir))
                .set_key_marker(key_marker.take())
                .set_upload_id_marker(id_marker.take());
            let page = with_common!(req, self.inner.defaults)
                .send()
                .await
                .map_err(map_sdk_error)?;
            for u in page.uploads() {
                let (Some(key), Some(id)) = (u.key(), u.upload_id()) else {
                    continue;
                };
                let Some(path) = self.path_of(key) else {
                    continue;
                };
                let initiated = u.initiated().and_then(|t| SystemTime::try_from(*t).ok());
                uploads.push(MultipartUpload {
                    path,
                    upload_id: id.to_owned(),
                    initiated,
                });
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            key_marker = page.next_key_marker().map(str::to_owned);
            id_marker = page.next_upload_id_marker().map(str::to_owned);
            if key_marker.is_none() {
                break;
            }
        }
        uploads.sort_by(|a, b| (&a.path, &a.upload_id).cmp(&(&b.path, &b.upload_id)));
        Ok(uploads)
    }
}

/// One part per number: the newest, or the first listed when the times tie. SeaweedFS lists
/// every upload of a re-uploaded part number, newest first; S3 lists only the newest, which is
/// the one completion uses.
fn latest_per_number(parts: Vec<(Part, Option<SystemTime>)>) -> Vec<Part> {
    let mut by_number: std::collections::BTreeMap<u32, (Part, Option<SystemTime>)> =
        std::collections::BTreeMap::new();
    for (part, modified) in parts {
        match by_number.get(&part.number) {
            Some((_, kept)) if *kept >= modified => {}
            _ => {
                by_number.insert(part.number, (part, modified));
            }
        }
    }
    by_number.into_values().map(|(part, _)| part).collect()
}

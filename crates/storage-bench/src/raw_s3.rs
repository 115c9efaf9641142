//! The baseline on S3: aws-sdk-s3 with its default configuration, as its developer guide shows
//! it (multipart uploads by hand, with the parts in flight at once). Set alike, its uploads send
//! `UNSIGNED-PAYLOAD` (the SDK's `disable_payload_signing`) as rs-storage's do over TLS, instead
//! of signing a SHA-256 of every byte.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};

use crate::contender::{Contender, Expect, LargeObject};
use crate::settings::S3Settings;

pub(crate) struct RawS3 {
    client: Client,
    bucket: String,
    /// Whether uploads skip the SHA-256 of the payload (set alike).
    unsigned_payload: bool,
}

impl RawS3 {
    pub(crate) async fn new(s: &S3Settings, unsigned_payload: bool) -> Self {
        let credentials =
            aws_sdk_s3::config::Credentials::new(&s.access_key, &s.secret_key, None, None, "bench");
        let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&s.endpoint)
            .region(aws_config::Region::new(s.region.clone()))
            .credentials_provider(credentials)
            .load()
            .await;
        let config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(true)
            .build();
        Self {
            client: Client::from_conf(config),
            bucket: s.bucket.clone(),
            unsigned_payload,
        }
    }
}

impl RawS3 {
    /// One GetObject, whole or of a `bytes=a-b` range.
    async fn get_object(
        &self,
        key: &str,
        range: Option<String>,
    ) -> anyhow::Result<aws_sdk_s3::operation::get_object::GetObjectOutput> {
        Ok(self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .send()
            .await?)
    }
}

#[async_trait]
impl Contender for RawS3 {
    fn name(&self) -> &'static str {
        "sdk"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(body));
        if self.unsigned_payload {
            request.customize().disable_payload_signing().send().await?;
        } else {
            request.send().await?;
        }
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await?;
        Ok(head.content_length().unwrap_or(0) as u64)
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let object = self.get_object(key, None).await?;
        Ok(object.body.collect().await?.into_bytes())
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let range = format!("bytes={}-{}", offset, offset + len - 1);
        check(self.get_object(key, Some(range)).await?.body, expect).await
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await?;
        let upload_id = upload.upload_id().unwrap_or_default().to_owned();
        let parts: Vec<CompletedPart> = futures_util::stream::iter(object.parts().enumerate())
            .map(|(index, body)| {
                let number = index as i32 + 1;
                let request = self
                    .client
                    .upload_part()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .part_number(number)
                    .body(ByteStream::from(body));
                let unsigned = self.unsigned_payload;
                async move {
                    let part = if unsigned {
                        request.customize().disable_payload_signing().send().await?
                    } else {
                        request.send().await?
                    };
                    Ok::<_, anyhow::Error>(
                        CompletedPart::builder()
                            .part_number(number)
                            .set_e_tag(part.e_tag().map(str::to_owned))
                            .set_checksum_crc32(part.checksum_crc32().map(str::to_owned))
                            .build(),
                    )
                }
            })
            .buffered(object.concurrency)
            .try_collect()
            .await?;
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(&upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        _object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        check(self.get_object(key, None).await?.body, expect).await
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let mut request = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix);
        if delimited {
            request = request.delimiter("/");
        }
        let mut pages = request.into_paginator().send();
        let mut count = 0u64;
        while let Some(page) = pages.next().await {
            let page = page?;
            count += (page.contents().len() + page.common_prefixes().len()) as u64;
        }
        Ok(count)
    }
}

/// Streams a body through `expect` without keeping it.
async fn check(mut body: ByteStream, expect: &mut Expect) -> anyhow::Result<()> {
    while let Some(chunk) = body.try_next().await? {
        expect.feed(&chunk)?;
    }
    Ok(())
}

//! The baseline on S3: aws-sdk-s3 with its default configuration, as its developer guide shows
//! it (multipart uploads by hand, with the parts in flight at once).

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};

use crate::contender::{Contender, LargeObject};
use crate::settings::S3Settings;

pub(crate) struct RawS3 {
    client: Client,
    bucket: String,
}

impl RawS3 {
    pub(crate) async fn new(s: &S3Settings) -> Self {
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
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(body))
            .send()
            .await?;
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

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> anyhow::Result<u64> {
        let range = format!("bytes={}-{}", offset, offset + len - 1);
        count(self.get_object(key, Some(range)).await?.body).await
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
                async move {
                    let part = request.send().await?;
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

    async fn get_large(&self, key: &str, _object: &LargeObject) -> anyhow::Result<u64> {
        count(self.get_object(key, None).await?.body).await
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

async fn count(mut body: ByteStream) -> anyhow::Result<u64> {
    let mut total = 0u64;
    while let Some(chunk) = body.try_next().await? {
        total += chunk.len() as u64;
    }
    Ok(total)
}

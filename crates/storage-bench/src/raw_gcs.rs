//! The baseline on GCS: google-cloud-storage with its defaults, as its docs show it: the
//! `Storage` client for object data (JSON API), `StorageControl` for metadata and listing
//! (gRPC). A large write is one resumable upload fed from a stream in 8 MiB chunks (the
//! crate has no parallel upload); reads stream the body.

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use google_cloud_gax::paginator::Paginator as _;
use google_cloud_storage::client::{Storage, StorageControl};
use google_cloud_storage::model_ext::ReadRange;
use google_cloud_storage::read_object::ReadObjectResponse;
use google_cloud_storage::streaming_source::{SizeHint, StreamingSource};

use crate::contender::{Contender, Expect, LargeObject};
use crate::settings::GcsSettings;

pub(crate) struct RawGcs {
    storage: Storage,
    control: StorageControl,
    bucket: String,
}

impl RawGcs {
    pub(crate) async fn new(s: &GcsSettings, chunk: usize) -> anyhow::Result<Self> {
        let anonymous = google_cloud_auth::credentials::anonymous::Builder::new().build();
        let storage = Storage::builder()
            .with_endpoint(s.endpoint.clone())
            .with_credentials(anonymous.clone())
            .with_resumable_upload_buffer_size(chunk)
            .build()
            .await?;
        let control = StorageControl::builder()
            .with_endpoint(s.endpoint.clone())
            .with_credentials(anonymous)
            .build()
            .await?;
        Ok(Self {
            storage,
            control,
            bucket: format!("projects/_/buckets/{}", s.bucket),
        })
    }
}

/// The large object's chunks, as the SDK's streaming source.
struct Chunks {
    chunks: Box<dyn Iterator<Item = Bytes> + Send + Sync>,
    size: u64,
}

impl StreamingSource for Chunks {
    type Error = std::io::Error;

    async fn next(&mut self) -> Option<Result<Bytes, Self::Error>> {
        self.chunks.next().map(Ok)
    }

    async fn size_hint(&self) -> Result<SizeHint, Self::Error> {
        Ok(SizeHint::with_exact(self.size))
    }
}

#[async_trait]
impl Contender for RawGcs {
    fn name(&self) -> &'static str {
        "sdk"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.storage
            .write_object(&self.bucket, key, body)
            .send_buffered()
            .await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        let object = self
            .control
            .get_object()
            .set_bucket(&self.bucket)
            .set_object(key)
            .send()
            .await?;
        Ok(object.size as u64)
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let mut response = self.storage.read_object(&self.bucket, key).send().await?;
        let mut body = BytesMut::new();
        while let Some(chunk) = response.next().await {
            body.extend_from_slice(&chunk?);
        }
        Ok(body.freeze())
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let response = self
            .storage
            .read_object(&self.bucket, key)
            .set_read_range(ReadRange::segment(offset, len))
            .send()
            .await?;
        check(response, expect).await
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let source = Chunks {
            chunks: Box::new(object.chunks()),
            size: object.size,
        };
        self.storage
            .write_object(&self.bucket, key, source)
            .send_buffered()
            .await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        _object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let response = self.storage.read_object(&self.bucket, key).send().await?;
        check(response, expect).await
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let mut request = self
            .control
            .list_objects()
            .set_parent(&self.bucket)
            .set_prefix(prefix);
        if delimited {
            request = request.set_delimiter("/");
        }
        let mut pages = request.by_page();
        let mut count = 0u64;
        while let Some(page) = pages.next().await {
            let page = page?;
            count += (page.objects.len() + page.prefixes.len()) as u64;
        }
        Ok(count)
    }
}

/// Streams a response body through `expect` without keeping it.
async fn check(mut response: ReadObjectResponse, expect: &mut Expect) -> anyhow::Result<()> {
    while let Some(chunk) = response.next().await {
        expect.feed(&chunk?)?;
    }
    Ok(())
}

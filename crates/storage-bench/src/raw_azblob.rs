//! The baseline on Azure Blob: azure_storage_blob with its defaults, as its README shows it,
//! authorised by a container SAS (the crate has no shared-key credential). Large writes stage
//! blocks with the parts in flight at once and commit the list. With its defaults, a read is the
//! crate's partitioned download (4 MiB ranges, 8 at once on up to 8 cores); set alike, the large
//! object is read with one request, as every other library reads it.

use std::num::NonZero;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use azure_core::http::Url;
use azure_storage_blob::BlobContainerClient;
use azure_storage_blob::models::{
    BlobClientDownloadOptions, BlobClientGetPropertiesResultHeaders, BlockLookupList, HttpRange,
};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};

use crate::contender::{Contender, Expect, LargeObject};
use crate::settings::AzBlobSettings;

pub(crate) struct RawAzBlob {
    container: Arc<BlobContainerClient>,
    /// Whether the large object is read with one request (set alike) rather than the
    /// crate's default partitioned download.
    one_request: bool,
}

impl RawAzBlob {
    pub(crate) fn new(s: &AzBlobSettings, one_request: bool) -> anyhow::Result<Self> {
        let expiry = SystemTime::now() + Duration::from_secs(6 * 3600);
        let sas = storage_azblob::container_sas_token(
            &s.account,
            &s.account_key,
            &s.container,
            "racwdl",
            expiry,
        )?;
        let url = Url::parse(&format!("{}/{}?{sas}", s.endpoint, s.container))?;
        Ok(Self {
            container: Arc::new(BlobContainerClient::new(url, None, None)?),
            one_request,
        })
    }
}

#[async_trait]
impl Contender for RawAzBlob {
    fn name(&self) -> &'static str {
        "sdk"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.container
            .blob_client(key)
            .upload(body.into(), None)
            .await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        let props = self.container.blob_client(key).get_properties(None).await?;
        Ok(props.content_length()?.unwrap_or(0))
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let download = self.container.blob_client(key).download(None).await?;
        Ok(download.body.collect().await?)
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let options = BlobClientDownloadOptions {
            range: Some(HttpRange::new(offset, len)),
            ..Default::default()
        };
        let download = self
            .container
            .blob_client(key)
            .download(Some(options))
            .await?;
        check(download.body, expect).await
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let blocks = self.container.blob_client(key).block_blob_client();
        let ids: Vec<Vec<u8>> = futures_util::stream::iter(object.parts().enumerate())
            .map(|(index, part)| {
                let blocks = &blocks;
                async move {
                    let id = format!("block-{index:06}").into_bytes();
                    let len = part.len() as u64;
                    blocks.stage_block(&id, len, part.into(), None).await?;
                    Ok::<_, anyhow::Error>(id)
                }
            })
            .buffered(object.concurrency)
            .try_collect()
            .await?;
        let list = BlockLookupList {
            latest: Some(ids),
            ..Default::default()
        };
        blocks.commit_block_list(list.try_into()?, None).await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        // One partition as large as the object, fetched alone: the first request answers
        // all of it and the crate starts no other.
        let options = self.one_request.then(|| BlobClientDownloadOptions {
            parallel: NonZero::new(1),
            partition_size: NonZero::new(object.size as usize),
            ..Default::default()
        });
        let download = self.container.blob_client(key).download(options).await?;
        check(download.body, expect).await
    }

    async fn list(&self, prefix: &str, _delimited: bool) -> anyhow::Result<u64> {
        let options = azure_storage_blob::models::BlobContainerClientListBlobsOptions {
            prefix: Some(prefix.to_owned()),
            ..Default::default()
        };
        let mut pages = self.container.list_blobs(Some(options))?.into_pages();
        let mut count = 0u64;
        while let Some(page) = pages.next().await {
            count += page?.into_model()?.blob_items.len() as u64;
        }
        Ok(count)
    }
}

/// Streams a body through `expect` without keeping it.
async fn check(
    mut body: azure_core::http::AsyncResponseBody,
    expect: &mut Expect,
) -> anyhow::Result<()> {
    while let Some(chunk) = body.next().await {
        expect.feed(&chunk?)?;
    }
    Ok(())
}

//! The baseline on Azure Blob: azure_storage_blob with its defaults, as its README shows it,
//! authorised by a container SAS (the crate has no shared-key credential). Large writes stage
//! blocks with the parts in flight at once and commit the list; reads use the crate's own
//! partitioned download.

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

use crate::contender::{Contender, LargeObject};
use crate::settings::AzBlobSettings;

pub(crate) struct RawAzBlob {
    container: Arc<BlobContainerClient>,
}

impl RawAzBlob {
    pub(crate) fn new(s: &AzBlobSettings) -> anyhow::Result<Self> {
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

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> anyhow::Result<u64> {
        let options = BlobClientDownloadOptions {
            range: Some(HttpRange::new(offset, len)),
            ..Default::default()
        };
        let download = self
            .container
            .blob_client(key)
            .download(Some(options))
            .await?;
        count(download.body).await
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

    async fn get_large(&self, key: &str, _object: &LargeObject) -> anyhow::Result<u64> {
        let download = self.container.blob_client(key).download(None).await?;
        count(download.body).await
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

async fn count(mut body: azure_core::http::AsyncResponseBody) -> anyhow::Result<u64> {
    let mut total = 0u64;
    while let Some(chunk) = body.next().await {
        total += chunk?.len() as u64;
    }
    Ok(total)
}

//! rs-storage, through `Arc<dyn Storage>` as an application holds it.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use storage_types::{Body, ListOptions, ReadOptions, Storage, WriteOptions};

use crate::contender::{Contender, Expect, LargeObject};

/// rs-storage; `parallel_writes` passes the part size and concurrency with each large write
/// (on GCS that turns a resumable upload into a parallel composite one, which is off by
/// default there).
pub(crate) struct Ours {
    pub(crate) store: Arc<dyn Storage>,
    pub(crate) parallel_writes: bool,
}

#[async_trait]
impl Contender for Ours {
    fn name(&self) -> &'static str {
        "rs-storage"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.store.write(key, Body::from_bytes(body)).await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        Ok(self.store.stat(key).await?.size)
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let reader = self.store.read(key).await?;
        let size = reader.content_length();
        Ok(storage_types::backend::collect_stream(reader.into_stream(), Some(size)).await?)
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let opts = ReadOptions::default().with_range(offset..offset + len);
        let reader = self.store.read_with(key, opts).await?;
        check(reader.into_stream(), expect).await
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let chunks = futures_util::stream::iter(object.chunks().map(Ok::<_, storage_types::Error>));
        let opts = if self.parallel_writes {
            WriteOptions::default()
                .with_part_size(object.part_size)
                .with_concurrency(object.concurrency)
        } else {
            WriteOptions::default()
        };
        self.store
            .write_with(key, Body::from_stream(chunks, Some(object.size)), opts)
            .await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let opts = if object.read_in_parts {
            ReadOptions::default()
                .with_part_size(object.part_size)
                .with_concurrency(object.concurrency)
        } else {
            ReadOptions::default()
        };
        let reader = self.store.read_with(key, opts).await?;
        check(reader.into_stream(), expect).await
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let opts = if delimited {
            ListOptions::default()
        } else {
            ListOptions::default().recursive()
        };
        let entries = self.store.list_with(prefix, opts).await?;
        Ok(entries
            .try_fold(0u64, |n, _| async move { Ok(n + 1) })
            .await?)
    }
}

/// Streams a body through `expect` without keeping it.
async fn check(mut stream: storage_types::ByteStream, expect: &mut Expect) -> anyhow::Result<()> {
    while let Some(chunk) = stream.next().await {
        expect.feed(&chunk?)?;
    }
    Ok(())
}

//! The peers: Apache OpenDAL's `Operator` and arrow-rs object_store's `ObjectStore`, each
//! driven the way its documentation shows, with the same part size and concurrency as ours.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

use crate::contender::{Contender, Expect, LargeObject};

pub(crate) struct OpenDal {
    op: opendal::Operator,
}

impl OpenDal {
    pub(crate) fn new(op: opendal::Operator) -> Self {
        Self { op }
    }
}

#[async_trait]
impl Contender for OpenDal {
    fn name(&self) -> &'static str {
        "opendal"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.op.write(key, body).await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        Ok(self.op.stat(key).await?.content_length())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        Ok(self.op.read(key).await?.to_bytes())
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let buffer = self.op.read_with(key).range(offset..offset + len).await?;
        // The buffer's own pieces, as they arrived: no copy into one slice.
        for chunk in buffer {
            expect.feed(&chunk)?;
        }
        Ok(())
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let mut writer = self
            .op
            .writer_with(key)
            .chunk(object.part_size as usize)
            .concurrent(object.concurrency)
            .await?;
        for chunk in object.chunks() {
            writer.write(chunk).await?;
        }
        writer.close().await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let reader = if object.read_in_parts {
            self.op
                .reader_with(key)
                .chunk(object.part_size as usize)
                .concurrent(object.concurrency)
                .await?
        } else {
            self.op.reader(key).await?
        };
        let mut stream = reader.into_bytes_stream(..).await?;
        while let Some(chunk) = stream.try_next().await? {
            expect.feed(&chunk)?;
        }
        Ok(())
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let lister = self.op.lister_with(prefix).recursive(!delimited).await?;
        // OpenDAL lists the directory itself, and in a recursive listing every directory
        // on the way; neither is a key.
        let count = lister
            .try_fold(0u64, |n, entry| async move {
                let is_dir = entry.metadata().is_dir();
                let counted = entry.path() != prefix && (delimited || !is_dir);
                Ok(n + u64::from(counted))
            })
            .await?;
        Ok(count)
    }
}

pub(crate) struct ObjectStoreContender {
    store: Arc<dyn ObjectStore>,
}

impl ObjectStoreContender {
    pub(crate) fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Contender for ObjectStoreContender {
    fn name(&self) -> &'static str {
        "object_store"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.store.put(&Path::from(key), body.into()).await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        Ok(self.store.head(&Path::from(key)).await?.size)
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        Ok(self.store.get(&Path::from(key)).await?.bytes().await?)
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let bytes = self
            .store
            .get_range(&Path::from(key), offset..offset + len)
            .await?;
        expect.feed(&bytes)
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let upload = self.store.put_multipart(&Path::from(key)).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, object.part_size as usize);
        for chunk in object.chunks() {
            writer.wait_for_capacity(object.concurrency).await?;
            writer.put(chunk);
        }
        writer.finish().await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        _object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let mut stream = self.store.get(&Path::from(key)).await?.into_stream();
        while let Some(chunk) = stream.try_next().await? {
            expect.feed(&chunk)?;
        }
        Ok(())
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let prefix = Path::from(prefix);
        if delimited {
            let listing = self.store.list_with_delimiter(Some(&prefix)).await?;
            return Ok((listing.objects.len() + listing.common_prefixes.len()) as u64);
        }
        let count = self
            .store
            .list(Some(&prefix))
            .try_fold(0u64, |n, _| async move { Ok(n + 1) })
            .await?;
        Ok(count)
    }
}

//! The baseline on local files: `tokio::fs`, as its documentation shows it.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::contender::{Contender, Expect, LargeObject};

pub(crate) struct RawFs {
    pub(crate) root: PathBuf,
}

impl RawFs {
    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

async fn parent_dirs(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(parent) => tokio::fs::create_dir_all(parent).await,
        None => Ok(()),
    }
}

#[async_trait]
impl Contender for RawFs {
    fn name(&self) -> &'static str {
        "sdk"
    }

    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        let path = self.path(key);
        parent_dirs(&path).await?;
        tokio::fs::write(path, body).await?;
        Ok(())
    }

    async fn stat(&self, key: &str) -> anyhow::Result<u64> {
        Ok(tokio::fs::metadata(self.path(key)).await?.len())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        Ok(tokio::fs::read(self.path(key)).await?.into())
    }

    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let mut file = tokio::fs::File::open(self.path(key)).await?;
        file.seek(SeekFrom::Start(offset)).await?;
        let mut buf = vec![0u8; len as usize];
        file.read_exact(&mut buf).await?;
        expect.feed(&buf)
    }

    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()> {
        let path = self.path(key);
        parent_dirs(&path).await?;
        let mut file = tokio::fs::File::create(path).await?;
        for chunk in object.chunks() {
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        Ok(())
    }

    async fn get_large(
        &self,
        key: &str,
        object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()> {
        let mut file = tokio::fs::File::open(self.path(key)).await?;
        let mut buf = vec![0u8; object.chunk];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            expect.feed(&buf[..n])?;
        }
    }

    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64> {
        let mut pending = vec![self.path(prefix)];
        let mut count = 0u64;
        while let Some(dir) = pending.pop() {
            let mut entries = tokio::fs::read_dir(&dir).await?;
            while let Some(entry) = entries.next_entry().await? {
                if entry.file_type().await?.is_dir() && !delimited {
                    pending.push(entry.path());
                } else {
                    count += 1;
                }
            }
        }
        Ok(count)
    }
}

//! Bodies from tokio: [`body_from_reader`] streams any `AsyncRead` into a write, and
//! [`body_from_file`] a local file, with its length declared so that the store can size its
//! parts and refuse a file that changed length while it was sent.

use std::path::Path;

use storage_types::Body;
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

/// Bytes per chunk read from a reader: large enough for few wake-ups per part, small enough
/// to keep memory flat.
const CHUNK: usize = 256 << 10;

/// A body read from `reader` as the store consumes it, in chunks of 256 KiB. `size` is the
/// number of bytes it will yield, when known: a reader that yields another number fails the
/// write (nothing is stored), and a known size lets the store pick its part size.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> storage_types::Result<()> {
/// use storage_types::{Storage, StorageExt};
///
/// let store = storage_memory::MemoryStorage::new();
/// let body = storage_io::body_from_reader(&b"hello"[..], Some(5));
/// store.write("a.txt", body).await?;
/// assert_eq!(store.read_bytes("a.txt").await?, "hello");
/// # Ok(()) }
/// ```
pub fn body_from_reader<R>(reader: R, size: Option<u64>) -> Body
where
    R: AsyncRead + Send + 'static,
{
    Body::from_stream(ReaderStream::with_capacity(reader, CHUNK), size)
}

/// A body streamed from the local file at `path`, its length taken from the file.
pub async fn body_from_file(path: impl AsRef<Path>) -> std::io::Result<Body> {
    let file = tokio::fs::File::open(path).await?;
    let size = file.metadata().await?.len();
    Ok(body_from_reader(file, Some(size)))
}

#[cfg(test)]
mod tests {
    use storage_types::{ErrorKind, Storage, StorageExt};

    use super::*;

    #[tokio::test]
    async fn a_file_streams_with_its_length() {
        let dir = std::env::temp_dir().join(format!("storage-io-body-{}", std::process::id()));
        tokio::fs::create_dir_all(&dir).await.unwrap();
        let path = dir.join("data.bin");
        let data: Vec<u8> = (0..600_000u32).map(|i| i as u8).collect();
        tokio::fs::write(&path, &data).await.unwrap();
        let body = body_from_file(&path).await.unwrap();
        assert_eq!(body.size(), Some(600_000));
        let store = storage_memory::MemoryStorage::new();
        store.write("copy.bin", body).await.unwrap();
        assert_eq!(store.read_bytes("copy.bin").await.unwrap(), data);
        tokio::fs::remove_dir_all(&dir).await.unwrap();
    }

    #[tokio::test]
    async fn a_reader_shorter_than_declared_stores_nothing() {
        let store = storage_memory::MemoryStorage::new();
        let body = body_from_reader(&b"short"[..], Some(10));
        let err = store.write("a.txt", body).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegrityMismatch);
        assert!(!store.exists("a.txt").await.unwrap());
    }
}

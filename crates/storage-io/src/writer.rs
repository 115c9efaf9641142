//! [`ObjectWriter`]: `tokio::io::AsyncWrite` over one streaming write, gathering small writes
//! into chunks for an [`ObjectSink`].

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::BytesMut;
use futures_util::Sink;
use storage_types::{Metadata, Result, Storage};
use tokio::io::AsyncWrite;

use crate::options::WriterOptions;
use crate::sink::ObjectSink;

/// Writes one object through `tokio::io::AsyncWrite`.
///
/// Bytes are gathered into chunks of [`chunk_size`](WriterOptions::chunk_size) and streamed to
/// one [`Storage::write`] running on a tokio task (the backend uploads parts underneath).
/// `poll_flush` hands the gathered bytes to the upload but makes nothing visible;
/// `poll_shutdown` ends the body and waits for the write, so the write's error surfaces there
/// and the object exists once it returns `Ok`. Dropping the writer without shutting it down
/// abandons the write: no object appears, and an existing one is left as it was.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::sync::Arc;
/// use storage_io::{ObjectWriter, WriterOptions};
/// use storage_types::{Storage, StorageExt, WriteOptions};
/// use tokio::io::AsyncWriteExt;
///
/// let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
/// let opts = WriterOptions::default()
///     .with_write(WriteOptions::default().with_content_type("text/plain"));
/// let mut writer = ObjectWriter::create(store.clone(), "notes.txt", opts)?;
/// writer.write_all(b"first line\n").await?;
/// writer.shutdown().await?;
/// assert_eq!(store.read_bytes("notes.txt").await?, "first line\n");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ObjectWriter {
    sink: ObjectSink,
    gathered: BytesMut,
    chunk_size: usize,
}

impl ObjectWriter {
    /// Starts the write of `path` on `store`, on the current tokio runtime.
    ///
    /// Errors: `Unexpected` outside a tokio runtime. The write's own errors come from the
    /// writes or from `shutdown`.
    pub fn create(store: Arc<dyn Storage>, path: &str, opts: WriterOptions) -> Result<Self> {
        let chunk_size = opts.chunk_size.max(1);
        Ok(ObjectWriter {
            sink: ObjectSink::create(store, path, opts)?,
            gathered: BytesMut::with_capacity(chunk_size),
            chunk_size,
        })
    }

    /// What the store reported of the new object, once the writer is shut down.
    pub fn metadata(&self) -> Option<&Metadata> {
        self.sink.metadata()
    }

    /// Hands the gathered bytes to the upload, waiting for room in its queue.
    fn poll_send_gathered(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.gathered.is_empty() {
            return Poll::Ready(Ok(()));
        }
        ready!(Pin::new(&mut self.sink).poll_ready(cx))?;
        let chunk = std::mem::replace(&mut self.gathered, BytesMut::with_capacity(self.chunk_size));
        Poll::Ready(Pin::new(&mut self.sink).start_send(chunk.freeze()))
    }
}

impl AsyncWrite for ObjectWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.sink.check_open()?;
        if this.gathered.len() >= this.chunk_size {
            ready!(this.poll_send_gathered(cx))?;
        }
        let n = buf.len().min(this.chunk_size - this.gathered.len());
        this.gathered.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send_gathered(cx))?;
        Poll::Ready(ready!(Pin::new(&mut this.sink).poll_flush(cx)).map_err(Into::into))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send_gathered(cx))?;
        Poll::Ready(ready!(Pin::new(&mut this.sink).poll_close(cx)).map_err(Into::into))
    }
}

//! [`ObjectReader`]: `AsyncRead + AsyncBufRead + AsyncSeek` (and a `Stream`) over ranged
//! reads of one object, pinned to the version it opened.

use std::fmt;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::future::BoxFuture;
use storage_types::{
    ByteStream, Error, ErrorKind, Metadata, ReadOptions, Reader, Result, StatOptions, Storage,
};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncSeek, ReadBuf};

use crate::options::ReaderOptions;
use crate::rate_limit::RateLimit;
use crate::window::Window;

/// Reads one object as a seekable byte stream: `tokio::io::AsyncRead + AsyncBufRead +
/// AsyncSeek`, and a `Stream` of `Bytes` chunks from the current position.
///
/// Opening stats the object once for its size and ETag. Reading goes forward through one
/// ranged read, holding up to [`read_ahead`](ReaderOptions::read_ahead) bytes; a seek into what
/// is held is free, and a seek elsewhere drops the stream and the next read opens a new ranged
/// read at the new position. Every ranged read carries `if_match` with the ETag of the open,
/// so an object replaced while it is being read fails with `ConditionNotMet` (as an
/// `io::Error` wrapping the storage error) instead of mixing two versions. Seeking past the end
/// is allowed and reads there return end of file; a seek before the start is an error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::SeekFrom;
/// use std::sync::Arc;
/// use storage_io::{ObjectReader, ReaderOptions};
/// use storage_types::{Storage, WriteOptions};
/// use tokio::io::{AsyncReadExt, AsyncSeekExt};
///
/// let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
/// store.write("a.txt", "hello, world".into()).await?;
///
/// let mut reader = ObjectReader::open(store, "a.txt", ReaderOptions::default()).await?;
/// reader.seek(SeekFrom::End(-5)).await?;
/// let mut tail = String::new();
/// reader.read_to_string(&mut tail).await?;
/// assert_eq!(tail, "world");
/// # Ok(())
/// # }
/// ```
pub struct ObjectReader {
    store: Arc<dyn Storage>,
    path: String,
    metadata: Metadata,
    /// The options of every ranged read: the caller's, plus `if_match` with the ETag.
    read: ReadOptions,
    read_ahead: usize,
    rate_limit: Option<RateLimit>,
    pos: u64,
    window: Window,
    source: Source,
    /// An error met while reading ahead, reported when the reader gets to it.
    deferred: Option<Error>,
}

/// Where the bytes after the window come from.
enum Source {
    /// Nothing open: the next read that needs bytes opens a ranged read.
    Idle,
    /// A ranged read is being opened at the window's end.
    Opening(BoxFuture<'static, Result<Reader>>),
    /// The open ranged read, positioned at the window's end.
    Streaming(ByteStream),
}

impl ObjectReader {
    /// Opens the object at `path` of `store` for reading: stats it once (with the read
    /// options' conditions, version and customer key) and opens nothing else until the first
    /// read.
    ///
    /// Errors: those of `stat` (`NotFound`, `ConditionNotMet`...); `IsDirectory` for a
    /// directory; `InvalidInput` if the read options carry a range.
    pub async fn open(store: Arc<dyn Storage>, path: &str, opts: ReaderOptions) -> Result<Self> {
        let ReaderOptions {
            read_ahead,
            mut read,
            rate_limit,
        } = opts;
        if read.range.is_some() {
            return Err(Error::invalid_input(
                "an ObjectReader seeks instead of taking a range: leave the range unset",
            )
            .with_path(path));
        }
        let mut stat = StatOptions::default();
        stat.if_match = read.if_match.take();
        stat.if_none_match = read.if_none_match.take();
        stat.version.clone_from(&read.version);
        stat.encryption.clone_from(&read.encryption);
        let metadata = store.stat_with(path, stat).await?;
        if metadata.is_dir() {
            return Err(
                Error::new(ErrorKind::IsDirectory, "a directory cannot be read").with_path(path),
            );
        }
        read.if_match.clone_from(&metadata.etag);
        Ok(ObjectReader {
            store,
            path: path.to_owned(),
            metadata,
            read,
            read_ahead: read_ahead.max(1),
            rate_limit,
            pos: 0,
            window: Window::default(),
            source: Source::Idle,
            deferred: None,
        })
    }

    /// The object's metadata, from the stat at open.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The object's size in bytes.
    pub fn size(&self) -> u64 {
        self.metadata.size
    }

    /// The position the next read starts at.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Moves to `pos` (past the end is allowed). Free if the window reaches it; otherwise the
    /// open stream and the held bytes are dropped.
    fn move_to(&mut self, pos: u64) {
        self.pos = pos;
        if !self.window.reaches(pos) {
            self.window.reset(pos);
            self.source = Source::Idle;
            self.deferred = None;
        }
    }

    /// The bytes at the position, up to the end of the chunk that holds them; empty at the end
    /// of the object.
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Bytes>> {
        loop {
            if self.pos >= self.metadata.size {
                return Poll::Ready(Ok(Bytes::new()));
            }
            let held = self.window.slice_at(self.pos);
            if !held.is_empty() {
                self.read_ahead(cx);
                return Poll::Ready(Ok(held));
            }
            // The position is at the window's end: the stream's next chunk is needed.
            if let Some(err) = self.deferred.take() {
                return Poll::Ready(Err(err));
            }
            match ready!(self.poll_stream(cx)) {
                Ok(Some(chunk)) => self.push(chunk),
                Ok(None) => {
                    return Poll::Ready(Err(self.truncated()));
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// Pulls what the stream has ready while less than `read_ahead` bytes wait ahead of the
    /// position; an error is kept for when the reader gets there.
    fn read_ahead(&mut self, cx: &mut Context<'_>) {
        while matches!(self.source, Source::Streaming(_))
            && self.window.end() < self.metadata.size
            && self.window.end() - self.pos < self.read_ahead as u64
        {
            match self.poll_stream(cx) {
                Poll::Ready(Ok(Some(chunk))) => self.push(chunk),
                Poll::Ready(Ok(None)) => self.deferred = Some(self.truncated()),
                Poll::Ready(Err(err)) => self.deferred = Some(err),
                Poll::Pending => break,
            }
        }
    }

    fn push(&mut self, chunk: Bytes) {
        self.window.push(chunk);
        self.window.trim(self.pos, self.read_ahead);
    }

    /// The stream's next chunk, opening a ranged read at the window's end first if none is
    /// open. `Ok(None)` is the stream's end. On error the source is closed, so the next read
    /// opens a new one.
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>>> {
        loop {
            match &mut self.source {
                Source::Idle => self.source = Source::Opening(self.open_at(self.window.end())),
                Source::Opening(opening) => {
                    let opened = ready!(opening.as_mut().poll(cx));
                    self.source = Source::Idle;
                    let stream = opened.and_then(|reader| self.check_same(reader))?;
                    self.source = Source::Streaming(stream);
                }
                Source::Streaming(stream) => {
                    let next = ready!(stream.as_mut().poll_next(cx)).transpose();
                    if !matches!(next, Ok(Some(_))) {
                        self.source = Source::Idle;
                    }
                    return Poll::Ready(next);
                }
            }
        }
    }

    /// A ranged read from `offset` to the size seen at open, pinned to its ETag.
    fn open_at(&self, offset: u64) -> BoxFuture<'static, Result<Reader>> {
        let store = Arc::clone(&self.store);
        let path = self.path.clone();
        let opts = self.read.clone().with_range(offset..self.metadata.size);
        Box::pin(async move { store.read_with(&path, opts).await })
    }

    /// Refuses a ranged read of another version than the one opened, for backends that could
    /// not pin it by ETag (none reported) or that answered regardless.
    fn check_same(&self, reader: Reader) -> Result<ByteStream> {
        let now = reader.metadata();
        let etag_changed = matches!((&now.etag, &self.metadata.etag), (Some(a), Some(b)) if a != b);
        if etag_changed || now.size != self.metadata.size {
            return Err(Error::new(
                ErrorKind::ConditionNotMet,
                "the object was replaced after the reader opened it",
            )
            .with_path(self.path.as_str()));
        }
        let stream = reader.into_stream();
        Ok(match &self.rate_limit {
            Some(limit) => limit.limit_stream(stream),
            None => stream,
        })
    }

    fn truncated(&self) -> Error {
        Error::new(
            ErrorKind::IntegrityMismatch,
            format!(
                "the read ended at byte {} of {}",
                self.window.end(),
                self.metadata.size
            ),
        )
        .with_path(self.path.as_str())
        .with_temporary(true)
    }

    fn seek_target(&self, position: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match position {
            SeekFrom::Start(offset) => return Ok(offset),
            SeekFrom::End(delta) => (self.metadata.size, delta),
            SeekFrom::Current(delta) => (self.pos, delta),
        };
        base.checked_add_signed(delta).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot seek to {position:?} from {base}: before the start"),
            )
        })
    }
}

impl AsyncBufRead for ObjectReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        ready!(this.poll_chunk(cx))?;
        // `poll_chunk` made sure the window holds the position, unless at the end.
        Poll::Ready(Ok(this.window.slice_ref_at(this.pos)))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos += amt as u64;
    }
}

impl AsyncRead for ObjectReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let chunk = ready!(this.poll_chunk(cx))?;
        let n = chunk.len().min(buf.remaining());
        buf.put_slice(&chunk[..n]);
        this.pos += n as u64;
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for ObjectReader {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        let target = this.seek_target(position)?;
        this.move_to(target);
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(self.pos))
    }
}

/// The chunks from the position to the end, without copies; errors as in `AsyncRead`.
impl Stream for ObjectReader {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match ready!(this.poll_chunk(cx)) {
            Ok(chunk) if chunk.is_empty() => Poll::Ready(None),
            Ok(chunk) => {
                this.pos += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Err(err) => Poll::Ready(Some(Err(err))),
        }
    }
}

impl fmt::Debug for ObjectReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectReader")
            .field("service", &self.store.info().service)
            .field("path", &self.path)
            .field("size", &self.metadata.size)
            .field("etag", &self.metadata.etag)
            .field("pos", &self.pos)
            .field("read_ahead", &self.read_ahead)
            .finish_non_exhaustive()
    }
}

//! [`Limited`]: a stream, reader or writer slowed down to a [`RateLimit`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use storage_types::{Body, ByteStream};
use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf, SeekFrom};
use tokio::time::Sleep;

use crate::rate_limit::RateLimit;

/// `inner` drawing every byte it moves from a [`RateLimit`]; made by
/// [`RateLimit::limit`].
///
/// A stream of `Result<Bytes, E>` yields its chunks in pieces of at most the burst size; an
/// `AsyncRead` reads and an `AsyncWrite` writes at most what the bucket grants. Seeking passes
/// through untouched. Waiting needs tokio's timer (a runtime with time enabled).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use storage_io::RateLimit;
/// use tokio::io::AsyncReadExt;
///
/// let mut slow = RateLimit::new(1 << 20, 64 << 10).limit(&b"some bytes"[..]);
/// let mut text = String::new();
/// slow.read_to_string(&mut text).await?;
/// assert_eq!(text, "some bytes");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Limited<T> {
    inner: T,
    throttle: Throttle,
    /// The rest of a stream chunk that was larger than one grant.
    pending: Bytes,
}

impl<T> Limited<T> {
    fn new(inner: T, limit: RateLimit) -> Self {
        Limited {
            inner,
            throttle: Throttle::new(limit),
            pending: Bytes::new(),
        }
    }

    /// The wrapped value.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped value; a part of a chunk not yet yielded is lost.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

// The ways to apply a limit live here, beside what they make, so that the bucket in
// rate_limit.rs stays below its wrappers and does not import them.
impl RateLimit {
    /// Wraps a write's body; its declared size is kept.
    pub fn limit_body(&self, body: Body) -> Body {
        let size = body.size();
        Body::from_stream(self.limit(body.into_stream()), size)
    }

    /// Wraps a read's byte stream (for example [`Reader::into_stream`](storage_types::Reader)).
    pub fn limit_stream(&self, stream: ByteStream) -> ByteStream {
        Box::pin(self.limit(stream))
    }

    /// Wraps any `AsyncRead`, `AsyncWrite`, `AsyncSeek` or stream of `Result<Bytes, E>`.
    pub fn limit<T>(&self, inner: T) -> Limited<T> {
        Limited::new(inner, self.clone())
    }
}

impl<T, E> Stream for Limited<T>
where
    T: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.pending.is_empty() {
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) if chunk.is_empty() => return Poll::Ready(Some(Ok(chunk))),
                Some(Ok(chunk)) => this.pending = chunk,
                other => return Poll::Ready(other),
            }
        }
        let granted = ready!(this.throttle.poll_grant(cx, this.pending.len()));
        this.throttle.spend(granted);
        Poll::Ready(Some(Ok(this.pending.split_to(granted))))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Limited<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let granted = ready!(this.throttle.poll_grant(cx, buf.remaining()));
        // Reading through a smaller buffer caps the read at the grant without unsafe code;
        // the grant is kept across a pending read.
        let mut part = ReadBuf::new(buf.initialize_unfilled_to(granted));
        let result = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut part));
        let read = part.filled().len();
        this.throttle.spend(read);
        buf.advance(read);
        Poll::Ready(result)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Limited<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        let granted = ready!(this.throttle.poll_grant(cx, buf.len()));
        let result = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..granted]));
        this.throttle.spend(*result.as_ref().unwrap_or(&0));
        Poll::Ready(result)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<T: AsyncSeek + Unpin> AsyncSeek for Limited<T> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        Pin::new(&mut self.get_mut().inner).start_seek(position)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Pin::new(&mut self.get_mut().inner).poll_complete(cx)
    }
}

/// One transfer's side of a [`RateLimit`]: the timer it waits on and the grant it holds.
#[derive(Debug)]
pub(crate) struct Throttle {
    limit: RateLimit,
    sleep: Option<Pin<Box<Sleep>>>,
    /// Tokens taken and not yet spent, kept while the inner I/O is pending.
    granted: usize,
}

impl Throttle {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Throttle {
            limit,
            sleep: None,
            granted: 0,
        }
    }

    /// Waits until the bucket grants up to `want` bytes (at least one), and says how many.
    pub(crate) fn poll_grant(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<usize> {
        if self.granted > 0 {
            return Poll::Ready(self.granted.min(want));
        }
        loop {
            if let Some(sleep) = self.sleep.as_mut() {
                ready!(sleep.as_mut().poll(cx));
                self.sleep = None;
            }
            match self.limit.try_take(want) {
                Ok(granted) => {
                    self.granted = granted;
                    return Poll::Ready(granted.min(want));
                }
                Err(wait) => self.sleep = Some(Box::pin(tokio::time::sleep(wait))),
            }
        }
    }

    /// Records that `used` bytes of the grant moved, and gives the rest back.
    pub(crate) fn spend(&mut self, used: usize) {
        let unused = self.granted.saturating_sub(used);
        self.granted = 0;
        if unused > 0 {
            self.limit.refund(unused);
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn large_chunks_are_split_at_the_burst() {
        let limit = RateLimit::new(1000, 100);
        let chunks = vec![Ok::<_, io::Error>(Bytes::from(vec![7u8; 250]))];
        let pieces: Vec<usize> = limit
            .limit(futures_util::stream::iter(chunks))
            .map(|piece| piece.map(|p| p.len()).unwrap_or(0))
            .collect()
            .await;
        assert_eq!(pieces, vec![100, 100, 50]);
    }

    #[tokio::test(start_paused = true)]
    async fn reads_and_writes_move_every_byte() {
        let limit = RateLimit::new(1000, 64);
        let data: Vec<u8> = (0..=255).collect();
        let mut read = Vec::new();
        limit.limit(&data[..]).read_to_end(&mut read).await.unwrap();
        assert_eq!(read, data);

        let mut written = limit.limit(Vec::new());
        written.write_all(&data).await.unwrap();
        written.shutdown().await.unwrap();
        assert_eq!(written.into_inner(), data);
    }

    #[tokio::test(start_paused = true)]
    async fn the_virtual_clock_sees_the_rate() {
        // With tokio's paused clock the sleeps are exact, so this checks the arithmetic, not
        // the machine: 10,000 bytes at 1,000 B/s take 10 s less the head start of a full
        // bucket and one burst of debt (200 bytes).
        let limit = RateLimit::new(1000, 100);
        let start = tokio::time::Instant::now();
        let mut sink = limit.limit(tokio::io::sink());
        sink.write_all(&[0u8; 10_000]).await.unwrap();
        let took = start.elapsed().as_secs_f64();
        assert!((9.75..9.85).contains(&took), "{took}");
    }
}

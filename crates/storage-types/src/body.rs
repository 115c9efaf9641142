//! Streaming bodies: what a write consumes ([`Body`]) and what a read yields ([`ByteStream`]),
//! plus the stream wrappers the central layer puts around them (declared length, progress).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{Error, ErrorKind, Result};
use crate::progress::Progress;

/// A boxed, sendable stream.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send + 'static>>;

/// A stream of byte chunks, as a read yields them.
pub type ByteStream = BoxStream<Result<Bytes>>;

/// The body of a write: bytes in memory, or a stream of chunks with an optional known length.
///
/// A stream whose declared length differs from what it yields fails the write; the object is
/// left as it was.
///
/// ```
/// use bytes::Bytes;
/// use storage_types::Body;
///
/// let body = Body::from("hello");
/// assert_eq!(body.size(), Some(5));
///
/// let chunks = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from("a"))]);
/// let body = Body::from_stream(chunks, None);
/// assert_eq!(body.size(), None);
/// ```
pub struct Body {
    inner: BodyInner,
    size: Option<u64>,
}

enum BodyInner {
    Bytes(Bytes),
    Stream(ByteStream),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body::from_bytes(Bytes::new())
    }

    /// A body of bytes already in memory.
    pub fn from_bytes(bytes: Bytes) -> Self {
        let size = Some(bytes.len() as u64);
        Body {
            inner: BodyInner::Bytes(bytes),
            size,
        }
    }

    /// A body from a stream of chunks. `size` is the total length if known; the write fails if
    /// the stream yields more or fewer bytes.
    pub fn from_stream<S, E>(stream: S, size: Option<u64>) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Error>,
    {
        use futures_util::StreamExt;
        let stream = stream.map(|chunk| chunk.map_err(Into::into));
        Body {
            inner: BodyInner::Stream(Box::pin(stream)),
            size,
        }
    }

    /// The declared length, if known.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The bytes, if the body is in memory: backends use this to send small bodies in one
    /// request without streaming.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.inner {
            BodyInner::Bytes(bytes) => Some(bytes),
            BodyInner::Stream(_) => None,
        }
    }

    /// The body as a stream of chunks (one chunk for an in-memory body, none if it is empty).
    pub fn into_stream(self) -> ByteStream {
        match self.inner {
            BodyInner::Bytes(bytes) if bytes.is_empty() => Box::pin(futures_util::stream::empty()),
            BodyInner::Bytes(bytes) => Box::pin(futures_util::stream::once(async { Ok(bytes) })),
            BodyInner::Stream(stream) => stream,
        }
    }

    /// Collects the whole body in memory. For small bodies and tests.
    pub async fn collect(self) -> Result<Bytes> {
        match self.inner {
            BodyInner::Bytes(bytes) => Ok(bytes),
            BodyInner::Stream(stream) => collect_stream(stream, self.size).await,
        }
    }

    /// Wraps the stream so that it fails when it yields a length other than the declared one,
    /// and reports progress. The central layer does this once for every backend.
    pub(crate) fn guarded(self, progress: Option<Progress>) -> Body {
        let size = self.size;
        match (self.inner, progress) {
            (inner @ BodyInner::Bytes(_), None) => Body { inner, size },
            (BodyInner::Bytes(bytes), Some(progress)) => {
                Body::from_bytes(bytes).into_stream_body(Some(progress))
            }
            (inner @ BodyInner::Stream(_), progress) => {
                Body { inner, size }.into_stream_body(progress)
            }
        }
    }

    fn into_stream_body(self, progress: Option<Progress>) -> Body {
        let size = self.size;
        let stream = CheckedStream::new(self.into_stream(), size, progress, Direction::Write);
        Body {
            inner: BodyInner::Stream(Box::pin(stream)),
            size,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.inner {
            BodyInner::Bytes(_) => "bytes",
            BodyInner::Stream(_) => "stream",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("size", &self.size)
            .finish()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::from_bytes(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::from_bytes(bytes.into())
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::from_bytes(text.into())
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body::from_bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body::from_bytes(Bytes::from_static(bytes))
    }
}

/// Collects a stream into one buffer, reserving `size_hint` bytes up front.
pub async fn collect_stream(mut stream: ByteStream, size_hint: Option<u64>) -> Result<Bytes> {
    use futures_util::StreamExt;
    let first = match stream.next().await {
        None => return Ok(Bytes::new()),
        Some(chunk) => chunk?,
    };
    // A single-chunk stream is returned without a copy.
    let second = match stream.next().await {
        None => return Ok(first),
        Some(chunk) => chunk?,
    };
    // A declared size is a hint, not a promise: reserve no more than 64 MiB up front.
    let declared = size_hint.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let capacity = declared.clamp(first.len() + second.len(), 64 << 20);
    let mut buf = Vec::with_capacity(capacity);
    buf.extend_from_slice(&first);
    buf.extend_from_slice(&second);
    while let Some(chunk) = stream.next().await {
        buf.extend_from_slice(&chunk?);
    }
    Ok(buf.into())
}

/// Which way a checked stream flows, for its error message.
#[derive(Clone, Copy)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// A stream that counts its bytes against an expected length and reports progress.
pub(crate) struct CheckedStream {
    inner: ByteStream,
    expected: Option<u64>,
    seen: u64,
    progress: Option<Progress>,
    direction: Direction,
    done: bool,
}

impl CheckedStream {
    pub(crate) fn new(
        inner: ByteStream,
        expected: Option<u64>,
        progress: Option<Progress>,
        direction: Direction,
    ) -> Self {
        CheckedStream {
            inner,
            expected,
            seen: 0,
            progress,
            direction,
            done: false,
        }
    }

    fn mismatch(&self, what: &str) -> Error {
        let expected = self.expected.unwrap_or_default();
        let message = match self.direction {
            Direction::Write => {
                format!("body {what} than its declared length of {expected} bytes")
            }
            Direction::Read => {
                format!("response body {what} than the {expected} bytes the service announced")
            }
        };
        let err = Error::new(ErrorKind::IntegrityMismatch, message);
        // A truncated download is worth retrying; a caller's short body is not.
        err.with_temporary(matches!(self.direction, Direction::Read))
    }
}

impl Stream for CheckedStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                self.seen += chunk.len() as u64;
                if self.expected.is_some_and(|expected| self.seen > expected) {
                    self.done = true;
                    return Poll::Ready(Some(Err(self.mismatch("is longer"))));
                }
                if let Some(progress) = &self.progress {
                    progress.report(chunk.len() as u64);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(err))) => {
                self.done = true;
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(None) => {
                self.done = true;
                if self.expected.is_some_and(|expected| self.seen < expected) {
                    return Poll::Ready(Some(Err(self.mismatch("is shorter"))));
                }
                Poll::Ready(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use futures_executor::block_on;

    use super::*;

    fn chunks(parts: &[&'static str]) -> ByteStream {
        let items: Vec<Result<Bytes>> = parts
            .iter()
            .map(|p| Ok(Bytes::from_static(p.as_bytes())))
            .collect();
        Box::pin(futures_util::stream::iter(items))
    }

    fn body_of(parts: &[&'static str], size: Option<u64>) -> Body {
        Body::from_stream(chunks(parts), size)
    }

    #[test]
    fn declared_length_is_enforced_both_ways() {
        let short = body_of(&["ab", "c"], Some(4)).guarded(None);
        let err = block_on(short.collect()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IntegrityMismatch);
        assert!(err.to_string().contains("shorter"), "{err}");

        let long = body_of(&["ab", "cde"], Some(4)).guarded(None);
        let err = block_on(long.collect()).unwrap_err();
        assert!(err.to_string().contains("longer"), "{err}");

        let exact = body_of(&["ab", "cd"], Some(4)).guarded(None);
        assert_eq!(block_on(exact.collect()).unwrap(), "abcd");
    }

    #[test]
    fn progress_sees_every_byte() {
        let total = Arc::new(AtomicU64::new(0));
        let seen = total.clone();
        let progress = Progress::new(move |n| {
            seen.fetch_add(n, Ordering::Relaxed);
        });
        let body = Body::from("hello world").guarded(Some(progress.clone()));
        assert_eq!(block_on(body.collect()).unwrap(), "hello world");
        let body = body_of(&["ab", "", "cd"], None).guarded(Some(progress));
        assert_eq!(block_on(body.collect()).unwrap(), "abcd");
        assert_eq!(total.load(Ordering::Relaxed), 15);
    }

    #[test]
    fn in_memory_bodies_stay_in_memory_without_progress() {
        let body = Body::from(vec![1u8, 2, 3]).guarded(None);
        assert_eq!(body.as_bytes().map(|b| b.len()), Some(3));
        assert!(Body::empty().guarded(None).as_bytes().is_some());
        assert!(block_on(Body::empty().collect()).unwrap().is_empty());
    }
}

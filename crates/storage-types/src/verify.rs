//! Checking a body against the checksum a caller gave, for backends whose service does not
//! check it (local files, memory): the stream fails at its end when the bytes do not match, so
//! the write that consumes it stores nothing.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use md5::{Digest, Md5};

use crate::body::{Body, ByteStream};
use crate::error::{Error, ErrorKind, Result};
use crate::options::Checksum;

/// `body`, failing at its end with `IntegrityMismatch` unless it matches `checksum`.
///
/// ```
/// # futures_executor::block_on(async {
/// use storage_types::backend::verify_checksum;
/// use storage_types::{Body, Checksum, ErrorKind};
///
/// let good = verify_checksum(Body::from("abc"), Some(Checksum::Crc32c(0x364b3fb7)));
/// assert_eq!(good.collect().await.unwrap(), "abc");
/// let bad = verify_checksum(Body::from("abc"), Some(Checksum::Crc32c(1)));
/// assert_eq!(bad.collect().await.unwrap_err().kind(), ErrorKind::IntegrityMismatch);
/// # });
/// ```
pub fn verify_checksum(body: Body, checksum: Option<Checksum>) -> Body {
    let Some(checksum) = checksum else {
        return body;
    };
    let size = body.size();
    let running = match checksum {
        Checksum::Md5(expected) => Running::Md5(Md5::new(), expected),
        Checksum::Crc32c(expected) => Running::Crc32c(0, expected),
    };
    let stream = Verifying {
        inner: body.into_stream(),
        running: Some(running),
    };
    Body::from_stream(stream, size)
}

enum Running {
    Md5(Md5, [u8; 16]),
    Crc32c(u32, u32),
}

impl Running {
    fn update(&mut self, data: &[u8]) {
        match self {
            Running::Md5(hasher, _) => hasher.update(data),
            Running::Crc32c(crc, _) => *crc = crc32c::crc32c_append(*crc, data),
        }
    }

    fn matches(self) -> bool {
        match self {
            Running::Md5(hasher, expected) => hasher.finalize().as_slice() == expected,
            Running::Crc32c(crc, expected) => crc == expected,
        }
    }
}

struct Verifying {
    inner: ByteStream,
    running: Option<Running>,
}

impl Stream for Verifying {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(running) = self.running.as_mut() {
                    running.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => match self.running.take().map(Running::matches) {
                Some(false) => Poll::Ready(Some(Err(Error::new(
                    ErrorKind::IntegrityMismatch,
                    "the body does not match the checksum given with the write",
                )))),
                _ => Poll::Ready(None),
            },
            other => other,
        }
    }
}

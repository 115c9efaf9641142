//! Downloads that survive a dropped connection: when a body breaks off with a temporary error
//! (or ends short), the rest is asked for again from where it stopped, pinned by the caller's
//! `reopen` to the version first read (an ETag condition), so that an object replaced meanwhile
//! fails the read with `ConditionNotMet` instead of splicing two versions together.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;

use crate::body::ByteStream;
use crate::error::{Error, ErrorKind, Result};
use crate::options::ReadOptions;
use crate::range::ByteRange;

/// How many times one download is resumed before its error is handed on.
pub const RESUME_ATTEMPTS: u32 = 3;

/// Asks the service for `length` bytes of the same object version from absolute offset
/// `offset`, and hands back their stream.
pub type Reopen = Arc<dyn Fn(u64, u64) -> BoxFuture<'static, Result<ByteStream>> + Send + Sync>;

/// `first`, the body of a download of `length` bytes from absolute offset `start`, resumed
/// through `reopen` up to [`RESUME_ATTEMPTS`] times when it breaks off with a temporary error or
/// ends before `length` bytes. Other errors, and a failed resumption, end the stream. A resume
/// refused because the object changed becomes `ConditionNotMet`, saying so.
///
/// ```
/// # futures_executor::block_on(async {
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use futures_util::{FutureExt, StreamExt, stream};
/// use storage_types::backend::{Reopen, collect_stream, resume_on_break};
/// use storage_types::{ByteStream, Error, ErrorKind};
///
/// let data = Bytes::from_static(b"hello world");
/// // The first attempt delivers 5 bytes, then the connection drops.
/// let broken = Error::new(ErrorKind::Unavailable, "reset").with_temporary(true);
/// let first: ByteStream = stream::iter([Ok(data.slice(..5)), Err(broken)]).boxed();
/// let whole = data.clone();
/// let reopen: Reopen = Arc::new(move |offset: u64, len: u64| {
///     let rest = whole.slice(offset as usize..(offset + len) as usize);
///     let stream: ByteStream = stream::iter([Ok(rest)]).boxed();
///     async move { Ok::<_, Error>(stream) }.boxed()
/// });
/// let body = resume_on_break(first, 0, data.len() as u64, reopen);
/// assert_eq!(collect_stream(body, None).await.unwrap(), data);
/// # });
/// ```
pub fn resume_on_break(first: ByteStream, start: u64, length: u64, reopen: Reopen) -> ByteStream {
    let state = State {
        current: first,
        offset: start,
        remaining: length,
        attempts_left: RESUME_ATTEMPTS,
        reopen,
    };
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        loop {
            let broke = match st.current.next().await {
                Some(Ok(chunk)) => {
                    let len = chunk.len() as u64;
                    st.offset += len;
                    st.remaining = st.remaining.saturating_sub(len);
                    return Some((Ok(chunk), Some(st)));
                }
                // Ended short: the central length check would fail it; a resume may save it.
                None if st.remaining > 0 && st.attempts_left > 0 => None,
                None => return None,
                Some(Err(err))
                    if err.is_temporary() && st.remaining > 0 && st.attempts_left > 0 =>
                {
                    Some(err)
                }
                Some(Err(err)) => return Some((Err(err), None)),
            };
            st.attempts_left -= 1;
            tracing::debug!(
                offset = st.offset,
                remaining = st.remaining,
                error = broke.as_ref().map(tracing::field::display),
                "download broke off; resuming"
            );
            match (st.reopen)(st.offset, st.remaining).await {
                Ok(stream) => st.current = stream,
                Err(err) if err.kind() == ErrorKind::ConditionNotMet => {
                    let err = Error::new(
                        ErrorKind::ConditionNotMet,
                        "the object changed while it was being read (its ETag no longer \
                         matches), so the read cannot be resumed",
                    )
                    .with_source(err);
                    return Some((Err(err), None));
                }
                Err(err) => return Some((Err(err), None)),
            }
        }
    })
    .boxed()
}

/// `first`, the body of a read made with `opts` (`length` bytes), resumed as
/// [`resume_on_break`] does by calling `read` again with `opts` narrowed to the rest of the
/// range and pinned to `etag` (`If-Match`). Without an ETag there is no version to pin a resumed
/// read to, and `first` is handed back as it is.
pub fn resume_pinned<F>(
    first: ByteStream,
    opts: &ReadOptions,
    length: u64,
    etag: Option<String>,
    read: F,
) -> ByteStream
where
    F: Fn(ReadOptions) -> BoxFuture<'static, Result<ByteStream>> + Send + Sync + 'static,
{
    let Some(etag) = etag else {
        return first;
    };
    let start = opts.range.map_or(0, |r| r.offset());
    let base = opts.clone();
    let reopen: Reopen = Arc::new(move |offset, len| {
        let mut opts = base.clone();
        opts.range = Some(ByteRange::new(offset, Some(len)));
        opts.if_match = Some(etag.clone());
        opts.if_none_match = None;
        read(opts)
    });
    resume_on_break(first, start, length, reopen)
}

struct State {
    current: ByteStream,
    /// The absolute offset of the next byte.
    offset: u64,
    remaining: u64,
    attempts_left: u32,
    reopen: Reopen,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use bytes::Bytes;
    use futures_util::{FutureExt, stream};

    use super::*;
    use crate::body::collect_stream;

    fn broken(temporary: bool) -> Error {
        Error::new(ErrorKind::Unavailable, "reset").with_temporary(temporary)
    }

    fn breaking_after(data: &Bytes, at: usize) -> ByteStream {
        stream::iter([Ok(data.slice(..at)), Err(broken(true))]).boxed()
    }

    #[test]
    fn a_changed_object_is_condition_not_met_not_a_splice() {
        let data = Bytes::from_static(b"0123456789");
        let reopen: Reopen =
            Arc::new(|_, _| async { Err(Error::new(ErrorKind::ConditionNotMet, "412")) }.boxed());
        let body = resume_on_break(breaking_after(&data, 4), 0, 10, reopen);
        let err = futures_executor::block_on(collect_stream(body, None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConditionNotMet);
        assert!(err.to_string().contains("changed while it was being read"));
    }

    #[test]
    fn resumes_at_the_absolute_offset_and_gives_up_after_the_attempts() {
        let data = Bytes::from_static(b"0123456789");
        let calls = Arc::new(AtomicU32::new(0));
        let seen = Arc::clone(&calls);
        let whole = data.clone();
        // Every resumption delivers one byte and breaks again.
        let reopen: Reopen = Arc::new(move |offset, len| {
            seen.fetch_add(1, Ordering::SeqCst);
            assert_eq!(offset + len, 110, "asks for the rest of the same range");
            let at = (offset - 100) as usize;
            let one = whole.slice(at..at + 1);
            async move { Ok(stream::iter([Ok(one), Err(broken(true))]).boxed() as ByteStream) }
                .boxed()
        });
        let body = resume_on_break(breaking_after(&data, 4), 100, 10, reopen);
        let err = futures_executor::block_on(collect_stream(body, None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert_eq!(calls.load(Ordering::SeqCst), RESUME_ATTEMPTS);
    }

    #[test]
    fn a_permanent_error_is_not_resumed() {
        let data = Bytes::from_static(b"0123456789");
        let reopen: Reopen = Arc::new(|_, _| panic!("must not resume"));
        let first = stream::iter([Ok(data.slice(..4)), Err(broken(false))]).boxed();
        let body = resume_on_break(first, 0, 10, reopen);
        assert!(futures_executor::block_on(collect_stream(body, None)).is_err());
    }
}

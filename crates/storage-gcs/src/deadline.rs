//! The store's `timeout`: the JSON client gives no per-attempt deadline (a stalled server held a
//! download for as long as the retry policy's 300 s), so a call that is one request is bounded
//! whole, retries included, and an upload of any size while it makes no progress; either fails
//! as `TimedOut`, temporary.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use storage_types::{Body, Error, ErrorKind, Result};

/// `call`, failed with `TimedOut` if it has not finished within `limit` (no limit: as it is).
pub(crate) async fn within<T>(
    limit: Option<Duration>,
    call: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(limit) = limit else {
        return call.await;
    };
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => Err(timed_out("no answer", limit)),
    }
}

/// `call` with `body`, failed with `TimedOut` once `limit` passes without the SDK taking a
/// byte of the body (or, after the last byte, without an answer): the bound of an upload of
/// any size, which no single time limit fits.
pub(crate) async fn while_progressing<T, F>(
    limit: Option<Duration>,
    body: Body,
    call: impl FnOnce(Body) -> F,
) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let Some(limit) = limit else {
        return call(body).await;
    };
    let started = tokio::time::Instant::now();
    // When the SDK last took a chunk, in milliseconds since `started`.
    let last = Arc::new(AtomicU64::new(0));
    let size = body.size();
    let seen = Arc::clone(&last);
    let watched = body.into_stream().inspect(move |_| {
        seen.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
    });
    let call = call(Body::from_stream(watched, size));
    let watchdog = async {
        loop {
            let idle = started
                .elapsed()
                .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
            if idle >= limit {
                return;
            }
            tokio::time::sleep(limit - idle).await;
        }
    };
    tokio::select! {
        result = call => result,
        () = watchdog => Err(timed_out("the upload made no progress", limit)),
    }
}

/// `TimedOut` (temporary by default), saying what did not happen within `limit`.
fn timed_out(what: &str, limit: Duration) -> Error {
    Error::new(
        ErrorKind::TimedOut,
        format!("{what} within the store's timeout of {limit:?}"),
    )
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[tokio::test]
    async fn a_call_past_the_limit_times_out_and_one_within_it_passes() {
        let stalled = within(Some(Duration::from_millis(20)), async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        let err = stalled.await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.is_temporary());
        assert_eq!(
            within(Some(Duration::from_secs(5)), async { Ok(7) })
                .await
                .unwrap(),
            7
        );
        assert_eq!(within(None, async { Ok(8) }).await.unwrap(), 8);
    }

    #[tokio::test]
    async fn an_upload_that_keeps_moving_passes_and_one_that_stops_times_out() {
        let limit = Some(Duration::from_millis(100));
        // Five chunks 50 ms apart: 250 ms in all, never 100 ms idle.
        let slow = futures_util::stream::iter(0..5)
            .then(|_| async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<_, std::io::Error>(Bytes::from_static(b"x"))
            })
            .boxed();
        let moving = while_progressing(limit, Body::from_stream(slow, Some(5)), |body| async {
            Ok(body.collect().await?.len())
        });
        assert_eq!(moving.await.unwrap(), 5);
        let stuck = while_progressing(
            limit,
            Body::from_bytes(Bytes::from_static(b"x")),
            |body| async {
                let _ = body.collect().await?;
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(())
            },
        );
        assert_eq!(stuck.await.unwrap_err().kind(), ErrorKind::TimedOut);
    }
}

//! Each request's own deadline, and another attempt when it passes. With an `attempt_timeout`
//! set, a request that has not answered within it is dropped and sent again, up to the
//! store's retries and within its time limit: the SDK's JSON client gives its requests no
//! deadline of their own (a stalled request held a call for the store's whole timeout), and
//! over gRPC its retries went down the stalled connection again (see `control`). Every request
//! sent through here is safe to send twice: reads, listings and metadata; writes of bytes held
//! in memory and copies, which carry the SDK's idempotency token; deletes, where a second
//! attempt that finds nothing is success; composes of sources pinned to their generations (the
//! same bytes again; an append's compose is also conditional on the object's generation, so
//! one whose first attempt landed unseen fails its second as `ConditionNotMet` rather than
//! appending twice). Creating a bucket is not attempted twice.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use google_cloud_storage::client::StorageControl;
use storage_types::{Error, ErrorKind, Result};

use crate::GcsStorage;
use crate::retry::Retry;

impl GcsStorage {
    /// `call` with the store's control client, attempted as the module says; after a stall
    /// the next attempt goes on a new client.
    pub(crate) async fn with_control<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(StorageControl) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let control = &self.inner.control;
        // The generation of the client the last attempt went on.
        let generation = AtomicU64::new(0);
        let attempt = || {
            let (client, current) = control.client();
            generation.store(current, Ordering::Relaxed);
            call(client)
        };
        let stalled = || control.replace(generation.load(Ordering::Relaxed));
        attempts(self.inner.retry, attempt, stalled).await
    }

    /// `call` (a request of the JSON client), attempted as the module says: a stalled HTTP/1.1
    /// request is dropped with its connection, so the next attempt dials a new one.
    pub(crate) async fn with_data<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        attempts(self.inner.retry, call, || std::future::ready(())).await
    }
}

/// Attempts of `attempt` until one answers, the store's retries are spent or its time limit
/// has passed; `stalled` runs after each attempt that did not answer, before the next.
async fn attempts<T, Fut, Stalled>(
    retry: Retry,
    mut attempt: impl FnMut() -> Fut,
    mut stalled: impl FnMut() -> Stalled,
) -> Result<T>
where
    Fut: Future<Output = Result<T>>,
    Stalled: Future<Output = ()>,
{
    let Some(limit) = retry.attempt_timeout else {
        return attempt().await;
    };
    let started = Instant::now();
    let mut stalls = 0_u32;
    loop {
        let err = match tokio::time::timeout(limit, attempt()).await {
            // The SDK bounds a gRPC attempt by the same limit: its timeout is a stall too.
            Ok(Err(err)) if err.kind() == ErrorKind::TimedOut => err,
            Ok(result) => return result,
            Err(_) => Error::new(
                ErrorKind::TimedOut,
                format!("no answer within the attempt timeout of {limit:?}"),
            ),
        };
        stalls += 1;
        let within_retries = retry.retries.is_none_or(|retries| stalls <= retries);
        if !within_retries || started.elapsed() >= retry.time_limit() {
            return Err(err);
        }
        tracing::debug!(stalls, "a GCS request got no answer in time: trying again");
        stalled().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;
    use std::time::Duration;

    use super::*;

    fn ready() -> std::future::Ready<()> {
        std::future::ready(())
    }

    fn retry(retries: Option<u32>, attempt: Option<Duration>) -> Retry {
        Retry {
            retries,
            timeout: Some(Duration::from_secs(10)),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: attempt,
        }
    }

    /// An attempt that stalls (sleeps far past any limit) on the calls `stalling` names (by
    /// number, from 0), else answers with its number.
    fn stalling_on(
        calls: &AtomicU32,
        stalling: impl Fn(u32) -> bool,
    ) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = Result<u32>>>> {
        move || {
            let call = calls.fetch_add(1, Ordering::Relaxed);
            let stalls = stalling(call);
            Box::pin(async move {
                if stalls {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                Ok(call)
            })
        }
    }

    #[tokio::test]
    async fn a_stalled_attempt_is_dropped_and_the_next_one_answers() {
        let calls = AtomicU32::new(0);
        let stalls = AtomicU32::new(0);
        let settings = retry(Some(2), Some(Duration::from_millis(50)));
        let answer = attempts(settings, stalling_on(&calls, |n| n == 0), || {
            stalls.fetch_add(1, Ordering::Relaxed);
            std::future::ready(())
        })
        .await;
        assert_eq!(answer.unwrap(), 1);
        assert_eq!(stalls.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn attempts_end_with_a_temporary_timeout_once_the_retries_are_spent() {
        let calls = AtomicU32::new(0);
        let settings = retry(Some(1), Some(Duration::from_millis(20)));
        let err = attempts(settings, stalling_on(&calls, |_| true), ready)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.is_temporary());
        assert_eq!(calls.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn a_timeout_the_sdk_reports_counts_as_a_stall_and_other_errors_end_at_once() {
        let calls = AtomicU32::new(0);
        let settings = retry(Some(2), Some(Duration::from_secs(5)));
        let answer = attempts(
            settings,
            || {
                let call = calls.fetch_add(1, Ordering::Relaxed);
                async move {
                    match call {
                        0 => Err(Error::new(ErrorKind::TimedOut, "deadline exceeded")),
                        1 => Err(Error::not_found("gone")),
                        _ => Ok(call),
                    }
                }
            },
            ready,
        )
        .await;
        assert_eq!(answer.unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(calls.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn without_an_attempt_timeout_a_call_is_made_once_as_it_is() {
        let calls = AtomicU32::new(0);
        let settings = retry(Some(2), None);
        let answer = attempts(
            settings,
            || {
                calls.fetch_add(1, Ordering::Relaxed);
                async { Err::<u32, _>(Error::new(ErrorKind::TimedOut, "slow")) }
            },
            ready,
        )
        .await;
        assert_eq!(answer.unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(calls.load(Ordering::Relaxed), 1);
    }
}

//! The retry policy of both SDK clients: the SDK's own rules for the errors GCS calls
//! retryable, bounded by the store's attempts and time, and a short bound on a service that
//! cannot be reached at all. The SDK retries a failed connection (refused, a host name that
//! does not resolve) whether or not the request is idempotent, for as long as its time limit
//! allows: 300 s by default, which is how long `stat` on an endpoint where nothing listens
//! took. Here such a failure ends the call once `connect_timeout` has passed since the call
//! began; every other error is left to the SDK's rules, so a service that answers 503 or 429
//! is still retried.
//!
//! Writes, copies and deletes are sent with `with_idempotency(true)`, so that the SDK retries
//! them too (it retries only those it can prove idempotent, by a generation precondition):
//! a write sends the same bytes again (from memory, or the chunk it still holds), a copy
//! copies the same source again, and a delete of what a first attempt already deleted finds
//! nothing, which is success. Each carries the SDK's `x-goog-gcs-idempotency-token`, the same
//! on every attempt. On a bucket with object versioning, a write or copy whose answer was lost
//! can leave one extra noncurrent version.
//!
//! A streamed resumable upload does not go through the SDK (its buffered upload resends at a
//! wrong offset after a chunk request with no answer, googleapis/google-cloud-rust#6685): it
//! is sent by `resumable`, whose retries keep the same bounds, taken from [`Retry`] too.

use std::time::{Duration, Instant};

use google_cloud_gax::error::Error;
use google_cloud_gax::retry_policy::{
    LimitedAttemptCount, LimitedElapsedTime, RetryPolicy, RetryPolicyExt,
};
use google_cloud_gax::retry_result::RetryResult;
use google_cloud_gax::retry_state::RetryState;
use google_cloud_gax::throttle_result::ThrottleResult;
use google_cloud_storage::retry_policy::RetryableErrors;

/// How long the SDK retries one request (its default), when no `timeout` is set.
const RETRY_TIME_LIMIT: Duration = Duration::from_secs(300);

/// The store's retry settings, from which each client's and each request's policy is made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    /// Retries after the first attempt (none: unlimited).
    pub(crate) retries: Option<u32>,
    /// The limit of the whole loop (none: the SDK's 300 s).
    pub(crate) timeout: Option<Duration>,
    /// The limit for a service never reached.
    pub(crate) connect_timeout: Duration,
    /// Each attempt's limit (none: whatever is left of `timeout`).
    pub(crate) attempt_timeout: Option<Duration>,
}

impl Retry {
    /// The policy of both clients, and of every request that sets none of its own.
    pub(crate) fn policy(self) -> StorePolicy {
        StorePolicy {
            // The time limit stays whatever is set: its remaining time is each attempt's
            // deadline, which is what ends an attempt on a stalled server.
            inner: RetryableErrors
                .with_attempt_limit(self.attempts())
                .with_time_limit(self.time_limit()),
            connect_timeout: self.connect_timeout,
            attempt_timeout: self.attempt_timeout,
        }
    }

    /// Attempts of one request, the first included (none set: unlimited).
    pub(crate) fn attempts(self) -> u32 {
        self.retries
            .map_or(u32::MAX, |retries| retries.saturating_add(1))
    }

    /// How long a call may retry: the store's `timeout`, else the SDK's default.
    pub(crate) fn time_limit(self) -> Duration {
        self.timeout.unwrap_or(RETRY_TIME_LIMIT)
    }
}

/// A policy made by [`Retry`]; see the module's documentation.
#[derive(Debug)]
pub(crate) struct StorePolicy {
    inner: LimitedElapsedTime<LimitedAttemptCount<RetryableErrors>>,
    connect_timeout: Duration,
    attempt_timeout: Option<Duration>,
}

impl RetryPolicy for StorePolicy {
    fn on_error(&self, state: &RetryState, error: Error) -> RetryResult {
        // A connection that could not be made at all: the request never left, so a retry is
        // always safe, but one that keeps failing for this long is a wrong endpoint or a
        // service that is down, not a blip.
        if never_connected(&error)
            && Instant::now().saturating_duration_since(state.start) >= self.connect_timeout
        {
            return RetryResult::Exhausted(error);
        }
        self.inner.on_error(state, error)
    }

    /// A retry the SDK's throttler holds back is not sent, so `on_error` does not see it: the
    /// bound on a service never reached is checked here too, or a throttled loop would run on
    /// to the time limit.
    fn on_throttle(&self, state: &RetryState, error: Error) -> ThrottleResult {
        if never_connected(&error)
            && Instant::now().saturating_duration_since(state.start) >= self.connect_timeout
        {
            return ThrottleResult::Exhausted(error);
        }
        self.inner.on_throttle(state, error)
    }

    /// The SDK's retry loop makes this each attempt's deadline: what is left of the time limit,
    /// or the attempt timeout if that is shorter, so that a stalled attempt is retried.
    fn remaining_time(&self, state: &RetryState) -> Option<Duration> {
        let left = self.inner.remaining_time(state);
        match (left, self.attempt_timeout) {
            (Some(left), Some(attempt)) => Some(left.min(attempt)),
            (left, attempt) => left.or(attempt),
        }
    }
}

/// Whether `error` is a connection that could not be made: the SDK's own mark, which its upload
/// paths lose by wrapping the error, else a refused connection or a failed name lookup found
/// among its causes (hyper's connector says `tcp connect error` and `dns error`).
fn never_connected(error: &Error) -> bool {
    if error.is_connect() {
        return true;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<Error>()
            .is_some_and(Error::is_connect)
        {
            return true;
        }
        if current.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
            )
        }) {
            return true;
        }
        let text = current.to_string();
        if text.starts_with("dns error") || text.starts_with("tcp connect error") {
            return true;
        }
        cause = current.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use google_cloud_gax::error::rpc::{Code, Status};

    use super::*;

    fn retry(timeout: Option<Duration>) -> Retry {
        Retry {
            retries: None,
            timeout,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: None,
        }
    }

    #[test]
    fn a_refused_connection_wrapped_as_an_io_error_is_still_one() {
        let policy = retry(None).policy();
        let wrapped = Error::io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(6)), wrapped),
            RetryResult::Exhausted(_)
        ));
        let reset = Error::io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(6)), reset),
            RetryResult::Continue(_)
        ));
    }

    #[test]
    fn each_attempt_is_bounded_by_the_attempt_timeout_and_what_is_left() {
        let mut settings = retry(Some(Duration::from_secs(9)));
        settings.attempt_timeout = Some(Duration::from_secs(3));
        let policy = settings.policy();
        let left = policy.remaining_time(&started(Duration::ZERO)).unwrap();
        assert!(
            left <= Duration::from_secs(3) && left > Duration::from_secs(2),
            "{left:?}"
        );
        let left = policy
            .remaining_time(&started(Duration::from_secs(8)))
            .unwrap();
        assert!(left <= Duration::from_secs(1), "{left:?}");
    }

    fn started(ago: Duration) -> RetryState {
        RetryState::new(true).set_start(Instant::now() - ago)
    }

    fn unavailable() -> Error {
        Error::service(Status::default().set_code(Code::Unavailable))
    }

    fn refused() -> Error {
        Error::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
    }

    #[test]
    fn a_refused_connection_is_retried_until_the_connect_timeout_and_no_longer() {
        let policy = retry(None).policy();
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(1)), refused()),
            RetryResult::Continue(_)
        ));
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(6)), refused()),
            RetryResult::Exhausted(_)
        ));
    }

    #[test]
    fn a_service_that_answers_unavailable_is_still_retried_past_the_connect_timeout() {
        let policy = retry(None).policy();
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(60)), unavailable()),
            RetryResult::Continue(_)
        ));
        // Until the store's own time limit.
        let policy = retry(Some(Duration::from_secs(30))).policy();
        assert!(matches!(
            policy.on_error(&started(Duration::from_secs(60)), unavailable()),
            RetryResult::Exhausted(_)
        ));
    }
}

//! One request of the upload: its credentials and customer-key headers, its deadline, its
//! answer (or the lack of one), the retries it may take under the store's settings, and the
//! typed error of an answer that ends it. Nothing secret reaches an error: reqwest's errors
//! lose their URL (a session URL lets anyone upload), and answers are quoted only by their
//! status and the service's message.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use bytes::Bytes;
use google_cloud_auth::credentials::CacheableResource;
use reqwest::header::{HeaderMap, HeaderValue};
use storage_types::{Error, ErrorKind, Result};

use crate::GcsStorage;
use crate::encryption::GcsEncryption;
use crate::retry::Retry;

/// The first wait before a retry, doubled for each one after (as the SDK's default backoff).
const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait before a retry.
const MAX_BACKOFF: Duration = Duration::from_secs(32);

/// What a request needs to be sent: the store (client, credentials, settings) and the customer
/// key, which goes on every request of the upload.
#[derive(Clone, Copy)]
pub(super) struct Sender<'a> {
    pub(super) store: &'a GcsStorage,
    pub(super) encryption: &'a GcsEncryption,
}

/// An answer: the status, the headers and the body (an object resource, an error, or empty).
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

/// A request that got no answer (or none in time): what the service did with it is unknown.
pub(super) struct NoAnswer {
    pub(super) error: Error,
    /// No connection was made: the request never left.
    pub(super) never_connected: bool,
}

impl Sender<'_> {
    /// `req` with the credentials' headers and the customer key's, sent within `deadline`.
    pub(super) async fn send(
        self,
        req: reqwest::RequestBuilder,
        deadline: Duration,
    ) -> Result<std::result::Result<Answer, NoAnswer>> {
        let req = req.headers(self.auth_headers().await?);
        let req = match (&self.encryption.customer, &self.encryption.key_sha256) {
            (Some(key), Some(sha256)) => req
                .header("x-goog-encryption-algorithm", "AES256")
                .header("x-goog-encryption-key", secret(key.expose_bytes())?)
                .header(
                    "x-goog-encryption-key-sha256",
                    BASE64_STANDARD.encode(sha256),
                ),
            _ => req,
        };
        let attempt = async {
            let response = req.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(Answer {
                status,
                headers,
                body,
            })
        };
        Ok(match tokio::time::timeout(deadline, attempt).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(err)) => Err(NoAnswer {
                never_connected: err.is_connect(),
                error: Error::new(
                    if err.is_timeout() {
                        ErrorKind::TimedOut
                    } else {
                        ErrorKind::Unavailable
                    },
                    "a request of the resumable upload got no answer",
                )
                .with_temporary(true)
                .with_source(err.without_url()),
            }),
            Err(_) => Err(NoAnswer {
                never_connected: false,
                error: Error::new(
                    ErrorKind::TimedOut,
                    format!("a request of the resumable upload got no answer within {deadline:?}"),
                ),
            }),
        })
    }

    /// The credentials' headers (none for anonymous ones); the SDK caches and refreshes the
    /// token behind them.
    async fn auth_headers(self) -> Result<HeaderMap> {
        match self
            .store
            .inner
            .credentials
            .headers(http::Extensions::new())
            .await
        {
            Ok(CacheableResource::New { data, .. }) => Ok(data),
            // Asked without an entity tag, the credentials always answer anew.
            Ok(CacheableResource::NotModified) => Ok(HeaderMap::new()),
            Err(err) => Err(
                Error::new(ErrorKind::Unauthenticated, "cannot get GCS credentials")
                    .with_temporary(err.is_transient())
                    .with_source(err.to_string()),
            ),
        }
    }
}

/// A header value that `Debug` does not print.
fn secret(bytes: &[u8]) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&BASE64_STANDARD.encode(bytes))
        .map_err(|_| Error::invalid_input("the customer key does not fit a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether an answer with `status` is worth another attempt: the service asks for one.
pub(super) fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// The error of an answer that ends the upload; `what` names the request.
pub(super) fn status_error(answer: &Answer, what: &str) -> Error {
    let (kind, temporary) = crate::error::from_status(answer.status);
    let status = answer.status;
    let message = match service_message(&answer.body) {
        Some(message) => format!("{what}: HTTP {status}: {message}"),
        None => format!("{what}: HTTP {status}"),
    };
    Error::new(kind, message).with_temporary(temporary)
}

/// The first line of the service's `error.message`, shortened.
fn service_message(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let line = json["error"]["message"].as_str()?.lines().next()?;
    Some(line.chars().take(200).collect())
}

/// The attempts of one request: each one's deadline, and whether another may follow a failure,
/// under the store's retries, time limit and `connect_timeout` (as `retry::StorePolicy`).
pub(super) struct Attempts {
    retry: Retry,
    started: Instant,
    failures: u32,
}

impl Attempts {
    pub(super) fn new(retry: Retry) -> Self {
        Attempts {
            retry,
            started: Instant::now(),
            failures: 0,
        }
    }

    /// The next attempt's deadline: the attempt timeout, or what is left of the time limit if
    /// that is shorter.
    pub(super) fn deadline(&self) -> Duration {
        let left = self
            .retry
            .time_limit()
            .saturating_sub(self.started.elapsed())
            .max(Duration::from_millis(1));
        self.retry
            .attempt_timeout
            .map_or(left, |attempt| attempt.min(left))
    }

    /// After a failed attempt: waits before the next one, or hands `error` back when the
    /// retries or the time are spent, or when a connection could not be made for longer than
    /// `connect_timeout`.
    pub(super) async fn failed(&mut self, error: Error, never_connected: bool) -> Result<()> {
        let Some(delay) = self.next_delay(never_connected) else {
            return Err(error);
        };
        tracing::debug!(failures = self.failures, ?delay, error = %error, "GCS upload: retrying");
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Counts a failure; the wait before the next attempt, if one may follow.
    fn next_delay(&mut self, never_connected: bool) -> Option<Duration> {
        self.failures += 1;
        let elapsed = self.started.elapsed();
        let delay = backoff(self.failures);
        let spent = self.failures >= self.retry.attempts()
            || elapsed + delay >= self.retry.time_limit()
            || (never_connected && elapsed >= self.retry.connect_timeout);
        (!spent).then_some(delay)
    }
}

/// The wait after `failures` failed attempts: doubling from one second, and a random share of
/// it (the upper half) so that clients that failed together do not come back together.
fn backoff(failures: u32) -> Duration {
    let doubled = INITIAL_BACKOFF.saturating_mul(1 << failures.saturating_sub(1).min(10));
    let base = doubled.min(MAX_BACKOFF);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let share = 0.5 + 0.5 * (random % 1000) as f64 / 1000.0;
    base.mul_f64(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry() -> Retry {
        Retry {
            retries: Some(2),
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Some(Duration::from_secs(3)),
        }
    }

    #[test]
    fn the_backoff_doubles_up_to_its_bound() {
        assert!(backoff(1) <= INITIAL_BACKOFF && backoff(1) >= INITIAL_BACKOFF / 2);
        assert!(backoff(3) <= 4 * INITIAL_BACKOFF && backoff(3) >= 2 * INITIAL_BACKOFF);
        assert!(backoff(40) <= MAX_BACKOFF);
    }

    #[test]
    fn an_attempt_is_bounded_by_the_attempt_timeout() {
        assert_eq!(Attempts::new(retry()).deadline(), Duration::from_secs(3));
        let mut no_attempt_timeout = retry();
        no_attempt_timeout.attempt_timeout = None;
        let left = Attempts::new(no_attempt_timeout).deadline();
        assert!(left <= Duration::from_secs(30) && left > Duration::from_secs(29));
    }

    #[test]
    fn failures_are_retried_up_to_the_store_retries_and_time() {
        let mut attempts = Attempts::new(retry());
        assert!(attempts.next_delay(false).is_some());
        assert!(attempts.next_delay(false).is_some());
        assert!(attempts.next_delay(false).is_none());
        let mut short = retry();
        short.timeout = Some(Duration::from_millis(100));
        assert!(Attempts::new(short).next_delay(false).is_none());
        let mut unreachable = retry();
        unreachable.connect_timeout = Duration::ZERO;
        assert!(Attempts::new(unreachable).next_delay(true).is_none());
        assert!(Attempts::new(unreachable).next_delay(false).is_some());
    }

    #[test]
    fn an_answer_is_quoted_by_status_and_message_only() {
        let answer = Answer {
            status: 412,
            headers: HeaderMap::new(),
            body: Bytes::from_static(
                br#"{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold.\nmore"}}"#,
            ),
        };
        let err = status_error(&answer, "the upload's last chunk");
        assert_eq!(err.kind(), ErrorKind::ConditionNotMet);
        assert!(!err.to_string().contains("more"), "{err}");
        assert!(err.to_string().contains("HTTP 412"), "{err}");
        assert!(retryable(503) && retryable(429) && retryable(408) && !retryable(412));
    }
}

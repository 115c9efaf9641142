//! The bandwidth limiter: a token bucket of bytes per second that transfers draw from.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

// tokio's clock rather than std's, so that tests on a paused clock see exact time.
use tokio::time::Instant;

/// A token bucket: at most `bytes_per_second` on average, with bursts of up to `burst` bytes.
///
/// Clones share one bucket, so a limit cloned into several transfers caps their sum; create a
/// new `RateLimit` per transfer to cap each alone. A chunk larger than the burst goes through
/// in pieces of at most `burst` bytes, so the rate holds whatever the chunk size.
///
/// Apply it with [`limit_body`](RateLimit::limit_body) (a write's body),
/// [`limit_stream`](RateLimit::limit_stream) (a read's stream), [`limit`](RateLimit::limit)
/// (any `AsyncRead`, `AsyncWrite` or stream), or the `with_rate_limit` option of
/// [`ObjectReader`](crate::ObjectReader) and [`ObjectWriter`](crate::ObjectWriter).
///
/// ```
/// use storage_io::RateLimit;
///
/// // 4 MiB/s shared by every transfer that holds a clone.
/// let limit = RateLimit::per_second(4 << 20);
/// assert_eq!(limit.bytes_per_second(), 4 << 20);
/// let body = limit.limit_body("hello".into());
/// assert_eq!(body.size(), Some(5));
/// ```
#[derive(Clone)]
pub struct RateLimit {
    bucket: Arc<Bucket>,
}

struct Bucket {
    rate: u64,
    burst: u64,
    state: Mutex<State>,
}

struct State {
    /// Bytes that may go now, at most `burst`; below zero while in debt.
    tokens: f64,
    refilled: Instant,
}

/// The shortest wait: tokio's timer has millisecond resolution, and waiting less would spin.
const MIN_WAIT: Duration = Duration::from_millis(1);

impl RateLimit {
    /// At most `bytes_per_second` on average, in bursts of at most `burst` bytes. Zero values
    /// are raised to one byte. The bucket starts full.
    pub fn new(bytes_per_second: u64, burst: u64) -> Self {
        let rate = bytes_per_second.max(1);
        let burst = burst.max(1);
        RateLimit {
            bucket: Arc::new(Bucket {
                rate,
                burst,
                state: Mutex::new(State {
                    tokens: burst as f64,
                    refilled: Instant::now(),
                }),
            }),
        }
    }

    /// At most `bytes_per_second`, in bursts of a fiftieth of a second (at least 16 KiB, at
    /// most 1 MiB): smooth, and coarse enough that the timer's millisecond does not matter.
    pub fn per_second(bytes_per_second: u64) -> Self {
        let burst = (bytes_per_second / 50).clamp(16 << 10, 1 << 20);
        RateLimit::new(bytes_per_second, burst)
    }

    /// The average rate, in bytes per second.
    pub fn bytes_per_second(&self) -> u64 {
        self.bucket.rate
    }

    /// The largest piece that goes at once, in bytes.
    pub fn burst(&self) -> u64 {
        self.bucket.burst
    }

    /// Takes `min(want, burst)` tokens if at least one is there, else says how long until one
    /// is. The bucket may go into debt by up to one burst: waiting for the debt to be paid
    /// rather than for a full piece keeps the bucket below its cap while a transfer sleeps,
    /// so a timer that wakes late loses no tokens and the long-run rate stays exact. A shared
    /// bucket serves whoever asks first once it is out of debt.
    pub(crate) fn try_take(&self, want: usize) -> Result<usize, Duration> {
        let bucket = &*self.bucket;
        let need = (want as u64).clamp(1, bucket.burst);
        let mut state = bucket.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let elapsed = now.duration_since(state.refilled).as_secs_f64();
        state.tokens = (state.tokens + elapsed * bucket.rate as f64).min(bucket.burst as f64);
        state.refilled = now;
        if state.tokens >= 1.0 {
            state.tokens -= need as f64;
            // `need` is at most `want`, which is a usize.
            Ok(usize::try_from(need).unwrap_or(want))
        } else {
            let wait = Duration::from_secs_f64((1.0 - state.tokens) / bucket.rate as f64);
            Err(wait.max(MIN_WAIT))
        }
    }

    /// Gives back tokens taken but not used (a read that returned fewer bytes than granted).
    pub(crate) fn refund(&self, unused: usize) {
        let bucket = &*self.bucket;
        let mut state = bucket.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.tokens = (state.tokens + unused as f64).min(bucket.burst as f64);
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("bytes_per_second", &self.bucket.rate)
            .field("burst", &self.bucket.burst)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_at_most_the_burst_then_waits_out_the_debt() {
        let limit = RateLimit::new(1000, 100);
        assert_eq!(limit.try_take(30), Ok(30));
        // 70 tokens are left: a full burst is granted, leaving a debt of 30 bytes (30 ms).
        assert_eq!(limit.try_take(500), Ok(100));
        let wait = limit.try_take(1).unwrap_err();
        assert!(wait > Duration::from_millis(25), "{wait:?}");
        assert!(wait <= Duration::from_millis(31), "{wait:?}");
    }

    #[test]
    fn refunds_are_capped_by_the_burst() {
        let limit = RateLimit::new(1, 10);
        assert_eq!(limit.try_take(10), Ok(10));
        limit.refund(1000);
        assert_eq!(limit.try_take(10), Ok(10));
        assert!(limit.try_take(10).is_err());
    }

    #[test]
    fn clones_share_one_bucket() {
        let a = RateLimit::new(1, 10);
        let b = a.clone();
        assert_eq!(a.try_take(10), Ok(10));
        assert!(b.try_take(1).is_err());
    }

    #[test]
    fn zero_settings_are_raised_to_one() {
        let limit = RateLimit::new(0, 0);
        assert_eq!((limit.bytes_per_second(), limit.burst()), (1, 1));
        assert_eq!(RateLimit::per_second(1 << 30).burst(), 1 << 20);
    }
}

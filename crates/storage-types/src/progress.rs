//! The progress callback option: called with the size of every chunk a read or write moves.

use std::fmt;
use std::sync::Arc;

/// A callback that sees the size of every chunk of a body as it moves (go-storage's
/// `io_callback`). The central layer calls it for every backend, so the totals a callback sees
/// equal the bytes read or written.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use storage_types::Progress;
///
/// let total = Arc::new(AtomicU64::new(0));
/// let seen = total.clone();
/// let progress = Progress::new(move |n| { seen.fetch_add(n, Ordering::Relaxed); });
/// progress.report(3);
/// assert_eq!(total.load(Ordering::Relaxed), 3);
/// ```
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(u64) + Send + Sync>);

impl Progress {
    /// Wraps a callback.
    pub fn new(callback: impl Fn(u64) + Send + Sync + 'static) -> Self {
        Progress(Arc::new(callback))
    }

    /// Reports `bytes` more bytes moved.
    pub fn report(&self, bytes: u64) {
        (self.0)(bytes)
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

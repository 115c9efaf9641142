//! Runs blocking filesystem calls on tokio's blocking pool, as `tokio::fs` does, but several
//! calls per hop instead of one.

use storage_types::{Error, Result};

/// Runs `f` on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => Err(Error::unexpected("a filesystem task failed").with_source(join)),
    }
}

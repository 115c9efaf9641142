//! Assertions and test data for cases: error kinds, byte comparisons that say where two bodies
//! differ, deterministic contents, and bodies that stream, fail or lie about their length.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use storage_types::{Body, Error, ErrorKind, Progress};

/// Fails unless `result` is an error of `kind`; returns the error for further checks.
pub fn expect_kind<T>(result: storage_types::Result<T>, kind: ErrorKind) -> anyhow::Result<Error> {
    expect_kind_in(result, &[kind])
}

/// Fails unless `result` is an error of one of `kinds` (for behaviour the contract leaves to the
/// service, such as a directory name without a slash on an object store).
pub fn expect_kind_in<T>(
    result: storage_types::Result<T>,
    kinds: &[ErrorKind],
) -> anyhow::Result<Error> {
    let names = kinds
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    if let Err(err) = &result {
        crate::secrets::observe(&format!("{err} {err:?}"));
    }
    match result {
        Ok(_) => anyhow::bail!("expected error kind {names}, but the call succeeded"),
        Err(err) if kinds.contains(&err.kind()) => Ok(err),
        Err(err) => anyhow::bail!("expected error kind {names}, got `{}`: {err}", err.kind()),
    }
}

/// Fails unless `result` is an error, of any kind.
pub fn expect_error<T>(result: storage_types::Result<T>) -> anyhow::Result<Error> {
    match result {
        Ok(_) => anyhow::bail!("expected an error, but the call succeeded"),
        Err(err) => {
            crate::secrets::observe(&format!("{err} {err:?}"));
            Ok(err)
        }
    }
}

/// Fails unless `actual` equals `expected`, saying how long each is and where they first differ
/// (bodies can be megabytes long, so they are never printed whole).
pub fn ensure_bytes(actual: &[u8], expected: &[u8], what: &str) -> anyhow::Result<()> {
    if actual == expected {
        return Ok(());
    }
    let at = actual.iter().zip(expected).position(|(a, e)| a != e);
    let at = at.unwrap_or(actual.len().min(expected.len()));
    anyhow::bail!(
        "{what}: expected {} bytes {}, got {} bytes {} (first difference at byte {at})",
        expected.len(),
        preview(expected, at),
        actual.len(),
        preview(actual, at),
    )
}

/// Up to 32 bytes of `data` from a little before `at`, escaped.
fn preview(data: &[u8], at: usize) -> String {
    let start = at.saturating_sub(8).min(data.len());
    let end = (start + 32).min(data.len());
    let ellipsis = if end < data.len() { "..." } else { "" };
    format!(
        "[{start}..] \"{}{ellipsis}\"",
        data[start..end].escape_ascii()
    )
}

/// `len` bytes that depend on the position and on `seed`, so that misplaced, repeated or
/// missing chunks and mixed-up writers show as a difference.
pub fn pattern(len: usize, seed: u8) -> Bytes {
    // 251 is prime, so the pattern's period divides no power-of-two chunk size.
    (0..len)
        .map(|i| ((i % 251) as u8).wrapping_mul(7).wrapping_add(seed))
        .collect::<Vec<_>>()
        .into()
}

/// `data` as a stream of `chunk`-byte pieces, declaring `declared` as its length.
pub fn chunked_body(data: Bytes, chunk: usize, declared: Option<u64>) -> Body {
    let chunks: Vec<Result<Bytes, Error>> = split(data, chunk).into_iter().map(Ok).collect();
    Body::from_stream(futures_util::stream::iter(chunks), declared)
}

/// A stream that yields `data` in `chunk`-byte pieces and then fails, declaring `declared`.
pub fn failing_body(data: Bytes, chunk: usize, declared: Option<u64>) -> Body {
    let mut items: Vec<Result<Bytes, Error>> = split(data, chunk).into_iter().map(Ok).collect();
    items.push(Err(Error::unexpected(
        "the body's source failed (injected by the test)",
    )));
    Body::from_stream(futures_util::stream::iter(items), declared)
}

fn split(data: Bytes, chunk: usize) -> Vec<Bytes> {
    let chunk = chunk.max(1);
    (0..data.len())
        .step_by(chunk)
        .map(|at| data.slice(at..(at + chunk).min(data.len())))
        .collect()
}

/// A progress callback and the running total it has seen.
pub fn progress_counter() -> (Progress, Arc<AtomicU64>) {
    let total = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&total);
    let progress = Progress::new(move |n| {
        seen.fetch_add(n, Ordering::SeqCst);
    });
    (progress, total)
}

/// The total a counter from [`progress_counter`] has seen.
pub fn total(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::SeqCst)
}

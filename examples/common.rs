//! What the examples share: where they run (a URL from the command line, or a local
//! directory) and some generated content to store.

use std::path::PathBuf;

// The Rust blocks of the reference pages compile (and run, where they have a `main`) as
// doctests of this crate, so the pages cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../docs/operations.md")]
pub struct OperationsPage;

#[cfg(doctest)]
#[doc = include_str!("../docs/options.md")]
pub struct OptionsPage;

#[cfg(doctest)]
#[doc = include_str!("../docs/errors.md")]
pub struct ErrorsPage;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct Readme;

/// The store URL given as the first argument, or a directory under the system's temporary
/// directory (the embedded default: local files).
///
/// ```
/// let url = storage_examples::url_from_args("quickstart");
/// assert!(!url.is_empty());
/// ```
pub fn url_from_args(example: &str) -> String {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| local_dir(example).display().to_string())
}

/// `<temp>/rs-storage-examples/<example>`, where an example runs without a URL.
pub fn local_dir(example: &str) -> PathBuf {
    std::env::temp_dir()
        .join("rs-storage-examples")
        .join(example)
}

/// `len` bytes of text that look like a database dump, different for every `seed`.
///
/// ```
/// let chunk = storage_examples::dump_lines(7, 100);
/// assert_eq!(chunk.len(), 100);
/// assert_ne!(chunk, storage_examples::dump_lines(8, 100));
/// ```
pub fn dump_lines(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut row = seed.wrapping_mul(1_000_003);
    while out.len() < len {
        out.extend_from_slice(format!("INSERT INTO t VALUES ({row}, 'row {row}');\n").as_bytes());
        row = row.wrapping_add(1);
    }
    out.truncate(len);
    out
}

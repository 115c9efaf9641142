//! `locate(url)`: a URL that names one object or directory, split into the store and the path
//! inside it, as command-line tools need.

use std::sync::Arc;

use storage_types::{Result, Storage};

use crate::storage_url::StorageUrl;

/// A store and a path inside it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The store.
    pub store: Arc<dyn Storage>,
    /// The path inside the store (a trailing `/` names a directory).
    pub path: String,
}

/// Splits a URL naming an object or directory into a store and a path.
///
/// Local paths open a store at the filesystem root `/` with the rest as the path;
/// `memory://name/a/b` opens store `name` with path `a/b`; `s3://bucket/a/b` opens the bucket
/// with path `a/b`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let loc = storage::locate("memory://docs/a/b.txt").await.unwrap();
/// assert_eq!(loc.path, "a/b.txt");
/// assert_eq!(loc.store.info().service, "memory");
/// # }
/// ```
pub async fn locate(url: &str) -> Result<Location> {
    let parsed = StorageUrl::parse(url)?;
    let path = parsed.path().trim_start_matches('/').to_owned();
    let store = crate::open::open_at(&parsed, "").await?;
    Ok(Location { store, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_paths_split_at_the_filesystem_root() {
        let loc = locate("/tmp/some dir/a.txt").await.unwrap();
        assert_eq!(loc.path, "tmp/some dir/a.txt");
        assert_eq!(loc.store.info().name, "/");
        let loc = locate("file:///tmp/x/").await.unwrap();
        assert_eq!(loc.path, "tmp/x/");
    }

    #[tokio::test]
    async fn memory_stores_are_shared_by_name() {
        use storage_types::StorageExt;
        let a = crate::open("memory://shared-by-name").await.unwrap();
        a.write_bytes("x", "1").await.unwrap();
        let b = locate("memory://shared-by-name/x").await.unwrap();
        assert_eq!(b.store.read_bytes(&b.path).await.unwrap(), "1");
        let other = crate::open("memory://another-name").await.unwrap();
        assert!(!other.exists("x").await.unwrap());
    }
}

//! `open(url)`: from a URL to a configured store.

use std::sync::{Arc, OnceLock};

use storage_types::backend::UrlKeys;
use storage_types::{Error, Result, Storage};

use crate::dialect::SCHEME_ALIASES;
use crate::storage_url::StorageUrl;

/// The URL schemes this build opens (each enabled backend's spellings), besides bare paths.
pub fn schemes() -> &'static [&'static str] {
    static SCHEMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    SCHEMES.get_or_init(|| {
        SCHEME_ALIASES
            .iter()
            .filter(|(_, backend)| enabled(backend))
            .map(|(spelling, _)| *spelling)
            .collect()
    })
}

/// Whether this build has the backend (its cargo feature is on).
fn enabled(backend: &str) -> bool {
    match backend {
        "fs" => cfg!(feature = "fs"),
        "memory" => cfg!(feature = "memory"),
        "s3" => cfg!(feature = "s3"),
        "azblob" => cfg!(feature = "azblob"),
        "gcs" => cfg!(feature = "gcs"),
        _ => true,
    }
}

/// The keys of the local stores, read like every backend's flags: `loose` (`fs`, `memory`)
/// and `sync` (`fs` only: durable writes, on unless `sync=false`).
struct LocalKeys {
    loose: bool,
    sync: bool,
}

fn local_keys(parsed: &StorageUrl, service: &'static str) -> Result<LocalKeys> {
    let mut keys = UrlKeys::new(service, parsed.query());
    let loose = keys.take_bool("loose")?.unwrap_or(false);
    let sync = match service {
        "fs" => keys.take_bool("sync")?.unwrap_or(true),
        _ => true,
    };
    keys.finish()?;
    Ok(LocalKeys { loose, sync })
}

/// Opens the store a URL names; its root is the URL's path. See [`StorageUrl`] for the forms.
///
/// Errors: `InvalidInput` for an unknown scheme or query key (naming the accepted ones), a
/// malformed URL or value; any error of the backend's constructor.
pub async fn open(url: &str) -> Result<Arc<dyn Storage>> {
    open_with(url, std::iter::empty::<(&str, &str)>()).await
}

/// [`open`] with options on top of the URL's query keys (from command-line flags, say):
/// normalised like them, and winning over them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> storage::Result<()> {
/// let store = storage::open_with("memory://scratch", [("loose", "true")]).await?;
/// assert!(store.info().loose);
/// # Ok(()) }
/// ```
pub async fn open_with<I, K, V>(url: &str, options: I) -> Result<Arc<dyn Storage>>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    let parsed = StorageUrl::parse(url)?.with_options(options)?;
    let root = parsed.path().to_owned();
    open_at(&parsed, &root).await
}

/// Opens the store of `parsed` with its root at `root` (a local directory for `fs`, a key
/// prefix for object stores).
pub(crate) async fn open_at(parsed: &StorageUrl, root: &str) -> Result<Arc<dyn Storage>> {
    match parsed.scheme() {
        #[cfg(feature = "fs")]
        "fs" => {
            let keys = local_keys(parsed, "fs")?;
            parsed.refuse_host()?;
            let root = if root.is_empty() { "/" } else { root };
            Ok(Arc::new(
                storage_fs::FsStorage::new(root)?
                    .with_loose(keys.loose)
                    .with_sync(keys.sync),
            ))
        }
        #[cfg(feature = "memory")]
        "memory" => {
            let keys = local_keys(parsed, "memory")?;
            Ok(Arc::new(
                memory_store(parsed.bucket()).with_loose(keys.loose),
            ))
        }
        "noop" => {
            UrlKeys::new("noop", parsed.query()).finish()?;
            Ok(Arc::new(crate::noop::NoopStorage::new()))
        }
        #[cfg(feature = "s3")]
        "s3" => {
            let root = root.trim_start_matches('/');
            let builder = storage_s3::S3Builder::from_query(parsed.bucket(), root, parsed.query())?;
            Ok(Arc::new(builder.build().await?))
        }
        #[cfg(feature = "azblob")]
        "azblob" => {
            let root = root.trim_start_matches('/');
            let builder =
                storage_azblob::AzBlobBuilder::from_query(parsed.bucket(), root, parsed.query())?;
            Ok(Arc::new(builder.build()?))
        }
        #[cfg(feature = "gcs")]
        "gcs" => {
            let root = root.trim_start_matches('/');
            let builder =
                storage_gcs::GcsBuilder::from_query(parsed.bucket(), root, parsed.query())?;
            Ok(Arc::new(builder.build().await?))
        }
        other => Err(Error::invalid_input(format!(
            "{parsed}: this build has no {other} backend (cargo feature `{other}` of the \
             `storage` crate); it opens: {}",
            schemes().join(", ")
        ))),
    }
}

/// The process-wide memory store called `name`: every `open("memory://name")` shares it.
#[cfg(feature = "memory")]
pub(crate) fn memory_store(name: &str) -> storage_memory::MemoryStorage {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    static STORES: OnceLock<Mutex<HashMap<String, storage_memory::MemoryStorage>>> =
        OnceLock::new();
    let stores = STORES.get_or_init(Mutex::default);
    let mut stores = stores.lock().unwrap_or_else(|p| p.into_inner());
    stores
        .entry(name.to_owned())
        .or_insert_with(|| storage_memory::MemoryStorage::named(name))
        .clone()
}

#[cfg(test)]
mod tests {
    use storage_types::ErrorKind;

    use super::*;

    #[test]
    fn bare_paths_are_local() {
        let parsed = StorageUrl::parse("relative/dir").unwrap();
        assert_eq!(parsed.scheme(), "fs");
        assert!(parsed.path().starts_with('/'));
        assert!(parsed.path().ends_with("relative/dir"));
    }

    #[test]
    fn keys_are_case_and_underscore_insensitive() {
        let parsed = StorageUrl::parse("memory://x?LOOSE=1&Force_Path_Style=true").unwrap();
        assert!(parsed.query().contains_key("loose"));
        assert!(parsed.query().contains_key("force-path-style"));
    }

    #[tokio::test]
    async fn noop_discards_and_options_override_the_url() {
        let store = open("noop://").await.unwrap();
        assert_eq!(store.info().service, "noop");
        let store = open_with("memory://opts?loose=false", [("LOOSE", "true")]).await;
        assert!(store.unwrap().info().loose);
    }

    #[tokio::test]
    async fn unknown_scheme_and_key_name_the_accepted_ones() {
        let err = open("ftp://host/x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("memory"), "{err}");
        let err = open("memory://x?colour=red").await.unwrap_err();
        assert!(err.to_string().contains("accepted keys: loose"), "{err}");
    }

    #[cfg(feature = "fs")]
    #[tokio::test]
    async fn fs_writes_are_durable_unless_sync_is_off() {
        let dir = tempfile::tempdir().unwrap();
        let base = format!("fs://{}", dir.path().display());
        let sync_of = |store: &Arc<dyn Storage>| {
            let fs = store.as_any().downcast_ref::<storage_fs::FsStorage>();
            fs.expect("an fs store").sync_enabled()
        };
        assert!(sync_of(&open(&base).await.unwrap()));
        for (value, on) in [("true", true), ("false", false), ("0", false), ("ON", true)] {
            let store = open(&format!("{base}?sync={value}")).await.unwrap();
            assert_eq!(sync_of(&store), on, "sync={value}");
        }
        let store = open_with(&base, [("sync", "no")]).await.unwrap();
        assert!(!sync_of(&store));
        let err = open(&format!("{base}?sync=later")).await.unwrap_err();
        assert!(err.to_string().contains("`sync` takes"), "{err}");
        // Memory has nothing to sync: the key is unknown there.
        let err = open("memory://x?sync=false").await.unwrap_err();
        assert!(
            err.to_string().contains("unknown memory URL key `sync`"),
            "{err}"
        );
        let err = open(&format!("{base}?colour=red")).await.unwrap_err();
        assert!(
            err.to_string().contains("accepted keys: loose, sync"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn local_urls_refuse_a_host() {
        let err = open("fs://tmp/x").await.unwrap_err();
        assert!(err.to_string().contains("fs:///tmp/x"), "{err}");
    }

    #[tokio::test]
    async fn secrets_in_bad_urls_are_masked() {
        let err = open("ftp://h/x?secret-key=hunter2").await.unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[tokio::test]
    async fn flags_read_alike_on_every_local_store() {
        for scheme in ["memory://x", "fs:///tmp"] {
            let err = open(&format!("{scheme}?loose=maybe")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(
                err.to_string()
                    .contains("`loose` takes true/false, yes/no, on/off or 1/0, not `maybe`"),
                "{err}"
            );
            for yes in ["yes", "true", "1", "ON"] {
                let store = open(&format!("{scheme}?loose={yes}")).await.unwrap();
                assert!(store.info().loose, "{scheme}?loose={yes}");
            }
            let store = open(&format!("{scheme}?loose=no")).await.unwrap();
            assert!(!store.info().loose);
        }
    }
}

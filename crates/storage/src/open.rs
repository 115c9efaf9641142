//! `open(url)`: from a URL to a configured store.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use storage_types::{Error, Result, Storage};

use crate::redact::redact_url;

/// The URL schemes this build accepts (one per enabled backend feature, plus aliases).
pub fn schemes() -> &'static [&'static str] {
    &[
        #[cfg(feature = "fs")]
        "fs",
        #[cfg(feature = "fs")]
        "file",
        #[cfg(feature = "memory")]
        "memory",
        #[cfg(feature = "s3")]
        "s3",
        #[cfg(feature = "azblob")]
        "azblob",
        #[cfg(feature = "azblob")]
        "azure",
        #[cfg(feature = "gcs")]
        "gcs",
        #[cfg(feature = "gcs")]
        "gs",
    ]
}

/// Query keys every scheme accepts.
const COMMON_KEYS: [&str; 1] = ["loose"];

/// Opens the store a URL names; its root is the URL's path. See the crate docs for the forms.
///
/// Errors: `InvalidInput` for an unknown scheme or query key (naming the accepted ones), a
/// malformed URL or value; any error of the backend's constructor.
pub async fn open(url: &str) -> Result<Arc<dyn Storage>> {
    let parsed = ParsedUrl::parse(url)?;
    let root = parsed.path.clone();
    open_at(&parsed, &root).await
}

/// Opens the store of `parsed` with its root at `root` (a local directory for `fs`, a key
/// prefix for object stores).
pub(crate) async fn open_at(parsed: &ParsedUrl, root: &str) -> Result<Arc<dyn Storage>> {
    parsed.refuse_unknown_scheme()?;
    match parsed.scheme.as_str() {
        #[cfg(feature = "fs")]
        "fs" | "file" => {
            parsed.refuse_unknown_keys(&COMMON_KEYS)?;
            let loose = parsed.flag("loose")?;
            parsed.refuse_host()?;
            let root = if root.is_empty() { "/" } else { root };
            Ok(Arc::new(
                storage_fs::FsStorage::new(root)?.with_loose(loose),
            ))
        }
        #[cfg(feature = "memory")]
        "memory" => {
            parsed.refuse_unknown_keys(&COMMON_KEYS)?;
            let loose = parsed.flag("loose")?;
            Ok(Arc::new(
                crate::location::memory_store(&parsed.host).with_loose(loose),
            ))
        }
        #[cfg(feature = "s3")]
        "s3" => {
            let root = root.trim_start_matches('/');
            let builder = storage_s3::S3Builder::from_query(&parsed.host, root, &parsed.query)?;
            Ok(Arc::new(builder.build().await?))
        }
        #[cfg(feature = "azblob")]
        "azblob" | "azure" => {
            let root = root.trim_start_matches('/');
            let builder =
                storage_azblob::AzBlobBuilder::from_query(&parsed.host, root, &parsed.query)?;
            Ok(Arc::new(builder.build()?))
        }
        #[cfg(feature = "gcs")]
        "gcs" | "gs" => {
            let root = root.trim_start_matches('/');
            let builder = storage_gcs::GcsBuilder::from_query(&parsed.host, root, &parsed.query)?;
            Ok(Arc::new(builder.build().await?))
        }
        _ => Err(parsed.unknown_scheme()),
    }
}

/// A URL split into what `open` needs. Bare paths become `fs` URLs.
pub(crate) struct ParsedUrl {
    pub(crate) original: String,
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) path: String,
    pub(crate) query: BTreeMap<String, String>,
}

impl ParsedUrl {
    pub(crate) fn parse(raw: &str) -> Result<ParsedUrl> {
        let Some((scheme, _)) = raw.split_once("://") else {
            return Ok(ParsedUrl {
                original: raw.to_owned(),
                scheme: "fs".to_owned(),
                host: String::new(),
                path: absolute(raw)?,
                query: BTreeMap::new(),
            });
        };
        let url = url::Url::parse(raw).map_err(|err| {
            Error::invalid_input(format!("malformed URL {}: {err}", redact_url(raw)))
        })?;
        let mut query = BTreeMap::new();
        for (key, value) in url.query_pairs() {
            // Keys are case-insensitive and `_` is the same as `-`, as the backup tools read them.
            let key = key.to_ascii_lowercase().replace('_', "-");
            if query.insert(key.clone(), value.into_owned()).is_some() {
                return Err(Error::invalid_input(format!(
                    "query key `{key}` is given twice"
                )));
            }
        }
        let path = percent_decode(url.path())?;
        Ok(ParsedUrl {
            original: raw.to_owned(),
            scheme: scheme.to_ascii_lowercase(),
            host: url.host_str().unwrap_or_default().to_owned(),
            path,
            query,
        })
    }

    pub(crate) fn refuse_unknown_scheme(&self) -> Result<()> {
        match schemes().contains(&self.scheme.as_str()) {
            true => Ok(()),
            false => Err(self.unknown_scheme()),
        }
    }

    pub(crate) fn unknown_scheme(&self) -> Error {
        Error::invalid_input(format!(
            "unknown scheme `{}` in {}; this build accepts: {} (and bare local paths)",
            self.scheme,
            redact_url(&self.original),
            schemes().join(", ")
        ))
    }

    /// A boolean query flag: absent, empty, `true`/`false`, `1`/`0`.
    pub(crate) fn flag(&self, key: &str) -> Result<bool> {
        match self.query.get(key).map(|v| v.to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v.is_empty() || v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" => Ok(false),
            Some(v) => Err(Error::invalid_input(format!(
                "query key `{key}` takes true or false, not `{v}`"
            ))),
        }
    }

    pub(crate) fn refuse_unknown_keys(&self, accepted: &[&str]) -> Result<()> {
        for key in self.query.keys() {
            if !accepted.contains(&key.as_str()) {
                return Err(Error::invalid_input(format!(
                    "unknown query key `{key}` in {}; accepted keys: {}",
                    redact_url(&self.original),
                    accepted.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Refuses a host in a local URL: `fs://x/y` is almost always a mistyped `fs:///x/y`.
    pub(crate) fn refuse_host(&self) -> Result<()> {
        if !self.host.is_empty() {
            return Err(Error::invalid_input(format!(
                "{}: local URLs take an absolute path and no host (write {}:///{}{})",
                redact_url(&self.original),
                self.scheme,
                self.host,
                self.path
            )));
        }
        Ok(())
    }
}

fn absolute(raw: &str) -> Result<String> {
    if raw.is_empty() {
        return Err(Error::invalid_input("an empty string is not a path or URL"));
    }
    let path = PathBuf::from(raw);
    let path = if path.is_absolute() {
        path
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut text = path.to_string_lossy().into_owned();
    if raw.ends_with('/') && !text.ends_with('/') {
        text.push('/');
    }
    Ok(text)
}

fn percent_decode(path: &str) -> Result<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(Error::invalid_input(format!(
                    "bad percent-escape in {path:?}"
                )));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::invalid_input("the URL path is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use storage_types::ErrorKind;

    use super::*;

    #[test]
    fn bare_paths_are_local() {
        let parsed = ParsedUrl::parse("relative/dir").unwrap();
        assert_eq!(parsed.scheme, "fs");
        assert!(parsed.path.starts_with('/'));
        assert!(parsed.path.ends_with("relative/dir"));
    }

    #[test]
    fn keys_are_case_and_underscore_insensitive() {
        let parsed = ParsedUrl::parse("memory://x?LOOSE=1&Force_Path_Style=true").unwrap();
        assert!(parsed.flag("loose").unwrap());
        assert!(parsed.query.contains_key("force-path-style"));
    }

    #[tokio::test]
    async fn unknown_scheme_and_key_name_the_accepted_ones() {
        let err = open("ftp://host/x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("memory"), "{err}");
        let err = open("memory://x?colour=red").await.unwrap_err();
        assert!(err.to_string().contains("accepted keys: loose"), "{err}");
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
    async fn bad_flag_values_are_refused() {
        assert!(open("memory://x?loose=maybe").await.is_err());
    }
}

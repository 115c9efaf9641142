//! [`StorageUrl`]: a storage URL in any accepted dialect, parsed into the backend it names, its
//! bucket, path and normalised query keys. `Display` and `Debug` mask every secret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use storage_types::backend::normal_key;
use storage_types::{Error, Result};

use crate::dialect::{
    SCHEME_ALIASES, abfs_parts, canonical_scheme, spelling_keys, translate_go_storage,
};
use crate::redact::{is_secret_key, redact_url};

/// A parsed storage URL.
///
/// Accepts rs-storage's canonical form, the backup tools' (`s3://bucket/prefix?region=..`,
/// `gcs://`, `azure://`, `local://`, `noop://`), go-storage connection strings
/// (`credential=hmac:AK:SK`, `endpoint=https:host:port`, `name`, `work_dir`), the scheme
/// spellings of other tools (`s3a://`, `gs://`, `az://`, `abfs://c@acct.dfs.core.windows.net`,
/// `memory:///`) and bare local paths. Query keys are case-insensitive and `_` is `-`.
///
/// ```
/// use storage::StorageUrl;
///
/// let url = StorageUrl::parse("s3a://logs/2024?Secret_Access_Key=abc&region=eu").unwrap();
/// assert_eq!((url.scheme(), url.bucket(), url.path()), ("s3", "logs", "/2024"));
/// assert_eq!(url.query()["secret-access-key"], "abc");
/// assert_eq!(url.to_string(), "s3://logs/2024?region=eu&secret-access-key=***");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StorageUrl {
    scheme: &'static str,
    bucket: String,
    path: String,
    query: BTreeMap<String, String>,
}

impl StorageUrl {
    /// Parses a URL or a bare local path (relative paths are resolved against the current
    /// directory).
    pub fn parse(raw: &str) -> Result<StorageUrl> {
        let Some((scheme, _)) = raw.split_once("://") else {
            return Ok(StorageUrl {
                scheme: "fs",
                bucket: String::new(),
                path: absolute(raw)?,
                query: BTreeMap::new(),
            });
        };
        let spelled = scheme.to_ascii_lowercase();
        let scheme = canonical_scheme(&spelled).ok_or_else(|| unknown_scheme(&spelled, raw))?;
        let url = url::Url::parse(raw).map_err(|err| {
            Error::invalid_input(format!("malformed URL {}: {err}", redact_url(raw)))
        })?;
        let mut query = BTreeMap::new();
        // A `+` is itself, not a space: base64 keys and SAS tokens hold it, and BR reads it so
        // (it escapes `+` before parsing). A space is written `%20`, as our printed URLs do.
        let pairs = url.query().unwrap_or_default().replace('+', "%2B");
        for (key, value) in url::form_urlencoded::parse(pairs.as_bytes()) {
            let key = normal_key(&key);
            if query.insert(key.clone(), value.into_owned()).is_some() {
                return Err(Error::invalid_input(format!(
                    "query key `{key}` is given twice"
                )));
            }
        }
        let mut bucket = url.host_str().unwrap_or_default().to_owned();
        if spelled.starts_with("abfs") {
            let (container, account) = abfs_parts(url.username(), &bucket)?;
            bucket = container;
            query.entry("account-name".to_owned()).or_insert(account);
        } else if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid_input(format!(
                "{}: put credentials in query keys, not before the host",
                redact_url(raw)
            )));
        }
        let mut path = percent_decode(url.path())?;
        // The URL parser drops `.` and `..` segments; what decoding brings back (segments
        // around an encoded `/`) would be read differently by the next parse of the URL.
        if path
            .split('/')
            .any(|segment| segment == "." || segment == "..")
        {
            return Err(Error::invalid_input(format!(
                "{}: `.` and `..` cannot be segments of a URL's path",
                redact_url(raw)
            )));
        }
        spelling_keys(&spelled, &mut query)?;
        translate_go_storage(scheme, &mut query, &mut bucket, &mut path)?;
        Ok(StorageUrl {
            scheme,
            bucket,
            path,
            query,
        })
    }

    /// A URL from its parts (the kvproto mapping's): `query` keys already normal.
    pub(crate) fn from_parts(
        scheme: &'static str,
        bucket: String,
        path: String,
        query: BTreeMap<String, String>,
    ) -> StorageUrl {
        StorageUrl {
            scheme,
            bucket,
            path,
            query,
        }
    }

    /// The backend: `fs`, `memory`, `noop`, `s3`, `azblob` or `gcs`.
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The bucket (S3, GCS), container (Azure) or store name (memory); empty for local files.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The decoded path: absolute for local files, `/prefix/...` (or empty) for the others.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query keys, lower-case with `-` for `_`, dialect keys translated. Values may be
    /// secrets: this is for the backends' builders, not for display.
    pub fn query(&self) -> &BTreeMap<String, String> {
        &self.query
    }

    /// Adds options (CLI flags, say) as query keys, normalised and translated like the URL's
    /// own; an option overrides the URL's key of the same name.
    pub fn with_options<I, K, V>(mut self, options: I) -> Result<StorageUrl>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut added = BTreeMap::new();
        for (key, value) in options {
            added.insert(normal_key(key.as_ref()), value.into());
        }
        translate_go_storage(self.scheme, &mut added, &mut self.bucket, &mut self.path)?;
        self.query.extend(added);
        Ok(self)
    }

    /// The canonical URL, secrets included: for handing the configuration on, never for
    /// showing it (`Display` masks them).
    pub fn to_url_with_secrets(&self) -> String {
        let mut out = format!("{}://{}", self.scheme, self.bucket);
        for segment in self.path.split('/').enumerate() {
            if segment.0 > 0 {
                out.push('/');
            }
            out.push_str(&percent_encode(segment.1));
        }
        if !self.query.is_empty() {
            let pairs: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect();
            out.push('?');
            out.push_str(&pairs.join("&"));
        }
        out
    }

    /// Refuses a host in a local URL: `fs://x/y` is almost always a mistyped `fs:///x/y`.
    pub(crate) fn refuse_host(&self) -> Result<()> {
        if !self.bucket.is_empty() {
            return Err(Error::invalid_input(format!(
                "{self}: local URLs take an absolute path and no host (write {}:///{}{})",
                self.scheme, self.bucket, self.path
            )));
        }
        Ok(())
    }
}

impl fmt::Display for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.to_url_with_secrets()))
    }
}

impl fmt::Debug for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: BTreeMap<&str, &str> = self
            .query
            .iter()
            .map(|(k, v)| {
                let shown = if is_secret_key(k) { "***" } else { v.as_str() };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("StorageUrl")
            .field("scheme", &self.scheme)
            .field("bucket", &self.bucket)
            .field("path", &self.path)
            .field("query", &query)
            .finish()
    }
}

/// A query key as the backends expect it: lower-case, `-` for `_`.
fn unknown_scheme(scheme: &str, raw: &str) -> Error {
    let accepted: Vec<&str> = SCHEME_ALIASES.iter().map(|(alias, _)| *alias).collect();
    Error::invalid_input(format!(
        "unknown scheme `{scheme}` in {}; accepted: {} (and bare local paths)",
        redact_url(raw),
        accepted.join(", ")
    ))
}

pub(crate) fn absolute(raw: &str) -> Result<String> {
    if raw.is_empty() {
        return Err(Error::invalid_input("an empty string is not a path or URL"));
    }
    let path = PathBuf::from(raw);
    let path = if path.is_absolute() {
        path
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut text = without_dot_segments(&path.to_string_lossy());
    if raw.ends_with('/') && !text.ends_with('/') {
        text.push('/');
    }
    Ok(text)
}

/// An absolute path with `.` segments dropped and `..` taken lexically, as the path of a URL
/// is read, so that a bare path and the `fs://` URL it prints as name the same place.
fn without_dot_segments(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => drop(kept.pop()),
            other => kept.push(other),
        }
    }
    // A path that ended in a dot segment names a directory: keep the slash that says so.
    let dir = path.ends_with("/.") || path.ends_with("/..");
    let mut out = format!("/{}", kept.join("/"));
    if dir && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn percent_decode(path: &str) -> Result<String> {
    // `percent_decode_str` passes a malformed escape through as text; a URL we print never
    // holds one, so one here is a typo worth refusing.
    let malformed = path.match_indices('%').any(|(at, _)| {
        path.get(at + 1..at + 3)
            .is_none_or(|hex| !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if malformed {
        return Err(Error::invalid_input(format!(
            "bad percent-escape in {path:?}"
        )));
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::invalid_input("the URL path is not UTF-8"))
}

/// What a URL path segment or query value holds literally: letters, digits and `-_.~:@`.
const LITERAL: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b'@');

/// Escapes what a URL path segment or query value cannot hold literally.
fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, LITERAL).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_paths_lose_dot_segments_as_url_paths_do() {
        assert_eq!(without_dot_segments("/a/./b/../c"), "/a/c");
        assert_eq!(without_dot_segments("/a/b/."), "/a/b/");
        assert_eq!(without_dot_segments("/a/b/.."), "/a/");
        assert_eq!(without_dot_segments("/../x"), "/x");
        assert_eq!(without_dot_segments("/"), "/");
        // Found by the fuzzer: "." printed as `fs:///cwd/.` and parsed back as `/cwd/`.
        let url = StorageUrl::parse(".").unwrap();
        let again = StorageUrl::parse(&url.to_url_with_secrets()).unwrap();
        assert_eq!(again.path(), url.path());
        assert!(url.path().ends_with('/'));
    }

    #[test]
    fn query_keys_print_escaped() {
        // Found by the fuzzer: a key holding `#` (sent as `%23`) printed raw, so the printed
        // URL lost the key's end to a fragment.
        let url = StorageUrl::parse("s3://b?a%23b=1&c+d").unwrap();
        let printed = url.to_url_with_secrets();
        assert_eq!(StorageUrl::parse(&printed).unwrap().query(), url.query());
        assert!(printed.contains("a%23b=1"), "{printed}");
    }

    #[test]
    fn a_plus_in_a_value_is_a_plus_as_br_reads_it() {
        let url = StorageUrl::parse("azblob://c?account-key=ab+c/d==&sas-token=sv%3D1+2").unwrap();
        assert_eq!(url.query()["account-key"], "ab+c/d==");
        assert_eq!(url.query()["sas-token"], "sv=1+2");
        let spaced = StorageUrl::parse("s3://b?storage-class=A%20B").unwrap();
        assert_eq!(spaced.query()["storage-class"], "A B");
        let again = StorageUrl::parse(&url.to_url_with_secrets()).unwrap();
        assert_eq!(again.query(), url.query());
    }

    #[test]
    fn dot_segments_behind_encoded_slashes_are_refused() {
        for raw in ["s3://b/a%2F..%2Fb", "s3://b/x/.%2Fy", "gcs://b/%2F..%2F"] {
            let err = StorageUrl::parse(raw).unwrap_err();
            assert!(
                err.to_string().contains("cannot be segments"),
                "{raw}: {err}"
            );
        }
        assert_eq!(
            StorageUrl::parse("s3://b/a/./b/../c").unwrap().path(),
            "/a/c"
        );
    }
}

//! Object paths: normalised once, here, so that no path can escape a store's root.

use std::fmt;

use crate::error::{Error, Result};

/// A normalised path relative to a store's root.
///
/// Segments are separated by `/`; a trailing `/` names a directory; the empty path is the root
/// directory. Normalisation turns `\` into `/`, drops empty and `.` segments, and refuses
/// (with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)) anything that could
/// leave the root: `..` segments, absolute paths and NUL bytes.
///
/// ```
/// use storage_types::ObjectPath;
///
/// let p = ObjectPath::parse("logs/./2024//a.txt").unwrap();
/// assert_eq!(p.as_str(), "logs/2024/a.txt");
/// assert!(ObjectPath::parse("logs/../../etc/passwd").is_err());
/// assert!(ObjectPath::parse("/etc/passwd").is_err());
/// assert!(ObjectPath::parse("logs/").unwrap().is_dir());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectPath(String);

impl ObjectPath {
    /// The root directory of the store.
    pub fn root() -> Self {
        ObjectPath(String::new())
    }

    /// Normalises `raw`, refusing paths that could escape the root.
    pub fn parse(raw: &str) -> Result<Self> {
        if raw.contains('\0') {
            return Err(Error::invalid_input("path contains a NUL byte"));
        }
        let raw = raw.replace('\\', "/");
        if raw.starts_with('/') || has_drive_prefix(&raw) {
            return Err(Error::invalid_input(
                "absolute paths are not allowed; paths are relative to the store root",
            ));
        }
        let mut normal = String::with_capacity(raw.len());
        for segment in raw.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    return Err(Error::invalid_input("path segment `..` is not allowed"));
                }
                _ => {
                    normal.push_str(segment);
                    normal.push('/');
                }
            }
        }
        // Dropped `.` segments can bring a drive to the front (`./C:/x`): check again.
        if has_drive_prefix(&normal) {
            return Err(Error::invalid_input(
                "absolute paths are not allowed; paths are relative to the store root",
            ));
        }
        // `normal` now ends with `/` after every segment; keep it only for directory paths.
        let names_dir = raw.ends_with('/') || raw.ends_with("/.") || raw == ".";
        if !names_dir {
            normal.pop();
        }
        Ok(ObjectPath(normal))
    }

    /// Normalises `raw` as a directory path: the result always ends with `/` (or is the root).
    pub fn parse_dir(raw: &str) -> Result<Self> {
        Ok(ObjectPath::parse(raw)?.into_dir())
    }

    /// Splits a raw key prefix at its last `/` into a directory and a name prefix:
    /// `v1/backupmeta` is the directory `v1/` and the name prefix `backupmeta`; `v1/` is `v1/`
    /// and the empty name prefix; the empty prefix is the root. The directory is normalised
    /// (and refused) as [`parse`](ObjectPath::parse) does; the name prefix is kept as it is,
    /// so `a/.` is the directory `a/` and the name prefix `.`, which matches `a/.hidden`.
    ///
    /// ```
    /// use storage_types::ObjectPath;
    ///
    /// let (dir, name) = ObjectPath::parse_key_prefix("v1//backupmeta").unwrap();
    /// assert_eq!((dir.as_str(), name.as_str()), ("v1/", "backupmeta"));
    /// assert!(ObjectPath::parse_key_prefix("../x").is_err());
    /// ```
    pub fn parse_key_prefix(raw: &str) -> Result<(ObjectPath, String)> {
        if raw.contains('\0') {
            return Err(Error::invalid_input("key prefix contains a NUL byte"));
        }
        let raw = raw.replace('\\', "/");
        let (dir, name) = match raw.rfind('/') {
            Some(slash) => raw.split_at(slash + 1),
            None => ("", raw.as_str()),
        };
        Ok((ObjectPath::parse_dir(dir)?, name.to_owned()))
    }

    /// The path as a `/`-separated string, empty for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the path names a directory (the root, or a path ending in `/`).
    pub fn is_dir(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('/')
    }

    /// Whether the path is the root directory.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The same path as a directory (with a trailing `/`).
    pub fn into_dir(mut self) -> Self {
        if !self.is_dir() {
            self.0.push('/');
        }
        self
    }

    /// The same path without its trailing `/`: the object of the same name.
    pub fn as_object_name(&self) -> &str {
        self.0.strip_suffix('/').unwrap_or(&self.0)
    }

    /// The last segment, without a trailing `/`; empty for the root.
    pub fn file_name(&self) -> &str {
        let name = self.as_object_name();
        name.rsplit('/').next().unwrap_or(name)
    }

    /// The parent directory (ending in `/`), or `None` for the root.
    pub fn parent(&self) -> Option<ObjectPath> {
        if self.is_root() {
            return None;
        }
        let name = self.as_object_name();
        Some(match name.rfind('/') {
            Some(at) => ObjectPath(name[..=at].to_owned()),
            None => ObjectPath::root(),
        })
    }

    /// Appends a relative path to this directory path.
    pub fn join(&self, relative: &str) -> Result<ObjectPath> {
        let mut joined = self.clone().into_dir().0;
        joined.push_str(relative);
        ObjectPath::parse(&joined)
    }

    /// The segments, without empty ones.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// Builds a path from a string a backend produced itself (a key it listed), which is
    /// already normalised. Still refuses anything `parse` would refuse.
    pub fn from_backend(raw: &str) -> Result<Self> {
        let parsed = ObjectPath::parse(raw)?;
        if parsed.0 != raw {
            return Err(Error::unexpected(format!(
                "the service returned a key that is not a normal path: {raw:?}"
            )));
        }
        Ok(parsed)
    }
}

/// `C:` style prefixes are absolute on Windows; refuse them everywhere so that a path means the
/// same on every platform.
fn has_drive_prefix(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes.len() == 2 || bytes[2] == b'/')
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for ObjectPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_drive_brought_to_the_front_is_refused() {
        assert!(ObjectPath::parse("./C:/x").is_err());
        assert!(ObjectPath::parse(".//d:").is_err());
        assert_eq!(ObjectPath::parse("a/C:").unwrap().as_str(), "a/C:");
    }

    fn ok(raw: &str) -> String {
        ObjectPath::parse(raw).unwrap().0
    }

    fn refused(raw: &str) {
        let err = ObjectPath::parse(raw).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{raw:?}");
    }

    #[test]
    fn normalises_separators_and_dots() {
        assert_eq!(ok("a/b"), "a/b");
        assert_eq!(ok("a//b"), "a/b");
        assert_eq!(ok("./a/./b"), "a/b");
        assert_eq!(ok("a\\b\\c"), "a/b/c");
        assert_eq!(ok("a/b/"), "a/b/");
        assert_eq!(ok("a/b/."), "a/b/");
        assert_eq!(ok(""), "");
        assert_eq!(ok("."), "");
        assert_eq!(ok("./"), "");
        assert_eq!(ok("a b/c+d%20#?"), "a b/c+d%20#?");
        assert_eq!(ok("..a/b..c/..."), "..a/b..c/...");
    }

    #[test]
    fn refuses_escapes() {
        for raw in [
            "..",
            "../x",
            "a/../../x",
            "a/../b",
            "a/..",
            "/etc/passwd",
            "\\x",
            "a\0b",
        ] {
            refused(raw);
        }
        refused("C:/Windows");
        refused("c:");
        refused("C:\\x");
        assert_eq!(ok("c:d"), "c:d");
    }

    #[test]
    fn navigation() {
        let p = ObjectPath::parse("a/b/c.txt").unwrap();
        assert_eq!(p.file_name(), "c.txt");
        assert_eq!(p.parent().unwrap().as_str(), "a/b/");
        assert_eq!(
            ObjectPath::parse("c").unwrap().parent().unwrap(),
            ObjectPath::root()
        );
        assert_eq!(ObjectPath::root().parent(), None);
        let d = ObjectPath::parse_dir("a/b").unwrap();
        assert!(d.is_dir());
        assert_eq!(d.file_name(), "b");
        assert_eq!(d.join("x/y").unwrap().as_str(), "a/b/x/y");
        assert!(d.join("../../..").is_err());
        assert_eq!(d.segments().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn key_prefixes_split_at_the_last_slash() {
        let split = |raw: &str| {
            let (dir, name) = ObjectPath::parse_key_prefix(raw).unwrap();
            (dir.0, name)
        };
        let pair = |dir: &str, name: &str| (dir.to_owned(), name.to_owned());
        assert_eq!(split(""), pair("", ""));
        assert_eq!(split("v1"), pair("", "v1"));
        assert_eq!(split("v1/"), pair("v1/", ""));
        assert_eq!(split("a/./b//c d%+é"), pair("a/b/", "c d%+é"));
        assert_eq!(split("a\\b"), pair("a/", "b"));
        assert_eq!(split("a/."), pair("a/", "."));
        for raw in ["../x", "a/../../x", "/abs", "C:/x", "a\0b"] {
            let err = ObjectPath::parse_key_prefix(raw).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{raw:?}");
        }
    }

    #[test]
    fn from_backend_refuses_unnormal_keys() {
        assert!(ObjectPath::from_backend("a/b").is_ok());
        assert!(ObjectPath::from_backend("a//b").is_err());
        assert!(ObjectPath::from_backend("../b").is_err());
    }
}

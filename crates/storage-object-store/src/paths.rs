//! object_store paths to rs-storage paths and back.
//!
//! An object_store `Path` is already `/`-separated with no empty segments, so it passes
//! through as is. Two things differ: rs-storage reads `\` as a separator (a `Path` may hold
//! one), so such paths are refused; and listed names that object_store would not accept as
//! they are (`Path::parse` fails) are percent-encoded segment by segment.

use object_store::Result;
use object_store::path::Path;
use storage_types::ObjectPath;

use crate::error::generic;

/// The rs-storage path of `location`.
pub(crate) fn object(service: &'static str, location: &Path) -> Result<String> {
    let raw = location.as_ref();
    if raw.contains('\\') {
        return Err(generic(
            service,
            format!("path `{raw}` holds `\\`, which rs-storage reads as a separator"),
        ));
    }
    Ok(raw.to_owned())
}

/// The rs-storage directory of a listing prefix: the root for none, else `prefix/`.
pub(crate) fn directory(service: &'static str, prefix: Option<&Path>) -> Result<String> {
    match prefix {
        None => Ok(String::new()),
        Some(prefix) if prefix.as_ref().is_empty() => Ok(String::new()),
        Some(prefix) => Ok(format!("{}/", object(service, prefix)?)),
    }
}

/// The object_store path of a listed entry (an object, or a directory without its `/`).
pub(crate) fn location(path: &ObjectPath) -> Path {
    let name = path.as_object_name();
    Path::parse(name).unwrap_or_else(|_| Path::from_iter(name.split('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pass_through_and_backslashes_are_refused() {
        let path = Path::from_iter(["a", "b/c", "d.txt"]);
        assert_eq!(object("memory", &path).unwrap(), "a/b%2Fc/d.txt");
        assert!(object("memory", &Path::parse("a\\b").unwrap()).is_err());
        assert_eq!(directory("memory", None).unwrap(), "");
        assert_eq!(
            directory("memory", Some(&Path::from("x/y"))).unwrap(),
            "x/y/"
        );
    }

    #[test]
    fn listed_names_become_paths() {
        let dir = ObjectPath::parse("a/b/").unwrap();
        assert_eq!(location(&dir), Path::from("a/b"));
        let odd = ObjectPath::parse("a/x%zz").unwrap();
        assert_eq!(location(&odd).as_ref(), "a/x%zz");
    }
}

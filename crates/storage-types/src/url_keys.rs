//! [`UrlKeys`]: the one parser of URL query keys and flags that every backend's `from_query`
//! and the facade use, so that `yes`, `true` and `1` mean the same everywhere and an unknown
//! key is refused the same way, naming the keys that would have been accepted.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, Result};

/// The spellings a boolean key accepts, as printed in error messages.
pub const BOOL_SPELLINGS: &str = "true/false, yes/no, on/off or 1/0";

/// URL query keys, taken one by one by the code that understands them.
///
/// Keys are compared after lower-casing and reading `_` as `-` (`Force_Path_Style` is
/// `force-path-style`). Each `take_*` call names a key the caller accepts, whether or not the
/// query has it, so [`accepted`](UrlKeys::accepted) lists every key a parser reads: a
/// backend's list of keys is derived from its parsing code, not kept beside it by hand.
///
/// ```
/// use std::collections::BTreeMap;
/// use storage_types::backend::UrlKeys;
///
/// let query = BTreeMap::from([("Force_Path_Style".to_owned(), "yes".to_owned())]);
/// let mut keys = UrlKeys::new("s3", &query);
/// assert_eq!(keys.take_bool("force-path-style").unwrap(), Some(true));
/// assert_eq!(keys.take_size("part-size").unwrap(), None);
/// keys.finish().unwrap();
///
/// let query = BTreeMap::from([("colour".to_owned(), "red".to_owned())]);
/// let mut keys = UrlKeys::new("s3", &query);
/// let _ = keys.take_str("region");
/// let err = keys.finish().unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: unknown s3 URL key `colour`; accepted keys: region");
/// ```
#[derive(Debug)]
pub struct UrlKeys {
    service: &'static str,
    /// What is left to take, by normalised key. Values may be secrets: never printed.
    left: BTreeMap<String, String>,
    accepted: Vec<&'static str>,
}

/// A key as the parser compares it: lower-case, `-` for `_`.
pub fn normal_key(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace('_', "-")
}

/// Reads a boolean the way every URL key and flag does: `true/false`, `yes/no`, `on/off`,
/// `1/0` in any case; an empty value (`?loose`) means true.
pub fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(Error::invalid_input(format!(
            "`{key}` takes {BOOL_SPELLINGS}, not `{value}`"
        ))),
    }
}

/// Reads a size in bytes: a plain number, or one with a binary unit (`8MiB`, `64M`, `1g`,
/// `512k`: every unit counts in powers of 1024).
pub fn parse_size(key: &str, value: &str) -> Result<u64> {
    parse_size::Config::new()
        .with_binary()
        .parse_size(value.trim())
        .map_err(|_| {
            Error::invalid_input(format!(
                "`{key}` takes a size in bytes (`8388608`, `8MiB`, `64M`), not `{value}`"
            ))
        })
}

/// Reads a duration: whole seconds (`30`), or with units (`500ms`, `30s`, `2m`, `1h 30m`).
pub fn parse_duration(key: &str, value: &str) -> Result<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(value).map_err(|_| {
        Error::invalid_input(format!(
            "`{key}` takes seconds (`30`) or a duration (`500ms`, `2m`), not `{value}`"
        ))
    })
}

impl UrlKeys {
    /// The keys of `query` for a `service` (named in error messages).
    pub fn new(service: &'static str, query: &BTreeMap<String, String>) -> Self {
        let left = query
            .iter()
            .map(|(key, value)| (normal_key(key), value.clone()))
            .collect();
        UrlKeys {
            service,
            left,
            accepted: Vec::new(),
        }
    }

    /// Every key taken so far, whether the query had it or not, in the order they were taken.
    pub fn accepted(&self) -> Vec<&'static str> {
        self.accepted.clone()
    }

    /// Whether the query (still) has `key`, without taking it.
    pub fn has(&self, key: &str) -> bool {
        self.left.contains_key(key)
    }

    /// Takes `key` as text.
    pub fn take_str(&mut self, key: &'static str) -> Option<String> {
        if !self.accepted.contains(&key) {
            self.accepted.push(key);
        }
        self.left.remove(key)
    }

    /// Takes `key` as a boolean (see [`parse_bool`]).
    pub fn take_bool(&mut self, key: &'static str) -> Result<Option<bool>> {
        self.take_with(key, parse_bool)
    }

    /// Takes `key` as a number.
    pub fn take_num<T: FromStr>(&mut self, key: &'static str) -> Result<Option<T>> {
        self.take_with(key, |key, value| {
            value
                .trim()
                .parse()
                .map_err(|_| Error::invalid_input(format!("`{key}` takes a number, not `{value}`")))
        })
    }

    /// Takes `key` as a size in bytes (see [`parse_size()`]).
    pub fn take_size(&mut self, key: &'static str) -> Result<Option<u64>> {
        self.take_with(key, parse_size)
    }

    /// Takes `key` as a duration (see [`parse_duration`]).
    pub fn take_duration(&mut self, key: &'static str) -> Result<Option<Duration>> {
        self.take_with(key, parse_duration)
    }

    /// Takes `key` and reads it with `parse` (which is given the key, for its message).
    pub fn take_with<T>(
        &mut self,
        key: &'static str,
        parse: impl FnOnce(&str, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        self.take_str(key)
            .map(|value| parse(key, &value))
            .transpose()
    }

    /// Refuses what no `take_*` call took, naming the first such key and the accepted ones.
    pub fn finish(self) -> Result<()> {
        match self.left.keys().next() {
            None => Ok(()),
            Some(unknown) => Err(Error::invalid_input(format!(
                "unknown {} URL key `{unknown}`; accepted keys: {}",
                self.service,
                self.accepted.join(", ")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn keys(pairs: &[(&str, &str)]) -> UrlKeys {
        let query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        UrlKeys::new("test", &query)
    }

    #[test]
    fn every_documented_boolean_spelling_is_read_alike() {
        for (value, expected) in [
            ("true", true),
            ("TRUE", true),
            ("Yes", true),
            ("on", true),
            ("1", true),
            ("", true),
            ("false", false),
            ("No", false),
            ("OFF", false),
            ("0", false),
        ] {
            let mut k = keys(&[("anonymous", value)]);
            assert_eq!(k.take_bool("anonymous").unwrap(), Some(expected), "{value}");
        }
        let err = keys(&[("loose", "maybe")]).take_bool("loose").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.to_string()
                .contains("`loose` takes true/false, yes/no, on/off or 1/0, not `maybe`"),
            "{err}"
        );
    }

    #[test]
    fn keys_are_matched_in_any_case_with_underscores_for_dashes() {
        let mut k = keys(&[("Force_Path_Style", "1"), ("PART-SIZE", "8MiB")]);
        assert_eq!(k.take_bool("force-path-style").unwrap(), Some(true));
        assert_eq!(k.take_size("part-size").unwrap(), Some(8 << 20));
        k.finish().unwrap();
    }

    #[test]
    fn sizes_durations_and_numbers() {
        let mut k = keys(&[("a", "64M"), ("b", "1048576"), ("c", "1g"), ("d", "big")]);
        assert_eq!(k.take_size("a").unwrap(), Some(64 << 20));
        assert_eq!(k.take_size("b").unwrap(), Some(1 << 20));
        assert_eq!(k.take_size("c").unwrap(), Some(1 << 30));
        assert!(k.take_size("d").is_err());
        let mut k = keys(&[("t", "30"), ("u", "500ms"), ("v", "2m"), ("w", "soon")]);
        assert_eq!(k.take_duration("t").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(
            k.take_duration("u").unwrap(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            k.take_duration("v").unwrap(),
            Some(Duration::from_secs(120))
        );
        assert!(k.take_duration("w").is_err());
        let mut k = keys(&[("n", "8"), ("m", "eight")]);
        assert_eq!(k.take_num::<u32>("n").unwrap(), Some(8));
        assert!(k.take_num::<u32>("m").is_err());
        assert_eq!(k.take_num::<u32>("absent").unwrap(), None);
    }

    #[test]
    fn finish_refuses_what_was_not_taken_and_names_what_was() {
        let mut k = keys(&[("region", "x"), ("colour", "red")]);
        let _ = k.take_str("region");
        let _ = k.take_bool("loose");
        assert_eq!(k.accepted(), ["region", "loose"]);
        let err = k.finish().unwrap_err();
        assert_eq!(
            err.message(),
            "unknown test URL key `colour`; accepted keys: region, loose"
        );
    }

    #[test]
    fn a_bad_value_never_echoes_other_keys() {
        let mut k = keys(&[("secret", "hunter2"), ("loose", "perhaps")]);
        let err = k.take_bool("loose").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}

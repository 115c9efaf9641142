//! ETag preconditions (`if_match`, `if_none_match`) evaluated the way HTTP stores do, for
//! backends that evaluate them themselves (local files, memory).

use crate::error::{Error, ErrorKind, Result};

/// Whether two ETags name the same content, ignoring quotes and weak markers.
pub fn etag_matches(a: &str, b: &str) -> bool {
    fn bare(tag: &str) -> &str {
        tag.trim().trim_start_matches("W/").trim_matches('"')
    }
    bare(a) == bare(b)
}

/// Checks `if_match` / `if_none_match` against the current ETag (`None`: no object).
///
/// `if_match` on a missing object and `if_none_match: *` on an existing one fail with
/// `ConditionNotMet`, as does a mismatch or a match respectively.
///
/// ```
/// use storage_types::backend::check_preconditions;
///
/// assert!(check_preconditions(Some("\"a\""), Some("a"), None).is_ok());
/// assert!(check_preconditions(Some("\"a\""), None, Some("*")).is_err());
/// assert!(check_preconditions(None, None, Some("*")).is_ok());
/// ```
pub fn check_preconditions(
    current: Option<&str>,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
) -> Result<()> {
    if let Some(expected) = if_match {
        let holds = match current {
            None => false,
            Some(_) if expected.trim() == "*" => true,
            Some(etag) => etag_matches(etag, expected),
        };
        if !holds {
            return Err(Error::new(
                ErrorKind::ConditionNotMet,
                match current {
                    None => "if_match given but the object does not exist",
                    Some(_) => "the object's ETag does not match if_match",
                },
            ));
        }
    }
    if let Some(unexpected) = if_none_match {
        let fails = match current {
            None => false,
            Some(_) if unexpected.trim() == "*" => true,
            Some(etag) => etag_matches(etag, unexpected),
        };
        if fails {
            return Err(Error::new(
                ErrorKind::ConditionNotMet,
                "the object exists or its ETag matches if_none_match",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_compare_without_quotes_or_weakness() {
        assert!(etag_matches("\"abc\"", "abc"));
        assert!(etag_matches("W/\"abc\"", "\"abc\""));
        assert!(!etag_matches("\"abc\"", "\"abd\""));
    }

    #[test]
    fn preconditions() {
        assert!(check_preconditions(None, Some("x"), None).is_err());
        assert!(check_preconditions(Some("x"), Some("*"), None).is_ok());
        assert!(check_preconditions(Some("x"), Some("y"), None).is_err());
        assert!(check_preconditions(Some("x"), None, Some("y")).is_ok());
        assert!(check_preconditions(Some("x"), None, Some("x")).is_err());
        assert!(check_preconditions(None, None, Some("x")).is_ok());
    }
}

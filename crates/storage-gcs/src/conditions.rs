//! ETag preconditions as GCS generation preconditions, and versions as generations.
//!
//! rs-storage reports an object's generation as its ETag, so:
//! - `if_match: G` is `ifGenerationMatch=G`; `if_match: *` (any version) needs the current
//!   generation, so callers stat first;
//! - `if_none_match: *` (create only) is `ifGenerationMatch=0`;
//! - `if_none_match: G` is `ifGenerationNotMatch=G`.
//!
//! An ETag that is not a generation number matches no GCS object: `if_match` with it can never
//! hold, and `if_none_match` with it always holds.

use storage_types::{Error, ErrorKind, Result};

/// The generation preconditions of one request.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generations {
    pub(crate) if_match: Option<i64>,
    pub(crate) if_not_match: Option<i64>,
    /// `if_match: *`: the object must exist, at whatever generation.
    pub(crate) must_exist: bool,
}

/// The generation a `version` option names.
pub(crate) fn version_of(version: Option<&str>) -> Result<Option<i64>> {
    version
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                Error::invalid_input(format!("a GCS version is a generation number, not {v:?}"))
            })
        })
        .transpose()
}

/// The generation an ETag names, if it is one (quotes and weak markers ignored).
pub(crate) fn generation_of(etag: &str) -> Option<i64> {
    etag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .ok()
        .filter(|g| *g > 0)
}

/// Translates `if_match` / `if_none_match`; fails with `ConditionNotMet` when `if_match`
/// names something that is not a generation (no object can match it).
pub(crate) fn generations(
    if_match: Option<&str>,
    if_none_match: Option<&str>,
) -> Result<Generations> {
    let mut g = Generations::default();
    if if_match.is_some() && if_none_match.is_some_and(|v| v.trim() == "*") {
        // The object must exist and must not: no state of the store satisfies both.
        return Err(Error::new(
            ErrorKind::ConditionNotMet,
            "if_match and if_none_match: * cannot both hold",
        ));
    }
    if let Some(expected) = if_match {
        if expected.trim() == "*" {
            g.must_exist = true;
        } else {
            g.if_match = Some(generation_of(expected).ok_or_else(|| {
                Error::new(
                    ErrorKind::ConditionNotMet,
                    "if_match does not name a GCS generation, so no object matches it",
                )
            })?);
        }
    }
    if let Some(unexpected) = if_none_match {
        if unexpected.trim() == "*" {
            g.if_match = Some(0);
        } else if let Some(generation) = generation_of(unexpected) {
            g.if_not_match = Some(generation);
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping() {
        let g = generations(Some("\"42\""), None).unwrap();
        assert_eq!(g.if_match, Some(42));
        let g = generations(None, Some("*")).unwrap();
        assert_eq!(g.if_match, Some(0));
        let g = generations(None, Some("7")).unwrap();
        assert_eq!(g.if_not_match, Some(7));
        let g = generations(Some("*"), None).unwrap();
        assert!(g.must_exist && g.if_match.is_none());
        assert_eq!(
            generations(Some("\"abc\""), None).unwrap_err().kind(),
            ErrorKind::ConditionNotMet
        );
        assert_eq!(
            generations(None, Some("abc")).unwrap(),
            Generations::default()
        );
        for if_match in ["*", "42"] {
            assert_eq!(
                generations(Some(if_match), Some("*")).unwrap_err().kind(),
                ErrorKind::ConditionNotMet
            );
        }
    }
}

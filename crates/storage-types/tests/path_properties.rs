//! Property tests of path normalisation (`ObjectPath::parse`): whatever the input, it never
//! panics, never yields a path that could leave the root, and is idempotent.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use storage_types::{ErrorKind, ObjectPath};

/// A segment: ordinary names, the special ones and awkward characters.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.-]{1,12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just(String::new()),
        "[^/\\\\\u{0}]{1,8}",
        Just("a\u{0}b".to_owned()),
        Just("C:".to_owned()),
        Just("~".to_owned()),
    ]
}

/// A raw path: segments joined by `/` or `\`, with an optional leading and trailing separator.
fn raw_path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((segment(), prop::bool::ANY), 0..8),
        prop::bool::weighted(0.1),
        prop::bool::ANY,
    )
        .prop_map(|(segments, leading, trailing)| {
            let mut raw = if leading {
                "/".to_owned()
            } else {
                String::new()
            };
            for (i, (segment, backslash)) in segments.iter().enumerate() {
                if i > 0 {
                    raw.push(if *backslash { '\\' } else { '/' });
                }
                raw.push_str(segment);
            }
            if trailing {
                raw.push('/');
            }
            raw
        })
}

/// `C:` or `C:/...`: absolute on Windows.
fn is_drive(bytes: &[u8]) -> bool {
    bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes.get(2).is_none_or(|b| *b == b'/')
}

/// The segments that normalisation keeps, joined: where a drive could come to the front.
fn kept(unified: &str) -> String {
    unified
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn arbitrary_strings_never_panic(raw in any::<String>()) {
        let _ = ObjectPath::parse(&raw);
    }

    #[test]
    fn a_parsed_path_cannot_leave_the_root(raw in raw_path()) {
        if let Ok(path) = ObjectPath::parse(&raw) {
            let text = path.as_str();
            prop_assert!(!text.starts_with('/'), "absolute: {text:?}");
            prop_assert!(!text.contains('\\') && !text.contains('\0'), "{text:?}");
            prop_assert!(!text.contains("//"), "empty segment: {text:?}");
            for segment in path.segments() {
                prop_assert!(segment != ".." && segment != ".", "{segment:?} in {text:?}");
            }
        }
    }

    #[test]
    fn refusals_are_exactly_the_dangerous_inputs(raw in raw_path()) {
        let unified = raw.replace('\\', "/");
        let dangerous = raw.contains('\0')
            || unified.starts_with('/')
            || unified.split('/').any(|s| s == "..")
            || is_drive(unified.as_bytes())
            || is_drive(kept(&unified).as_bytes());
        match ObjectPath::parse(&raw) {
            Ok(path) => prop_assert!(!dangerous, "{raw:?} was accepted as {path:?}"),
            Err(err) => {
                prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
                prop_assert!(dangerous, "{raw:?} was refused: {err}");
            }
        }
    }

    #[test]
    fn parsing_is_idempotent(raw in raw_path()) {
        if let Ok(path) = ObjectPath::parse(&raw) {
            let again = ObjectPath::parse(path.as_str()).unwrap();
            prop_assert_eq!(&again, &path);
            prop_assert_eq!(ObjectPath::from_backend(path.as_str()).unwrap(), path);
        }
    }

    #[test]
    fn join_stays_below_its_directory(dir in raw_path(), relative in raw_path()) {
        if let (Ok(dir), Ok(joined)) = (ObjectPath::parse_dir(&dir), ObjectPath::parse_dir(&dir)
            .and_then(|d| d.join(&relative)))
        {
            prop_assert!(joined.as_str().starts_with(dir.as_str()), "{joined:?} outside {dir:?}");
        }
    }
}

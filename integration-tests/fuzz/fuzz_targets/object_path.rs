//! Fuzz target: object path normalisation on any text. No panic; a path that parses never
//! climbs out of the root (no `..` segment, no leading `/`, no NUL) and parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storage_types::ObjectPath;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [ObjectPath::parse(raw), ObjectPath::parse_dir(raw)] {
        let Ok(path) = parsed else { continue };
        let text = path.as_str();
        assert!(!text.starts_with('/'), "{raw:?} -> {text:?} is absolute");
        assert!(!text.contains('\0'), "{raw:?} -> {text:?} holds NUL");
        assert!(
            text.split('/').all(|segment| segment != ".."),
            "{raw:?} -> {text:?} climbs"
        );
        let again = if path.is_dir() {
            ObjectPath::parse_dir(text)
        } else {
            ObjectPath::parse(text)
        };
        assert_eq!(again.expect("a normalised path parses").as_str(), text);
    }
});

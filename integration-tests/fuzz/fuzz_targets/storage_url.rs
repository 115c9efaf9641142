//! Fuzz target: `StorageUrl::parse` and `redact_url` on any text. Neither may panic; a URL that
//! parses must print (with its secrets) to one that parses back to the same parts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storage::{StorageUrl, redact_url};

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let _ = redact_url(raw);
    let Ok(url) = StorageUrl::parse(raw) else {
        return;
    };
    let _ = format!("{url} {url:?}");
    let again = StorageUrl::parse(&url.to_url_with_secrets())
        .expect("a parsed URL printed with its secrets parses again");
    assert_eq!(again.scheme(), url.scheme());
    assert_eq!(again.bucket(), url.bucket());
    assert_eq!(again.path(), url.path());
    assert_eq!(again.query(), url.query());
});

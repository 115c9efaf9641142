//! Property tests of URL parsing (`StorageUrl::parse`): whatever the input, it never panics;
//! a URL built from random parts parses, survives the round trip through its canonical form,
//! and never shows a secret in `Display`, `Debug` or `redact_url`.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use storage::{StorageUrl, redact_url};

/// Keys whose values are secrets, as the backends spell them (and a dialect's spelling).
const SECRET_KEYS: [&str; 8] = [
    "secret-access-key",
    "Secret_Access_Key",
    "session-token",
    "account-key",
    "sas-token",
    "encryption-key",
    "sse-customer-key",
    "credentials-base64",
];

/// Keys whose values are shown.
const PLAIN_KEYS: [&str; 5] = ["region", "endpoint", "storage-class", "part-size", "loose"];

/// Percent-encodes everything but unreserved characters, as a caller building a URL would.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A URL from parts, and the secret values in it.
fn url_with_secrets() -> impl Strategy<Value = (String, Vec<String>)> {
    let scheme = prop::sample::select(vec!["s3", "s3a", "gcs", "gs", "azblob", "azure"]);
    let bucket = "[a-z0-9][a-z0-9-]{2,20}";
    let path = prop::collection::vec("[a-zA-Z0-9 ._~%+-]{1,10}", 0..4);
    let secrets = prop::collection::vec(
        (
            prop::sample::select(SECRET_KEYS.to_vec()),
            "[A-Za-z0-9+/=]{16,40}",
        ),
        1..3,
    );
    let plain = prop::collection::vec(
        (
            prop::sample::select(PLAIN_KEYS.to_vec()),
            "[a-z0-9.:/-]{1,20}",
        ),
        0..3,
    );
    (scheme, bucket, path, secrets, plain).prop_map(|(scheme, bucket, path, secrets, plain)| {
        let mut url = format!("{scheme}://{bucket}");
        for segment in &path {
            url.push('/');
            url.push_str(&encode(segment));
        }
        let mut keys = std::collections::BTreeSet::new();
        let mut query = Vec::new();
        let mut values = Vec::new();
        for (key, value) in &secrets {
            if keys.insert(key.to_lowercase().replace('_', "-")) {
                query.push(format!("{key}={}", encode(value)));
                values.push(value.clone());
            }
        }
        for (key, value) in &plain {
            if keys.insert((*key).to_owned()) {
                query.push(format!("{key}={}", encode(value)));
            }
        }
        url.push('?');
        url.push_str(&query.join("&"));
        (url, values)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_strings_never_panic(raw in any::<String>()) {
        let _ = StorageUrl::parse(&raw);
        let _ = redact_url(&raw);
    }

    #[test]
    fn arbitrary_urls_never_panic(raw in "(s3|gcs|azblob|memory|fs|abfs|noop)://[ -~]{0,60}") {
        if let Ok(url) = StorageUrl::parse(&raw) {
            let _ = url.to_string();
            let _ = StorageUrl::parse(&url.to_url_with_secrets());
        }
    }

    #[test]
    fn urls_round_trip_and_never_show_secrets((raw, secrets) in url_with_secrets()) {
        let url = StorageUrl::parse(&raw).unwrap();
        let again = StorageUrl::parse(&url.to_url_with_secrets()).unwrap();
        prop_assert_eq!(&again, &url);
        let shown = [url.to_string(), format!("{url:?}"), redact_url(&raw)];
        for secret in &secrets {
            for text in &shown {
                prop_assert!(!text.contains(secret.as_str()), "{secret:?} shown in {text:?}");
                prop_assert!(!text.contains(&encode(secret)), "{secret:?} shown in {text:?}");
            }
        }
    }
}

//! Every example URL in docs/urls.md parses, round-trips through its canonical form, and shows
//! no secret in `Display`, `Debug` or the error of a failed `open`.
#![allow(clippy::unwrap_used)]

use storage::StorageUrl;

const DOC: &str = include_str!("../../../docs/urls.md");

/// Query keys whose values must never be shown (as the docs list them).
const SECRET_PARTS: [&str; 9] = [
    "key",
    "secret",
    "token",
    "sig",
    "credential",
    "password",
    "sas",
    "session",
    "connection",
];

/// The backticked spans of the page that are URLs of a known scheme.
fn example_urls() -> Vec<&'static str> {
    DOC.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            span.split_once("://").is_some_and(|(scheme, _)| {
                !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric())
            })
        })
        .collect()
}

fn secrets(url: &StorageUrl) -> Vec<String> {
    url.query()
        .iter()
        .filter(|(k, v)| SECRET_PARTS.iter().any(|p| k.contains(p)) && v.len() >= 3)
        .map(|(_, v)| v.clone())
        .collect()
}

#[test]
fn the_page_has_examples_of_every_dialect() {
    let urls = example_urls();
    for needle in [
        "s3a://",
        "gs://",
        "az://",
        "abfs://",
        "local://",
        "noop://",
        "credential=hmac",
    ] {
        assert!(
            urls.iter().any(|u| u.contains(needle)),
            "no example with {needle} among {urls:?}"
        );
    }
}

#[test]
fn every_example_parses_and_round_trips() {
    for raw in example_urls() {
        let url = StorageUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        let again = StorageUrl::parse(&url.to_url_with_secrets())
            .unwrap_or_else(|e| panic!("canonical form of {raw}: {e}"));
        assert_eq!(again, url, "{raw} does not round-trip");
    }
}

#[test]
fn every_example_masks_its_secrets() {
    let mut checked = 0;
    for raw in example_urls() {
        let url = StorageUrl::parse(raw).unwrap();
        let (shown, debug) = (url.to_string(), format!("{url:?}"));
        for secret in secrets(&url) {
            assert!(
                !shown.contains(&secret),
                "Display of {raw} shows {secret}: {shown}"
            );
            assert!(
                !debug.contains(&secret),
                "Debug of {raw} shows {secret}: {debug}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} secrets among the examples");
}

#[tokio::test]
async fn errors_mask_secrets() {
    for raw in example_urls() {
        let url = StorageUrl::parse(raw).unwrap();
        let secrets = secrets(&url);
        if secrets.is_empty() {
            continue;
        }
        let separator = if raw.contains('?') { '&' } else { '?' };
        let bad = format!("{raw}{separator}colour=red");
        let err = match storage::open(&bad).await {
            Ok(_) => panic!("{bad} opened"),
            Err(err) => err.to_string(),
        };
        for secret in secrets {
            assert!(
                !err.contains(&secret),
                "the error for {raw} shows {secret}: {err}"
            );
        }
    }
}

#[test]
fn dialects_become_the_canonical_form() {
    let abfs = StorageUrl::parse("abfs://backups@acct.dfs.core.windows.net/tidb").unwrap();
    assert_eq!(
        abfs.to_url_with_secrets(),
        "azblob://backups/tidb?account-name=acct"
    );
    let go = StorageUrl::parse(
        "s3://?name=b&work_dir=/w&credential=hmac:AK:SK&endpoint=https:h:9000&location=eu",
    )
    .unwrap();
    assert_eq!(
        go.to_url_with_secrets(),
        "s3://b/w/?access-key=AK&endpoint=https:%2F%2Fh:9000&region=eu&secret-access-key=SK"
    );
    assert_eq!(go.to_string().matches("***").count(), 2, "{go}");
    let memory = StorageUrl::parse("memory:///").unwrap();
    assert_eq!((memory.scheme(), memory.bucket()), ("memory", ""));
    assert!(
        StorageUrl::parse("ftp://x/y")
            .unwrap_err()
            .to_string()
            .contains("s3a")
    );
}

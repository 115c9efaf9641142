//! Unit tests of the builder's URL keys: every key, its spellings and its refusals.

use super::*;
use base64::Engine;

fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn backup_tool_keys() {
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let q = query(&[
        ("endpoint", "http://127.0.0.1:4443/"),
        ("storage-class", "NEARLINE"),
        ("predefined-acl", "bucketOwnerFullControl"),
        ("encryption-key", &key),
        ("project-id", "p1"),
        ("anonymous", "true"),
    ]);
    let b = GcsBuilder::from_query("bkt", "p", &q).unwrap();
    assert_eq!(b.endpoint.as_deref(), Some("http://127.0.0.1:4443"));
    assert_eq!(b.storage_class.as_deref(), Some("NEARLINE"));
    assert_eq!(b.project_id.as_deref(), Some("p1"));
    assert!(matches!(b.credentials, CredentialSource::Anonymous));
    assert!(matches!(b.encryption, Some(Encryption::CustomerKey(_))));
    assert!(!format!("{b:?}").contains(&key), "{b:?}");
    let kms = GcsBuilder::from_query("b", "", &query(&[("kms-key-name", "k1")])).unwrap();
    assert_eq!(kms.encryption, Some(Encryption::kms("k1")));
}

#[test]
fn bad_keys_are_named() {
    let err = GcsBuilder::from_query("b", "", &query(&[("colour", "x")])).unwrap_err();
    assert!(err.to_string().contains("accepted keys: endpoint"), "{err}");
    let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
    let err = GcsBuilder::from_query("b", "", &query(&[("encryption-key", &short)]));
    assert!(err.unwrap_err().to_string().contains("32 bytes"));
    let err = GcsBuilder::from_query("b", "", &query(&[("chunk-size", "big")]));
    assert!(err.unwrap_err().to_string().contains("size in bytes"));
    let err = GcsBuilder::from_query("b", "", &query(&[("max-retries", "many")]));
    assert!(err.unwrap_err().to_string().contains("number"));
}

#[test]
fn every_listed_key_is_accepted() {
    let keys = url_keys();
    assert!(
        keys.contains(&"anonymous") && keys.contains(&"loose"),
        "{keys:?}"
    );
    let values = [
        (
            "credentials-base64",
            base64::engine::general_purpose::STANDARD.encode("{}"),
        ),
        (
            "encryption-key",
            base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
        ),
        ("chunk-size", "8MiB".to_owned()),
        ("single-upload-limit", "16777216".to_owned()),
        ("max-retries", "3".to_owned()),
        ("timeout", "500ms".to_owned()),
        ("connect-timeout", "2s".to_owned()),
        ("attempt-timeout", "3".to_owned()),
        ("anonymous", "yes".to_owned()),
        ("loose", "on".to_owned()),
    ];
    for key in &keys {
        let value = values
            .iter()
            .find(|(k, _)| k == key)
            .map_or("x".to_owned(), |(_, v)| v.clone());
        let b = GcsBuilder::from_query("b", "", &query(&[(key, &value)]));
        assert!(b.is_ok(), "{key}={value}: {:?}", b.err());
    }
    // Spelled as a user may: any case, `_` for `-`.
    let b = GcsBuilder::from_query("b", "", &query(&[("Chunk_Size", "8MiB")])).unwrap();
    assert_eq!(b.chunk_size, Some(8 << 20));
    let b = GcsBuilder::from_query("b", "", &query(&[("timeout", "500ms")])).unwrap();
    assert_eq!(b.timeout, Some(std::time::Duration::from_millis(500)));
    let b = GcsBuilder::from_query("b", "", &query(&[("connect-timeout", "2s")])).unwrap();
    assert_eq!(b.connect_timeout, Some(std::time::Duration::from_secs(2)));
}

#[test]
fn flags_are_booleans_in_every_spelling() {
    for key in ["anonymous", "loose"] {
        let err = GcsBuilder::from_query("b", "", &query(&[(key, "maybe")])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("`{key}`")), "{text}");
        assert!(text.contains("true/false, yes/no, on/off or 1/0"), "{text}");
    }
    // `anonymous=yes` was read as not anonymous (issue 18): `yes` and `true` now agree.
    for (yes, no) in [("yes", "no"), ("true", "false"), ("1", "0"), ("ON", "Off")] {
        let on =
            GcsBuilder::from_query("b", "", &query(&[("anonymous", yes), ("loose", yes)])).unwrap();
        assert!(
            matches!(on.credentials, CredentialSource::Anonymous),
            "{yes}"
        );
        assert!(on.loose, "{yes}");
        let off =
            GcsBuilder::from_query("b", "", &query(&[("anonymous", no), ("loose", no)])).unwrap();
        assert!(matches!(off.credentials, CredentialSource::Default), "{no}");
        assert!(!off.loose, "{no}");
    }
}

#[test]
fn credentials_and_keys_keep_their_precedence() {
    let json = base64::engine::general_purpose::STANDARD.encode(r#"{"type":"x"}"#);
    let b = GcsBuilder::from_query(
        "b",
        "",
        &query(&[
            ("anonymous", "true"),
            ("credentials-base64", &json),
            ("credentials-file", "/k.json"),
        ]),
    )
    .unwrap();
    assert!(matches!(b.credentials, CredentialSource::File(_)));
    let b = GcsBuilder::from_query(
        "b",
        "",
        &query(&[("anonymous", "true"), ("credentials-base64", &json)]),
    )
    .unwrap();
    assert!(matches!(b.credentials, CredentialSource::Json(_)));
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let b = GcsBuilder::from_query(
        "b",
        "",
        &query(&[("encryption-key", &key), ("kms-key-name", "k1")]),
    )
    .unwrap();
    assert_eq!(b.encryption, Some(Encryption::kms("k1")));
}

#[test]
fn json_api_suffixes_of_endpoints_are_dropped() {
    for (given, kept) in [
        (
            "https://www.googleapis.com/storage/v1/",
            "https://www.googleapis.com",
        ),
        (
            "https://www.googleapis.com/storage/v1",
            "https://www.googleapis.com",
        ),
        (
            "http://127.0.0.1:4443/upload/storage/v1/",
            "http://127.0.0.1:4443",
        ),
        ("http://gcs.internal/proxy/", "http://gcs.internal/proxy"),
        ("http://127.0.0.1:4443", "http://127.0.0.1:4443"),
    ] {
        let b = GcsBuilder::from_query("b", "", &query(&[("endpoint", given)])).unwrap();
        assert_eq!(b.endpoint.as_deref(), Some(kept), "{given}");
    }
}

#[test]
fn emulator_host_is_the_endpoint_without_credentials() {
    let b = GcsBuilder::new("b").with_emulator_host(Some("127.0.0.1:9023".into()));
    assert_eq!(b.endpoint.as_deref(), Some("http://127.0.0.1:9023"));
    assert!(matches!(b.credentials, CredentialSource::Anonymous));
    // A URL keeps its scheme, and loses the API path Google's clients would add.
    let b = GcsBuilder::new("b").with_emulator_host(Some("https://emu:8443/storage/v1/".into()));
    assert_eq!(b.endpoint.as_deref(), Some("https://emu:8443"));
    // An endpoint given wins; credentials given are kept; an empty variable is no emulator.
    let b = GcsBuilder::new("b")
        .endpoint("http://other:1")
        .with_emulator_host(Some("127.0.0.1:9023".into()));
    assert_eq!(b.endpoint.as_deref(), Some("http://other:1"));
    assert!(matches!(b.credentials, CredentialSource::Default));
    let b = GcsBuilder::new("b")
        .credentials_file("/k.json")
        .with_emulator_host(Some("127.0.0.1:9023".into()));
    assert!(matches!(b.credentials, CredentialSource::File(_)));
    let b = GcsBuilder::new("b").with_emulator_host(Some(" ".into()));
    assert_eq!(b.endpoint, None);
    assert!(matches!(b.credentials, CredentialSource::Default));
}

//! Unit tests of the builder's URL keys: every key, its spellings and its refusals.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use storage_types::ErrorKind;

use super::*;

fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn backup_tool_keys_are_understood() {
    let q = query(&[
        ("region", "eu-west-1"),
        ("endpoint", "http://127.0.0.1:9000"),
        ("force-path-style", "true"),
        ("access-key", "AK"),
        ("secret-access-key", "SK"),
        ("storage-class", "STANDARD_IA"),
        ("acl", "bucket-owner-full-control"),
        ("sse", "aws:kms"),
        ("sse-kms-key-id", "alias/backup"),
        ("provider", "minio"),
        ("timeout", "30"),
        ("attempt-timeout", "5"),
    ]);
    let b = S3Builder::from_query("bkt", "pre/fix", &q).unwrap();
    assert_eq!(b.region.as_deref(), Some("eu-west-1"));
    assert_eq!(b.timeout, Some(Duration::from_secs(30)));
    assert_eq!(b.attempt_timeout, Some(Duration::from_secs(5)));
    assert_eq!(b.force_path_style, Some(true));
    assert_eq!(b.access_key.as_deref(), Some("AK"));
    assert_eq!(b.storage_class.as_deref(), Some("STANDARD_IA"));
    assert_eq!(b.options.acl.as_deref(), Some("bucket-owner-full-control"));
    assert_eq!(b.encryption, Some(Encryption::kms("alias/backup")));
    let shown = format!("{b:?}");
    assert!(
        !shown.contains("SK") && !shown.contains("\"AK\""),
        "{shown}"
    );
}

#[test]
fn sse_forms() {
    let b = S3Builder::from_query("b", "", &query(&[("sse", "AES256")])).unwrap();
    assert_eq!(b.encryption, Some(Encryption::ServiceManaged));
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    let b = S3Builder::from_query("b", "", &query(&[("sse-customer-key", &key)])).unwrap();
    assert!(matches!(b.encryption, Some(Encryption::CustomerKey(_))));
    assert!(!format!("{b:?}").contains(&key));
    // As BR: SSE-KMS with no key id is the AWS-managed key, which S3 takes when none is named.
    let b = S3Builder::from_query("b", "", &query(&[("sse", "aws:kms")])).unwrap();
    assert_eq!(b.encryption, Some(Encryption::kms("")));
    let err = S3Builder::from_query("b", "", &query(&[("sse", "rot13")])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let short = base64::engine::general_purpose::STANDARD.encode([9u8; 16]);
    let err = S3Builder::from_query("b", "", &query(&[("sse-customer-key", &short)]));
    let err = err.unwrap_err();
    assert!(err.to_string().contains("32 bytes") && !err.to_string().contains(&short));
}

#[test]
fn bad_keys_and_values_are_refused() {
    let err = S3Builder::from_query("b", "", &query(&[("colour", "red")])).unwrap_err();
    assert!(err.to_string().contains("accepted keys: region"), "{err}");
    assert!(S3Builder::from_query("b", "", &query(&[("access-key", "AK")])).is_err());
    assert!(S3Builder::from_query("b", "", &query(&[("force-path-style", "maybe")])).is_err());
    assert!(S3Builder::from_query("b", "", &query(&[("part-size", "big")])).is_err());
    assert!(S3Builder::from_query("b", "", &query(&[("checksum", "always")])).is_err());
}

#[test]
fn payload_signing_is_a_flag() {
    let q = query(&[("payload-signing", "false")]);
    assert_eq!(
        S3Builder::from_query("b", "", &q).unwrap().payload_signing,
        Some(false)
    );
    let q = query(&[("payload-signing", "sometimes")]);
    assert!(S3Builder::from_query("b", "", &q).is_err());
}

#[test]
fn sizes_and_durations_take_units() {
    let q = query(&[
        ("part-size", "16MiB"),
        ("timeout", "500ms"),
        ("attempt-timeout", "2m"),
        ("concurrency", "4"),
        ("max-attempts", "3"),
    ]);
    let b = S3Builder::from_query("b", "", &q).unwrap();
    assert_eq!(b.part_size, Some(16 << 20));
    assert_eq!(b.timeout, Some(Duration::from_millis(500)));
    assert_eq!(b.attempt_timeout, Some(Duration::from_secs(120)));
    assert_eq!((b.concurrency, b.max_attempts), (Some(4), Some(3)));
    let b = S3Builder::from_query("b", "", &query(&[("part-size", "8388608")])).unwrap();
    assert_eq!(b.part_size, Some(8 << 20));
}

#[test]
fn every_listed_key_is_accepted() {
    let keys = url_keys();
    assert_eq!(keys.first(), Some(&"region"));
    for key in [
        "region",
        "force-path-style",
        "anonymous",
        "sse-customer-key",
        "part-size",
        "loose",
        "provider",
        "payload-signing",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    for key in &keys {
        // Whatever the value makes of it, the key itself is never the unknown one.
        let outcome = S3Builder::from_query("b", "", &query(&[(key, "1")]));
        if let Err(err) = outcome {
            assert!(!err.to_string().contains("unknown"), "{key}: {err}");
        }
    }
    let spelled = query(&[("Force_Path_Style", "yes"), ("LOOSE", "on")]);
    let b = S3Builder::from_query("b", "", &spelled).unwrap();
    assert!(b.uses_path_style() && b.loose);
}

#[test]
fn flags_say_which_spellings_they_take() {
    for key in ["loose", "anonymous", "force-path-style", "request-payer"] {
        let err = S3Builder::from_query("b", "", &query(&[(key, "maybe")])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("`{key}`"))
                && shown.contains(storage_types::backend::BOOL_SPELLINGS),
            "{shown}"
        );
    }
}

#[test]
fn yes_and_true_mean_the_same() {
    let flags = |value: &str| {
        let q = query(&[
            ("loose", value),
            ("anonymous", value),
            ("force-path-style", value),
            ("request-payer", value),
            ("payload-signing", value),
        ]);
        let b = S3Builder::from_query("b", "", &q).unwrap();
        (
            b.loose,
            b.anonymous,
            b.force_path_style,
            b.options.request_payer,
            b.payload_signing,
        )
    };
    assert_eq!(flags("yes"), (true, true, Some(true), true, Some(true)));
    assert_eq!(flags("yes"), flags("true"));
    assert_eq!(flags("no"), flags("false"));
    assert_eq!(flags("no"), (false, false, Some(false), false, Some(false)));
}

#[test]
fn br_vendor_keys() {
    let q = query(&[
        ("provider", "alibaba"),
        ("force-path-style", "true"),
        ("object-lock-enabled", "true"),
    ]);
    let b = S3Builder::from_query("b", "", &q).unwrap();
    assert_eq!(b.provider, Some(Provider::Alibaba));
    assert!(
        !b.uses_path_style(),
        "alibaba serves virtual-hosted style only"
    );
    assert!(b.object_lock);
    assert_eq!(b.checksum_mode(), ChecksumMode::WhenRequired);
    assert_eq!(b.content_md5(), ContentMd5::InsteadOfChecksums);

    let q = query(&[("provider", "minio"), ("checksum", "when-supported")]);
    let b = S3Builder::from_query("b", "", &q).unwrap();
    assert_eq!(b.content_md5(), ContentMd5::Also);

    let b = S3Builder::from_query("b", "", &query(&[("use-accelerate-endpoint", "1")])).unwrap();
    assert!(b.accelerate && !b.uses_path_style());

    let b = S3Builder::from_query("b", "", &query(&[])).unwrap();
    assert!(
        !b.uses_path_style(),
        "no endpoint is Amazon: virtual-hosted"
    );
    let custom = query(&[("endpoint", "http://127.0.0.1:9000")]);
    let b = S3Builder::from_query("b", "", &custom).unwrap();
    assert!(
        b.uses_path_style(),
        "BR forces path style on other endpoints"
    );
    assert_eq!(b.content_md5(), ContentMd5::Off);
    let q = query(&[("role-arn", "arn:aws:iam::1:role/r")]);
    assert!(
        !S3Builder::from_query("b", "", &q)
            .unwrap()
            .uses_path_style()
    );
    let q = query(&[("sts-endpoint", "http://127.0.0.1:5000")]);
    let b = S3Builder::from_query("b", "", &q).unwrap();
    assert_eq!(b.sts_endpoint.as_deref(), Some("http://127.0.0.1:5000"));
}

#[test]
fn ks3_needs_a_region_and_has_no_sts() {
    let err = S3Builder::from_query("b", "", &query(&[("provider", "ks3")])).unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
    let q = query(&[
        ("provider", "ks3"),
        ("region", "BEIJING"),
        ("role-arn", "arn:x"),
    ]);
    let err = S3Builder::from_query("b", "", &q).unwrap_err();
    assert!(err.to_string().contains("role-arn"), "{err}");
    let q = query(&[("provider", "ks3"), ("region", "BEIJING")]);
    assert!(S3Builder::from_query("b", "", &q).is_ok());
}

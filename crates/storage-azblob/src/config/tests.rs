//! Unit tests of the URL keys, connection strings and setters of `AzBlobBuilder`.

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
fn backup_tool_keys() {
    let q = query(&[
        ("account-name", "acct"),
        ("account-key", "a2V5"),
        ("access-tier", "Cool"),
        ("encryption-scope", "scope1"),
        ("endpoint", "http://127.0.0.1:10000/acct/"),
    ]);
    let b = AzBlobBuilder::from_query("c", "p", &q).unwrap();
    assert_eq!(b.account.as_deref(), Some("acct"));
    assert_eq!(b.endpoint.as_deref(), Some("http://127.0.0.1:10000/acct"));
    assert_eq!(b.encryption, Some(Encryption::kms("scope1")));
    assert!(!format!("{b:?}").contains("a2V5"));
    let err = AzBlobBuilder::from_query("c", "", &query(&[("colour", "x")])).unwrap_err();
    assert!(
        err.to_string().contains("accepted keys: account-name"),
        "{err}"
    );
    let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
    let err = AzBlobBuilder::from_query("c", "", &query(&[("encryption-key", &short)]));
    assert!(err.unwrap_err().to_string().contains("32 bytes"));
}

#[test]
fn connection_strings() {
    let b = AzBlobBuilder::new("c")
        .connection_string("UseDevelopmentStorage=true")
        .unwrap();
    assert_eq!(b.account.as_deref(), Some(DEV_ACCOUNT));
    assert_eq!(
        b.endpoint.as_deref(),
        Some("http://127.0.0.1:10000/devstoreaccount1")
    );
    let b = AzBlobBuilder::new("c")
        .connection_string("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")
        .unwrap();
    assert_eq!(
        b.endpoint.as_deref(),
        Some("https://acct.blob.core.windows.net")
    );
    assert_eq!(b.account_key.as_deref(), Some("a2V5"));
    assert!(
        AzBlobBuilder::new("c")
            .connection_string("garbage")
            .is_err()
    );
}

#[test]
fn every_listed_key_is_accepted() {
    let keys = url_keys();
    assert_eq!(keys.len(), 13, "{keys:?}");
    for key in &keys {
        let value = match *key {
            "block-size" | "concurrency" | "max-retries" | "timeout" => "8",
            "loose" => "yes",
            "connection-string" => "UseDevelopmentStorage=true",
            "encryption-key" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            _ => "x",
        };
        let b = AzBlobBuilder::from_query("c", "", &query(&[(key, value)]));
        assert!(b.is_ok(), "{key}: {:?}", b.err());
    }
}

#[test]
fn flags_take_every_boolean_spelling_and_refuse_the_rest() {
    for spelling in ["yes", "true", "YES", "on", "1", ""] {
        let b = AzBlobBuilder::from_query("c", "", &query(&[("loose", spelling)])).unwrap();
        assert!(b.loose, "{spelling}");
    }
    let b = AzBlobBuilder::from_query("c", "", &query(&[("loose", "no")])).unwrap();
    assert!(!b.loose);
    let err = AzBlobBuilder::from_query("c", "", &query(&[("loose", "maybe")])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("`loose` takes true/false, yes/no, on/off or 1/0, not `maybe`"),
        "{err}"
    );
}

#[test]
fn sizes_and_durations_take_units() {
    let q = query(&[("Block_Size", "16MiB"), ("timeout", "500ms")]);
    let b = AzBlobBuilder::from_query("c", "", &q).unwrap();
    assert_eq!(b.block_size, Some(16 << 20));
    assert_eq!(b.timeout, Some(Duration::from_millis(500)));
    let b = AzBlobBuilder::from_query("c", "", &query(&[("timeout", "30")])).unwrap();
    assert_eq!(b.timeout, Some(Duration::from_secs(30)));
}

#[test]
fn explicit_keys_override_the_connection_string() {
    let q = query(&[
        ("connection-string", "UseDevelopmentStorage=true"),
        ("endpoint", "http://127.0.0.1:20000/devstoreaccount1"),
    ]);
    let b = AzBlobBuilder::from_query("c", "", &q).unwrap();
    assert_eq!(b.account.as_deref(), Some(DEV_ACCOUNT));
    assert_eq!(
        b.endpoint.as_deref(),
        Some("http://127.0.0.1:20000/devstoreaccount1")
    );
}

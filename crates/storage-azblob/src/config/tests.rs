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
    let err = AzBlobBuilder::from_query("c", "", &query(&[("encryption-key-base64", &short)]));
    assert!(err.unwrap_err().to_string().contains("32 bytes"));
}

#[test]
fn encryption_key_is_raw_text_as_br_reads_it() {
    // BR sends base64(value) as the key: the key is the value's own 32 bytes.
    let text = "0123456789abcdef0123456789abcdef";
    let b = AzBlobBuilder::from_query("c", "", &query(&[("encryption-key", text)])).unwrap();
    let key = CustomerKey::from_slice(text.as_bytes()).unwrap();
    assert_eq!(b.encryption, Some(Encryption::CustomerKey(key.clone())));
    // The same key in base64, under its own name.
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let b = AzBlobBuilder::from_query("c", "", &query(&[("encryption-key-base64", &b64)])).unwrap();
    assert_eq!(b.encryption, Some(Encryption::CustomerKey(key)));
    // A base64 value under BR's name is 44 bytes of text: refused, pointing at the other key,
    // without repeating the value.
    let err = AzBlobBuilder::from_query("c", "", &query(&[("encryption-key", &b64)])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("has 44 bytes"), "{message}");
    assert!(message.contains("encryption-key-base64"), "{message}");
    assert!(!message.contains(&b64), "{message}");
    let both = query(&[("encryption-key", text), ("encryption-key-base64", &b64)]);
    assert!(AzBlobBuilder::from_query("c", "", &both).is_err());
    let scope_and_key = query(&[("encryption-key", text), ("encryption-scope", "s")]);
    let err = AzBlobBuilder::from_query("c", "", &scope_and_key).unwrap_err();
    assert!(err.to_string().contains("not both"), "{err}");
}

fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn environment_is_read_as_br_and_object_store_read_it() {
    // object_store's spelling of the account; BR's encryption key fallback, raw text.
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&[
            ("AZURE_STORAGE_ACCOUNT_NAME", "objacct"),
            ("AZURE_STORAGE_ACCOUNT_KEY", "a2V5"),
            ("AZURE_ENCRYPTION_KEY", "0123456789abcdef0123456789abcdef"),
        ]))
        .unwrap();
    assert_eq!(b.account.as_deref(), Some("objacct"));
    assert_eq!(b.account_key.as_deref(), Some("a2V5"));
    let key = CustomerKey::from_slice(b"0123456789abcdef0123456789abcdef").unwrap();
    assert_eq!(b.encryption, Some(Encryption::CustomerKey(key)));
    // BR's and the Azure CLI's spelling wins over object_store's.
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&[
            ("AZURE_STORAGE_ACCOUNT", "bracct"),
            ("AZURE_STORAGE_ACCOUNT_NAME", "objacct"),
        ]))
        .unwrap();
    assert_eq!(b.account.as_deref(), Some("bracct"));
    // A URL's own encryption wins over the variable; a bad variable is an error naming it.
    let b = AzBlobBuilder::new("c")
        .encryption(Encryption::kms("scope"))
        .with_vars(vars(&[("AZURE_ENCRYPTION_KEY", "short")]))
        .unwrap();
    assert_eq!(b.encryption, Some(Encryption::kms("scope")));
    let err = AzBlobBuilder::new("c")
        .with_vars(vars(&[("AZURE_ENCRYPTION_KEY", "short")]))
        .unwrap_err();
    assert!(err.to_string().contains("AZURE_ENCRYPTION_KEY"), "{err}");
    assert!(!err.to_string().contains("short"), "{err}");
}

#[test]
fn credentials_from_the_environment_in_brs_order() {
    const SECRET: [(&str, &str); 5] = [
        ("AZURE_CLIENT_ID", "id"),
        ("AZURE_TENANT_ID", "tenant"),
        ("AZURE_CLIENT_SECRET", "s"),
        ("AZURE_STORAGE_KEY", "a2V5"),
        ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
    ];
    // BR and TiKV try the client secret before the account key of the environment.
    let b = AzBlobBuilder::new("c").with_vars(vars(&SECRET)).unwrap();
    assert_eq!(b.entra_id, Some(EntraId::ClientSecret));
    assert_eq!(b.account_key, None);
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&SECRET[2..]))
        .unwrap();
    assert_eq!((b.entra_id, b.account_key.as_deref()), (None, Some("a2V5")));
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&SECRET[4..]))
        .unwrap();
    assert_eq!(b.entra_id, Some(EntraId::WorkloadIdentity));
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&[("IDENTITY_ENDPOINT", "http://localhost:42")]))
        .unwrap();
    assert_eq!(b.entra_id, Some(EntraId::ManagedIdentity));
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&[("AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=x")]))
        .unwrap();
    assert_eq!(b.sas_token.as_deref(), Some("sv=1&sig=x"));
    // What the URL or code gave wins; `anonymous` keeps the environment's credentials out.
    let b = AzBlobBuilder::new("c")
        .account_key("b3du")
        .with_vars(vars(&SECRET))
        .unwrap();
    assert_eq!((b.entra_id, b.account_key.as_deref()), (None, Some("b3du")));
    let b = AzBlobBuilder::new("c")
        .entra_id(EntraId::DeveloperTools)
        .with_vars(vars(&SECRET))
        .unwrap();
    assert_eq!(
        (b.entra_id, b.account_key),
        (Some(EntraId::DeveloperTools), None)
    );
    let b = AzBlobBuilder::new("c")
        .anonymous()
        .with_vars(vars(&SECRET))
        .unwrap();
    assert_eq!((b.entra_id, b.account_key), (None, None));
    // Empty variables are unset.
    let b = AzBlobBuilder::new("c")
        .with_vars(vars(&[("AZURE_STORAGE_KEY", "")]))
        .unwrap();
    assert_eq!(b.account_key, None);
}

#[test]
fn entra_id_and_anonymous_keys() {
    let q = query(&[("Entra_Id", "Managed_Identity"), ("anonymous", "no")]);
    let b = AzBlobBuilder::from_query("c", "", &q).unwrap();
    assert_eq!(b.entra_id, Some(EntraId::ManagedIdentity));
    assert!(!b.anonymous);
    for (source, name) in EntraId::ALL {
        let b = AzBlobBuilder::from_query("c", "", &query(&[("entra-id", name)])).unwrap();
        assert_eq!(b.entra_id, Some(source));
        assert_eq!(source.as_str(), name);
    }
    let err = AzBlobBuilder::from_query("c", "", &query(&[("entra-id", "password")])).unwrap_err();
    assert!(
        err.to_string()
            .contains("takes client-secret, workload-identity, managed-identity, developer-tools"),
        "{err}"
    );
    let b = AzBlobBuilder::from_query("c", "", &query(&[("anonymous", "true")])).unwrap();
    assert!(b.anonymous);
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
    assert_eq!(keys.len(), 16, "{keys:?}");
    for key in &keys {
        let value = match *key {
            "block-size" | "concurrency" | "max-retries" | "timeout" => "8",
            "loose" | "anonymous" => "yes",
            "connection-string" => "UseDevelopmentStorage=true",
            "encryption-key" => "0123456789abcdef0123456789abcdef",
            "encryption-key-base64" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "entra-id" => "developer-tools",
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

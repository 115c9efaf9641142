//! The kvproto mapping: each field to its URL key, refusals, and no secret in `Debug`.

use std::collections::BTreeMap;

use storage_types::ErrorKind;

use super::*;

fn url(backend: StorageBackend) -> StorageUrl {
    backend.to_url().expect("the backend maps")
}

use crate::StorageUrl;

#[test]
fn s3_fields_become_br_url_keys() {
    let parsed = url(StorageBackend::S3(S3 {
        endpoint: "http://127.0.0.1:9000".into(),
        region: "us-east-1".into(),
        bucket: "backups".into(),
        prefix: "tidb/2024".into(),
        secret_access_key: "hunter2".into(),
        access_key: "AKID".into(),
        object_lock_enabled: true,
        ..S3::default()
    }));
    assert_eq!((parsed.scheme(), parsed.bucket()), ("s3", "backups"));
    assert_eq!(parsed.path(), "/tidb/2024");
    let q = parsed.query();
    assert_eq!(q["endpoint"], "http://127.0.0.1:9000");
    assert_eq!(q["secret-access-key"], "hunter2");
    assert_eq!(
        q["force-path-style"], "false",
        "a bool field is always a value"
    );
    assert_eq!(q["object-lock-enabled"], "true");
    assert!(!q.contains_key("sse"), "an empty string is an unset field");
    assert!(!parsed.to_string().contains("hunter2"), "{parsed}");
}

#[test]
fn gcs_credentials_blob_travels_as_base64() {
    let parsed = url(StorageBackend::Gcs(Gcs {
        bucket: "b".into(),
        endpoint: "http://127.0.0.1:4443/storage/v1/".into(),
        credentials_blob: r#"{"type":"service_account"}"#.into(),
        predefined_acl: "private".into(),
        ..Gcs::default()
    }));
    let q = parsed.query();
    assert_eq!(
        q["credentials-base64"],
        "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0="
    );
    assert_eq!(q["predefined-acl"], "private");
    assert_eq!(parsed.path(), "");
}

#[test]
fn azure_customer_key_digest_is_checked() {
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let azure = |sha256: &str| {
        StorageBackend::AzureBlobStorage(AzureBlobStorage {
            bucket: "c".into(),
            account_name: "acct".into(),
            storage_class: "Cool".into(),
            encryption_key: Some(AzureCustomerKey {
                encryption_key: key.into(),
                encryption_key_sha256: sha256.into(),
            }),
            ..AzureBlobStorage::default()
        })
    };
    let parsed = url(azure(""));
    assert_eq!(parsed.query()["encryption-key-base64"], key);
    assert_eq!(parsed.query()["access-tier"], "Cool");
    let err = azure("AAAA").to_url().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("not the SHA-256"), "{err}");
    assert!(!err.to_string().contains(key), "{err}");
}

#[test]
fn required_fields_are_named() {
    for (backend, field) in [
        (StorageBackend::S3(S3::default()), "S3.bucket"),
        (StorageBackend::Gcs(Gcs::default()), "GCS.bucket"),
        (
            StorageBackend::AzureBlobStorage(AzureBlobStorage::default()),
            "AzureBlobStorage.bucket",
        ),
        (StorageBackend::Local(Local::default()), "Local.path"),
    ] {
        let err = backend.to_url().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains(field), "{err}");
    }
}

#[test]
fn hdfs_is_refused_saying_what_a_server_would_take() {
    let err = StorageBackend::Hdfs(Hdfs {
        remote: "hdfs://nn:8020/backup".into(),
    })
    .to_url()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("NameNode"), "{err}");
}

#[test]
fn cloud_dynamic_maps_by_provider() {
    let dynamic = |provider: &str, attrs: &[(&str, &str)]| {
        StorageBackend::CloudDynamic(CloudDynamic {
            bucket: Some(Bucket {
                bucket: "b".into(),
                prefix: "p".into(),
                region: if provider == "aws" { "eu" } else { "" }.into(),
                ..Bucket::default()
            }),
            provider_name: provider.into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    };
    let parsed = url(dynamic("aws", &[("force_path_style", "True")]));
    assert_eq!(parsed.scheme(), "s3");
    assert_eq!(parsed.query()["force-path-style"], "true");
    assert_eq!(parsed.query()["region"], "eu");
    assert_eq!(url(dynamic("gcp", &[])).scheme(), "gcs");
    let parsed = url(dynamic("azblob", &[("account_name", "acct")]));
    assert_eq!(parsed.query()["account-name"], "acct");

    let err = dynamic("ks3", &[]).to_url().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = dynamic("gcs", &[("credential_blob", "secret-json")])
        .to_url()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("credential_blob"), "{err}");
    assert!(!err.to_string().contains("secret-json"), "{err}");
    let missing = StorageBackend::CloudDynamic(CloudDynamic {
        provider_name: "s3".into(),
        ..CloudDynamic::default()
    });
    assert!(missing.to_url().is_err());
}

#[test]
fn debug_masks_every_secret() {
    let backends = [
        StorageBackend::S3(S3 {
            secret_access_key: "s3-secret".into(),
            session_token: "s3-token".into(),
            ..S3::default()
        }),
        StorageBackend::Gcs(Gcs {
            credentials_blob: "gcs-secret".into(),
            ..Gcs::default()
        }),
        StorageBackend::AzureBlobStorage(AzureBlobStorage {
            shared_key: "az-secret".into(),
            access_sig: "az-sas".into(),
            encryption_key: Some(AzureCustomerKey {
                encryption_key: "az-key".into(),
                ..AzureCustomerKey::default()
            }),
            ..AzureBlobStorage::default()
        }),
        StorageBackend::CloudDynamic(CloudDynamic {
            attrs: BTreeMap::from([("secret_access_key".into(), "cd-secret".into())]),
            ..CloudDynamic::default()
        }),
    ];
    for backend in backends {
        let text = format!("{backend:?}");
        for secret in [
            "s3-secret",
            "s3-token",
            "gcs-secret",
            "az-secret",
            "az-sas",
            "az-key",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(!text.contains("cd-secret"), "{text}");
    }
}

#[tokio::test]
async fn local_and_noop_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("made");
    let store = open_backend(&StorageBackend::Local(Local {
        path: path.display().to_string(),
    }))
    .await
    .unwrap();
    assert_eq!(store.info().service, "fs");
    assert!(
        path.is_dir(),
        "the directory is made, as TiKV's LocalStorage does"
    );
    let store = open_backend(&StorageBackend::Noop(Noop {})).await.unwrap();
    assert_eq!(store.info().service, "noop");
}

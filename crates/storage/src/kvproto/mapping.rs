//! From a `StorageBackend` to the URL BR would write for it: each field becomes the URL key BR
//! uses, so that the message and the URL open through the same parsing code.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use storage_types::{Error, ErrorKind, Result};

use super::{AzureBlobStorage, Bucket, CloudDynamic, Gcs, Local, S3, StorageBackend};
use crate::storage_url::StorageUrl;

/// Every field of every message, as `Message.field` (the names of the BR compatibility table),
/// with the table's service for it.
pub const FIELDS: &[(&str, &str)] = &[
    ("noop", "Noop"),
    ("fs", "Local.path"),
    ("s3", "S3.endpoint"),
    ("s3", "S3.region"),
    ("s3", "S3.bucket"),
    ("s3", "S3.prefix"),
    ("s3", "S3.storage_class"),
    ("s3", "S3.sse"),
    ("s3", "S3.acl"),
    ("s3", "S3.access_key"),
    ("s3", "S3.secret_access_key"),
    ("s3", "S3.force_path_style"),
    ("s3", "S3.sse_kms_key_id"),
    ("s3", "S3.role_arn"),
    ("s3", "S3.external_id"),
    ("s3", "S3.object_lock_enabled"),
    ("s3", "S3.session_token"),
    ("s3", "S3.provider"),
    ("gcs", "GCS.endpoint"),
    ("gcs", "GCS.bucket"),
    ("gcs", "GCS.prefix"),
    ("gcs", "GCS.storage_class"),
    ("gcs", "GCS.predefined_acl"),
    ("gcs", "GCS.credentials_blob"),
    ("azblob", "AzureBlobStorage.endpoint"),
    ("azblob", "AzureBlobStorage.bucket"),
    ("azblob", "AzureBlobStorage.prefix"),
    ("azblob", "AzureBlobStorage.storage_class"),
    ("azblob", "AzureBlobStorage.account_name"),
    ("azblob", "AzureBlobStorage.shared_key"),
    ("azblob", "AzureBlobStorage.access_sig"),
    ("azblob", "AzureBlobStorage.encryption_scope"),
    ("azblob", "AzureBlobStorage.encryption_key"),
    ("hdfs", "HDFS.remote"),
    // Checked with the gcs provider, against the GCS test server.
    ("gcs", "CloudDynamic.provider_name"),
    ("gcs", "CloudDynamic.bucket"),
    ("gcs", "CloudDynamic.attrs"),
];

/// What HDFS would take, said wherever it is refused.
const HDFS_REFUSAL: &str = "HDFS is not supported: TiKV writes to it by running Hadoop's \
    `hdfs dfs` command ($HADOOP_HOME/bin/hdfs), and rs-storage has no HDFS client. A test server \
    would take a Hadoop distribution (a JVM, a NameNode and a DataNode), which no registry here \
    serves; use S3, GCS, Azure or a local path";

/// Query keys being gathered: empty values are unset fields (proto3) and add nothing.
#[derive(Default)]
struct Keys(BTreeMap<String, String>);

impl Keys {
    fn set(&mut self, key: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.0.insert(key.to_owned(), value.to_owned());
        }
        self
    }

    fn flag(&mut self, key: &str, on: bool) -> &mut Self {
        self.0.insert(key.to_owned(), on.to_string());
        self
    }
}

impl StorageBackend {
    /// The URL BR would write for this backend (its secrets masked in `Display`), the one
    /// [`open_backend`](super::open_backend) opens.
    ///
    /// Errors: as [`open_backend`](super::open_backend)'s, before anything is opened.
    pub fn to_url(&self) -> Result<StorageUrl> {
        match self {
            StorageBackend::Noop(_) => Ok(StorageUrl::from_parts(
                "noop",
                String::new(),
                String::new(),
                BTreeMap::new(),
            )),
            StorageBackend::Local(local) => local_url(local),
            StorageBackend::S3(s3) => s3_url(s3),
            StorageBackend::Gcs(gcs) => gcs_url(gcs),
            StorageBackend::AzureBlobStorage(azure) => azure_url(azure),
            StorageBackend::Hdfs(hdfs) => Err(Error::new(
                ErrorKind::Unsupported,
                format!("HDFS.remote {:?}: {HDFS_REFUSAL}", hdfs.remote),
            )),
            StorageBackend::CloudDynamic(dynamic) => dynamic_backend(dynamic)?.to_url(),
        }
    }
}

fn required(value: &str, field: &str) -> Result<String> {
    match value.is_empty() {
        true => Err(Error::invalid_input(format!(
            "{field} is empty: it is required"
        ))),
        false => Ok(value.to_owned()),
    }
}

/// A prefix as the path of a URL: `/prefix` (TiKV's prefixes start without `/`).
fn root(prefix: &str) -> String {
    match prefix.trim_matches('/') {
        "" => String::new(),
        prefix => format!("/{prefix}"),
    }
}

fn local_url(local: &Local) -> Result<StorageUrl> {
    let path = crate::storage_url::absolute(&required(&local.path, "Local.path")?)?;
    Ok(StorageUrl::from_parts(
        "fs",
        String::new(),
        path,
        BTreeMap::new(),
    ))
}

fn s3_url(s3: &S3) -> Result<StorageUrl> {
    let mut keys = Keys::default();
    keys.set("endpoint", &s3.endpoint)
        .set("region", &s3.region)
        .set("storage-class", &s3.storage_class)
        .set("sse", &s3.sse)
        .set("acl", &s3.acl)
        .set("access-key", &s3.access_key)
        .set("secret-access-key", &s3.secret_access_key)
        // A bool in the message: false is a value (virtual-hosted style), not an unset field.
        .flag("force-path-style", s3.force_path_style)
        .set("sse-kms-key-id", &s3.sse_kms_key_id)
        .set("role-arn", &s3.role_arn)
        .set("external-id", &s3.external_id)
        .set("session-token", &s3.session_token)
        .set("provider", &s3.provider);
    if s3.object_lock_enabled {
        keys.flag("object-lock-enabled", true);
    }
    Ok(StorageUrl::from_parts(
        "s3",
        required(&s3.bucket, "S3.bucket")?,
        root(&s3.prefix),
        keys.0,
    ))
}

fn gcs_url(gcs: &Gcs) -> Result<StorageUrl> {
    let mut keys = Keys::default();
    // BR reads `credentials-file` and sends its content; the URL carries it as base64.
    let blob = match gcs.credentials_blob.is_empty() {
        true => String::new(),
        false => STANDARD.encode(gcs.credentials_blob.as_bytes()),
    };
    keys.set("endpoint", &gcs.endpoint)
        .set("storage-class", &gcs.storage_class)
        .set("predefined-acl", &gcs.predefined_acl)
        .set("credentials-base64", &blob);
    Ok(StorageUrl::from_parts(
        "gcs",
        required(&gcs.bucket, "GCS.bucket")?,
        root(&gcs.prefix),
        keys.0,
    ))
}

fn azure_url(azure: &AzureBlobStorage) -> Result<StorageUrl> {
    let mut keys = Keys::default();
    keys.set("endpoint", &azure.endpoint)
        .set("access-tier", &azure.storage_class)
        .set("account-name", &azure.account_name)
        .set("account-key", &azure.shared_key)
        .set("sas-token", &azure.access_sig)
        .set("encryption-scope", &azure.encryption_scope);
    if let Some(key) = &azure.encryption_key {
        check_key_digest(&key.encryption_key, &key.encryption_key_sha256)?;
        keys.set("encryption-key-base64", &key.encryption_key);
    }
    Ok(StorageUrl::from_parts(
        "azblob",
        required(&azure.bucket, "AzureBlobStorage.bucket")?,
        root(&azure.prefix),
        keys.0,
    ))
}

/// The key's SHA-256, when the message gives it, must be the key's: Azure would refuse every
/// request otherwise. The error names the field, never the key.
fn check_key_digest(key: &str, sha256: &str) -> Result<()> {
    use sha2::{Digest, Sha256};
    const FIELD: &str = "AzureBlobStorage.encryption_key";
    if sha256.is_empty() {
        return Ok(());
    }
    let key = STANDARD
        .decode(key.trim())
        .map_err(|_| Error::invalid_input(format!("{FIELD}.encryption_key is not base64")))?;
    let given = STANDARD.decode(sha256.trim()).map_err(|_| {
        Error::invalid_input(format!("{FIELD}.encryption_key_sha256 is not base64"))
    })?;
    if Sha256::digest(&key).as_slice() != given.as_slice() {
        return Err(Error::invalid_input(format!(
            "{FIELD}.encryption_key_sha256 is not the SHA-256 of the key"
        )));
    }
    Ok(())
}

/// The provider's own message from `bucket` and `attrs`, as TiKV's `from_cloud_dynamic`
/// reads them: the attributes are named like the message's fields.
fn dynamic_backend(dynamic: &CloudDynamic) -> Result<StorageBackend> {
    let bucket = dynamic
        .bucket
        .clone()
        .ok_or_else(|| Error::invalid_input("CloudDynamic.bucket is missing: it is required"))?;
    let mut attrs = Attrs {
        provider: dynamic.provider_name.clone(),
        map: dynamic.attrs.clone(),
    };
    let Bucket {
        endpoint,
        region,
        bucket,
        prefix,
        storage_class,
    } = bucket;
    let has_region = !region.is_empty();
    let backend = match dynamic.provider_name.as_str() {
        "s3" | "aws" => StorageBackend::S3(S3 {
            endpoint,
            region,
            bucket,
            prefix,
            storage_class,
            sse: attrs.take("sse"),
            acl: attrs.take("acl"),
            access_key: attrs.take("access_key"),
            secret_access_key: attrs.take("secret_access_key"),
            force_path_style: matches!(attrs.take("force_path_style").as_str(), "true" | "True"),
            sse_kms_key_id: attrs.take("sse_kms_key_id"),
            role_arn: attrs.take("role_arn"),
            external_id: attrs.take("external_id"),
            object_lock_enabled: matches!(
                attrs.take("object_lock_enabled").as_str(),
                "true" | "True"
            ),
            session_token: attrs.take("session_token"),
            provider: attrs.take("provider"),
        }),
        "gcs" | "gcp" => StorageBackend::Gcs(Gcs {
            endpoint,
            bucket,
            prefix,
            storage_class,
            predefined_acl: attrs.take("predefined_acl"),
            credentials_blob: attrs.take("credentials_blob"),
        }),
        "azure" | "azblob" => StorageBackend::AzureBlobStorage(AzureBlobStorage {
            endpoint,
            bucket,
            prefix,
            storage_class,
            account_name: attrs.take("account_name"),
            shared_key: attrs.take("shared_key"),
            access_sig: attrs.take("access_sig"),
            encryption_scope: attrs.take("encryption_scope"),
            encryption_key: None,
        }),
        other => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "CloudDynamic.provider_name {other:?} is not supported: it takes s3 (or \
                     aws), gcs (or gcp) and azure (or azblob), as TiKV does"
                ),
            ));
        }
    };
    if has_region && !matches!(backend, StorageBackend::S3(_)) {
        return Err(Error::invalid_input(format!(
            "CloudDynamic.bucket.region does not apply to the provider {:?}",
            dynamic.provider_name
        )));
    }
    attrs.finish()?;
    Ok(backend)
}

/// The attributes of a `CloudDynamic`, taken one by one; what is left is refused.
struct Attrs {
    provider: String,
    map: BTreeMap<String, String>,
}

impl Attrs {
    fn take(&mut self, name: &str) -> String {
        self.map.remove(name).unwrap_or_default()
    }

    /// TiKV ignores attributes it does not know; a misspelt one would then be lost without a
    /// word, so they are refused, by name (never by value: it may be a secret).
    fn finish(self) -> Result<()> {
        if self.map.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self.map.keys().map(String::as_str).collect();
        Err(Error::invalid_input(format!(
            "CloudDynamic.attrs for {:?} has attributes that are not fields of its message: {}",
            self.provider,
            names.join(", ")
        )))
    }
}

//! Where the servers are: read from the same environment variables the conformance suite
//! reads, which `cargo xtask bench` sets after starting the servers.

use anyhow::Context;

fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| {
        format!("{name} is not set: run the benchmark through `cargo xtask bench`")
    })
}

/// An S3-compatible server with static credentials, addressed path-style.
#[derive(Debug, Clone)]
pub(crate) struct S3Settings {
    pub(crate) endpoint: String,
    pub(crate) bucket: String,
    pub(crate) region: String,
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
}

impl S3Settings {
    pub(crate) fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            endpoint: required("RS_STORAGE_S3_ENDPOINT")?,
            bucket: required("RS_STORAGE_S3_BUCKET")?,
            region: "us-east-1".to_owned(),
            access_key: required("RS_STORAGE_S3_ACCESS_KEY")?,
            secret_key: required("RS_STORAGE_S3_SECRET_KEY")?,
        })
    }
}

/// An Azure Blob endpoint (Azurite) with the development account.
#[derive(Debug, Clone)]
pub(crate) struct AzBlobSettings {
    /// `http://host:port/<account>`.
    pub(crate) endpoint: String,
    pub(crate) container: String,
    pub(crate) account: String,
    pub(crate) account_key: String,
}

impl AzBlobSettings {
    pub(crate) fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            endpoint: required("RS_STORAGE_AZBLOB_ENDPOINT")?,
            container: required("RS_STORAGE_AZBLOB_CONTAINER")?,
            account: storage_azblob::DEV_ACCOUNT.to_owned(),
            account_key: storage_azblob::DEV_ACCOUNT_KEY.to_owned(),
        })
    }
}

/// A GCS endpoint (the repo's test server: JSON and gRPC on one port), reached without
/// credentials.
#[derive(Debug, Clone)]
pub(crate) struct GcsSettings {
    pub(crate) endpoint: String,
    pub(crate) bucket: String,
}

impl GcsSettings {
    pub(crate) fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            endpoint: required("RS_STORAGE_GCS_ENDPOINT")?,
            bucket: required("RS_STORAGE_GCS_BUCKET")?,
        })
    }
}

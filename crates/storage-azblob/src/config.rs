//! [`AzBlobBuilder`]: configuration of an Azure Blob store from code, URL query keys, connection
//! strings and the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use storage_types::{CustomerKey, Encryption, Error, Result};

use crate::backend::AzBlobStorage;

/// The well-known account of the local emulator (Azurite), published by Microsoft.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";
/// The well-known key of the local emulator's account, published by Microsoft.
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// Default block size of streamed writes, and the largest write sent as one Put Blob.
pub const DEFAULT_BLOCK_SIZE: u64 = 8 << 20;
/// Default number of blocks uploaded at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The URL query keys `from_query` accepts (after lower-casing and `_` -> `-`).
pub const URL_KEYS: &[&str] = &[
    "account-name",
    "account-key",
    "sas-token",
    "endpoint",
    "connection-string",
    "access-tier",
    "encryption-scope",
    "encryption-key",
    "block-size",
    "concurrency",
    "max-retries",
    "timeout",
    "loose",
];

/// Configuration of an [`AzBlobStorage`].
///
/// ```no_run
/// # async fn f() -> storage_types::Result<()> {
/// use storage_azblob::AzBlobBuilder;
///
/// let store = AzBlobBuilder::new("backups")
///     .account("myaccount")
///     .account_key("base64key==")
///     .root("tidb/2024")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct AzBlobBuilder {
    pub(crate) container: String,
    pub(crate) root: String,
    pub(crate) account: Option<String>,
    pub(crate) account_key: Option<String>,
    pub(crate) sas_token: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) credential: Option<Arc<dyn TokenCredential>>,
    pub(crate) access_tier: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) block_size: Option<u64>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) transport: Option<azure_core::http::Transport>,
    pub(crate) loose: bool,
}

impl fmt::Debug for AzBlobBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzBlobBuilder")
            .field("container", &self.container)
            .field("root", &self.root)
            .field("account", &self.account)
            .field(
                "account_key",
                &self.account_key.as_ref().map(|_| "<redacted>"),
            )
            .field("sas_token", &self.sas_token.as_ref().map(|_| "<redacted>"))
            .field("endpoint", &self.endpoint)
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<token credential>"),
            )
            .field("access_tier", &self.access_tier)
            .field("encryption", &self.encryption)
            .finish_non_exhaustive()
    }
}

impl AzBlobBuilder {
    /// A store on `container`.
    pub fn new(container: impl Into<String>) -> Self {
        AzBlobBuilder {
            container: container.into(),
            ..AzBlobBuilder::default()
        }
    }

    /// The prefix inside the container that paths are relative to.
    pub fn root(mut self, root: impl Into<String>) -> Self {
        self.root = root.into();
        self
    }

    /// The storage account name.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// The account key (base64), for shared-key signing and signed URLs.
    pub fn account_key(mut self, key: impl Into<String>) -> Self {
        self.account_key = Some(key.into());
        self
    }

    /// A SAS token (`sv=...&sig=...`, with or without `?`) instead of a key.
    pub fn sas_token(mut self, token: impl Into<String>) -> Self {
        self.sas_token = Some(token.into().trim_start_matches('?').to_owned());
        self
    }

    /// The blob service endpoint (default `https://<account>.blob.core.windows.net`); for
    /// Azurite `http://127.0.0.1:10000/devstoreaccount1`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into().trim_end_matches('/').to_owned());
        self
    }

    /// An Entra ID token credential (from `azure_identity`: managed identity, workload identity,
    /// developer tools ...).
    pub fn credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// The default access tier of writes (`Hot`, `Cool`, `Cold`, `Archive`).
    pub fn access_tier(mut self, tier: impl Into<String>) -> Self {
        self.access_tier = Some(tier.into());
        self
    }

    /// The default encryption: `Encryption::Kms { key_id }` is an encryption scope,
    /// `Encryption::CustomerKey` a customer-provided key (sent on reads too).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// The block size of streamed writes (and the largest single Put Blob).
    pub fn block_size(mut self, bytes: u64) -> Self {
        self.block_size = Some(bytes);
        self
    }

    /// How many blocks of one write go up at once.
    pub fn concurrency(mut self, blocks: usize) -> Self {
        self.concurrency = Some(blocks);
        self
    }

    /// Retries per request (the SDK's exponential policy).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// How long one request attempt may wait: to connect, and between any two reads of its
    /// response. An attempt that waits longer fails as temporary and is retried (up to
    /// [`max_retries`](Self::max_retries)); a call then fails with `TimedOut`. It bounds a
    /// stalled server without capping a large download that keeps moving. Default: the SDK's
    /// 20 s to connect and 60 s between reads. A [`transport`](Self::transport) set too wins.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The HTTP transport (for tests, proxies, or a shared client).
    pub fn transport(mut self, transport: azure_core::http::Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Loose mode: options Azure cannot honour are dropped instead of refused.
    pub fn loose(mut self, on: bool) -> Self {
        self.loose = on;
        self
    }

    /// Settings from a connection string: `AccountName`, `AccountKey`, `BlobEndpoint`,
    /// `SharedAccessSignature`, `DefaultEndpointsProtocol`, `EndpointSuffix`, or
    /// `UseDevelopmentStorage=true` (Azurite on its default port).
    pub fn connection_string(mut self, text: &str) -> Result<Self> {
        let mut fields = BTreeMap::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                Error::invalid_input("a connection string is `Key=Value` pairs separated by `;`")
            })?;
            fields.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
        if fields
            .get("usedevelopmentstorage")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            self.account = Some(DEV_ACCOUNT.into());
            self.account_key = Some(DEV_ACCOUNT_KEY.into());
            self.endpoint = Some(format!("http://127.0.0.1:10000/{DEV_ACCOUNT}"));
            return Ok(self);
        }
        if let Some(account) = fields.get("accountname") {
            self.account = Some(account.clone());
        }
        if let Some(key) = fields.get("accountkey") {
            self.account_key = Some(key.clone());
        }
        if let Some(sas) = fields.get("sharedaccesssignature") {
            self = self.sas_token(sas.clone());
        }
        if let Some(endpoint) = fields.get("blobendpoint") {
            self = self.endpoint(endpoint.clone());
        } else if let Some(account) = &self.account {
            let protocol = fields
                .get("defaultendpointsprotocol")
                .map_or("https", String::as_str);
            let suffix = fields
                .get("endpointsuffix")
                .map_or("core.windows.net", String::as_str);
            self.endpoint = Some(format!("{protocol}://{account}.blob.{suffix}"));
        }
        Ok(self)
    }

    /// Fills what is not set yet from `AZURE_STORAGE_CONNECTION_STRING`,
    /// `AZURE_STORAGE_ACCOUNT`, `AZURE_STORAGE_KEY` and `AZURE_STORAGE_SAS_TOKEN`.
    pub fn from_env(mut self) -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if self.account.is_none()
            && self.endpoint.is_none()
            && let Some(text) = var("AZURE_STORAGE_CONNECTION_STRING")
        {
            self = self.connection_string(&text)?;
        }
        if self.account.is_none() {
            self.account = var("AZURE_STORAGE_ACCOUNT");
        }
        if self.account_key.is_none() && self.sas_token.is_none() {
            self.account_key = var("AZURE_STORAGE_KEY");
            if self.account_key.is_none() {
                self.sas_token = var("AZURE_STORAGE_SAS_TOKEN");
            }
        }
        Ok(self)
    }

    /// A builder from URL query keys (see [`URL_KEYS`]), as backup tools spell them:
    /// `azblob://container/prefix?account-name=..&account-key=..`. Keys must already be
    /// lower-case with `-` for `_`. An unknown key is an error. The environment fills the rest.
    pub fn from_query(
        container: &str,
        root: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut b = AzBlobBuilder::new(container).root(root);
        // A connection string first, so that the explicit keys below override what it says.
        if let Some(text) = query.get("connection-string") {
            b = b.connection_string(text)?;
        }
        for (key, value) in query {
            match key.as_str() {
                "account-name" => b.account = Some(value.clone()),
                "account-key" => b.account_key = Some(value.clone()),
                "sas-token" => b = b.sas_token(value.clone()),
                "endpoint" => b = b.endpoint(value.clone()),
                "connection-string" => {}
                "access-tier" => b.access_tier = Some(value.clone()),
                "encryption-scope" => b.encryption = Some(Encryption::kms(value.clone())),
                "encryption-key" => {
                    b.encryption = Some(Encryption::CustomerKey(CustomerKey::from_base64(value)?))
                }
                "block-size" => b.block_size = Some(number(key, value)?),
                "concurrency" => b.concurrency = Some(number(key, value)?),
                "max-retries" => b.max_retries = Some(number(key, value)?),
                "timeout" => b.timeout = Some(std::time::Duration::from_secs(number(key, value)?)),
                "loose" => {
                    b.loose = matches!(value.to_ascii_lowercase().as_str(), "" | "true" | "1")
                }
                other => {
                    return Err(Error::invalid_input(format!(
                        "unknown azblob URL key `{other}`; accepted keys: {}",
                        URL_KEYS.join(", ")
                    )));
                }
            }
        }
        b.from_env()
    }

    /// Builds the store.
    pub fn build(self) -> Result<AzBlobStorage> {
        AzBlobStorage::new(self)
    }
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::invalid_input(format!("`{key}` takes a number, not `{value}`")))
}

#[cfg(test)]
mod tests {
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
}

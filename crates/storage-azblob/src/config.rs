//! [`AzBlobBuilder`]: configuration of an Azure Blob store from code, URL query keys, connection
//! strings and the environment. Plain data and parsing: the store is built in `backend.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use storage_types::backend::UrlKeys;
use storage_types::{CustomerKey, Encryption, Error, Result};

mod entra;
mod env;

pub use entra::EntraId;

/// The service name in URL-key errors.
const SERVICE: &str = "azblob";

/// The well-known account of the local emulator (Azurite), published by Microsoft.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";
/// The well-known key of the local emulator's account, published by Microsoft.
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Configuration of an `AzBlobStorage` (built by `build()`).
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
    pub(crate) entra_id: Option<EntraId>,
    pub(crate) anonymous: bool,
    pub(crate) access_tier: Option<String>,
    pub(crate) encryption: Option<Encryption>,
    pub(crate) block_size: Option<u64>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) timeout: Option<Duration>,
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
            .field("entra_id", &self.entra_id)
            .field("anonymous", &self.anonymous)
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

    /// The account key (base64, as the portal shows it), for shared-key signing and signed URLs.
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

    /// A Microsoft Entra ID token credential built by the caller (any `azure_identity`
    /// credential, or one of its own). Used when no account key or SAS token is given.
    pub fn credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// A Microsoft Entra ID credential that the store builds with `azure_identity` from the
    /// environment (see [`EntraId`]). Used when no account key, SAS token or
    /// [`credential`](Self::credential) is given. [`from_env`](Self::from_env) picks one by
    /// itself when the environment names it (`AZURE_CLIENT_SECRET`,
    /// `AZURE_FEDERATED_TOKEN_FILE`, `IDENTITY_ENDPOINT`); a virtual machine's managed identity
    /// and the developer tools leave no trace there, so they are asked for by name.
    pub fn entra_id(mut self, source: EntraId) -> Self {
        self.entra_id = Some(source);
        self
    }

    /// Unsigned requests, for a public container. Without it, a store that has no account
    /// key, SAS token or Entra ID credential is refused when built, naming the ways to give
    /// one; with it, any of those still wins.
    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
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

    /// The part (block) size of streamed writes, and the largest single Put Blob (default
    /// `DEFAULT_PART_SIZE`, 8 MiB).
    pub fn block_size(mut self, bytes: u64) -> Self {
        self.block_size = Some(bytes);
        self
    }

    /// How many blocks of one write go up at once (default `DEFAULT_CONCURRENCY`, 8).
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
    pub fn timeout(mut self, timeout: Duration) -> Self {
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

    /// A builder from URL query keys (see [`url_keys`]), as backup tools spell them:
    /// `azblob://container/prefix?account-name=..&account-key=..`. Keys are matched in any
    /// case, with `_` for `-`; `loose` takes true/false, yes/no, on/off or 1/0, `block-size`
    /// `8388608` or `8MiB`, `timeout` seconds or `500ms`. An unknown key is an error naming the
    /// accepted ones. The environment fills the rest.
    pub fn from_query(
        container: &str,
        root: &str,
        query: &BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut keys = UrlKeys::new(SERVICE, query);
        let builder = AzBlobBuilder::new(container)
            .root(root)
            .take_keys(&mut keys)?;
        keys.finish()?;
        builder.from_env()
    }

    /// Sets what the URL keys say. Every key is taken before any combination is checked, so
    /// that on an empty query this names every key [`url_keys`] lists.
    fn take_keys(mut self, keys: &mut UrlKeys) -> Result<Self> {
        let account = keys.take_str("account-name");
        let account_key = keys.take_str("account-key");
        let sas_token = keys.take_str("sas-token");
        let endpoint = keys.take_str("endpoint");
        let connection_string = keys.take_str("connection-string");
        self.access_tier = keys.take_str("access-tier");
        let scope = keys.take_str("encryption-scope");
        let raw_key = keys.take_with("encryption-key", raw_customer_key)?;
        let base64_key = keys.take_with("encryption-key-base64", |_, value| {
            CustomerKey::from_base64(value)
        })?;
        let entra_id = keys.take_with("entra-id", EntraId::parse)?;
        let anonymous = keys.take_bool("anonymous")?;
        self.block_size = keys.take_size("block-size")?;
        self.concurrency = keys.take_num("concurrency")?;
        self.max_retries = keys.take_num("max-retries")?;
        self.timeout = keys.take_duration("timeout")?;
        if let Some(on) = keys.take_bool("loose")? {
            self.loose = on;
        }

        // A connection string first, so that the explicit keys override what it says.
        if let Some(text) = connection_string {
            self = self.connection_string(&text)?;
        }
        if let Some(account) = account {
            self.account = Some(account);
        }
        if let Some(key) = account_key {
            self.account_key = Some(key);
        }
        if let Some(token) = sas_token {
            self = self.sas_token(token);
        }
        if let Some(endpoint) = endpoint {
            self = self.endpoint(endpoint);
        }
        if let Some(source) = entra_id {
            self.entra_id = Some(source);
        }
        if let Some(on) = anonymous {
            self.anonymous = on;
        }
        let customer_key = match (raw_key, base64_key) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give encryption-key or encryption-key-base64, not both",
                ));
            }
            (raw, base64) => raw.or(base64),
        };
        match (scope, customer_key) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(concat!(
                    "give encryption-scope or a customer key (encryption-key, ",
                    "encryption-key-base64), not both"
                )));
            }
            (Some(scope), None) => self.encryption = Some(Encryption::kms(scope)),
            (None, Some(key)) => self.encryption = Some(Encryption::CustomerKey(key)),
            (None, None) => {}
        }
        Ok(self)
    }
}

/// A customer key given as BR gives it: the 32 bytes of the text itself (BR sends
/// `base64(value)` and `base64(sha256(value))`). The error never repeats the value.
fn raw_customer_key(key: &str, value: &str) -> Result<CustomerKey> {
    CustomerKey::from_slice(value.as_bytes()).map_err(|_| {
        Error::invalid_input(format!(
            "`{key}` takes the key's 32 bytes as text, as BR does (this one has {} bytes); \
             a base64 key goes in the `encryption-key-base64` URL key",
            value.len()
        ))
    })
}

/// The URL query keys [`AzBlobBuilder::from_query`] accepts, as the parser names them
/// (lower-case, `-` between words), read off the parsing code itself.
pub fn url_keys() -> Vec<&'static str> {
    let mut keys = UrlKeys::new(SERVICE, &BTreeMap::new());
    // An empty query sets nothing, so nothing can fail; only the names taken matter here.
    let _ = AzBlobBuilder::default().take_keys(&mut keys);
    keys.accepted()
}

#[cfg(test)]
mod tests;

//! [`AzBlobBuilder::from_env`]: what the environment says, read the way BR and TiKV read it
//! (and object_store's spellings), filling only what code and URL keys left unset.

use storage_types::{Encryption, Result};

use super::{AzBlobBuilder, EntraId, raw_customer_key};

impl AzBlobBuilder {
    /// Fills what is not set yet from the environment, in this order:
    ///
    /// - `AZURE_STORAGE_CONNECTION_STRING`, when neither account nor endpoint is set;
    /// - the account: `AZURE_STORAGE_ACCOUNT` (BR, TiKV, the Azure CLI), else
    ///   `AZURE_STORAGE_ACCOUNT_NAME` (object_store);
    /// - when no account key, SAS token or credential is set and
    ///   [`anonymous`](Self::anonymous) is not asked for, the first of: an Entra ID client
    ///   secret (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_CLIENT_SECRET` all set: BR and
    ///   TiKV try it before the account key), the account key (`AZURE_STORAGE_KEY`, else
    ///   `AZURE_STORAGE_ACCOUNT_KEY`), a SAS token (`AZURE_STORAGE_SAS_TOKEN`), workload identity
    ///   (`AZURE_FEDERATED_TOKEN_FILE`), the managed identity of App Service or Functions
    ///   (`IDENTITY_ENDPOINT` or `MSI_ENDPOINT`);
    /// - a customer key from `AZURE_ENCRYPTION_KEY` (its 32 bytes as text, as BR reads it), when
    ///   no encryption is set.
    ///
    /// Empty variables count as unset. A virtual machine's managed identity and the developer
    /// tools leave no trace in the environment: ask for them with
    /// [`entra_id`](Self::entra_id).
    pub fn from_env(self) -> Result<Self> {
        self.with_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) on any source of variables (tests pass a map).
    pub(crate) fn with_vars(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| lookup(name).filter(|value| !value.is_empty());
        if self.account.is_none()
            && self.endpoint.is_none()
            && let Some(text) = var("AZURE_STORAGE_CONNECTION_STRING")
        {
            self = self.connection_string(&text)?;
        }
        if self.account.is_none() {
            self.account =
                var("AZURE_STORAGE_ACCOUNT").or_else(|| var("AZURE_STORAGE_ACCOUNT_NAME"));
        }
        let has_credential = self.account_key.is_some()
            || self.sas_token.is_some()
            || self.credential.is_some()
            || self.entra_id.is_some();
        if !has_credential && !self.anonymous {
            let client_secret = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"]
                .iter()
                .all(|name| var(name).is_some());
            if client_secret {
                self.entra_id = Some(EntraId::ClientSecret);
            } else if let Some(key) =
                var("AZURE_STORAGE_KEY").or_else(|| var("AZURE_STORAGE_ACCOUNT_KEY"))
            {
                self.account_key = Some(key);
            } else if let Some(token) = var("AZURE_STORAGE_SAS_TOKEN") {
                self = self.sas_token(token);
            } else if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
                self.entra_id = Some(EntraId::WorkloadIdentity);
            } else if var("IDENTITY_ENDPOINT").is_some() || var("MSI_ENDPOINT").is_some() {
                self.entra_id = Some(EntraId::ManagedIdentity);
            }
        }
        if self.encryption.is_none()
            && let Some(text) = var("AZURE_ENCRYPTION_KEY")
        {
            let key = raw_customer_key("AZURE_ENCRYPTION_KEY", &text)?;
            self.encryption = Some(Encryption::CustomerKey(key));
        }
        Ok(self)
    }
}

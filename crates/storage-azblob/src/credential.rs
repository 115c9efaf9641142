//! How a store signs its requests: the order in which an account key, a SAS token and a
//! Microsoft Entra ID credential are chosen, the `azure_identity` credential built for an
//! [`EntraId`], and the error of a store given none of them.

use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    DeveloperToolsCredential, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use storage_types::{Error, ErrorKind, Result};

use crate::config::{AzBlobBuilder, EntraId};

/// What signs a store's requests.
pub(crate) enum Auth {
    /// The account key signs each request (Shared Key); a SAS token may ride along.
    SharedKey,
    /// A SAS token in every URL, nothing else.
    Sas,
    /// A bearer token from Microsoft Entra ID.
    Token(Arc<dyn TokenCredential>),
    /// Nothing: asked for with `anonymous`.
    Anonymous,
}

/// The ways to give a store credentials, for the error of a store that has none.
pub(crate) const WAYS: &str = "give an account key (`account-key`, `AZURE_STORAGE_KEY`), a SAS \
    token (`sas-token`, `AZURE_STORAGE_SAS_TOKEN`), a connection string with either \
    (`AZURE_STORAGE_CONNECTION_STRING`), Microsoft Entra ID (`AZURE_CLIENT_ID` + \
    `AZURE_TENANT_ID` + `AZURE_CLIENT_SECRET`, workload identity's \
    `AZURE_FEDERATED_TOKEN_FILE`, or `entra-id=managed-identity` / `entra-id=developer-tools`), \
    a credential from code (`AzBlobBuilder::credential`), or `anonymous=true` for a public \
    container";

/// Chooses how `config` signs: the account key (a SAS token given too rides along in the
/// URLs), else the SAS token, else a credential from code, else an [`EntraId`] source, else
/// nothing if `anonymous` was asked for. A store with none of them is refused. (BR and TiKV
/// prefer a SAS over a key given together; either grants access, and the key also signs URLs.)
pub(crate) fn choose(config: &AzBlobBuilder) -> Result<Auth> {
    if config.account_key.is_some() {
        return Ok(Auth::SharedKey);
    }
    if config.sas_token.is_some() {
        return Ok(Auth::Sas);
    }
    if let Some(credential) = &config.credential {
        return Ok(Auth::Token(Arc::clone(credential)));
    }
    if let Some(source) = config.entra_id {
        return entra_credential(source, config.transport.clone()).map(Auth::Token);
    }
    if config.anonymous {
        return Ok(Auth::Anonymous);
    }
    Err(Error::new(
        ErrorKind::Unauthenticated,
        format!(
            "no credentials for Azure Blob container `{}`: {WAYS}",
            config.container
        ),
    ))
}

/// The `azure_identity` credential of `source`, reading its settings from the environment.
/// Tokens are fetched over `transport` when the store has one (a proxy, a private CA), and
/// from `AZURE_AUTHORITY_HOST` when set (sovereign clouds), as `azure_identity` reads it.
pub(crate) fn entra_credential(
    source: EntraId,
    transport: Option<Transport>,
) -> Result<Arc<dyn TokenCredential>> {
    let client_options = ClientOptions {
        transport,
        ..ClientOptions::default()
    };
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let built: azure_core::Result<Arc<dyn TokenCredential>> = match source {
        EntraId::ClientSecret => {
            let mut missing = Vec::new();
            let mut get = |name: &'static str| {
                let value = var(name);
                if value.is_none() {
                    missing.push(name);
                }
                value.unwrap_or_default()
            };
            let (tenant, client, secret) = (
                get("AZURE_TENANT_ID"),
                get("AZURE_CLIENT_ID"),
                get("AZURE_CLIENT_SECRET"),
            );
            if !missing.is_empty() {
                return Err(Error::new(
                    ErrorKind::Unauthenticated,
                    format!(
                        "the Entra ID client secret needs {} in the environment",
                        missing.join(", ")
                    ),
                ));
            }
            ClientSecretCredential::new(
                &tenant,
                client,
                Secret::new(secret),
                Some(ClientSecretCredentialOptions { client_options }),
            )
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        EntraId::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions { client_options },
                ..Default::default()
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        EntraId::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: var("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
                client_options,
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        EntraId::DeveloperTools => {
            DeveloperToolsCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)
        }
    };
    built.map_err(|err| {
        let text = err.to_string();
        Error::new(
            ErrorKind::Unauthenticated,
            format!(
                "cannot set up the Entra ID {} credential: {}",
                source.as_str(),
                text.lines().next().unwrap_or_default()
            ),
        )
    })
}

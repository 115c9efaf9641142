//! [`EntraId`]: which Microsoft Entra ID credential a store builds when it is given no account
//! key or SAS token, and how the `entra-id` URL key spells each.

use storage_types::{Error, Result};

/// Where a store's Microsoft Entra ID (formerly Azure AD) token comes from. The store builds
/// the matching `azure_identity` credential; the token is fetched on the first request and
/// renewed before it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntraId {
    /// A service principal's client secret: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
    /// `AZURE_CLIENT_SECRET` (`entra-id=client-secret`).
    ClientSecret,
    /// Kubernetes workload identity: the token file in `AZURE_FEDERATED_TOKEN_FILE`, with
    /// `AZURE_CLIENT_ID` and `AZURE_TENANT_ID` (`entra-id=workload-identity`).
    WorkloadIdentity,
    /// The managed identity of the Azure VM, App Service or Functions host the program runs on;
    /// a user-assigned one when `AZURE_CLIENT_ID` is set (`entra-id=managed-identity`).
    ManagedIdentity,
    /// The account signed in to the Azure CLI (`az login`), else to the Azure Developer CLI
    /// (`azd auth login`) (`entra-id=developer-tools`).
    DeveloperTools,
}

impl EntraId {
    /// Every source with its URL spelling, in the order the docs list them.
    pub const ALL: [(EntraId, &'static str); 4] = [
        (EntraId::ClientSecret, "client-secret"),
        (EntraId::WorkloadIdentity, "workload-identity"),
        (EntraId::ManagedIdentity, "managed-identity"),
        (EntraId::DeveloperTools, "developer-tools"),
    ];

    /// The URL spelling (`managed-identity`).
    pub fn as_str(self) -> &'static str {
        EntraId::ALL
            .iter()
            .find(|(source, _)| *source == self)
            .map_or("", |(_, name)| name)
    }

    /// Reads a URL value (any case, `_` or `-`); an unknown one is an error naming the others.
    pub(crate) fn parse(key: &str, value: &str) -> Result<EntraId> {
        let wanted = value.trim().to_ascii_lowercase().replace('_', "-");
        EntraId::ALL
            .iter()
            .find(|(_, name)| *name == wanted)
            .map(|(source, _)| *source)
            .ok_or_else(|| {
                let names: Vec<&str> = EntraId::ALL.iter().map(|(_, name)| *name).collect();
                Error::invalid_input(format!("`{key}` takes {}, not `{value}`", names.join(", ")))
            })
    }
}

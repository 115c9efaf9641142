//! Credentials and the URL signer, from Application Default Credentials, a key file or JSON,
//! or nothing (anonymous).

use google_cloud_auth::credentials::{
    self, Credentials, anonymous, external_account, impersonated, service_account, user_account,
};
use google_cloud_auth::signer::Signer;
use storage_types::{Error, Result};

use crate::config::CredentialSource;

/// What a store authenticates with, and signs URLs with when it can.
pub(crate) struct Resolved {
    pub(crate) credentials: Credentials,
    pub(crate) signer: Option<Signer>,
}

pub(crate) fn resolve(source: &CredentialSource) -> Result<Resolved> {
    match source {
        CredentialSource::Anonymous => Ok(Resolved {
            credentials: anonymous::Builder::new().build(),
            signer: None,
        }),
        CredentialSource::Default => Ok(Resolved {
            credentials: credentials::Builder::default()
                .build()
                .map_err(|e| auth_error("Application Default Credentials", e))?,
            // Without a key, the signer asks the IAM API to sign (on GCE, Cloud Run, GKE).
            signer: credentials::Builder::default().build_signer().ok(),
        }),
        CredentialSource::Json(json) => from_json(json.clone()),
        CredentialSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::invalid_input(format!("cannot read the credentials file {path:?}"))
                    .with_source(e)
            })?;
            let json = serde_json::from_str(&text).map_err(|_| {
                // serde's message can quote the file; say only where it failed.
                Error::invalid_input(format!("the credentials file {path:?} is not JSON"))
            })?;
            from_json(json)
        }
    }
}

/// Credentials of the kind the document says (`type`); a service-account key also signs.
fn from_json(json: serde_json::Value) -> Result<Resolved> {
    let kind = json
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_owned();
    let credentials = match kind.as_str() {
        "service_account" => service_account::Builder::new(json.clone()).build(),
        "authorized_user" => user_account::Builder::new(json.clone()).build(),
        "external_account" => external_account::Builder::new(json.clone()).build(),
        "impersonated_service_account" => impersonated::Builder::new(json.clone()).build(),
        other => {
            return Err(Error::invalid_input(format!(
                "unsupported credentials type {other:?}; expected service_account, \
                 authorized_user, external_account or impersonated_service_account"
            )));
        }
    }
    .map_err(|e| auth_error("the credentials", e))?;
    let signer = match kind.as_str() {
        "service_account" => Some(
            service_account::Builder::new(json)
                .build_signer()
                .map_err(|e| auth_error("the service-account key", e))?,
        ),
        _ => None,
    };
    Ok(Resolved {
        credentials,
        signer,
    })
}

fn auth_error(what: &str, err: impl std::fmt::Display) -> Error {
    Error::new(
        storage_types::ErrorKind::Unauthenticated,
        format!("cannot load {what}"),
    )
    .with_source(err.to_string())
}

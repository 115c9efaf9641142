//! Credentials and the URL signer, from Application Default Credentials, a key file or JSON,
//! or nothing (anonymous). Application Default Credentials with no source at all (no
//! variable, no gcloud file, not on Google Cloud) are `Unauthenticated` at once, naming the
//! ways to give credentials, instead of requests that wait on a metadata server that is not
//! there.

use google_cloud_auth::credentials::{
    self, Credentials, anonymous, external_account, impersonated, service_account, user_account,
};
use google_cloud_auth::signer::Signer;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use storage_types::{Error, Result};

use crate::config::CredentialSource;

/// What a store authenticates with, and signs URLs with when it can.
pub(crate) struct Resolved {
    pub(crate) credentials: Credentials,
    pub(crate) signer: Option<Signer>,
}

/// The one line that says how to give credentials.
pub(crate) const NO_CREDENTIALS: &str = "no GCS credentials found: give `credentials-file=PATH` \
    or `credentials-base64=...` (GcsBuilder::credentials_file / credentials_json), set \
    GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`, run on \
    Google Cloud (its metadata server), or for public data and emulators use `anonymous=true` \
    or STORAGE_EMULATOR_HOST";

/// How long the metadata server may take to answer the one question whether it is there.
const METADATA_PROBE_TIMEOUT: Duration = Duration::from_millis(500);

pub(crate) async fn resolve(source: &CredentialSource) -> Result<Resolved> {
    if matches!(source, CredentialSource::Default) {
        // The probe of the metadata server blocks (briefly): off the async workers.
        let available = tokio::task::spawn_blocking(default_credentials_available)
            .await
            .unwrap_or(false);
        if !available {
            return Err(Error::new(
                storage_types::ErrorKind::Unauthenticated,
                NO_CREDENTIALS,
            ));
        }
    }
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

/// Whether Application Default Credentials have a source, looked for where the SDK looks:
/// `GOOGLE_APPLICATION_CREDENTIALS` (a missing file there is the SDK's error to report),
/// gcloud's file under `$HOME`, or the metadata server of Google Cloud.
fn default_credentials_available() -> bool {
    let gcloud_file = std::env::var_os("HOME").map(|home| {
        std::path::PathBuf::from(home).join(".config/gcloud/application_default_credentials.json")
    });
    std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_some()
        || gcloud_file.is_some_and(|file| file.is_file())
        || on_google_cloud()
}

/// Whether a metadata server is there: named by `GCE_METADATA_HOST`, suggested by the
/// machine's DMI product name (Compute Engine, GKE nodes), or answering as Google's does
/// (Cloud Run and other sandboxes hide the DMI table). Other clouds answer on the same
/// address, so the reply must carry `Metadata-Flavor: Google`.
fn on_google_cloud() -> bool {
    if std::env::var_os("GCE_METADATA_HOST").is_some() {
        return true;
    }
    let product = std::fs::read_to_string("/sys/class/dmi/id/product_name").unwrap_or_default();
    if product.trim().starts_with("Google") {
        return true;
    }
    metadata_server_answers().unwrap_or(false)
}

fn metadata_server_answers() -> std::io::Result<bool> {
    let address = SocketAddr::from(([169, 254, 169, 254], 80));
    let mut stream = TcpStream::connect_timeout(&address, METADATA_PROBE_TIMEOUT)?;
    stream.set_read_timeout(Some(METADATA_PROBE_TIMEOUT))?;
    stream.set_write_timeout(Some(METADATA_PROBE_TIMEOUT))?;
    stream.write_all(
        b"GET / HTTP/1.0\r\nHost: metadata.google.internal\r\nMetadata-Flavor: Google\r\n\r\n",
    )?;
    let mut reply = [0u8; 1024];
    let read = stream.read(&mut reply)?;
    let head = String::from_utf8_lossy(&reply[..read]).to_ascii_lowercase();
    Ok(head.contains("metadata-flavor: google"))
}

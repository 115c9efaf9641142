//! A local stand-in for Microsoft Entra ID, for the Azure tests of rs-storage: an HTTPS server
//! ([`TokenServer`]) that plays the token endpoint (and a blob endpoint that has no blobs), the
//! JWTs it mints ([`jwt`]), a client that trusts its certificate ([`transport`]), and the child
//! process a client-secret test runs in ([`client_secret_child`], [`run_child`]).
//!
//! `storage-azblob`'s `entra` test uses it against its blob stub, and `storage-conformance`'s
//! `entra_azurite` test against Azurite started with `--oauth basic` (which `cargo xtask test`
//! does next to the `azblob` service). The certificate is the test one in
//! `crates/storage-azblob/tests/tls` (for 127.0.0.1, signed by its `ca.pem`), which that
//! Azurite serves too.

mod cases;
mod server;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use azure_core::http::Transport;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub use cases::{Case, run_cases};
pub use server::{Seen, TokenServer};

/// The tenant the client-secret children ask for.
pub const TENANT: &str = "test-tenant";
/// The client (application) id the client-secret children give.
pub const CLIENT: &str = "test-client";
/// The only client secret the token endpoint accepts.
pub const GOOD_SECRET: &str = "test-client-secret-value";
/// The audience of a token for Azure Storage.
pub const STORAGE_AUDIENCE: &str = "https://storage.azure.com";

/// The directory of the test certificates: `server.pem` and `server.key` (127.0.0.1), and the
/// `ca.pem` that signed them.
pub fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates/storage-azblob/tests/tls")
}

/// An HTTP client that trusts the test CA only.
pub fn transport() -> Transport {
    let pem = std::fs::read(tls_dir().join("ca.pem")).expect("the test CA");
    let ca = reqwest::Certificate::from_pem(&pem).expect("the test CA is PEM");
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .expect("an HTTP client");
    Transport::new(Arc::new(client))
}

/// A JWT with the claims Entra ID puts in a token for `audience`, valid from a minute ago for
/// an hour. It is unsigned: Azurite checks lifetime, issuer and audience, not the signature.
pub fn jwt(tenant: &str, audience: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = r#"{"alg":"RS256","typ":"JWT"}"#;
    let claims = format!(
        r#"{{"aud":"{audience}","iss":"https://sts.windows.net/{tenant}/","iat":{},"nbf":{},"exp":{},"tid":"{tenant}","oid":"00000000-0000-0000-0000-000000000001"}}"#,
        now - 60,
        now - 60,
        now + 3600
    );
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode("not-a-signature")
    )
}

/// The running test binary again, as a child whose environment holds an Entra ID client secret
/// ([`TENANT`], [`CLIENT`], `secret`) with `server` as the authority host, and no other Azure
/// credential variable. A store's client secret is read from the environment, and the
/// workspace forbids the `unsafe` that setting variables in a running test would take; the
/// caller adds what tells the child its role.
pub fn client_secret_child(server: &TokenServer, secret: &str) -> Command {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    for (name, _) in std::env::vars() {
        if name.starts_with("AZURE_") || name.starts_with("IDENTITY_") || name == "MSI_ENDPOINT" {
            command.env_remove(name);
        }
    }
    command
        .env("AZURE_AUTHORITY_HOST", server.url())
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_CLIENT_SECRET", secret);
    command
}

/// Runs a child of [`client_secret_child`]: `Ok` with what it printed if it succeeded and
/// never printed `secret`, else an error with its output.
pub fn run_child(mut command: Command, secret: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|err| format!("cannot run the child: {err}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    if text.contains(secret) {
        return Err(format!("the child printed the client secret: {text}"));
    }
    match output.status.success() {
        true => Ok(text),
        false => Err(format!("the child failed: {text}")),
    }
}

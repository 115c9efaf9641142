//! Microsoft Entra ID and the "never unsigned by accident" rule, without Azure: a local HTTPS
//! server (the `entra-test-server` crate) plays the Entra ID token endpoint and a blob endpoint.
//!
//! The client secret is read from `AZURE_CLIENT_ID` / `AZURE_TENANT_ID` / `AZURE_CLIENT_SECRET`
//! and the authority from `AZURE_AUTHORITY_HOST`, so those cases run in a child process of this
//! binary with that environment (the workspace forbids the `unsafe` that setting variables in
//! a running test would take). Azurite judges bearer tokens over https only; the `entra_azurite`
//! test of `storage-conformance` does that part (`cargo xtask test --service azblob` runs it).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::ExitCode;

use entra_test_server::{
    CLIENT, Case, GOOD_SECRET, STORAGE_AUDIENCE, TENANT, TokenServer, client_secret_child,
    run_cases, transport,
};
use storage_azblob::AzBlobBuilder;
use storage_types::{Encryption, ErrorKind, Storage};

/// The variable that makes this binary a child running one role.
const ROLE: &str = "STORAGE_AZBLOB_ENTRA_TEST_ROLE";

fn main() -> ExitCode {
    if let Ok(role) = std::env::var(ROLE) {
        return child(&role);
    }
    let cases: [(&str, Case); 5] = [
        ("client_secret_from_the_environment", || {
            Box::pin(client_secret_from_the_environment())
        }),
        ("wrong_client_secret_is_unauthenticated", || {
            Box::pin(wrong_client_secret_is_unauthenticated())
        }),
        ("no_credentials_is_refused_naming_the_ways", || {
            Box::pin(no_credentials_is_refused())
        }),
        ("anonymous_must_be_asked_for", || {
            Box::pin(anonymous_must_be_asked_for())
        }),
        ("access_tier_with_encryption_is_refused", || {
            Box::pin(access_tier_with_encryption_is_refused())
        }),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    run_cases("entra", &runtime, &cases)
}

/// Runs this binary as a child in `role`, with the client-secret environment pointing at
/// `server` and every other Azure variable removed; `Ok` if the child reports success.
fn run_child(role: &str, server: &TokenServer, secret: &str) -> Result<(), String> {
    let mut command = client_secret_child(server, secret);
    command.env(ROLE, role).env(
        "STORAGE_AZBLOB_ENTRA_TEST_ENDPOINT",
        format!("{}/acct", server.url()),
    );
    entra_test_server::run_child(command, secret).map(drop)
}

/// The child's side: a store configured from the environment alone, one request.
fn child(role: &str) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(async {
        let endpoint = std::env::var("STORAGE_AZBLOB_ENTRA_TEST_ENDPOINT").unwrap();
        let store = AzBlobBuilder::new("c")
            .endpoint(endpoint)
            .transport(transport())
            .from_env()
            .and_then(AzBlobBuilder::build)
            .map_err(|err| format!("build: {err}"))?;
        let debug = format!("{store:?}");
        let err = match store.stat("dir/a.txt").await {
            Ok(_) => return Err("the stub has no blob, yet stat found one".to_owned()),
            Err(err) => err,
        };
        let wanted = match role {
            "good" => ErrorKind::NotFound,
            _ => ErrorKind::Unauthenticated,
        };
        if err.kind() != wanted {
            return Err(format!("stat: wanted {wanted:?}, got {err}"));
        }
        println!("{debug}\n{err}");
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            println!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn client_secret_from_the_environment() -> Result<(), String> {
    let server = TokenServer::start().await;
    run_child("good", &server, GOOD_SECRET)?;
    let seen = server.seen();
    let token = seen
        .iter()
        .find(|s| s.is_token_request())
        .ok_or("no token request")?;
    let expect = |what: &str, got: Option<String>, want: &str| match got.as_deref() == Some(want) {
        true => Ok(()),
        false => Err(format!("token request {what}: wanted {want}, got {got:?}")),
    };
    expect("method", Some(token.method.clone()), "POST")?;
    expect(
        "path",
        Some(token.path.clone()),
        "/test-tenant/oauth2/v2.0/token",
    )?;
    expect("grant_type", token.form("grant_type"), "client_credentials")?;
    expect("client_id", token.form("client_id"), CLIENT)?;
    expect("client_secret", token.form("client_secret"), GOOD_SECRET)?;
    expect(
        "scope",
        token.form("scope"),
        "https://storage.azure.com/.default",
    )?;
    let blob = seen
        .iter()
        .find(|s| s.path.starts_with("/acct/"))
        .ok_or("no blob request reached the blob endpoint")?;
    expect("blob path", Some(blob.path.clone()), "/acct/c/dir%2Fa.txt")?;
    let bearer = format!(
        "Bearer {}",
        entra_test_server::jwt(TENANT, STORAGE_AUDIENCE)
    );
    let sent = blob.header("authorization").unwrap_or_default();
    // The token's iat/nbf/exp are whole seconds: compare the header and claims' shape.
    if !sent.starts_with("Bearer ") || sent.split('.').count() != 3 || sent.len() != bearer.len() {
        return Err(format!(
            "blob request Authorization: wanted a bearer JWT, got {sent:?}"
        ));
    }
    Ok(())
}

async fn wrong_client_secret_is_unauthenticated() -> Result<(), String> {
    let server = TokenServer::start().await;
    run_child("bad", &server, "a-wrong-secret")?;
    match server.seen().iter().any(|s| s.path.starts_with("/acct/")) {
        true => Err("a request reached the blob endpoint without a token".to_owned()),
        false => Ok(()),
    }
}

async fn no_credentials_is_refused() -> Result<(), String> {
    let err = AzBlobBuilder::new("c")
        .account("acct")
        .build()
        .err()
        .ok_or("a store with no credentials was built")?;
    if err.kind() != ErrorKind::Unauthenticated {
        return Err(format!("wanted Unauthenticated, got {err}"));
    }
    let text = err.to_string();
    for way in [
        "account-key",
        "AZURE_STORAGE_KEY",
        "sas-token",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "entra-id=managed-identity",
        "entra-id=developer-tools",
        "anonymous=true",
    ] {
        if !text.contains(way) {
            return Err(format!("the error does not name {way}: {text}"));
        }
    }
    Ok(())
}

async fn anonymous_must_be_asked_for() -> Result<(), String> {
    let server = TokenServer::start().await;
    let store = AzBlobBuilder::new("c")
        .endpoint(format!("{}/acct", server.url()))
        .transport(transport())
        .anonymous()
        .build()
        .map_err(|err| format!("anonymous store: {err}"))?;
    let _ = store.stat("a.txt").await;
    let seen = server.seen();
    let request = seen.first().ok_or("no request")?;
    match request.header("authorization") {
        None => Ok(()),
        Some(value) => Err(format!("an anonymous request was signed: {value}")),
    }
}

async fn access_tier_with_encryption_is_refused() -> Result<(), String> {
    let base = || {
        AzBlobBuilder::new("c")
            .account("acct")
            .account_key("a2V5")
            .access_tier("Cool")
    };
    let key = storage_types::CustomerKey::new([7; 32]);
    for encryption in [Encryption::kms("scope"), Encryption::CustomerKey(key)] {
        let err = base()
            .encryption(encryption)
            .build()
            .err()
            .ok_or("an access tier with encryption was accepted")?;
        if err.kind() != ErrorKind::InvalidInput || !err.to_string().contains("access tier") {
            return Err(format!(
                "wanted InvalidInput about the access tier, got {err}"
            ));
        }
    }
    base().build().map_err(|err| format!("tier alone: {err}"))?;
    // A token is never sent in the clear.
    let err = AzBlobBuilder::new("c")
        .endpoint("http://127.0.0.1:1/acct")
        .entra_id(storage_azblob::EntraId::DeveloperTools)
        .build()
        .err()
        .ok_or("an Entra ID store over http was built")?;
    match err.to_string().contains("https") {
        true => Ok(()),
        false => Err(format!("wanted a refusal naming https, got {err}")),
    }
}

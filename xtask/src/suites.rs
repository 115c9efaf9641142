//! The suites `cargo xtask test` runs against each backend while its server is up: our
//! conformance suite, object_store's own suite against the adapter, the BR compatibility
//! table, `stor` driven as a process, the I/O adapters' checks, Microsoft Entra ID against
//! Azurite and the examples. Each prints one summary line, which is collected.

use std::process::Command;

use crate::cargo::{cargo, run_teed};
use crate::services::{Running, Service};

/// Whether `name` is a suite's name (`--suite`).
pub(crate) fn is_suite(name: &str) -> bool {
    SUITES.iter().any(|s| s.prefix == name)
}

/// A suite: the services it covers, and the command that runs it on one of them.
struct Suite {
    /// Its summary lines start `<prefix> <service>:`.
    prefix: &'static str,
    /// The services it runs on (a backend's variants vary our own suite's conditions; the
    /// other suites see the same backend through them, so they run on one of each).
    services: &'static [&'static str],
    command: fn(&Service) -> Command,
    /// Servers the suite needs beside the service's own, started before it and stopped after.
    peers: fn(&Service) -> Result<Running, String>,
}

const SUITES: &[Suite] = &[
    Suite {
        prefix: "conformance",
        services: &[],
        command: conformance,
        peers: no_peers,
    },
    Suite {
        prefix: "object_store-suite",
        services: &["fs", "memory", "s3-seaweedfs", "azblob", "gcs"],
        command: object_store,
        peers: no_peers,
    },
    Suite {
        prefix: "stor-cli",
        services: &["s3-seaweedfs", "azblob", "gcs"],
        command: stor_cli,
        peers: stor_cli_peers,
    },
    Suite {
        prefix: "storage-io",
        services: &["s3-seaweedfs"],
        command: storage_io,
        peers: no_peers,
    },
    Suite {
        prefix: "br-compat",
        services: &["fs", "s3-seaweedfs", "azblob", "gcs"],
        command: br_compat,
        peers: no_peers,
    },
    Suite {
        prefix: "entra",
        services: &["azblob"],
        command: entra,
        peers: no_peers,
    },
    Suite {
        prefix: "examples",
        services: &["fs", "s3-seaweedfs", "azblob", "gcs"],
        command: examples,
        peers: no_peers,
    },
];

fn no_peers(_service: &Service) -> Result<Running, String> {
    Ok(Running::default())
}

/// A second store holding a bucket of the same name as the service's, for copies and moves
/// between two stores: another SeaweedFS, another GCS test server. Azurite holds a second
/// account itself (`azurite_servers`).
fn stor_cli_peers(service: &Service) -> Result<Running, String> {
    match service.name {
        "s3-seaweedfs" => crate::servers::start_seaweedfs_peer(),
        "gcs" => crate::gcs_servers::start_gcs_test_server_peer(),
        _ => Ok(Running::default()),
    }
}

/// `cargo test -p <package> --test <target> [--features <features>] [-- <args>]`.
fn cargo_test(package: &str, target: &str, features: &str, args: &[&str]) -> Command {
    let mut cmd = cargo();
    cmd.args(["test", "-p", package, "--test", target]);
    if !features.is_empty() {
        cmd.args(["--features", features]);
    }
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    cmd
}

fn conformance(service: &Service) -> Command {
    cargo_test(
        "storage-conformance",
        service.test_target,
        service.features,
        &[],
    )
}

/// object_store's conformance functions against the `storage-object-store` adapter.
fn object_store(service: &Service) -> Command {
    let argument = match service.name {
        "s3-seaweedfs" => "s3",
        other => other,
    };
    cargo_test(
        "storage-conformance",
        "object_store",
        service.features,
        &[argument],
    )
}

/// `stor` as a process: trees copied up and back, ls, stat, cat, cp, mv, presign, rm, mb, rb,
/// and cp / mv into a second store holding a bucket of the same name (`stor_cli_peers`).
fn stor_cli(_service: &Service) -> Command {
    cargo_test("storage-cli", "stor_cloud", "", &[])
}

/// The tokio I/O adapters' random seeks and writes on a cloud backend.
fn storage_io(_service: &Service) -> Command {
    cargo_test("storage-io", "s3", "s3", &[])
}

/// The BR compatibility table: every BR URL key and kvproto `StorageBackend` field of the
/// service, each checked against its server (`fs` runs the local-file and noop rows).
fn br_compat(service: &Service) -> Command {
    cargo_test(
        "storage-conformance",
        "br_compat",
        service.features,
        &[service.name],
    )
}

/// Microsoft Entra ID against the Azurite that judges bearer tokens (`--oauth basic`, https),
/// which the `azblob` service starts next to its own: a client-secret store's container,
/// write, read and list, an anonymous store and another audience's token refused.
fn entra(service: &Service) -> Command {
    cargo_test(
        "storage-conformance",
        "entra_azurite",
        service.features,
        &[],
    )
}

/// The programs in `examples/`, each run against the service's server.
fn examples(service: &Service) -> Command {
    cargo_test("storage-examples", "run_examples", "", &[service.name])
}

/// Runs every suite that covers `service` against its running server (only the suite named
/// `only`, when given); collects the summary lines and failures.
pub(crate) fn run_all(
    service: &Service,
    running: &Running,
    only: Option<&str>,
    summaries: &mut Vec<String>,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let applicable = SUITES
        .iter()
        .filter(|s| s.services.is_empty() || s.services.contains(&service.name))
        .filter(|s| only.is_none_or(|name| s.prefix == name));
    for suite in applicable {
        println!("== {} on {} ==", suite.prefix, service.name);
        let peers = match (suite.peers)(service) {
            Ok(peers) => peers,
            Err(err) => {
                failures.push(format!(
                    "{}: {} cannot start its second server: {err}",
                    service.name, suite.prefix
                ));
                continue;
            }
        };
        let mut cmd = (suite.command)(service);
        cmd.envs(running.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(peers.env.iter().map(|(k, v)| (k, v)));
        let (lines, success) = run_teed(cmd)?;
        if !success {
            for log in running.logs.iter().chain(&peers.logs) {
                println!("{}", crate::servers::log_tail(log, 60));
            }
        }
        drop(peers);
        let prefix = format!("{} {}:", suite.prefix, service.name);
        match lines.iter().rev().find(|line| line.starts_with(&prefix)) {
            Some(summary) => summaries.push(summary.clone()),
            None => failures.push(format!(
                "{}: {} printed no summary line",
                service.name, suite.prefix
            )),
        }
        if !success {
            failures.push(format!("{}: {} failed", service.name, suite.prefix));
        }
    }
    Ok(())
}

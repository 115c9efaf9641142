//! `cargo xtask bench`: builds the benchmark binary (`crates/storage-bench`) in release,
//! starts each service's local server, runs the four contenders through every workload and
//! writes the table of docs/performance.md and the chart docs/performance.png (a `--quick`
//! run writes both under target/bench/quick instead).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cargo::{cargo, run_checked, workspace_root};
use crate::services::Running;
use crate::{check_args, flag_value};

const SERVICES: [&str; 4] = ["s3", "fs", "azblob", "gcs"];

/// The crates whose versions the page names.
const VERSIONED: [&str; 5] = [
    "aws-sdk-s3",
    "azure_storage_blob",
    "google-cloud-storage",
    "opendal",
    "object_store",
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(
        args,
        &["--service", "--rounds", "--binary"],
        &["--quick", "--serve"],
    )?;
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = flag_value(args, "--rounds")?.unwrap_or_else(|| "5".to_owned());
    let services: Vec<String> = match flag_value(args, "--service")? {
        Some(list) => list.split(',').map(|s| s.trim().to_owned()).collect(),
        None => SERVICES.iter().map(|s| (*s).to_owned()).collect(),
    };
    if let Some(unknown) = services.iter().find(|s| !SERVICES.contains(&s.as_str())) {
        return Err(format!(
            "no benchmark for `{unknown}`; known: {}",
            SERVICES.join(", ")
        ));
    }
    // A quick run builds with a lighter profile than release (opt-level 1, no debug info, see
    // Cargo.toml); its figures are a check, not the published ones.
    let profile = if quick { "bench-quick" } else { "release" };
    let built = build(profile)?;
    if args.iter().any(|a| a == "--serve") {
        return serve(&services, &built);
    }
    ensure_font()?;
    // `--binary` runs a benchmark built earlier (say, before a change) instead of this one.
    let binary = match flag_value(args, "--binary")? {
        Some(path) => PathBuf::from(path),
        None => built.join("storage-bench"),
    };
    // Results of every service run are kept, so that `--service gcs` alone refreshes its rows
    // beside the others'; quick runs keep theirs apart, so that the two never mix in a table.
    let out_dir = workspace_root().join(if quick {
        "target/bench/quick"
    } else {
        "target/bench"
    });
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;

    // Each service's results name the commit they were measured on, so that the page can say
    // which commit each service's rows describe (`docs --check` reads it).
    let commit = crate::docs::measured::stamp(&crate::docs::measured::BENCH);
    for service in &services {
        let results = out_dir.join(format!("results-{service}.jsonl"));
        let _ = std::fs::remove_file(&results);
        let running = start(service, &built)?;
        let pids: Vec<String> = running
            .children
            .iter()
            .map(|c| c.id().to_string())
            .collect();
        let mut cmd = Command::new(&binary);
        cmd.envs(running.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .args(["run", "--service", service, "--rounds", &rounds, "--out"])
            .arg(&results)
            .args(["--server-pid", &pids.join(",")])
            .args(["--commit", &commit]);
        if quick {
            cmd.arg("--quick");
        }
        if service == "fs" {
            let dir = out_dir.join("fs-data");
            let _ = std::fs::remove_dir_all(&dir);
            cmd.env("RS_STORAGE_BENCH_DIR", &dir);
        }
        let outcome = run_checked(cmd);
        if outcome.is_err() {
            for log in &running.logs {
                eprintln!(
                    "--- {} ---\n{}",
                    log.display(),
                    crate::servers::log_tail(log, 30)
                );
            }
        }
        outcome?;
        let _ = std::fs::remove_dir_all(out_dir.join("fs-data"));
    }

    let files: Vec<PathBuf> = SERVICES
        .iter()
        .map(|s| out_dir.join(format!("results-{s}.jsonl")))
        .filter(|p| p.exists())
        .collect();
    // The published figures come from full runs only: a quick run's table and chart go beside
    // its results, where they cannot replace them.
    let pages = if quick {
        out_dir.clone()
    } else {
        workspace_root().join("docs")
    };
    let mut command = String::from("cargo xtask bench");
    if quick {
        command.push_str(" --quick");
    }
    let mut report = Command::new(&binary);
    report
        .arg("report")
        .arg("--markdown")
        .arg(pages.join("performance.md"))
        .arg("--chart")
        .arg(pages.join("performance.png"))
        .args(["--versions", &versions()])
        .args(["--command", &command])
        .args(&files);
    run_checked(report)
}

/// `--serve`: starts one service's server as the benchmark would, prints the environment that
/// points `storage-bench` at it, and keeps it up until interrupted, for A/B runs and profiles
/// of single workloads (`storage-bench one ...`) by hand.
fn serve(services: &[String], built: &Path) -> Result<(), String> {
    let [service] = services else {
        return Err("--serve takes exactly one --service".into());
    };
    let running = start(service, built)?;
    for (key, value) in &running.env {
        println!("export {key}='{value}'");
    }
    println!("# {service} is up; interrupt to stop it");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// Builds the benchmark with `profile`, and the GCS test server in the same cargo call, so
/// that the two share their dependencies' builds; returns the directory of the binaries. The
/// server is built even when GCS is not benchmarked: a call without it would resolve other
/// features and compile most dependencies again.
fn build(profile: &str) -> Result<PathBuf, String> {
    let mut build = cargo();
    build.args(["build", "-p", "storage-bench", "-p", "gcs-test-server"]);
    build.args(["--profile", profile]);
    run_checked(build)?;
    Ok(crate::cargo::target_dir().join(profile))
}

fn start(service: &str, built: &Path) -> Result<Running, String> {
    match service {
        "s3" => crate::servers::start_seaweedfs_tls(),
        "azblob" => crate::azurite_servers::start_azurite_on_disk(),
        "gcs" => crate::gcs_servers::start_gcs_test_server_binary(built.join("gcs-test-server")),
        _ => Ok(Running::default()),
    }
}

/// The chart's font, from Debian's package when the machine has none.
fn ensure_font() -> Result<(), String> {
    if Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists() {
        return Ok(());
    }
    crate::apt::apt_install("fonts-dejavu-core")
}

/// "name version" of each compared crate, from Cargo.lock.
fn versions() -> String {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock")).unwrap_or_default();
    let mut found = Vec::new();
    for name in VERSIONED {
        let header = format!("name = \"{name}\"\nversion = \"");
        if let Some(at) = lock.find(&header) {
            let rest = &lock[at + header.len()..];
            if let Some(end) = rest.find('"') {
                found.push(format!("{name} {}", &rest[..end]));
            }
        }
    }
    found.push(format!(
        "rustc {}",
        rustc_version().unwrap_or_else(|| "unknown".into())
    ));
    found.join(", ")
}

fn rustc_version() -> Option<String> {
    let out = Command::new("rustc").arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

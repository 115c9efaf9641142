//! `cargo xtask faults [--service s3,azblob,gcs] [--quick] [--seed N]`: starts each cloud
//! backend's local server, runs `reliability faults` against it through the fault-injecting
//! proxy, prints its `faults <service>: ...` line, and (after a full run of every backend) puts
//! the matrix into docs/reliability.md between its markers. Fails when any cell is corrupt,
//! partial, hung, untyped or missed, or not recovered from a fault that struck once without a
//! reason the matrix names. `cargo xtask load` runs `reliability load` on the same
//! servers.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::cargo::{cargo, run_checked, run_teed, target_dir, workspace_root};
// The matrix's markers live with the staleness check of `cargo xtask docs`, which reads it too.
use crate::docs::measured::{FAULT_MATRIX_BEGIN as BEGIN, FAULT_MATRIX_END as END};
use crate::services::Running;

const PAGE: &str = "docs/reliability.md";

/// A backend of the matrix and the server it runs against.
pub(crate) struct Backend {
    pub(crate) name: &'static str,
    title: &'static str,
    pub(crate) start: fn() -> Result<Running, String>,
}

pub(crate) const BACKENDS: &[Backend] = &[
    Backend {
        name: "s3",
        title: "S3 on SeaweedFS",
        start: crate::servers::start_seaweedfs,
    },
    Backend {
        name: "azblob",
        title: "Azure Blob Storage on Azurite",
        start: crate::azurite_servers::start_azurite_shared_key,
    },
    Backend {
        name: "gcs",
        title: "Google Cloud Storage on the repo's test server",
        start: crate::gcs_servers::start_gcs_test_server,
    },
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &["--service", "--seed", "--only"], &["--quick"])?;
    let quick = args.iter().any(|a| a == "--quick");
    let seed = crate::flag_value(args, "--seed")?;
    // A subset of cells, for working on them; such a run never writes the page.
    let only = crate::flag_value(args, "--only")?;
    let selected = select(args)?;
    let binary = build_reliability()?;
    let out_dir = target_dir().join("reliability");
    fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;

    let schedule = if quick { "quick" } else { "full" };
    let out = |backend: &Backend| out_dir.join(format!("{}.md", backend.name));
    let failed = run_each(&selected, &binary, "faults", |backend| {
        let _ = fs::remove_file(out(backend));
        let mut args: Vec<OsString> = ["--title", backend.title, "--schedule", schedule]
            .map(OsString::from)
            .into();
        args.extend(["--out".into(), out(backend).into()]);
        if let Some(seed) = &seed {
            args.extend(["--seed".into(), seed.into()]);
        }
        if let Some(only) = &only {
            args.extend(["--only".into(), only.into()]);
        }
        args
    })?;
    let sections: Vec<String> = selected
        .iter()
        .filter_map(|backend| fs::read_to_string(out(backend)).ok())
        .collect();
    if !quick && only.is_none() && selected.len() == BACKENDS.len() && failed.is_empty() {
        write_page(&sections)?;
        println!("faults: wrote the matrix into {PAGE}");
    } else {
        println!("faults: {PAGE} left as it is (it holds a full run of every backend)");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("the fault matrix failed for {}", failed.join(", ")))
    }
}

/// Runs `reliability <mode> --service <name>` plus `extra(backend)` against each backend's
/// server, started for it and stopped after, echoing the output; then prints each backend's
/// summary line (`<mode> <name>: ...`) again together, and returns the backends whose run
/// failed.
pub(crate) fn run_each(
    selected: &[&'static Backend],
    binary: &Path,
    mode: &str,
    extra: impl Fn(&Backend) -> Vec<OsString>,
) -> Result<Vec<&'static str>, String> {
    let mut summaries = Vec::new();
    let mut failed = Vec::new();
    for backend in selected {
        let running = (backend.start)()?;
        let mut cmd = Command::new(binary);
        cmd.args([mode, "--service", backend.name])
            .args(extra(backend))
            .envs(running.env.iter().map(|(k, v)| (k, v)));
        let (lines, ok) = run_teed(cmd)?;
        drop(running);
        let prefix = format!("{mode} {}:", backend.name);
        match lines.iter().find(|line| line.starts_with(&prefix)) {
            Some(line) => summaries.push(line.clone()),
            None => summaries.push(format!("{prefix} did not finish")),
        }
        if !ok {
            failed.push(backend.name);
        }
    }
    println!();
    for line in &summaries {
        println!("{line}");
    }
    Ok(failed)
}

/// The backends `--service` names, or all of them.
pub(crate) fn select(args: &[String]) -> Result<Vec<&'static Backend>, String> {
    match crate::flag_value(args, "--service")? {
        None => Ok(BACKENDS.iter().collect()),
        Some(list) => list
            .split(',')
            .map(|name| {
                BACKENDS
                    .iter()
                    .find(|b| b.name == name.trim())
                    .ok_or_else(|| format!("unknown service `{name}`; known: s3, azblob, gcs"))
            })
            .collect(),
    }
}

/// Builds the `reliability` binary of storage-conformance and returns its path.
pub(crate) fn build_reliability() -> Result<std::path::PathBuf, String> {
    let mut build = cargo();
    build.args([
        "build",
        "-q",
        "-p",
        "storage-conformance",
        "--features",
        "faults",
        "--bin",
        "reliability",
    ]);
    run_checked(build)?;
    Ok(target_dir().join("debug/reliability"))
}

/// Replaces what lies between the page's markers with `sections`.
fn write_page(sections: &[String]) -> Result<(), String> {
    let path = workspace_root().join(PAGE);
    let page = fs::read_to_string(&path).map_err(|e| format!("reading {PAGE}: {e}"))?;
    let (Some(begin), Some(end)) = (page.find(BEGIN), page.find(END)) else {
        return Err(format!("{PAGE} lacks the markers {BEGIN} and {END}"));
    };
    let mut new = page[..begin + BEGIN.len()].to_owned();
    new.push_str("\n\n");
    // The commit lets `cargo xtask docs --check` notice when the matrix goes stale.
    new.push_str(&format!(
        "Measured on commit `{}` with `cargo xtask faults`.\n\n",
        crate::docs::measured::stamp(&crate::docs::measured::FAULTS)
    ));
    new.push_str(&sections.join("\n"));
    new.push('\n');
    new.push_str(&page[end..]);
    fs::write(&path, new).map_err(|e| format!("writing {PAGE}: {e}"))
}

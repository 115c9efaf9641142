//! `cargo xtask fuzz [--target a,b] [--seconds 600]`: runs each cargo-fuzz target of
//! `integration-tests/fuzz` (nightly; cargo-fuzz is installed if missing) for the given time and
//! prints `fuzz <target>: N runs in S s, 0 crashes`. A crash fails the command and leaves its
//! input under `integration-tests/fuzz/artifacts/`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::cargo::workspace_root;

const FUZZ_DIR: &str = "integration-tests/fuzz";
const TARGETS: &[&str] = &["storage_url", "object_path", "url_keys", "azblob_list"];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &["--target", "--seconds"], &[])?;
    let seconds: u64 = match crate::flag_value(args, "--seconds")? {
        Some(value) => value
            .parse()
            .map_err(|_| format!("--seconds takes a number, not `{value}`"))?,
        None => 600,
    };
    let targets: Vec<String> = match crate::flag_value(args, "--target")? {
        Some(list) => list.split(',').map(|t| t.trim().to_owned()).collect(),
        None => TARGETS.iter().map(|t| (*t).to_owned()).collect(),
    };
    if let Some(unknown) = targets.iter().find(|t| !TARGETS.contains(&t.as_str())) {
        return Err(format!(
            "unknown target `{unknown}`; known: {}",
            TARGETS.join(", ")
        ));
    }
    ensure_cargo_fuzz()?;
    let mut lines = Vec::new();
    let mut crashed = Vec::new();
    for target in &targets {
        let started = std::time::Instant::now();
        let (runs, ok) = fuzz(target, seconds)?;
        let line = format!(
            "fuzz {target}: {runs} runs in {} s, {} crashes",
            started.elapsed().as_secs(),
            if ok { 0 } else { 1 }
        );
        println!("{line}");
        lines.push(line);
        if !ok {
            crashed.push(target.clone());
        }
    }
    println!();
    for line in &lines {
        println!("{line}");
    }
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found a crash in {} (inputs under {FUZZ_DIR}/artifacts/)",
            crashed.join(", ")
        ))
    }
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz");
    crate::cargo::run_checked({
        let mut cmd = Command::new("cargo");
        cmd.args(["install", "cargo-fuzz", "--locked"]);
        cmd
    })
}

/// Runs one target for `seconds`; returns libFuzzer's count of executed inputs and whether it
/// ended without a crash.
fn fuzz(target: &str, seconds: u64) -> Result<(u64, bool), String> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(workspace_root())
        .args([
            "+nightly",
            "fuzz",
            "run",
            "--fuzz-dir",
            FUZZ_DIR,
            target,
            "--",
        ])
        .arg(format!("-max_total_time={seconds}"))
        .args(["-print_final_stats=1", "-max_len=4096"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let mut runs = 0;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.map_err(|e| format!("reading cargo fuzz's output: {e}"))?;
            if let Some(count) = line.strip_prefix("stat::number_of_executed_units:") {
                runs = count.trim().parse().unwrap_or(0);
            }
            // Progress and findings go on to the terminal; libFuzzer's per-input lines do not.
            if line.contains("DONE") || line.contains("ERROR") || line.contains("panicked") {
                eprintln!("{line}");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo fuzz: {e}"))?;
    Ok((runs, status.success()))
}

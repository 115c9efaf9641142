//! `cargo xtask load [--service s3,azblob,gcs] [--seconds 20]`: starts each cloud backend's
//! local server and runs `reliability load` against it (32 writers and 32 readers on 8
//! overlapping keys), printing its `load <service>: ...` line. Fails on a torn read, an untyped
//! error or memory that grows.

use std::process::Command;

use crate::cargo::run_teed;
use crate::faults::{build_reliability, select};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &["--service", "--seconds"], &[])?;
    let seconds = crate::flag_value(args, "--seconds")?.unwrap_or_else(|| "20".into());
    let selected = select(args)?;
    let binary = build_reliability()?;
    let mut summaries = Vec::new();
    let mut failed = Vec::new();
    for backend in selected {
        let running = (backend.start)()?;
        let mut cmd = Command::new(&binary);
        cmd.args(["load", "--service", backend.name, "--seconds", &seconds])
            .envs(running.env.iter().map(|(k, v)| (k, v)));
        let (lines, ok) = run_teed(cmd)?;
        drop(running);
        let prefix = format!("load {}:", backend.name);
        summaries.extend(lines.into_iter().filter(|line| line.starts_with(&prefix)));
        if !ok {
            failed.push(backend.name);
        }
    }
    println!();
    for line in &summaries {
        println!("{line}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("the load test failed for {}", failed.join(", ")))
    }
}

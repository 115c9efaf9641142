//! `cargo xtask test`: unit and doc tests, then the conformance suite per backend, ending with
//! one summary line per backend.

use crate::cargo::{cargo, run_checked, run_teed};
use crate::services::select;
use crate::{check_args, flag_value};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--service"], &["--skip-unit"])?;
    let filter = flag_value(args, "--service")?;
    let services = select(filter.as_deref())?;
    let mut failures = Vec::new();

    if !args.iter().any(|a| a == "--skip-unit") && filter.is_none() {
        let mut unit = cargo();
        unit.args(["test", "--workspace", "--exclude", "storage-conformance"]);
        if let Err(err) = run_checked(unit) {
            failures.push(format!("unit and doc tests: {err}"));
        }
    }

    let mut summaries = Vec::new();
    for service in services {
        println!("== conformance suite on {} ==", service.name);
        let running = match (service.start)() {
            Ok(running) => running,
            Err(err) => {
                failures.push(format!("{}: cannot start its server: {err}", service.name));
                continue;
            }
        };
        let mut cmd = cargo();
        cmd.args([
            "test",
            "-p",
            "storage-conformance",
            "--test",
            service.test_target,
        ]);
        if !service.features.is_empty() {
            cmd.args(["--features", service.features]);
        }
        cmd.envs(running.env.iter().map(|(k, v)| (k, v)));
        let (lines, success) = run_teed(cmd)?;
        if !success {
            for log in &running.logs {
                println!("{}", crate::servers::log_tail(log, 60));
            }
        }
        drop(running);
        let prefix = format!("conformance {}:", service.name);
        match lines.iter().rev().find(|line| line.starts_with(&prefix)) {
            Some(summary) => summaries.push(summary.clone()),
            None => failures.push(format!(
                "{}: the suite printed no summary line",
                service.name
            )),
        }
        if !success {
            failures.push(format!("{}: the conformance suite failed", service.name));
        }
    }

    println!();
    for summary in &summaries {
        println!("{summary}");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

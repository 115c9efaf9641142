//! `cargo xtask test`: tidy's rules, unit and doc tests, then per backend (its server started once) the
//! conformance suite and the other suites of `suites`, ending with their summary lines.

use crate::cargo::{cargo, run_checked};
use crate::services::select;
use crate::{check_args, flag_value};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--service", "--suite"], &["--skip-unit"])?;
    let filter = flag_value(args, "--service")?;
    // One suite only (`--suite stor-cli`): for working on it, not for CI.
    let only = flag_value(args, "--suite")?;
    if let Some(name) = only.as_deref().filter(|n| !crate::suites::is_suite(n)) {
        return Err(format!(
            "--suite {name}: no such suite (its summary lines' first word)"
        ));
    }
    let services = select(filter.as_deref())?;
    let mut failures = Vec::new();

    // The rules come first and also run with `--service`: they take a second, and a broken
    // rule should not wait for the suites to be reported.
    if let Err(problems) = crate::tidy::check() {
        println!("{problems}");
        failures.push("tidy: its problems are listed at the start (`cargo xtask tidy`)".to_owned());
    }

    if !args.iter().any(|a| a == "--skip-unit") && filter.is_none() && only.is_none() {
        let mut unit = cargo();
        unit.args(["test", "--workspace", "--exclude", "storage-conformance"]);
        if let Err(err) = run_checked(unit) {
            failures.push(format!("unit and doc tests: {err}"));
        }
    }

    let mut summaries = Vec::new();
    for service in &services {
        let running = match (service.start)() {
            Ok(running) => running,
            Err(err) => {
                failures.push(format!("{}: cannot start its server: {err}", service.name));
                continue;
            }
        };
        crate::suites::run_all(
            service,
            &running,
            only.as_deref(),
            &mut summaries,
            &mut failures,
        )?;
        drop(running);
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

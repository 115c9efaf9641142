//! `cargo xtask`: the project's automation. `test` runs the unit tests and the conformance
//! suite against every backend (starting the servers a backend needs); `bench` compares
//! rs-storage with the raw SDKs and its peers; `docs` generates the compatibility matrix;
//! `coverage` measures the suite's line coverage; `faults` runs the fault matrix; `fuzz` runs the fuzz targets; `load` the load test; `memcheck` measures the peak memory of a
//! large streaming write; `tidy` checks the rules no compiler checks (run first by `test`).

mod apt;
mod azurite_servers;
mod bench;
mod cargo;
mod coverage;
mod docs;
mod faults;
mod fuzz;
mod gcs_servers;
mod load;
mod memcheck;
mod serve;
mod servers;
mod services;
mod size_proxy;
mod suites;
mod test;
mod tidy;
mod tls;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  test [--service a,b] [--suite NAME] [--skip-unit]
        run `tidy`, the unit and doc tests, then the conformance suite per backend, and print
        `conformance <service>: N passed, M failed, K unsupported` for each; then, on the
        same servers, object_store's suite against the adapter
        (`object_store-suite <service>: N passed, M failed, K not applicable`), `stor` as a
        process (`stor-cli <service>: ...`) and the I/O adapters (`storage-io <service>: ...`);
        `--suite stor-cli` runs that suite only (no unit tests), for working on it
  bench [--service s3,fs,azblob,gcs] [--quick] [--rounds 5] [--binary PATH]
        builds the benchmark in release, starts each service's local server and runs the raw
        SDK, rs-storage, OpenDAL and object_store through the same workloads, interleaved;
        writes docs/performance.md (between its markers) and docs/performance.png
        (`--quick`: smaller workloads, a lighter build, and both files under target/bench/quick);
        `bench --service S --serve` only starts S's server and prints its environment, for
        running `storage-bench one ...` by hand; `--binary` runs a benchmark built earlier
        instead of building one (A/B runs)
  coverage [--service a,b]
        run `cargo xtask test` with coverage instrumentation (cargo-llvm-cov, installed if
        missing) and write line coverage per crate to docs/coverage.md; fails under a target
  docs [--check]
        generate docs/compatibility.md from each backend's declared capabilities; with
        --check, fail when the committed page differs, or when the measured figures of
        docs/performance.md, docs/reliability.md or docs/coverage.md name no commit or one
        whose measured code differs from HEAD's
  faults [--service s3,azblob,gcs] [--quick] [--seed N] [--only 'OPERATION / FAULT']
        run every operation of each cloud backend through a fault-injecting proxy under every
        fault (resets, error statuses, stalls, truncated and corrupted bodies, latency) and
        print `faults <service>: N scenarios, A recovered, B typed errors, 0 corrupt, ...`;
        a full run of every backend writes the matrix into docs/reliability.md
        (`--only` runs the cells whose names contain the text, and writes no page)
  fuzz [--target a,b] [--seconds 600]
        run the cargo-fuzz targets of integration-tests/fuzz (nightly; cargo-fuzz installed if
        missing) and print `fuzz <target>: N runs in S s, 0 crashes`
  load [--service s3,azblob,gcs] [--seconds 20]
        32 writers and 32 readers on 8 overlapping keys of each cloud backend: prints
        operations per second, errors per kind and memory; fails on a torn read, an untyped
        error or growing memory
  memcheck [--service fs|s3|azblob|gcs] [--size 2GiB] [--limit 64MiB] [--debug]
        write and read back a large object through the API (on local files unless a service
        is named, on its local server) and report the peak resident memory; fails above the
        limit. Builds in release; --debug uses the debug build the tests compiled (CI)
  serve --service NAME
        start one service's test server as `test` does, print its environment (`export ...`)
        and keep it up until interrupted, for driving `stor` or a test by hand
  tidy
        check what no compiler checks: each crate's dependencies against the table in
        docs/architecture.md (and storage-types free of tokio, HTTP and SDKs), a `//!` line
        atop every Rust file, and no import circle between the modules of a crate
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("memcheck") => memcheck::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("coverage") => coverage::run(&args[1..]),
        Some("faults") => faults::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("load") => load::run(&args[1..]),
        Some("tidy") => tidy::run(&args[1..]),
        Some("serve") => serve::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The value of `--flag VALUE` or `--flag=VALUE` in `args`.
pub(crate) fn flag_value(args: &[String], flag: &str) -> Result<Option<String>, String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == flag {
            return iter
                .next()
                .cloned()
                .map(Some)
                .ok_or_else(|| format!("{flag} needs a value"));
        }
        if let Some(value) = arg
            .strip_prefix(flag)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return Ok(Some(value.to_owned()));
        }
    }
    Ok(None)
}

/// Refuses arguments other than the known flags (and their values).
pub(crate) fn check_args(
    args: &[String],
    with_value: &[&str],
    switches: &[&str],
) -> Result<(), String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let name = arg.split('=').next().unwrap_or(arg);
        if with_value.contains(&name) {
            if !arg.contains('=') {
                iter.next();
            }
        } else if !switches.contains(&arg.as_str()) {
            return Err(format!("unknown argument `{arg}`\n{USAGE}"));
        }
    }
    Ok(())
}

//! `cargo xtask coverage [--service a,b]`: line coverage of the whole suite - unit and doc
//! tests, and every backend against its local server - measured with cargo-llvm-cov, written
//! per crate to docs/coverage.md. Fails when a crate misses its target.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cargo::{cargo, run_checked, workspace_root};
use crate::{check_args, flag_value};

const PAGE: &str = "docs/coverage.md";

/// The cargo-llvm-cov release the xtask installs when the machine has none.
const LLVM_COV_VERSION: &str = "0.9.1";

/// The library crates measured, with their target (percent of lines), if any.
pub(crate) const CRATES: &[(&str, Option<f64>)] = &[
    ("storage-types", Some(85.0)),
    ("storage-fs", Some(85.0)),
    ("storage-memory", Some(85.0)),
    ("storage-s3", Some(75.0)),
    ("storage-azblob", Some(75.0)),
    ("storage-gcs", Some(75.0)),
    ("storage", None),
    ("storage-io", None),
    ("storage-object-store", None),
    ("storage-cli", None),
];

/// Source that is not the library: the tests, the tooling and the servers they start.
const IGNORED: &str = "(integration-tests|examples|xtask|crates/storage-bench)/|/tests/";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--service"], &[])?;
    let service = flag_value(args, "--service")?;
    let started = std::time::Instant::now();
    let tools = llvm_tools()?;
    ensure_cargo_llvm_cov()?;

    // One environment for the clean, the suite and the report: cargo-llvm-cov finds the
    // profiles and binaries through it.
    let env = instrumenting_env(&tools)?;
    let mut clean = llvm_cov(&tools);
    clean.args(["clean", "--workspace"]).envs(env.clone());
    run_checked(clean)?;

    // `cargo xtask test` itself, under the instrumenting environment: every cargo it runs
    // builds instrumented code into cargo-llvm-cov's target directory, and every process the
    // tests start (stor, the examples) writes its own profile.
    let mut test = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    test.current_dir(workspace_root()).arg("test");
    if let Some(service) = &service {
        test.args(["--service", service]);
    }
    test.envs(env.clone());
    let suite = run_checked(test);

    let lcov = coverage_target().join("lcov.info");
    let mut report = llvm_cov(&tools);
    report
        .args(["report", "--lcov", "--ignore-filename-regex", IGNORED])
        .arg("--output-path")
        .arg(&lcov)
        .envs(env);
    run_checked(report)?;

    let per_file = lines_per_file(&lcov)?;
    let facts = RunFacts {
        service: service.as_deref(),
        passed: suite.is_ok(),
        commit: crate::docs::measured::stamp(&crate::docs::measured::COVERAGE),
        date: today(),
        minutes: started.elapsed().as_secs() / 60,
    };
    let figures = figures(&per_file);
    let page = render(&per_file, &figures, &facts);
    fs::write(workspace_root().join(PAGE), &page).map_err(|e| format!("writing {PAGE}: {e}"))?;
    println!("coverage: wrote {PAGE}");
    let mut misses = Vec::new();
    for figure in &figures {
        let CrateFigure {
            name,
            found,
            percent,
            ..
        } = figure;
        println!("coverage {name}: {percent:.1}% of {found} lines");
        if let (true, Some(target)) = (figure.missed(), figure.target) {
            misses.push(format!(
                "{name} at {percent:.1}%, under its {target}% target"
            ));
        }
    }
    suite.map_err(|e| format!("the suite failed under coverage: {e}"))?;
    if misses.is_empty() {
        Ok(())
    } else {
        Err(misses.join("\n"))
    }
}

/// `llvm-cov` and `llvm-profdata`: the toolchain's own (rustup's llvm-tools), else a Debian
/// LLVM (its tools read the profiles rustc writes), installed when missing.
struct LlvmTools {
    cov: PathBuf,
    profdata: PathBuf,
}

fn llvm_tools() -> Result<LlvmTools, String> {
    let found = |dir: PathBuf| {
        let tools = LlvmTools {
            cov: dir.join("llvm-cov"),
            profdata: dir.join("llvm-profdata"),
        };
        (tools.cov.exists() && tools.profdata.exists()).then_some(tools)
    };
    if let Some(tools) = rustup_llvm_tools().and_then(found) {
        return Ok(tools);
    }
    let debian = |version: u32| PathBuf::from(format!("/usr/lib/llvm-{version}/bin"));
    if let Some(tools) = (19..=30).rev().map(debian).find_map(found) {
        return Ok(tools);
    }
    crate::apt::apt_install("llvm-19")?;
    found(debian(19)).ok_or_else(|| "llvm-19 installed without llvm-cov".to_owned())
}

/// `<sysroot>/lib/rustlib/<host>/bin`, where rustup's `llvm-tools` component lives.
fn rustup_llvm_tools() -> Option<PathBuf> {
    let output = Command::new("rustc").arg("-vV").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let host = text
        .lines()
        .find_map(|l| l.strip_prefix("host: "))?
        .to_owned();
    let output = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(output.stdout).ok()?;
    Some(
        Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(host)
            .join("bin"),
    )
}

fn ensure_cargo_llvm_cov() -> Result<(), String> {
    let present = cargo()
        .args(["llvm-cov", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    println!("xtask: installing cargo-llvm-cov {LLVM_COV_VERSION}");
    let mut install = cargo();
    install.args([
        "install",
        "--locked",
        "cargo-llvm-cov",
        "--version",
        LLVM_COV_VERSION,
    ]);
    run_checked(install)
}

/// The instrumented build's own target directory, so that it never mixes with the plain one
/// (cargo's fingerprints do not see the instrumenting wrapper).
fn coverage_target() -> PathBuf {
    workspace_root().join("target/coverage")
}

/// `cargo llvm-cov` with our LLVM tools and the instrumented build's target directory.
fn llvm_cov(tools: &LlvmTools) -> Command {
    let mut cmd = cargo();
    cmd.arg("llvm-cov")
        .env("LLVM_COV", &tools.cov)
        .env("LLVM_PROFDATA", &tools.profdata)
        .env("CARGO_TARGET_DIR", coverage_target());
    cmd
}

/// The environment `cargo llvm-cov show-env` gives: instrumenting flags, the profile file
/// pattern and its own target directory.
fn instrumenting_env(tools: &LlvmTools) -> Result<Vec<(String, String)>, String> {
    let mut cmd = llvm_cov(tools);
    cmd.arg("show-env");
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{cmd:?} failed: {}", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut env: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), unquote(value)))
        .collect();
    // The suite's cargo commands build into the instrumented target directory too.
    env.push((
        "CARGO_TARGET_DIR".into(),
        coverage_target().display().to_string(),
    ));
    Ok(env)
}

/// `"value"` or `'value'` as printed by show-env, without its quotes.
fn unquote(value: &str) -> String {
    let trimmed = value.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = trimmed
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner.to_owned();
        }
    }
    trimmed.to_owned()
}

/// Lines found and hit per source file of a crate (`crates/<name>/src/...`), from an lcov
/// file (`SF:` path, `LF:` found, `LH:` hit).
fn lines_per_file(lcov: &Path) -> Result<BTreeMap<String, (u64, u64)>, String> {
    let text = fs::read_to_string(lcov).map_err(|e| format!("reading {}: {e}", lcov.display()))?;
    Ok(tally(&text))
}

fn tally(lcov: &str) -> BTreeMap<String, (u64, u64)> {
    let mut per_file: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in lcov.lines() {
        if let Some(path) = line.strip_prefix("SF:") {
            current = crate_file(path);
        } else if let Some(file) = &current {
            let entry = per_file.entry(file.clone()).or_default();
            if let Some(found) = line.strip_prefix("LF:").and_then(|n| n.parse::<u64>().ok()) {
                entry.0 += found;
            } else if let Some(hit) = line.strip_prefix("LH:").and_then(|n| n.parse::<u64>().ok()) {
                entry.1 += hit;
            }
        }
    }
    per_file
}

/// `crates/<name>/src/...` for a source file of a crate, else `None`.
fn crate_file(path: &str) -> Option<String> {
    let (_, rest) = path.rsplit_once("/crates/")?;
    let (_, inside) = rest.split_once('/')?;
    inside.starts_with("src/").then(|| format!("crates/{rest}"))
}

/// The crate of a `crates/<name>/...` path.
fn crate_of(file: &str) -> &str {
    file.split('/').nth(1).unwrap_or_default()
}

/// Lines found and hit per crate.
fn per_crate(per_file: &BTreeMap<String, (u64, u64)>) -> BTreeMap<String, (u64, u64)> {
    let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (file, (found, hit)) in per_file {
        let entry = out.entry(crate_of(file).to_owned()).or_default();
        entry.0 += found;
        entry.1 += hit;
    }
    out
}

fn percent(found: u64, hit: u64) -> f64 {
    if found == 0 {
        0.0
    } else {
        hit as f64 * 100.0 / found as f64
    }
}

/// What the page says about the run it comes from.
struct RunFacts<'a> {
    service: Option<&'a str>,
    passed: bool,
    commit: String,
    date: String,
    minutes: u64,
}

/// One measured crate against its target.
struct CrateFigure {
    name: &'static str,
    found: u64,
    hit: u64,
    percent: f64,
    target: Option<f64>,
}

impl CrateFigure {
    fn missed(&self) -> bool {
        self.target.is_some_and(|t| self.percent < t)
    }
}

/// The figures of every measured crate, in the order of [`CRATES`].
fn figures(per_file: &BTreeMap<String, (u64, u64)>) -> Vec<CrateFigure> {
    let per_crate = per_crate(per_file);
    CRATES
        .iter()
        .map(|(name, target)| {
            let (found, hit) = per_crate.get(*name).copied().unwrap_or((0, 0));
            CrateFigure {
                name,
                found,
                hit,
                percent: percent(found, hit),
                target: *target,
            }
        })
        .collect()
}

fn render(
    per_file: &BTreeMap<String, (u64, u64)>,
    figures: &[CrateFigure],
    facts: &RunFacts<'_>,
) -> String {
    let mut out = String::from(
        "# Test coverage\n\n\
         Line coverage of the library crates under the whole suite: unit and doc tests, the \
         conformance suite and the other suites of `cargo xtask test` against every backend's \
         local server (SeaweedFS and moto, Azurite, the GCS test server, fake-gcs-server and \
         gcp-storage-emulator), \
         the `stor` command and the examples run as processes. Written by \
         `cargo xtask coverage`, which instruments the build with cargo-llvm-cov; the tests \
         themselves, the benchmark and the tooling are not counted.\n\n",
    );
    out.push_str(&format!(
        "Measured on commit `{}`, {}, in {} minutes (build included).\n\n",
        facts.commit, facts.date, facts.minutes
    ));
    if let Some(service) = facts.service {
        out.push_str(&format!("Measured on the services `{service}` only.\n\n"));
    }
    if !facts.passed {
        out.push_str("**The suite failed during this run; the figures are incomplete.**\n\n");
    }
    out.push_str("| crate | lines | covered | coverage | target |\n|---|---:|---:|---:|---|\n");
    for figure in figures {
        let CrateFigure {
            name,
            found,
            hit,
            percent,
            ..
        } = figure;
        let verdict = match (figure.target, figure.missed()) {
            (Some(t), false) => format!("{t}%: met"),
            (Some(t), true) => format!("{t}%: **missed**"),
            (None, _) => "–".to_owned(),
        };
        out.push_str(&format!(
            "| `{name}` | {found} | {hit} | {percent:.1}% | {verdict} |\n"
        ));
    }
    out.push_str(
        "\n## Where lines are missed\n\n\
         The three files of each crate with the most lines the suite never runs: where tests \
         are missing.\n\n| file | lines | missed | coverage |\n|---|---:|---:|---:|\n",
    );
    for (name, _) in CRATES {
        let mut files: Vec<(&String, &(u64, u64))> = per_file
            .iter()
            .filter(|(file, _)| crate_of(file) == *name)
            .collect();
        files.sort_by_key(|(_, (found, hit))| std::cmp::Reverse(found - hit));
        for (file, (found, hit)) in files.into_iter().take(3) {
            out.push_str(&format!(
                "| `{file}` | {found} | {} | {:.1}% |\n",
                found - hit,
                percent(*found, *hit)
            ));
        }
    }
    out
}

/// Today's date, as `date -u` gives it.
fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_is_tallied_per_crate() {
        let lcov = "SF:/w/crates/storage-fs/src/a.rs\nLF:10\nLH:9\nend_of_record\n\
                    SF:/w/crates/storage-fs/src/b.rs\nLF:10\nLH:5\nend_of_record\n\
                    SF:/w/crates/storage-s3/tests/x.rs\nLF:3\nLH:3\nend_of_record\n\
                    SF:/w/crates/storage-s3/src/c.rs\nLF:4\nLH:1\nend_of_record\n";
        let per_file = tally(lcov);
        assert_eq!(per_file.len(), 3, "{per_file:?}");
        let per_crate = per_crate(&per_file);
        assert_eq!(per_crate.get("storage-fs"), Some(&(20, 14)));
        assert_eq!(per_crate.get("storage-s3"), Some(&(4, 1)));
        assert_eq!(per_crate.len(), 2);
    }

    #[test]
    fn show_env_values_lose_their_quotes() {
        assert_eq!(
            unquote("\"-C instrument-coverage\""),
            "-C instrument-coverage"
        );
        assert_eq!(unquote("'a b'"), "a b");
        assert_eq!(unquote("plain"), "plain");
    }
}

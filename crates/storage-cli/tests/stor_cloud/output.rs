//! What `stor` prints, and where: a line per file and a summary on standard error, nothing with
//! `-q`, JSON events ending in a summary with `--json`, tracing lines with `-v` (more with
//! `-vv`, no secret at any level), `rm -r` of 25 objects reported one by one, `presign --json`,
//! `mb --json` / `rb`, `completions bash`, the progress bar with `--progress` and none with
//! `--no-progress`, and SIGTERM (exit 143).

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::{Target, check, ok};

/// The size of the file the progress bar and SIGTERM checks use: far more than a pipe holds.
const BIG: usize = 5 << 20;

/// `stor args` with `RUST_LOG` cleared, so that the flags alone decide what standard error
/// shows.
fn run_flags(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("stor runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Each line of `stdout` as JSON, or the first that is not.
fn json_lines(stdout: &str) -> Result<Vec<Value>, String> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).map_err(|e| format!("{e}: {line}")))
        .collect()
}

/// The secrets the target's URLs carry (and Azurite's well-known key), which nothing may show.
fn secrets() -> Vec<String> {
    ["RS_STORAGE_S3_SECRET_KEY", "RS_STORAGE_AZBLOB_PEER_KEY"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter(|value| !value.is_empty())
        .chain(std::iter::once("Eby8vdM02".to_owned()))
        .collect()
}

fn shows_secret(output: &str) -> bool {
    secrets()
        .iter()
        .any(|secret| output.contains(secret.as_str()))
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let dir = &dir.join("output");
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let small = dir.join("small.txt");
    fs::write(&small, "hello output").map_err(|e| e.to_string())?;
    let small = small.display().to_string();
    let mut checks = 0;

    let out = run_flags(&["cp", &small, &t.url("output/one.txt")]);
    let err = text(&out.stderr);
    check(
        "cp prints a line for the file and a summary on standard error, nothing on stdout",
        out.status.success()
            && out.stdout.is_empty()
            && err.lines().any(|line| line.starts_with("copied "))
            && err.contains("copied 1 file"),
        &err,
    )?;
    checks += 1;

    let out = run_flags(&["-q", "cp", &small, &t.url("output/quiet.txt")]);
    check(
        "cp -q prints nothing",
        out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(),
        format!(
            "stderr: {}, stdout: {}",
            text(&out.stderr),
            text(&out.stdout)
        ),
    )?;
    checks += 1;

    checks += json_copy(t, &small)?;
    checks += verbosity(t, &small)?;
    checks += remove_many(t, dir)?;

    let signed = ok(&[
        "presign",
        "--json",
        "--expires",
        "10m",
        &t.url("output/one.txt"),
    ])?;
    let line: Value = serde_json::from_str(signed.trim()).map_err(|e| format!("{e}: {signed}"))?;
    let left = line["expires_in_seconds"].as_u64().unwrap_or(0);
    check(
        "presign --json: url, method, expires_in_seconds, headers",
        line["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http"))
            && line["method"] == "GET"
            && (590..=600).contains(&left)
            && line["headers"].is_object(),
        &signed,
    )?;
    checks += 1;

    let made = run_flags(&["--json", "mb", &t.other_bucket]);
    let made_out = text(&made.stdout);
    let event: Value = serde_json::from_str(made_out.trim()).unwrap_or(Value::Null);
    let bucket = event["bucket"].as_str().unwrap_or_default();
    check(
        "mb --json prints {\"event\":\"made\",\"bucket\":..}",
        made.status.success()
            && event["event"] == "made"
            && !bucket.is_empty()
            && t.other_bucket.contains(bucket),
        format!("{made_out} {}", text(&made.stderr)),
    )?;
    let removed = run_flags(&["rb", &t.other_bucket]);
    let err = text(&removed.stderr);
    check(
        "rb says so on standard error, nothing on stdout",
        removed.status.success() && removed.stdout.is_empty() && err.contains("removed bucket"),
        &err,
    )?;
    checks += 1;

    let script = ok(&["completions", "bash"])?;
    check(
        "completions bash prints a script for stor and its subcommands",
        script.contains("stor") && script.contains("sync") && script.contains("complete"),
        script.lines().next().unwrap_or_default(),
    )?;
    checks += 1;

    let big = dir.join("big.bin");
    let data: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
    fs::write(&big, data).map_err(|e| e.to_string())?;
    let big = big.display().to_string();
    checks += progress(t, &big)?;
    checks += terminated(&t.url("output/big.bin"))?;

    ok(&["-q", "rm", "-r", &t.url("output/")])?;
    Ok(checks)
}

/// `--json cp`: one `copied` event, then the summary; nothing on standard error.
fn json_copy(t: &Target, small: &str) -> Result<usize, String> {
    let out = run_flags(&["--json", "cp", small, &t.url("output/json.txt")]);
    let stdout = text(&out.stdout);
    let events = json_lines(&stdout)?;
    let (first, last) = (
        events.first().unwrap_or(&Value::Null),
        events.last().unwrap_or(&Value::Null),
    );
    check(
        "cp --json: a copied event and a summary with files, bytes and seconds",
        out.status.success()
            && out.stderr.is_empty()
            && events.len() == 2
            && first["event"] == "copied"
            && first["bytes"] == 12
            && first["path"].is_string()
            && last["event"] == "summary"
            && last["files"] == 1
            && last["bytes"] == 12
            && last["seconds"].is_number(),
        format!("{stdout}{}", text(&out.stderr)),
    )?;
    Ok(1)
}

/// `-v`: a line per operation with its outcome; `-vv`: more, with span timings; `-vvv`: the
/// SDKs too. No level shows a secret of the URL.
fn verbosity(t: &Target, small: &str) -> Result<usize, String> {
    let v = run_flags(&["-v", "cp", small, &t.url("output/v.txt")]);
    let v_err = text(&v.stderr);
    check(
        "-v prints each operation with its outcome",
        v.status.success()
            && v_err.contains("operation=")
            && v_err.contains("outcome=")
            && (v_err.contains("write") || v_err.contains("stat"))
            && !shows_secret(&v_err),
        &v_err,
    )?;
    let vv = run_flags(&["-vv", "cp", small, &t.url("output/vv.txt")]);
    let vv_err = text(&vv.stderr);
    check(
        "-vv prints more than -v: each span opened and closed, with its time",
        vv.status.success()
            && vv_err.lines().count() > v_err.lines().count()
            && vv_err.contains("time.busy")
            && !shows_secret(&vv_err),
        &vv_err,
    )?;
    let vvv = run_flags(&["-vvv", "cp", small, &t.url("output/vvv.txt")]);
    let vvv_err = text(&vvv.stderr);
    check(
        "-vvv (the SDKs too) shows no secret",
        vvv.status.success() && !shows_secret(&vvv_err),
        "a secret of the URL is in the output",
    )?;
    Ok(2)
}

/// `--json rm -r` of a prefix holding 25 objects: 25 `removed` events, a summary of 25 files,
/// and nothing left.
fn remove_many(t: &Target, dir: &Path) -> Result<usize, String> {
    let tree = dir.join("many");
    fs::create_dir_all(tree.join("sub")).map_err(|e| e.to_string())?;
    for i in 0..25 {
        let name = if i % 5 == 0 {
            format!("sub/f{i}")
        } else {
            format!("f{i}")
        };
        fs::write(tree.join(name), format!("file {i}")).map_err(|e| e.to_string())?;
    }
    let local = format!("{}/", tree.display());
    ok(&["-q", "cp", "-r", &local, &t.url("output/many/")])?;
    let out = run_flags(&["--json", "rm", "-r", &t.url("output/many/")]);
    let stdout = text(&out.stdout);
    let events = json_lines(&stdout)?;
    let removed = events.iter().filter(|e| e["event"] == "removed").count();
    let summary = events.last().unwrap_or(&Value::Null);
    check(
        "rm -r --json reports 25 removed objects and a summary of 25",
        out.status.success()
            && removed == 25
            && summary["event"] == "summary"
            && summary["files"] == 25
            && summary["failed"].as_array().is_some_and(Vec::is_empty),
        format!("{removed} removed events; {stdout}{}", text(&out.stderr)),
    )?;
    let left = ok(&["ls", "-r", &t.url("output/many/")])?;
    check("rm -r leaves none of the 25", left.trim().is_empty(), &left)?;
    Ok(1)
}

/// A 5 MiB upload with standard error piped: `--progress` draws the bar there (bytes of the
/// total, ETA), `--no-progress` draws nothing.
fn progress(t: &Target, big: &str) -> Result<usize, String> {
    let with = run_flags(&["--progress", "cp", big, &t.url("output/big.bin")]);
    let with_err = text(&with.stderr);
    check(
        "--progress draws the bar on a piped standard error",
        with.status.success() && with_err.contains("ETA") && with_err.contains("5.00 MiB"),
        &with_err,
    )?;
    let without = run_flags(&["--no-progress", "cp", big, &t.url("output/big2.bin")]);
    let without_err = text(&without.stderr);
    check(
        "--no-progress draws no bar",
        without.status.success() && !without_err.contains("ETA") && without_err.contains("copied"),
        &without_err,
    )?;
    Ok(1)
}

/// `stor cat` of a large object into a pipe nobody reads, then SIGTERM: one line, exit 143.
fn terminated(url: &str) -> Result<usize, String> {
    let out = super::exit_codes::cat_then_signal(url, "TERM")?;
    let err = text(&out.stderr);
    check(
        "SIGTERM: exit 143 and one line",
        out.status.code() == Some(143) && err.trim() == "stor: terminated",
        format!("exit {:?}: {err}", out.status.code()),
    )?;
    Ok(1)
}

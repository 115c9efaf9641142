//! Jobs over many files: `cp -r` of 500 small files several at a time (all arrive, the JSON
//! summary counts them), `--include` / `--exclude` on `cp -r` and `mv -r`, `--ignore-existing`
//! and `--no-overwrite` (exit 6 for one file, exit 7 with the failed files named when a job
//! goes on past them), a failed listing keeping its own exit code, and the per-file lines.

use std::fs;
use std::path::Path;

use super::{Target, check, ok, stor};

/// The small files of the parallel job.
const MANY: usize = 500;

/// The `{"event":"summary",...}` line of a `--json` run's output.
fn summary(stdout: &str) -> Result<serde_json::Value, String> {
    let last = stdout.lines().last().unwrap_or_default();
    let value: serde_json::Value =
        serde_json::from_str(last).map_err(|err| format!("summary {last:?}: {err}"))?;
    check("a summary event", value["event"] == "summary", &value)?;
    Ok(value)
}

/// The names `ls -r` prints below `url`, sorted.
fn listed(url: &str) -> Result<Vec<String>, String> {
    let text = ok(&["ls", "-r", url])?;
    let mut names: Vec<String> = text.lines().map(str::to_owned).collect();
    names.sort();
    Ok(names)
}

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let dir = &dir.join("bulk");
    let mut checks = 0;

    // 500 files in 10 directories, several transfers at once.
    let many = dir.join("many");
    for i in 0..MANY {
        write(
            &many.join(format!("d{}/f{i:03}.txt", i % 10)),
            &format!("file {i}"),
        );
    }
    let total_bytes: usize = (0..MANY).map(|i| format!("file {i}").len()).sum();
    let out = ok(&[
        "--json",
        "cp",
        "-r",
        "--transfers",
        "16",
        &format!("{}/", many.display()),
        &t.url("many/"),
    ])?;
    let sum = summary(&out)?;
    check(
        "cp -r of 500 files: the summary counts them",
        sum["files"] == MANY
            && sum["bytes"] == total_bytes
            && sum["failed"] == serde_json::json!([]),
        &sum,
    )?;
    checks += 1;
    let names = listed(&t.url("many/"))?;
    check(
        "cp -r of 500 files: all arrive",
        names.len() == MANY && names.contains(&"d7/f497.txt".to_owned()),
        names.len(),
    )?;
    let one = ok(&["cat", &t.url("many/d3/f123.txt")])?;
    check("cp -r of 500 files: content", one == "file 123", &one)?;
    checks += 1;

    // Filters on cp -r: an exclude wins over an include.
    let tree = dir.join("tree");
    for rel in ["a.csv", "b.txt", "sub/c.csv", "skip/d.csv", "sub/e.log"] {
        write(&tree.join(rel), rel);
    }
    let from = format!("{}/", tree.display());
    ok(&[
        "cp",
        "-r",
        "--include",
        "*.csv",
        "--exclude",
        "skip/**",
        &from,
        &t.url("filtered/"),
    ])?;
    let names = listed(&t.url("filtered/"))?;
    check(
        "cp -r --include --exclude",
        names == ["a.csv", "sub/c.csv"],
        format!("{names:?}"),
    )?;
    checks += 1;

    // --ignore-existing leaves what is there and sends the rest.
    write(&tree.join("a.csv"), "changed locally");
    let out = ok(&[
        "--json",
        "cp",
        "-r",
        "--ignore-existing",
        "--include",
        "*.csv",
        &from,
        &t.url("filtered/"),
    ])?;
    let sum = summary(&out)?;
    let kept = ok(&["cat", &t.url("filtered/a.csv")])?;
    check(
        "cp -r --ignore-existing skips what exists",
        sum["skipped"] == 2 && sum["files"] == 1 && kept == "a.csv",
        format!("{sum} / {kept:?}"),
    )?;
    checks += 1;

    // --no-overwrite: one existing object is a conflict (6) and stays as it was.
    let single = stor(&[
        "cp",
        "--no-overwrite",
        &tree.join("a.csv").display().to_string(),
        &t.url("filtered/a.csv"),
    ]);
    let kept = ok(&["cat", &t.url("filtered/a.csv")])?;
    check(
        "cp --no-overwrite onto an object exits 6 and keeps it",
        single.status.code() == Some(6) && kept == "a.csv",
        format!("{:?} {kept:?}", single.status.code()),
    )?;
    checks += 1;

    // With -r the job goes on past the refused files: exit 7, the failed ones named, the
    // others sent.
    let job = stor(&["cp", "-r", "--no-overwrite", &from, &t.url("filtered/")]);
    let err = String::from_utf8_lossy(&job.stderr);
    let names = listed(&t.url("filtered/"))?;
    check(
        "cp -r --no-overwrite past existing files exits 7 naming them",
        job.status.code() == Some(7)
            && err.contains("failed a.csv")
            && err.contains("failed sub/c.csv")
            && err.contains("3 of 5 files failed"),
        format!("{:?} {err}", job.status.code()),
    )?;
    check(
        "cp -r --no-overwrite sends the files that were missing",
        names == ["a.csv", "b.txt", "skip/d.csv", "sub/c.csv", "sub/e.log"],
        format!("{names:?}"),
    )?;
    checks += 1;

    // mv -r with an exclude: the excluded file stays at the source.
    ok(&[
        "mv",
        "-r",
        "--exclude",
        "*.log",
        &t.url("filtered/"),
        &t.url("moved/"),
    ])?;
    let (moved, left) = (listed(&t.url("moved/"))?, listed(&t.url("filtered/"))?);
    check(
        "mv -r --exclude moves the rest and leaves the excluded",
        moved == ["a.csv", "b.txt", "skip/d.csv", "sub/c.csv"] && left == ["sub/e.log"],
        format!("{moved:?} / {left:?}"),
    )?;
    checks += 1;

    // A listing that fails is the job's own error, not a partial failure.
    let missing = stor(&[
        "cp",
        "-r",
        &format!("{}/no-such-dir/", dir.display()),
        &t.url("nothing/"),
    ]);
    check(
        "cp -r of a missing local directory exits 3",
        missing.status.code() == Some(3),
        format!("{:?}", missing.status.code()),
    )?;
    checks += 1;

    // Text mode: one line per file on standard error, then the summary.
    let text = stor(&["cp", "-r", &from, &t.url("lines/")]);
    let err = String::from_utf8_lossy(&text.stderr);
    let per_file = err.lines().filter(|l| l.starts_with("copied ")).count();
    check(
        "cp -r prints a line per file and a summary",
        text.status.success() && per_file == 5 && err.contains("stor: copied 5 files"),
        &err,
    )?;
    checks += 1;

    ok(&["rm", "-r", &t.url("")])?;
    Ok(checks)
}

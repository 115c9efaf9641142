//! `stor sync` against the store under test: a local tree synced up (all arrive, the summary
//! counts them), again (nothing copied), after an edit (only that file), `--dry-run --delete`
//! (a plan, no change), `--delete`, `--exclude` (and `--delete` keeping an excluded file),
//! `--include`, a sync down compared byte for byte, `--checksum`, the refusals, and a sync
//! interrupted by SIGINT then run again (it copies only what did not arrive).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Target, check, ok, stor};

/// The files of the small tree: nested, of different sizes, every tenth a `.log`.
fn tree_names() -> Vec<String> {
    let mut names: Vec<String> = (0..30)
        .map(|i| {
            let ext = if i % 10 == 0 { "log" } else { "txt" };
            format!("d{}/e{}/f{i:02}.{ext}", i % 3, i % 2)
        })
        .collect();
    names.sort();
    names
}

fn make_tree(dir: &Path) {
    for (i, name) in tree_names().iter().enumerate() {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("file {name}\n").repeat(i + 1)).unwrap();
    }
}

fn local(p: &Path) -> String {
    format!("{}/", p.display())
}

/// The sorted `ls -r` of `url`.
fn listed(url: &str) -> Result<Vec<String>, String> {
    let out = ok(&["ls", "-r", url])?;
    let mut names: Vec<String> = out.lines().map(str::to_owned).collect();
    names.sort();
    Ok(names)
}

/// `stor sync --json ARGS`: its events, the summary (the last line) apart.
fn sync_json(args: &[&str]) -> Result<(Vec<Value>, Value), String> {
    let mut all = vec!["sync", "--json"];
    all.extend_from_slice(args);
    let out = ok(&all)?;
    let mut events: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).map_err(|e| format!("{e}: {line}")))
        .collect::<Result<_, _>>()?;
    let summary = events.pop().unwrap_or(Value::Null);
    if summary["event"] != "summary" {
        return Err(format!("stor sync --json ended without a summary: {out}"));
    }
    Ok((events, summary))
}

/// The paths of the events of kind `event` (and with `plan`, of `action`).
fn paths_of(events: &[Value], event: &str, action: Option<&str>) -> Vec<String> {
    let mut paths: Vec<String> = events
        .iter()
        .filter(|e| e["event"] == event && action.is_none_or(|a| e["action"] == a))
        .filter_map(|e| e["path"].as_str().map(str::to_owned))
        .collect();
    paths.sort();
    paths
}

pub(super) fn run(t: &Target, dir: &Path) -> Result<usize, String> {
    let dir = &dir.join("sync");
    let src = dir.join("src");
    make_tree(&src);
    let names = tree_names();
    let (up, a) = (local(&src), t.url("sync/a/"));
    let mut checks = 0;

    let (_, summary) = sync_json(&[&up, &a])?;
    check("sync up copies all 30", summary["files"] == 30, &summary)?;
    checks += 1;
    let there = listed(&a)?;
    check(
        "sync up: ls -r shows the tree",
        there == names,
        format!("{there:?}"),
    )?;
    checks += 1;

    let (_, summary) = sync_json(&[&up, &a])?;
    check(
        "a second sync copies nothing and skips all 30 unchanged",
        summary["files"] == 0 && summary["skipped"] == 30,
        &summary,
    )?;
    checks += 1;

    let edited = "d2/e1/f05.txt";
    fs::write(src.join(edited), "shorter now").unwrap();
    let (events, summary) = sync_json(&[&up, &a])?;
    let copied = paths_of(&events, "copied", None);
    check(
        "after an edit only that file is copied",
        summary["files"] == 1 && copied == [edited] && summary["skipped"] == 29,
        format!("{copied:?} {summary}"),
    )?;
    checks += 1;

    // A plan: the extra object would go, another edited file would be copied; nothing changes.
    let extra = dir.join("extra.txt");
    fs::write(&extra, "not in the source").unwrap();
    ok(&[
        "cp",
        &extra.display().to_string(),
        &t.url("sync/a/extra.txt"),
    ])?;
    let edited2 = "d1/e1/f07.txt";
    let before = ok(&["stat", "--json", &t.url(&format!("sync/a/{edited2}"))])?;
    fs::write(src.join(edited2), "x").unwrap();
    let (events, summary) = sync_json(&["--dry-run", "--delete", &up, &a])?;
    let (to_copy, to_delete) = (
        paths_of(&events, "plan", Some("copy")),
        paths_of(&events, "plan", Some("delete")),
    );
    let after = ok(&["stat", "--json", &t.url(&format!("sync/a/{edited2}"))])?;
    let there = listed(&a)?;
    check(
        "--dry-run --delete plans the copy and the deletion and changes nothing",
        to_copy == [edited2]
            && to_delete == ["extra.txt"]
            && summary["files"] == 0
            && summary["planned"] == 2
            && there.len() == 31
            && before == after,
        format!(
            "copy {to_copy:?}, delete {to_delete:?}, {summary}, {} there",
            there.len()
        ),
    )?;
    checks += 1;

    let (events, summary) = sync_json(&["--delete", &up, &a])?;
    let there = listed(&a)?;
    check(
        "--delete removes what the source does not have",
        paths_of(&events, "deleted", None) == ["extra.txt"]
            && summary["deleted"] == 1
            && summary["files"] == 1
            && there == names,
        format!("{summary}, {there:?}"),
    )?;
    checks += 1;

    let b = t.url("sync/b/");
    ok(&["sync", "--exclude", "*.log", &up, &b])?;
    let not_logs: Vec<String> = names
        .iter()
        .filter(|n| !n.ends_with(".log"))
        .cloned()
        .collect();
    let there = listed(&b)?;
    check(
        "--exclude '*.log' leaves the logs out",
        there == not_logs,
        format!("{there:?}"),
    )?;
    checks += 1;

    ok(&[
        "cp",
        &extra.display().to_string(),
        &t.url("sync/b/keep.log"),
    ])?;
    ok(&[
        "cp",
        &extra.display().to_string(),
        &t.url("sync/b/gone.txt"),
    ])?;
    ok(&["sync", "--delete", "--exclude", "*.log", &up, &b])?;
    let there = listed(&b)?;
    let mut expected = not_logs.clone();
    expected.push("keep.log".into());
    expected.sort();
    check(
        "--delete with --exclude keeps the excluded file and removes the other extra",
        there == expected,
        format!("{there:?}"),
    )?;
    checks += 1;

    let c = t.url("sync/c/");
    ok(&["sync", "--include", "*.log", &up, &c])?;
    let logs: Vec<String> = names
        .iter()
        .filter(|n| n.ends_with(".log"))
        .cloned()
        .collect();
    let there = listed(&c)?;
    check(
        "--include '*.log' takes the logs only",
        there == logs,
        format!("{there:?}"),
    )?;
    checks += 1;

    let down = dir.join("down");
    ok(&["sync", &a, &local(&down)])?;
    let differs: Vec<&String> = names
        .iter()
        .filter(|n| fs::read(src.join(n)).ok() != fs::read(down.join(n)).ok())
        .collect();
    check(
        "sync down: every file identical",
        differs.is_empty(),
        format!("{differs:?}"),
    )?;
    let (_, summary) = sync_json(&[&a, &local(&down)])?;
    check(
        "a second sync down copies nothing",
        summary["files"] == 0 && summary["skipped"] == 30,
        &summary,
    )?;
    checks += 1;

    let (_, summary) = sync_json(&["--checksum", &up, &a])?;
    check(
        "--checksum with nothing changed copies nothing",
        summary["files"] == 0 && summary["skipped"] == 30,
        &summary,
    )?;
    checks += 1;

    let refusals = [
        vec!["sync", "-", a.as_str()],
        vec!["sync", up.as_str(), "-"],
    ];
    let one_file = src.join(edited).display().to_string();
    let inside = t.url("sync/a/d0/");
    let mut refused = Vec::new();
    for args in refusals.iter().map(Vec::as_slice).chain([
        &["sync", one_file.as_str(), b.as_str()][..],
        &["sync", a.as_str(), inside.as_str()][..],
        &["sync", inside.as_str(), a.as_str()][..],
    ]) {
        refused.push((args.join(" "), stor(args).status.code()));
    }
    check(
        "sync refuses -, a file as source, and overlapping directories (exit 2)",
        refused.iter().all(|(_, code)| *code == Some(2)),
        format!("{refused:?}"),
    )?;
    checks += 1;

    checks += interrupted(t, dir)?;
    ok(&["rm", "-r", &t.url("sync/")])?;
    Ok(checks)
}

/// 300 files synced slowly, SIGINT once some have arrived: exit 130, then a second run copies
/// exactly the ones that did not arrive.
fn interrupted(t: &Target, dir: &Path) -> Result<usize, String> {
    const FILES: usize = 300;
    let many = dir.join("many");
    fs::create_dir_all(&many).unwrap();
    for i in 0..FILES {
        let body: Vec<u8> = (0..1024u32).map(|b| (b as usize * 7 + i) as u8).collect();
        fs::write(many.join(format!("f{i:03}.bin")), body).unwrap();
    }
    let (from, to) = (local(&many), t.url("sync/int/"));
    let mut checks = 0;
    // 300 KiB at 20 KiB/s: some 15 s, stopped after the first files land. (`--concurrency`
    // makes every copy stream through the limit, also where the service could copy.)
    let slow = [
        "--transfers",
        "1",
        "--concurrency",
        "1",
        "--bwlimit",
        "20KiB",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_stor"))
        .arg("sync")
        .args(slow)
        .args([&from, &to])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("stor runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while listed(&to)?.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .map_err(|e| format!("kill: {e}"))?;
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    check(
        "SIGINT stops a sync with exit 130",
        sent.success() && status.code() == Some(130),
        format!("{status:?}"),
    )?;
    checks += 1;

    let present = listed(&to)?.len();
    check(
        "the interrupted sync left some files, not all",
        present > 0 && present < FILES,
        format!("{present} of {FILES}"),
    )?;
    let (_, summary) = sync_json(&["--transfers", "16", &from, &to])?;
    check(
        "sync again copies what did not arrive and skips what did",
        summary["files"] == FILES - present && summary["skipped"] == present,
        format!("{present} there before: {summary}"),
    )?;
    checks += 1;

    let there = listed(&to)?.len();
    check("all 300 there after the second run", there == FILES, there)?;
    checks += 1;
    Ok(checks)
}

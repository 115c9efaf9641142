//! End-to-end runs of the `stor` binary on local files: what it prints, what it changes, and
//! how it fails.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn stor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(args)
        .output()
        .expect("stor runs")
}

fn ok(args: &[&str]) -> String {
    let out = stor(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn path(dir: &Path, rel: &str) -> String {
    dir.join(rel).to_str().expect("utf-8 path").to_owned()
}

#[test]
fn cp_ls_cat_stat_mv_rm_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("src/sub")).unwrap();
    fs::write(d.join("src/one.txt"), "one").unwrap();
    fs::write(d.join("src/sub/two.txt"), "two!").unwrap();

    ok(&[
        "cp",
        &path(d, "src/one.txt"),
        &format!("fs://{}/", path(d, "out")),
    ]);
    assert_eq!(fs::read_to_string(d.join("out/one.txt")).unwrap(), "one");

    ok(&["cp", "-r", &path(d, "src/"), &path(d, "tree/")]);
    assert_eq!(
        ok(&["ls", "-r", &path(d, "tree/")]),
        "one.txt\nsub/two.txt\n"
    );
    assert_eq!(ok(&["ls", &path(d, "tree")]), "one.txt\nsub/\n");
    let long = ok(&["ls", "-l", &path(d, "tree/")]);
    assert!(
        long.contains("           3  ") && long.contains("DIR"),
        "{long}"
    );

    assert_eq!(ok(&["cat", &path(d, "tree/sub/two.txt")]), "two!");
    let stat = ok(&["stat", &path(d, "tree/sub/two.txt")]);
    assert!(stat.contains("mode: file\nsize: 4\n"), "{stat}");

    ok(&["mv", &path(d, "tree/one.txt"), &path(d, "moved.txt")]);
    assert!(!d.join("tree/one.txt").exists());
    assert_eq!(fs::read_to_string(d.join("moved.txt")).unwrap(), "one");

    ok(&["rm", "-r", &path(d, "tree/")]);
    assert!(!d.join("tree").exists());
    ok(&["rm", &path(d, "moved.txt")]);
    assert!(!d.join("moved.txt").exists());
}

#[test]
fn errors_are_one_line_with_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let missing = path(dir.path(), "missing.txt");
    let out = stor(&["cat", &missing]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("stor: {missing}: ")) && err.contains("not found"),
        "{err}"
    );

    let out = stor(&["ls", "s4://bucket/x?secret-access-key=hunter2"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown scheme") && !err.contains("hunter2"),
        "{err}"
    );

    let out = stor(&["cp", &path(dir.path(), ""), &path(dir.path(), "x")]);
    assert!(String::from_utf8(out.stderr).unwrap().contains("use -r"));
}

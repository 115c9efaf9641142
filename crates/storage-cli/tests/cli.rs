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

/// Every store reads its flags with one parser: a bad value is one line naming the key and the
/// spellings it takes, and `yes` means what `true` means. Parsing happens before any request,
/// so the cloud URLs need no server here.
#[test]
fn flags_are_read_alike_on_every_store() {
    let dir = tempfile::tempdir().unwrap();
    let local = format!("fs://{}", path(dir.path(), "x"));
    let cases = [
        (local.as_str(), "loose"),
        ("memory://m/x?", "loose"),
        ("s3://b/x?", "loose"),
        ("s3://b/x?", "anonymous"),
        ("s3://b/x?", "force-path-style"),
        ("azblob://c/x?account-name=a&", "loose"),
        ("gcs://b/x?", "loose"),
        ("gcs://b/x?", "anonymous"),
    ];
    for (base, key) in cases {
        let sep = if base.ends_with(['?', '&']) { "" } else { "?" };
        let out = stor(&["stat", &format!("{base}{sep}{key}=maybe")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{base} {key}=maybe was accepted");
        assert_eq!(err.lines().count(), 1, "{base} {key}: {err}");
        assert!(
            err.contains(&format!(
                "`{key}` takes true/false, yes/no, on/off or 1/0, not `maybe"
            )),
            "{base} {key}: {err}"
        );
    }
    // `yes` and `true` alike: a loose local store opens either way.
    for yes in ["yes", "true", "1", "On"] {
        let out = stor(&["ls", &format!("fs://{}?loose={yes}", path(dir.path(), ""))]);
        assert!(
            out.status.success(),
            "loose={yes}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Locations written with different URL keys are not taken for one store, so the bytes stream;
/// a move whose destination is then the source itself (one file reached two ways) is refused
/// before anything is deleted, instead of losing the file.
#[test]
fn differently_keyed_locations_stream_and_never_move_a_file_onto_itself() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.txt"), "alpha").unwrap();
    let keyed = |rel: &str| format!("fs://{}?sync=false", path(d, rel));

    ok(&["cp", &path(d, "a.txt"), &keyed("b.txt")]);
    assert_eq!(fs::read_to_string(d.join("b.txt")).unwrap(), "alpha");
    ok(&["mv", &keyed("b.txt"), &path(d, "c.txt")]);
    assert!(!d.join("b.txt").exists());
    assert_eq!(fs::read_to_string(d.join("c.txt")).unwrap(), "alpha");

    let out = stor(&["mv", &path(d, "a.txt"), &keyed("a.txt")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a move onto itself succeeded");
    assert!(err.contains("looks like the source itself"), "{err}");
    assert_eq!(fs::read_to_string(d.join("a.txt")).unwrap(), "alpha");
}

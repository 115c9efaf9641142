//! End-to-end runs of the `stor` binary on local files: what it prints, what it changes, and
//! how it fails.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

#[path = "support/fed.rs"]
mod fed;
use fed::stor_fed;

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

/// The exit codes a local store can show (exit.rs maps them; the cloud suite has the rest),
/// and `cat --range -N`, `ls -h` and `du` on local files.
#[test]
fn exit_codes_ranges_and_sizes_on_local_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("tree/sub")).unwrap();
    fs::write(d.join("tree/a.txt"), "alpha").unwrap();
    fs::write(d.join("tree/sub/kib.bin"), vec![0u8; 1536]).unwrap();
    let code = |args: &[&str]| stor(args).status.code();

    assert_eq!(code(&["cat", &path(d, "missing")]), Some(3));
    assert_eq!(code(&["rm", &path(d, "missing")]), Some(3));
    assert_eq!(code(&["stat", "nosuch://b/x"]), Some(2));
    assert_eq!(code(&["cp", &path(d, "tree/"), &path(d, "x")]), Some(2));
    assert_eq!(
        code(&["cat", "--range", "3-1", &path(d, "tree/a.txt")]),
        Some(2)
    );
    assert_eq!(
        code(&["cat", "--range", "-0", &path(d, "tree/a.txt")]),
        Some(2)
    );
    assert_eq!(code(&["stat", "--no-such-flag", "x"]), Some(2));
    let a = path(d, "tree/a.txt");
    assert_eq!(
        code(&["cp", "--encryption", "bogus", &a, &path(d, "e")]),
        Some(2)
    );
    assert_eq!(
        code(&["cp", "--include", "*.txt", &a, &path(d, "f")]),
        Some(2)
    );
    assert_eq!(
        code(&[
            "cp",
            "-r",
            "--exclude",
            "a[",
            &path(d, "tree/"),
            &path(d, "g/")
        ]),
        Some(2)
    );
    assert_eq!(
        code(&["cat", "--range", "10-", &path(d, "tree/a.txt")]),
        Some(1)
    );

    assert_eq!(ok(&["cat", "--range", "-2", &path(d, "tree/a.txt")]), "ha");
    assert_eq!(ok(&["cat", "--range=-9", &path(d, "tree/a.txt")]), "alpha");
    let long = ok(&["ls", "-lh", &path(d, "tree/sub/")]);
    assert!(
        long.contains("1.5 KiB") && long.contains("kib.bin"),
        "{long}"
    );
    let help = ok(&["ls", "--help"]);
    assert!(help.contains("--human-readable"), "{help}");
    let top = ok(&["--help"]);
    assert!(top.contains("Exit status:") && top.contains("130"), "{top}");

    let du = ok(&["du", &path(d, "tree/")]);
    assert!(du.starts_with("1541  2 objects  "), "{du}");
    let du = ok(&["du", "-h", &path(d, "tree")]);
    assert!(du.starts_with("1.5 KiB  2 objects  "), "{du}");
    let du = ok(&["du", "--json", &path(d, "tree/a.txt")]);
    assert!(
        du.contains("\"bytes\":5") && du.contains("\"objects\":1"),
        "{du}"
    );
}

/// Ctrl-C while `stor cat` waits on a pipe nobody reads: one line and exit 130.
#[test]
fn ctrl_c_exits_130() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("big"), vec![1u8; 4 << 20]).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(["cat", &path(dir.path(), "big")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Output has begun, so the handler is in place; the pipe then fills and stor waits.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    drop(stdout);
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "stor: interrupted"
    );
}

#[test]
fn pipes_standard_input_to_a_file_and_a_file_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data: Vec<u8> = (0..(3u32 << 20)).map(|i| (i % 251) as u8).collect();

    let out = stor_fed(&["cp", "-", &path(d, "piped.bin")], data.as_slice());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(fs::read(d.join("piped.bin")).unwrap() == data);

    let out = stor(&["cp", &path(d, "piped.bin"), "-"]);
    assert!(out.status.success() && out.stdout == data);

    let sized = &["cp", "--expected-size", "3MiB", "-", &path(d, "sized.bin")];
    assert!(stor_fed(sized, data.as_slice()).status.success());
    assert!(fs::read(d.join("sized.bin")).unwrap() == data);
    // A stream that ends short of its declared size leaves no file.
    let short = &["cp", "--expected-size", "4MiB", "-", &path(d, "short.bin")];
    assert!(!stor_fed(short, data.as_slice()).status.success());
    assert!(!d.join("short.bin").exists());

    // Usage errors (exit 2) before anything is read or written.
    for args in [
        vec!["mv", "-", &path(d, "moved.bin")],
        vec!["mv", &path(d, "piped.bin"), "-"],
        vec!["cp", "-", "-"],
        vec!["cp", "-r", "-", &path(d, "dir/")],
        vec!["cp", "-", &path(d, "dir/")],
        vec!["cp", "--checksum-algorithm", "md5", "-", &path(d, "x")],
        vec![
            "cp",
            "--expected-size",
            "1",
            &path(d, "piped.bin"),
            &path(d, "y"),
        ],
        vec!["cp", "--content-type", "a/b", &path(d, "piped.bin"), "-"],
    ] {
        let out = stor_fed(&args, b"x");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
    assert!(d.join("piped.bin").exists() && !d.join("moved.bin").exists());
    assert!(!d.join("x").exists() && !d.join("y").exists());
}

#[test]
fn checksum_algorithm_on_a_local_copy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.txt"), "checked").unwrap();
    for algorithm in ["md5", "crc32c"] {
        let out = stor(&[
            "cp",
            "--checksum-algorithm",
            algorithm,
            &path(d, "a.txt"),
            &format!("memory://sums/{algorithm}.txt"),
        ]);
        // The memory store checks the checksum as the body streams in.
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
    }
}

#[test]
fn completions_cover_every_subcommand_and_their_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = ok(&["completions", shell]);
        for word in [
            "sync",
            "presign",
            "completions",
            "config",
            "recursive",
            "delete",
        ] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
}

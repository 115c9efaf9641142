//! `cargo xtask memcheck`: a large write and read-back on local files through the public API,
//! in a release build, reporting peak resident memory.

use crate::cargo::{cargo, run_checked};
use crate::{check_args, flag_value};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    check_args(args, &["--size", "--limit"], &[])?;
    let size = flag_value(args, "--size")?.unwrap_or_else(|| "2GiB".into());
    let limit = flag_value(args, "--limit")?.unwrap_or_else(|| "64MiB".into());

    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "storage-conformance",
        "--bin",
        "peak-memory-write",
    ]);
    run_checked(build)?;

    let dir = std::env::temp_dir().join(format!("rs-storage-memcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let binary = crate::cargo::workspace_root().join("target/release/peak-memory-write");
    let mut cmd = std::process::Command::new(binary);
    cmd.args([
        format!("fs://{}", dir.display()),
        size.clone(),
        limit.clone(),
    ]);
    println!("memcheck: writing and reading back {size} on local files (limit {limit})");
    let outcome = run_checked(cmd);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

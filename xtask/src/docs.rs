//! `cargo xtask docs [--check]`: generates docs/compatibility.md from what each backend
//! declares; with `--check`, fails when the committed page differs (CI runs it).

use std::fs;
use std::process::Stdio;

use crate::cargo::{cargo, workspace_root};

const PAGE: &str = "docs/compatibility.md";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &[], &["--check"])?;
    let check = args.iter().any(|a| a == "--check");
    let generated = generate()?;
    let path = workspace_root().join(PAGE);
    if check {
        let committed = fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            return Err(format!(
                "{PAGE} differs from what the backends declare: run `cargo xtask docs` and \
                 commit the result\n{}",
                first_difference(&committed, &generated)
            ));
        }
        println!("docs: {PAGE} matches the declared capabilities");
    } else {
        fs::write(&path, generated).map_err(|e| format!("writing {PAGE}: {e}"))?;
        println!("docs: wrote {PAGE}");
    }
    Ok(())
}

/// The page as the code declares it, from the conformance crate's `compatibility-doc` binary
/// (it links every backend; xtask itself stays free of the SDKs).
fn generate() -> Result<String, String> {
    let mut cmd = cargo();
    cmd.args([
        "run",
        "-q",
        "-p",
        "storage-conformance",
        "--features",
        "s3,azblob,gcs",
        "--bin",
        "compatibility-doc",
    ])
    .stderr(Stdio::inherit());
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{cmd:?} failed: {}", output.status));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("the generated page is not UTF-8: {e}"))
}

/// The first line where the two pages part, to show what changed.
fn first_difference(committed: &str, generated: &str) -> String {
    let mut old = committed.lines();
    let mut new = generated.lines();
    for number in 1.. {
        match (old.next(), new.next()) {
            (None, None) => break,
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "line {number}:\n  committed: {}\n  generated: {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                );
            }
        }
    }
    "the pages differ in their line endings".to_owned()
}

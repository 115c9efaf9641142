//! `cargo xtask docs [--check]`: generates docs/compatibility.md from what each backend
//! declares, and the BR compatibility table of docs/urls.md (between its markers) from the
//! rows of `storage_conformance::br_compat`; with `--check`, fails when a committed page
//! differs (CI runs it).

use std::fs;
use std::process::Stdio;

use crate::cargo::{cargo, workspace_root};

const PAGE: &str = "docs/compatibility.md";
const URLS_PAGE: &str = "docs/urls.md";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &[], &["--check"])?;
    let check = args.iter().any(|a| a == "--check");
    let compatibility = generate("compatibility-doc")?;
    let path = workspace_root().join(URLS_PAGE);
    let committed_urls = fs::read_to_string(&path).map_err(|e| format!("{URLS_PAGE}: {e}"))?;
    let urls = splice(&committed_urls, &generate("br-compat-table")?)?;
    let pages = [
        (PAGE, compatibility, "the declared capabilities"),
        (URLS_PAGE, urls, "the br-compat rows"),
    ];
    for (page, generated, source) in pages {
        let path = workspace_root().join(page);
        if check {
            let committed = fs::read_to_string(&path).unwrap_or_default();
            if committed != generated {
                return Err(format!(
                    "{page} differs from {source}: run `cargo xtask docs` and commit the \
                     result\n{}",
                    first_difference(&committed, &generated)
                ));
            }
            println!("docs: {page} matches {source}");
        } else {
            fs::write(&path, generated).map_err(|e| format!("writing {page}: {e}"))?;
            println!("docs: wrote {page}");
        }
    }
    Ok(())
}

/// `page` with its generated table replaced by `table`, whose first and last lines are the
/// markers that delimit it (`br-compat-table` prints them, so they are written in one place).
fn splice(page: &str, table: &str) -> Result<String, String> {
    let table = table.trim_end();
    let (Some(begin), Some(end)) = (table.lines().next(), table.lines().last()) else {
        return Err("br-compat-table printed nothing".to_owned());
    };
    let start = page
        .find(begin)
        .ok_or_else(|| format!("{URLS_PAGE} has no line `{begin}`"))?;
    let stop = page[start..]
        .find(end)
        .map(|at| start + at + end.len())
        .ok_or_else(|| format!("{URLS_PAGE} has no line `{end}` after `{begin}`"))?;
    Ok(format!("{}{table}{}", &page[..start], &page[stop..]))
}

/// The output of one of the conformance crate's generator binaries (they link every backend;
/// xtask itself stays free of the SDKs).
fn generate(binary: &str) -> Result<String, String> {
    let mut cmd = cargo();
    cmd.args([
        "run",
        "-q",
        "-p",
        "storage-conformance",
        "--features",
        "s3,azblob,gcs",
        "--bin",
        binary,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_the_framed_table() {
        let page = "intro\n<!-- a -->\nold\n<!-- b -->\nafter\n";
        let spliced = splice(page, "<!-- a -->\nnew\n<!-- b -->\n").unwrap();
        assert_eq!(spliced, "intro\n<!-- a -->\nnew\n<!-- b -->\nafter\n");
        assert!(splice("no markers", "<!-- a -->\n<!-- b -->").is_err());
    }
}

//! `cargo xtask tidy`: checks the rules of the codebase that no compiler checks, after
//! rust-analyzer's `tidy` test: each crate's dependencies against docs/architecture.md, a `//!`
//! line on every Rust file, and no import circle between the modules of a crate. `cargo xtask
//! test` runs it first.

mod deps;
mod graph;
mod headers;
mod imports;
mod manifest;
mod source;

use std::fs;
use std::path::Path;

use crate::cargo::workspace_root;

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &[], &[])?;
    check()?;
    println!("tidy: dependencies, file headers and module imports keep the rules");
    Ok(())
}

/// Runs every rule, returning every problem found (not only the first) as one message.
pub(crate) fn check() -> Result<(), String> {
    let root = workspace_root();
    let mut problems = Vec::new();
    for rule in [deps::check, headers::check, imports::check] {
        // A rule that cannot run at all (a file it needs is missing) is a problem too, and
        // the other rules still run.
        match rule(&root) {
            Ok(found) => problems.extend(found),
            Err(err) => problems.push(err),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tidy found {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}

/// Reads a file below the workspace root, naming it in the error.
fn read(root: &Path, relative: &str) -> Result<String, String> {
    fs::read_to_string(root.join(relative)).map_err(|e| format!("cannot read {relative}: {e}"))
}

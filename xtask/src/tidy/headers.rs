//! The header rule: every Rust file says what it is for in a `//!` line before its first item.

use std::path::Path;
use std::process::Command;

pub(super) fn check(root: &Path) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for file in rust_files(root)? {
        // A tracked file deleted in the working tree is someone's change in progress.
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        if !has_header(&text) {
            problems.push(format!(
                "{file}: no `//!` line saying what the file is for before its first item"
            ));
        }
    }
    Ok(problems)
}

/// The Rust files git knows of: tracked ones, and new ones not ignored, so that a file is
/// checked before it is first committed. Nothing under a `target` directory.
fn rust_files(root: &Path) -> Result<Vec<String>, String> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            "*.rs",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git ls-files: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut files: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|f| !f.is_empty() && !f.starts_with("target/") && !f.contains("/target/"))
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether the first line that is neither empty nor part of an inner attribute (`#![...]`,
/// which may span lines) is a `//!` line.
fn has_header(text: &str) -> bool {
    let mut open_brackets = 0i32;
    for line in text.lines().map(str::trim) {
        if open_brackets > 0 || line.starts_with("#![") {
            open_brackets += line.matches('[').count() as i32 - line.matches(']').count() as i32;
        } else if !line.is_empty() {
            return line.starts_with("//!");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_header;

    #[test]
    fn a_doc_line_first_is_a_header() {
        assert!(has_header("//! Reads things.\n\nuse std::fs;\n"));
        assert!(has_header(
            "\n#![forbid(unsafe_code)]\n#![cfg_attr(\n    docsrs,\n    feature(doc_cfg)\n)]\n//! Why.\n"
        ));
    }

    #[test]
    fn anything_else_first_is_not() {
        assert!(!has_header(""));
        assert!(!has_header("use std::fs;\n//! Too late.\n"));
        assert!(!has_header("// A plain comment.\n//! Too late.\n"));
        assert!(!has_header("/// An item's doc.\nfn f() {}\n"));
        assert!(!has_header(
            "#[cfg(test)]\n//! An outer attribute is an item's.\n"
        ));
    }
}

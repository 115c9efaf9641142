//! The import rule: no circle of imports between the top-level modules of a crate under
//! crates/. A module (`src/foo.rs`, or `src/foo/` with everything in it) depends on another
//! when its code names `crate::other`, or an item lib.rs re-exports from `other`; lib.rs or
//! main.rs is the root and no module.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use super::graph::{self, Graph};
use super::manifest;
use super::source::{self, is_ident};

/// For each edge, the first mention that made it, shown in messages.
type Evidence = BTreeMap<(String, String), String>;

pub(super) fn check(root: &Path) -> Result<Vec<String>, String> {
    let mut dirs: Vec<_> = fs::read_dir(root.join("crates"))
        .map_err(|e| format!("cannot list crates/: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    let mut problems = Vec::new();
    for dir in dirs {
        let src = dir.join("src");
        let Some(root_file) = ["lib.rs", "main.rs"]
            .into_iter()
            .map(|f| src.join(f))
            .find(|f| f.is_file())
        else {
            continue;
        };
        let read = |path: &Path| {
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let name = manifest::package_name(&read(&dir.join("Cargo.toml"))?)
            .unwrap_or_else(|| dir.display().to_string());
        let mut files = Vec::new();
        collect_files(&src, "", &mut files)?;
        problems.extend(circles(&name, &read(&root_file)?, &files));
    }
    Ok(problems)
}

/// The import circles of one crate: `root` is the text of its lib.rs (or main.rs), `files` the
/// other files under src/, as (path relative to src/, text).
pub(super) fn circles(krate: &str, root: &str, files: &[(String, String)]) -> Vec<String> {
    let root_code = source::without_tests(&source::code(root));
    let modules = declared_modules(&root_code);
    let reexports = reexports(&root_code, &modules);
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    let mut evidence = Evidence::new();
    for (path, text) in files {
        let module = path
            .split('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".rs");
        if !modules.contains(module) {
            continue;
        }
        let code = source::without_tests(&source::code(text));
        for (target, mention) in mentions(&code, depth(path), &modules, &reexports) {
            if target != module {
                let edge = (module.to_owned(), target.clone());
                evidence
                    .entry(edge)
                    .or_insert(format!("{path} mentions {mention}"));
                graph.entry(module.to_owned()).or_default().insert(target);
            }
        }
    }
    graph::components(&graph)
        .iter()
        .map(|component| describe(krate, &graph, component, &evidence))
        .collect()
}

/// One circle, and the other edges inside its component: cutting only the circle shown
/// may leave another.
fn describe(krate: &str, graph: &Graph, component: &[String], evidence: &Evidence) -> String {
    let circle = graph::shortest_circle(graph, component);
    let edges: Vec<(String, String)> = circle
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect();
    let why = |edge: &(String, String)| evidence.get(edge).cloned().unwrap_or_default();
    let steps: Vec<String> = edges.iter().map(why).collect();
    let mut message = format!(
        "{krate}: import circle: {} ({})",
        circle.join(" -> "),
        steps.join(", ")
    );
    let others: Vec<String> = component
        .iter()
        .flat_map(|from| {
            graph
                .get(from)
                .into_iter()
                .flatten()
                .map(move |to| (from, to))
        })
        .map(|(from, to)| (from.clone(), to.clone()))
        .filter(|edge| component.contains(&edge.1) && !edges.contains(edge))
        .map(|edge| format!("\n    {} -> {} ({})", edge.0, edge.1, why(&edge)))
        .collect();
    if !others.is_empty() {
        message.push_str(&format!(
            "; {} more import(s) tie the same modules together:{}",
            others.len(),
            others.concat()
        ));
    }
    message
}

/// The top-level modules `code` names (directly, or through an item re-exported from one),
/// each with the text that names it.
fn mentions(
    code: &str,
    depth: usize,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some((prefix, start)) = next_crate_path(code, &mut from, depth) {
        let rest = &code[start..];
        let names = match rest.strip_prefix('{') {
            Some(group) => top_level_items(group).iter().map(|i| ident(i)).collect(),
            None => vec![ident(rest)],
        };
        for name in names {
            if modules.contains(name) {
                found.push((name.to_owned(), format!("{prefix}{name}")));
            } else if let Some(module) = reexports.get(name) {
                let mention = format!("{prefix}{name} (re-exported from {module})");
                found.push((module.clone(), mention));
            }
        }
    }
    found
}

/// The next path from the crate root after `from`: `crate::`, or as many `super::` as lead
/// out of the file's module (fewer stay inside it). Returns that prefix and where the path
/// goes on.
fn next_crate_path(code: &str, from: &mut usize, depth: usize) -> Option<(String, usize)> {
    loop {
        let (at, word) = ["crate::", "super::"]
            .iter()
            .filter_map(|w| code[*from..].find(w).map(|at| (*from + at, *w)))
            .min()?;
        let before = code[..at].chars().next_back();
        let mut end = at + word.len();
        *from = end;
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        if word == "crate::" {
            return Some((word.to_owned(), end));
        }
        while code[end..].starts_with("super::") {
            end += "super::".len();
        }
        *from = end;
        if (end - at) / "super::".len() >= depth {
            return Some((code[at..end].to_owned(), end));
        }
    }
}

/// The modules lib.rs declares from files: `mod foo;` (not `mod foo { ... }`).
fn declared_modules(root: &str) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for (at, _) in root.match_indices("mod ") {
        if root[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = root[at + 4..].trim_start();
        let name = ident(rest);
        if !name.is_empty() && rest[name.len()..].trim_start().starts_with(';') {
            modules.insert(name.to_owned());
        }
    }
    modules
}

/// The items lib.rs brings in from its modules (`pub use backend::{S3Storage, X as Y};`),
/// which other modules reach as `crate::S3Storage`: item -> module.
fn reexports(root: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for (at, _) in root.match_indices("use ") {
        if root[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let tree = root[at + 4..].split(';').next().unwrap_or_default().trim();
        let tree = tree
            .strip_prefix("crate::")
            .or(tree.strip_prefix("self::"))
            .unwrap_or(tree);
        let branches = match tree.strip_prefix('{') {
            Some(group) => top_level_items(group),
            None => vec![tree],
        };
        for branch in branches {
            let module = ident(branch);
            let Some(rest) = branch[module.len()..].trim_start().strip_prefix("::") else {
                continue;
            };
            if !modules.contains(module) {
                continue;
            }
            for piece in rest.split([',', '{', '}']) {
                let name = match piece.split_once(" as ") {
                    Some((_, alias)) => alias.trim(),
                    None => piece.trim().rsplit("::").next().unwrap_or_default(),
                };
                if !name.is_empty() && name != "self" && name.chars().all(is_ident) {
                    items.insert(name.to_owned(), module.to_owned());
                }
            }
        }
    }
    items
}

/// The comma-separated items of a `{...}` group (its text after the `{`), nested groups kept
/// whole.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(group[start..i].trim());
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(group[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// The identifier at the start of `text`.
fn ident(text: &str) -> &str {
    let end = text.find(|c| !is_ident(c)).unwrap_or(text.len());
    &text[..end]
}

/// How many `super::` lead from a file to the crate root: 1 for `foo.rs` and `foo/mod.rs`,
/// 2 for `foo/bar.rs`.
fn depth(path: &str) -> usize {
    let parts = path.split('/').count();
    if path.ends_with("/mod.rs") {
        parts - 1
    } else {
        parts
    }
}

/// Every .rs file below `dir` but the crate roots and src/bin (other crates), with its path
/// relative to src/.
fn collect_files(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let relative = format!("{prefix}{name}");
        if path.is_dir() && !(prefix.is_empty() && name == "bin") {
            collect_files(&path, &format!("{relative}/"), files)?;
        } else if name.ends_with(".rs")
            && !(prefix.is_empty() && ["lib.rs", "main.rs"].contains(&name.as_str()))
        {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push((relative, text));
        }
    }
    files.sort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "//! The crate.\nmod backend;\npub(crate) mod writer;\n#[cfg(test)]\nmod config;\n\
                       mod inline { }\npub use backend::{S3Storage, Builder as S3Builder};\n\
                       pub use crate::{writer::{Writer, self}};\n";

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn a_layered_crate_has_no_circle() {
        let found = circles(
            "s3",
            LIB,
            &files(&[
                ("backend.rs", "//! The store.\nuse crate::config::Config;\n"),
                (
                    "writer.rs",
                    "use crate::{S3Storage, config};\n// crate::writer is me\n",
                ),
                (
                    "config.rs",
                    "//! Data.\nuse super::super::Outside;\n#[cfg(test)]\nmod tests { use crate::writer; }\n",
                ),
            ]),
        );
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn every_form_of_mention_makes_an_edge() {
        let cases = [
            "use crate::writer::Writer;",
            "use crate::{config::C, writer};",
            "fn f() { crate::writer::start() }",
            "use crate::Writer;",
            "fn f() -> super::Writer { todo() }",
        ];
        for back in cases {
            let found = circles(
                "s3",
                LIB,
                &files(&[
                    ("backend/mod.rs", back),
                    ("writer.rs", "use crate::S3Builder;"),
                ]),
            );
            assert_eq!(found.len(), 1, "{back}: {found:?}");
            assert!(
                found[0].starts_with(
                    "s3: import circle: backend -> writer -> backend (backend/mod.rs mentions "
                ),
                "{}",
                found[0]
            );
            assert!(
                found[0]
                    .ends_with(", writer.rs mentions crate::S3Builder (re-exported from backend))"),
                "{}",
                found[0]
            );
        }
    }

    #[test]
    fn a_larger_circle_shows_its_other_edges() {
        let found = circles(
            "gcs",
            LIB,
            &files(&[
                ("backend.rs", "use crate::writer;"),
                ("writer/mod.rs", "use crate::config;"),
                (
                    "writer/part.rs",
                    "use super::helper; fn f() { crate::backend::x() }",
                ),
                ("config.rs", "use crate::backend;"),
            ]),
        );
        assert_eq!(
            found,
            [
                "gcs: import circle: backend -> writer -> backend (backend.rs mentions \
                 crate::writer, writer/part.rs mentions crate::backend); 2 more import(s) tie \
                 the same modules together:\n    config -> backend (config.rs mentions \
                 crate::backend)\n    writer -> config (writer/mod.rs mentions crate::config)"
            ]
        );
    }
}

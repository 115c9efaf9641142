//! Line-based reading of what tidy needs from Cargo.toml files: the workspace's members, a
//! package's name and its dependencies. xtask stays free of dependencies, so this is no TOML
//! parser; it understands the forms Cargo.toml files are written in.

/// Which table a dependency was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Normal,
    Dev,
    Build,
}

/// One dependency of a package.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Dependency {
    /// The package depended on: the key, or its `package = "..."` when the key renames it, so
    /// that a rename cannot hide a forbidden crate.
    pub(super) name: String,
    pub(super) kind: Kind,
    /// The table's header as written, to name it in messages: `[target.'cfg(unix)'.dependencies]`.
    pub(super) section: String,
}

/// The `members` of the `[workspace]` table.
pub(super) fn workspace_members(text: &str) -> Vec<String> {
    let mut in_workspace = false;
    let mut collecting = false;
    let mut members = Vec::new();
    for raw in text.lines() {
        let line = strip_comment(raw);
        let line = line.trim();
        if collecting {
            members.extend(quoted_strings(line));
            collecting = !line.contains(']');
        } else if line.starts_with('[') {
            in_workspace = line == "[workspace]";
        } else if let Some((key, value)) = line.split_once('=')
            && in_workspace
            && key.trim() == "members"
        {
            members.extend(quoted_strings(value));
            collecting = !value.contains(']');
        }
    }
    members
}

/// The `name` of the `[package]` table.
pub(super) fn package_name(text: &str) -> Option<String> {
    let mut in_package = false;
    for raw in text.lines() {
        let line = strip_comment(raw);
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some((key, value)) = line.split_once('=')
            && in_package
            && key.trim() == "name"
        {
            return quoted_strings(value).into_iter().next();
        }
    }
    None
}

/// Every dependency in `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`, their
/// `[target.'...'.*]` forms and their one-table-per-dependency forms (`[dependencies.foo]`).
pub(super) fn dependencies(text: &str) -> Vec<Dependency> {
    // (key, package rename, kind, section) in the order declared.
    let mut found: Vec<(String, Option<String>, Kind, String)> = Vec::new();
    // The current table: its kind and header, and the dependency it declares when it is one.
    let mut table: Option<(Kind, String, Option<usize>)> = None;
    // Lines still inside a value's multi-line array, which hold no keys.
    let mut open_brackets = 0i32;
    for raw in text.lines() {
        let line = strip_comment(raw);
        let line = line.trim();
        if open_brackets > 0 {
            open_brackets += bracket_balance(line);
            continue;
        }
        if line.starts_with('[') {
            table = dependency_table(line).map(|(kind, single)| {
                let index = single.map(|key| {
                    found.push((key, None, kind, line.to_owned()));
                    found.len() - 1
                });
                (kind, line.to_owned(), index)
            });
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        open_brackets = bracket_balance(value).max(0);
        let keys = dotted_keys(key);
        match &table {
            Some((_, _, Some(index))) if keys == ["package"] => {
                found[*index].1 = quoted_strings(value).into_iter().next();
            }
            Some((kind, section, None)) if !keys.is_empty() => {
                // `foo = { package = "bar" }`, or `foo.package = "bar"` in dotted form.
                let rename = match keys.get(1).map(String::as_str) {
                    None => inline_package(value),
                    Some("package") => quoted_strings(value).into_iter().next(),
                    Some(_) => None,
                };
                match found.iter_mut().find(|f| f.0 == keys[0] && &f.3 == section) {
                    Some(existing) => existing.1 = existing.1.take().or(rename),
                    None => found.push((keys[0].clone(), rename, *kind, section.clone())),
                }
            }
            _ => {}
        }
    }
    found
        .into_iter()
        .map(|(key, rename, kind, section)| Dependency {
            name: rename.unwrap_or(key),
            kind,
            section,
        })
        .collect()
}

/// The kind of a dependency table header, and the dependency it declares when it is of the
/// `[dependencies.foo]` form.
fn dependency_table(header: &str) -> Option<(Kind, Option<String>)> {
    if header.starts_with("[[") {
        return None;
    }
    let inner = header.trim_start_matches('[').trim_end_matches(']');
    let keys = dotted_keys(inner);
    let rest = match keys.first().map(String::as_str) {
        Some("target") if keys.len() >= 3 => &keys[2..],
        _ => &keys[..],
    };
    let kind = match rest.first().map(String::as_str)? {
        "dependencies" => Kind::Normal,
        "dev-dependencies" | "dev_dependencies" => Kind::Dev,
        "build-dependencies" | "build_dependencies" => Kind::Build,
        _ => return None,
    };
    match rest {
        [_] => Some((kind, None)),
        [_, name] => Some((kind, Some(name.clone()))),
        _ => None,
    }
}

/// The `package = "..."` of an inline table value, when it has one.
fn inline_package(value: &str) -> Option<String> {
    let (_, after) = value.split_once("package")?;
    let after = after.trim_start().strip_prefix('=')?;
    quoted_strings(after).into_iter().next()
}

/// `a.'b.c'."d"` as `["a", "b.c", "d"]`.
fn dotted_keys(key: &str) -> Vec<String> {
    let mut keys = vec![String::new()];
    let mut quote = None;
    for c in key.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '.') => keys.push(String::new()),
            (None, c) if c.is_whitespace() => {}
            (_, c) => {
                if let Some(last) = keys.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// The contents of every `"..."` in `text`.
fn quoted_strings(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The line without its `# comment` (a `#` inside a string is kept).
fn strip_comment(line: &str) -> String {
    let mut quote = None;
    let mut out = String::new();
    for c in line.chars() {
        match (quote, c) {
            (None, '#') => break,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// How many more `[` than `]` the text has outside strings.
fn bracket_balance(text: &str) -> i32 {
    let mut quote = None;
    let mut balance = 0;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '[') => balance += 1,
            (None, ']') => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_over_several_lines() {
        let text = "[workspace]\nmembers = [\n  \"crates/a\", # the core\n  \"b\",\n]\nexclude = [\"fuzz\"]\n";
        assert_eq!(workspace_members(text), ["crates/a", "b"]);
        assert_eq!(workspace_members("[workspace]\nmembers = [\"x\"]\n"), ["x"]);
    }

    #[test]
    fn reads_the_package_name_not_a_dependency_name() {
        let text = "[dependencies]\nname = \"no\"\n[package]\nname = \"storage-x\"\n";
        assert_eq!(package_name(text).as_deref(), Some("storage-x"));
    }

    #[test]
    fn reads_every_form_of_dependency() {
        let text = r#"
[package]
name = "p"
[features]
tokio = []
[dependencies]
bytes.workspace = true
md5 = { package = "md-5", version = "0.10" } # a rename
serde = { version = "1", features = [
    "derive", # a key = "in an array"
] }
[dependencies.hyper]
version = "1"
[dependencies.renamed]
package = "tokio"
[target.'cfg(unix)'.dev-dependencies]
libc = "0.2"
[build-dependencies]
cc = "1"
[workspace.dependencies]
not-a-dep = "1"
[[bin]]
name = "not-a-dep-either"
"#;
        let deps = dependencies(text);
        let names: Vec<_> = deps.iter().map(|d| (d.name.as_str(), d.kind)).collect();
        assert_eq!(
            names,
            [
                ("bytes", Kind::Normal),
                ("md-5", Kind::Normal),
                ("serde", Kind::Normal),
                ("hyper", Kind::Normal),
                ("tokio", Kind::Normal),
                ("libc", Kind::Dev),
                ("cc", Kind::Build),
            ]
        );
        assert_eq!(deps[5].section, "[target.'cfg(unix)'.dev-dependencies]");
    }
}

//! The dependency rule: every dependency of every workspace member is allowed by its row of
//! the table in docs/architecture.md, every entry of the table is still used, and
//! `storage-types` never depends on tokio, an HTTP client or server, or a vendor SDK, whatever
//! the table says.

use std::path::Path;

use super::manifest::{self, Dependency, Kind};

const PAGE: &str = "docs/architecture.md";
/// The header of the table tidy reads; a person reads the same table.
const HEADER: [&str; 4] = [
    "crate",
    "workspace crates",
    "outside crates",
    "dev and build only",
];

/// A workspace member and what its Cargo.toml declares.
#[derive(Debug)]
pub(super) struct Member {
    pub(super) name: String,
    pub(super) manifest: String,
    pub(super) deps: Vec<Dependency>,
}

/// One row of the table: the crate, and the names in each column with the line to edit.
#[derive(Debug)]
struct Row {
    line: usize,
    name: String,
    workspace: Vec<String>,
    outside: Vec<String>,
    dev_only: Vec<String>,
}

pub(super) fn check(root: &Path) -> Result<Vec<String>, String> {
    let mut members = Vec::new();
    // integration-tests/fuzz is in `exclude`, not `members`, so it is not read.
    for dir in manifest::workspace_members(&super::read(root, "Cargo.toml")?) {
        let path = format!("{dir}/Cargo.toml");
        let text = super::read(root, &path)?;
        let name = manifest::package_name(&text)
            .ok_or_else(|| format!("{path}: no `name` in its [package] table"))?;
        members.push(Member {
            name,
            manifest: path,
            deps: manifest::dependencies(&text),
        });
    }
    if members.is_empty() {
        return Err("Cargo.toml: no `members` in its [workspace] table".to_owned());
    }
    problems(&members, &super::read(root, PAGE)?)
}

/// Checks `members` against the table of `page` (the text of docs/architecture.md).
pub(super) fn problems(members: &[Member], page: &str) -> Result<Vec<String>, String> {
    let (header_line, rows) = table(page)?;
    let mut problems = Vec::new();
    for member in members {
        let Some(row) = rows.iter().find(|r| r.name == member.name) else {
            problems.push(format!(
                "{PAGE}:{header_line}: the dependency table has no row for `{}` ({}): add one",
                member.name, member.manifest
            ));
            continue;
        };
        problems.extend(member_problems(member, row));
        problems.extend(row_problems(row, member, members));
    }
    for row in rows
        .iter()
        .filter(|r| members.iter().all(|m| m.name != r.name))
    {
        problems.push(format!(
            "{PAGE}:{}: the dependency table's row `{}` names no workspace member: remove it",
            row.line, row.name
        ));
    }
    Ok(problems)
}

/// The member's dependencies that its row does not allow, or that a hard rule forbids.
fn member_problems(member: &Member, row: &Row) -> Vec<String> {
    let (name, manifest) = (&member.name, &member.manifest);
    let mut problems = Vec::new();
    for dep in &member.deps {
        let (dep_name, section) = (&dep.name, &dep.section);
        let normal = row.workspace.contains(dep_name) || row.outside.contains(dep_name);
        let dev_only = row.dev_only.contains(dep_name);
        if let Some(reason) = forbidden(name, dep_name) {
            problems.push(format!(
                "{manifest}: `{name}` may never depend on `{dep_name}` ({section}): {reason}; \
                 {PAGE} cannot allow it (the rule is in xtask/src/tidy/deps.rs)"
            ));
        } else if dep.kind == Kind::Normal && dev_only {
            problems.push(format!(
                "{manifest}: `{name}` has `{dep_name}` in {section}, but {PAGE}:{} allows it \
                 only as a dev or build dependency: move it to that row's `workspace crates` \
                 or `outside crates` column, or out of {section}",
                row.line
            ));
        } else if !normal && !dev_only {
            problems.push(format!(
                "{manifest}: `{name}` depends on `{dep_name}` ({section}), which {PAGE}:{} \
                 does not allow: add it to that row of the table, or remove the dependency",
                row.line
            ));
        }
    }
    problems
}

/// What the row says that is no longer true of the member, so that the page stays accurate.
fn row_problems(row: &Row, member: &Member, members: &[Member]) -> Vec<String> {
    let at = format!("{PAGE}:{}: the row of `{}`", row.line, row.name);
    let is_member = |dep: &String| members.iter().any(|m| &m.name == dep);
    let mut problems = Vec::new();
    for dep in row
        .workspace
        .iter()
        .chain(&row.outside)
        .chain(&row.dev_only)
    {
        let uses: Vec<Kind> = member
            .deps
            .iter()
            .filter(|d| &d.name == dep)
            .map(|d| d.kind)
            .collect();
        if forbidden(&row.name, dep).is_some() {
            problems.push(format!(
                "{at} allows `{dep}`, which a hard rule forbids: remove it"
            ));
        } else if uses.is_empty() {
            problems.push(format!(
                "{at} lists `{dep}`, which {} does not use: remove it",
                member.manifest
            ));
        } else if !row.dev_only.contains(dep) && !uses.contains(&Kind::Normal) {
            problems.push(format!(
                "{at} lists `{dep}` as a dependency, but {} has it only as a dev or build \
                 dependency: move it to the `dev and build only` column",
                member.manifest
            ));
        }
    }
    for dep in row.workspace.iter().filter(|d| !is_member(d)) {
        problems.push(format!(
            "{at} lists `{dep}` as a workspace crate, but no member is named so"
        ));
    }
    for dep in row.outside.iter().filter(|d| is_member(d)) {
        problems.push(format!(
            "{at} lists the workspace crate `{dep}` as an outside crate"
        ));
    }
    problems
}

/// Why `krate` may never depend on `dep`, when it may not. These rules hold whatever the
/// page says: storage-types is what every program compiles, so it stays small.
fn forbidden(krate: &str, dep: &str) -> Option<&'static str> {
    if krate != "storage-types" {
        return None;
    }
    let family = |base: &str| dep == base || dep.starts_with(&format!("{base}-"));
    if family("tokio") {
        Some("storage-types has no tokio")
    } else if ["hyper", "reqwest", "http", "h2", "axum", "tonic"]
        .into_iter()
        .any(family)
    {
        Some("storage-types has no HTTP client or server")
    } else if [
        "aws-",
        "azure_",
        "azure-",
        "google-cloud-",
        "opendal",
        "object_store",
    ]
    .iter()
    .any(|prefix| dep.starts_with(prefix))
    {
        Some("storage-types has no vendor SDK")
    } else {
        None
    }
}

/// The dependency table of the page's "## Dependencies" section: the line of its header and
/// its rows. Only names in backticks count, so a cell can explain itself in plain words.
fn table(page: &str) -> Result<(usize, Vec<Row>), String> {
    let mut in_section = false;
    let mut header_line = None;
    let mut rows = Vec::new();
    for (index, line) in page.lines().enumerate() {
        if line.starts_with("## ") {
            in_section = line.trim() == "## Dependencies";
            continue;
        }
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if !in_section || !line.trim_start().starts_with('|') {
            if header_line.is_some() && !rows.is_empty() {
                break;
            }
            continue;
        }
        if cells.iter().map(|c| c.trim()).eq(HEADER) {
            header_line = Some(index + 1);
        } else if let (Some(_), [krate, workspace, outside, dev_only]) = (header_line, &cells[..])
            && let Some(name) = ticked(krate).into_iter().next()
        {
            rows.push(Row {
                line: index + 1,
                name,
                workspace: ticked(workspace),
                outside: ticked(outside),
                dev_only: ticked(dev_only),
            });
        }
    }
    let header_line = header_line.ok_or_else(|| {
        format!(
            "{PAGE}: no table headed `| {} |` in its \"## Dependencies\" section",
            HEADER.join(" | ")
        )
    })?;
    Ok((header_line, rows))
}

/// The `names` in backticks of a cell.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE_TEXT: &str = "\
## Crates

| crate | workspace crates | outside crates | dev and build only |
|---|---|---|---|
| `ignored` | | | |

## Dependencies

| crate | workspace crates | outside crates | dev and build only |
|---|---|---|---|
| `storage-types` | none | `bytes` (with a note) | `proptest` |
| `storage-fs` | `storage-types` | `tokio` | `tempfile` |

## Next
";

    fn member(name: &str, manifest: &str) -> Member {
        Member {
            name: name.to_owned(),
            manifest: format!("crates/{name}/Cargo.toml"),
            deps: manifest::dependencies(manifest),
        }
    }

    fn check(types: &str, fs: &str) -> Vec<String> {
        let members = [member("storage-types", types), member("storage-fs", fs)];
        problems(&members, PAGE_TEXT).expect("the table is found")
    }

    const TYPES: &str = "[dependencies]\nbytes = \"1\"\n[dev-dependencies]\nproptest = \"1\"\n";
    const FS: &str = "[dependencies]\nstorage-types.workspace = true\ntokio = \"1\"\n\
                      [dev-dependencies]\ntempfile = \"3\"\ntokio = \"1\"\n";

    #[test]
    fn the_table_as_written_passes() {
        assert_eq!(check(TYPES, FS), Vec::<String>::new());
    }

    #[test]
    fn an_unlisted_dependency_names_crate_dependency_and_line() {
        let fs = format!("{FS}[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n");
        assert_eq!(
            check(TYPES, &fs),
            [
                "crates/storage-fs/Cargo.toml: `storage-fs` depends on `libc` \
              ([target.'cfg(unix)'.dependencies]), which docs/architecture.md:12 does not \
              allow: add it to that row of the table, or remove the dependency"
            ]
        );
    }

    #[test]
    fn a_dev_only_entry_does_not_allow_a_normal_dependency() {
        let types = format!("{TYPES}[dependencies.proptest]\nversion = \"1\"\n");
        let found = check(&types, FS);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("allows it only as a dev or build dependency"));
    }

    #[test]
    fn storage_types_may_not_depend_on_tokio_http_or_sdks_even_when_listed() {
        for dep in [
            "tokio",
            "tokio-util",
            "hyper",
            "http",
            "aws-config",
            "object_store",
        ] {
            let types = format!("{TYPES}{dep} = \"1\"\n");
            let page = PAGE_TEXT.replace("`proptest` |", &format!("`proptest`, `{dep}` |"));
            let members = [member("storage-types", &types), member("storage-fs", FS)];
            let found = problems(&members, &page).expect("the table is found");
            assert!(found[0].contains("may never depend on"), "{dep}: {found:?}");
            assert!(
                found[1].contains("which a hard rule forbids"),
                "{dep}: {found:?}"
            );
        }
        let renamed = format!("{TYPES}rt = {{ package = \"tokio\", version = \"1\" }}\n");
        assert!(check(&renamed, FS)[0].contains("may never depend on `tokio`"));
        assert!(forbidden("storage-types", "httpdate").is_none());
        assert!(forbidden("storage-fs", "tokio").is_none());
    }

    #[test]
    fn the_page_must_stay_true() {
        let fs =
            "[dependencies]\nstorage-types.workspace = true\n[dev-dependencies]\ntokio = \"1\"\n";
        assert_eq!(
            check(TYPES, fs),
            [
                "docs/architecture.md:12: the row of `storage-fs` lists `tokio` as a dependency, \
                 but crates/storage-fs/Cargo.toml has it only as a dev or build dependency: move \
                 it to the `dev and build only` column",
                "docs/architecture.md:12: the row of `storage-fs` lists `tempfile`, which \
                 crates/storage-fs/Cargo.toml does not use: remove it",
            ]
        );
        let members = [member("storage-types", TYPES)];
        let found = problems(&members, PAGE_TEXT).expect("the table is found");
        assert_eq!(
            found,
            [
                "docs/architecture.md:12: the dependency table's row `storage-fs` names no \
              workspace member: remove it"
            ]
        );
    }

    #[test]
    fn a_member_without_a_row_is_named() {
        let members = [
            member("storage-types", TYPES),
            member("storage-fs", FS),
            member("new", ""),
        ];
        let found = problems(&members, PAGE_TEXT).expect("the table is found");
        assert_eq!(
            found,
            [
                "docs/architecture.md:9: the dependency table has no row for `new` \
              (crates/new/Cargo.toml): add one"
            ]
        );
        assert!(problems(&members, "## Dependencies\n").is_err());
    }
}

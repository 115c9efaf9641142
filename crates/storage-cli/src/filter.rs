//! `--include` / `--exclude`: which files of a directory a bulk job (`cp -r`, `mv -r`,
//! `sync`) takes.
//!
//! The four tools people know disagree on order: rclone takes the first rule that matches,
//! aws s3 the last, azcopy and gcloud have no order at all. Order-free rules cannot surprise
//! anyone who mixes them up, so here an exclude always wins: a file is taken when it matches
//! no `--exclude` and, if any `--include` is given, at least one of them. A glob with a `/`
//! matches the path below the job's directory (a leading `/` is allowed, as in rclone); one
//! without matches the file's name at any depth. `*` and `?` stop at `/`, `**` crosses it,
//! `[a-z]` and `{a,b}` work as in shells.

use anyhow::Result;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::exit::usage;

/// The compiled rules of one job.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    include: Option<Rules>,
    exclude: Option<Rules>,
}

/// Globs split by what they match: the whole relative path, or the file name.
#[derive(Debug, Clone)]
struct Rules {
    paths: GlobSet,
    names: GlobSet,
}

impl Filter {
    /// The rules the flags give; a malformed glob is a usage error.
    pub(crate) fn new(include: &[String], exclude: &[String]) -> Result<Filter> {
        Ok(Filter {
            include: Rules::new("--include", include)?,
            exclude: Rules::new("--exclude", exclude)?,
        })
    }

    /// Whether the job takes the file at `relative` (below the job's directory, `/`-separated).
    pub(crate) fn admits(&self, relative: &str) -> bool {
        if self.exclude.as_ref().is_some_and(|r| r.matches(relative)) {
            return false;
        }
        self.include.as_ref().is_none_or(|r| r.matches(relative))
    }

    /// Whether any rule is given.
    pub(crate) fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }
}

impl Rules {
    fn new(flag: &str, globs: &[String]) -> Result<Option<Rules>> {
        if globs.is_empty() {
            return Ok(None);
        }
        let (mut paths, mut names) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        for text in globs {
            let anchored = text.strip_prefix('/').unwrap_or(text);
            let glob = compile(anchored)
                .map_err(|err| usage(format!("{flag} {text:?}: {}", err.kind())))?;
            if anchored.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let built = |b: GlobSetBuilder| b.build().map_err(|err| usage(format!("{flag}: {err}")));
        Ok(Some(Rules {
            paths: built(paths)?,
            names: built(names)?,
        }))
    }

    fn matches(&self, relative: &str) -> bool {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        self.paths.is_match(relative) || self.names.is_match(name)
    }
}

fn compile(text: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> Filter {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Filter::new(&own(include), &own(exclude)).unwrap()
    }

    #[test]
    fn no_rules_take_everything() {
        let f = filter(&[], &[]);
        assert!(f.is_empty());
        assert!(f.admits("a/b/c.txt"));
    }

    #[test]
    fn a_name_glob_matches_at_any_depth_and_a_path_glob_from_the_top() {
        let f = filter(&["*.csv"], &[]);
        assert!(f.admits("x.csv") && f.admits("deep/er/x.csv"));
        assert!(!f.admits("x.csv.gz"));
        let f = filter(&["logs/*.txt"], &[]);
        assert!(f.admits("logs/a.txt"));
        assert!(!f.admits("logs/old/a.txt"), "* stops at /");
        assert!(
            !f.admits("other/logs/a.txt"),
            "a path glob starts at the top"
        );
        let f = filter(&["/logs/**"], &[]);
        assert!(f.admits("logs/old/a.txt"));
    }

    #[test]
    fn an_exclude_wins_whatever_the_order() {
        let f = filter(&["*.csv"], &["tmp/**"]);
        assert!(f.admits("a.csv"));
        assert!(!f.admits("tmp/a.csv"));
        assert!(!f.admits("a.txt"));
        let f = filter(&[], &["*.tmp", "cache/**"]);
        assert!(f.admits("a.txt"));
        assert!(!f.admits("x/y.tmp") && !f.admits("cache/z"));
    }

    #[test]
    fn a_bad_glob_is_a_usage_error() {
        let err = Filter::new(&["a[".to_owned()], &[]).unwrap_err();
        assert!(err.is::<crate::exit::Usage>(), "{err:#}");
        assert!(err.to_string().contains("--include"), "{err}");
    }
}

//! `NAME:path` locations: how a command-line argument is told apart from a URL or a local
//! path, and the URL a named store and a literal path inside it make.

use std::collections::BTreeMap;

use anyhow::Result;
use storage::StorageUrl;

use crate::exit::usage;

/// What a location argument is, by its spelling alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax<'a> {
    /// `-`: standard input or output.
    Stdio,
    /// `scheme://...`.
    Url,
    /// `NAME:path`: a named store when the config file has NAME, else a local path if one
    /// exists by that name.
    Named {
        /// The store's name.
        name: &'a str,
        /// What follows the colon, literally (never percent-decoded).
        path: &'a str,
    },
    /// Anything else: a local path.
    Local,
}

/// How `arg` reads. A name is two characters or more, so that `C:\x` is never one, and a
/// colon followed by `//` is a URL's.
pub(crate) fn syntax(arg: &str) -> Syntax<'_> {
    if arg == "-" {
        return Syntax::Stdio;
    }
    if let Some((name, path)) = arg.split_once(':')
        && valid_name(name)
        && !path.starts_with("//")
    {
        return Syntax::Named { name, path };
    }
    if arg.contains("://") {
        return Syntax::Url;
    }
    Syntax::Local
}

/// Whether `name` can name a store: `[A-Za-z0-9_-]`, at least two of them.
pub(crate) fn valid_name(name: &str) -> bool {
    name.len() >= 2
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The URL of `path` (literal, `/`-separated) inside the store at `base` with the extra
/// `keys`: the store's own path, then `path`, escaped so that the URL parser reads back its
/// exact bytes. A store without a bucket (`s3://`, an account) takes the path's first segment
/// as the bucket, as rclone's `remote:bucket/path` does. `.` and `..` are taken lexically, and
/// may not climb above the store's root.
pub(crate) fn url_of(base: &str, keys: &BTreeMap<String, String>, path: &str) -> Result<String> {
    let store = StorageUrl::parse(base)?.with_options(keys.iter().map(|(k, v)| (k, v.clone())))?;
    let segments =
        literal_segments(path).ok_or_else(|| usage("`..` climbs above the named store's root"))?;
    let mut bucket = store.bucket().to_owned();
    let mut joined: Vec<String> = store
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let mut segments = segments.into_iter();
    let cloud = matches!(store.scheme(), "s3" | "azblob" | "gcs");
    if cloud && bucket.is_empty() {
        bucket = segments.next().unwrap_or_default();
    }
    joined.extend(segments);
    // A local store's root is `/`; an object store's path is empty below the bucket.
    let dir = matches!(path.rsplit('/').next(), Some("" | "." | ".."));
    let mut url = format!("{}://{}/", store.scheme(), bucket);
    url.push_str(
        &joined
            .iter()
            .map(|s| escape_segment(s))
            .collect::<Vec<_>>()
            .join("/"),
    );
    if dir && !url.ends_with('/') {
        url.push('/');
    }
    if bucket.is_empty() && joined.is_empty() && cloud {
        // `s3://`: the account itself (`stor ls` lists its buckets).
        url.truncate(url.len() - 1);
    }
    let query: Vec<String> = store
        .query()
        .iter()
        .map(|(k, v)| format!("{}={}", escape_query(k), escape_query(v)))
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    Ok(url)
}

/// The segments of a literal path, `.` dropped and `..` taken back; `None` when `..` goes
/// above the start. Empty segments (`a//b`, a leading `/`) are dropped.
fn literal_segments(path: &str) -> Option<Vec<String>> {
    let mut kept: Vec<String> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop()?;
            }
            other => kept.push(other.to_owned()),
        }
    }
    Some(kept)
}

/// A path segment as a URL holds it: letters, digits, `-_.~` and non-ASCII text literally
/// (the parser decodes the latter's UTF-8), every other byte `%XX`.
fn escape_segment(segment: &str) -> String {
    escape(segment, |c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '~')
            || !c.is_ascii() && !c.is_control()
    })
}

/// A query key or value: `%XX` for everything but letters, digits and `-_.~:/@,` (which the
/// query parser reads as themselves, and keep an endpoint readable in messages).
fn escape_query(text: &str) -> String {
    escape(text, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | ':' | '/' | '@' | ',')
    })
}

fn escape(text: &str, literal: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if literal(c) {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn arguments_are_told_apart_by_spelling() {
        assert_eq!(syntax("-"), Syntax::Stdio);
        assert_eq!(syntax("s3://b/x"), Syntax::Url);
        assert_eq!(syntax("memory:///x"), Syntax::Url);
        assert_eq!(
            syntax("prod:tidb/x"),
            Syntax::Named {
                name: "prod",
                path: "tidb/x"
            }
        );
        assert_eq!(
            syntax("prod:"),
            Syntax::Named {
                name: "prod",
                path: ""
            }
        );
        assert_eq!(
            syntax("my_store-2:a://b"),
            Syntax::Named {
                name: "my_store-2",
                path: "a://b"
            }
        );
        for local in [
            "C:\\x", "c:/x", "/abs/p:x", "./prod:x", "rel/dir", "a.b:x", ":x", "-x",
        ] {
            assert_eq!(syntax(local), Syntax::Local, "{local}");
        }
    }

    #[test]
    fn names_are_two_or_more_safe_characters() {
        assert!(valid_name("prod") && valid_name("a-b_C9") && valid_name("ab"));
        for bad in ["", "C", "a.b", "a b", "ü1", "a/b", "a:b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn odd_bytes_in_the_path_parse_back_exactly() {
        let odd = [
            "100% sure.txt",
            "a#b?c.txt",
            "sp ace/ü.txt",
            "-dash.txt",
            "%41%zz",
            "tab\tnew\nline",
            "trailing ",
            "back\\slash",
            "a+b&c=d",
            "日本/😀",
            "x%2Fy",
        ];
        let base = "s3://backups/some/prefix";
        let k = keys(&[("region", "eu-west-1")]);
        for name in odd {
            let url = url_of(base, &k, &format!("dir/{name}")).unwrap();
            let parsed = StorageUrl::parse(&url).unwrap();
            assert_eq!(parsed.bucket(), "backups", "{url}");
            assert_eq!(parsed.path(), format!("/some/prefix/dir/{name}"), "{url}");
            assert_eq!(parsed.query()["region"], "eu-west-1");
        }
    }

    #[test]
    fn keys_and_the_base_query_are_kept_and_escaped() {
        let base = "azblob://c/p?account-name=acct";
        let k = keys(&[
            ("account-key", "ab+c/d=="),
            ("sas-token", "sv=1&sig=a#b%2C ?"),
            ("endpoint", "http://u@127.0.0.1:9000/a,b"),
        ]);
        let url = url_of(base, &k, "x").unwrap();
        let parsed = StorageUrl::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/p/x");
        assert_eq!(parsed.query()["account-name"], "acct");
        assert_eq!(parsed.query()["account-key"], "ab+c/d==");
        assert_eq!(parsed.query()["sas-token"], "sv=1&sig=a#b%2C ?");
        assert_eq!(parsed.query()["endpoint"], "http://u@127.0.0.1:9000/a,b");
        assert!(
            url.contains("endpoint=http://u@127.0.0.1:9000/a,b"),
            "{url}"
        );
    }

    #[test]
    fn the_root_and_directories_keep_their_slash() {
        let none = BTreeMap::new();
        assert_eq!(url_of("s3://b/p", &none, "").unwrap(), "s3://b/p/");
        assert_eq!(url_of("s3://b", &none, "").unwrap(), "s3://b/");
        assert_eq!(url_of("s3://b/p/", &none, "d/").unwrap(), "s3://b/p/d/");
        assert_eq!(url_of("s3://b/p", &none, "/x").unwrap(), "s3://b/p/x");
        assert_eq!(
            url_of("fs:///data", &none, "a/./b/../c").unwrap(),
            "fs:///data/a/c"
        );
        assert_eq!(url_of("fs:///", &none, "").unwrap(), "fs:///");
        assert_eq!(url_of("memory://m", &none, "x").unwrap(), "memory://m/x");
        let err = url_of("s3://b/p", &none, "a/../../x").unwrap_err();
        assert_eq!(crate::exit::code(&err), crate::exit::USAGE);
    }

    #[test]
    fn a_store_without_a_bucket_takes_it_from_the_path() {
        let k = keys(&[("region", "us-east-1")]);
        let url = url_of("s3://", &k, "logs/2024/x").unwrap();
        let parsed = StorageUrl::parse(&url).unwrap();
        assert_eq!((parsed.bucket(), parsed.path()), ("logs", "/2024/x"));
        let account = url_of("s3://", &k, "").unwrap();
        assert_eq!(account, "s3://?region=us-east-1");
        assert_eq!(StorageUrl::parse(&account).unwrap().bucket(), "");
    }

    /// A session with `flags` and a config file holding `text`.
    fn session(dir: &std::path::Path, text: &str, flags: &[&str]) -> crate::session::Session {
        let file = dir.join("config.toml");
        std::fs::write(&file, text).unwrap();
        let mut argv = vec!["stor", "--config", file.to_str().unwrap()];
        argv.extend_from_slice(flags);
        crate::session::Session::new(crate::session::parse_global(&argv))
    }

    const CONFIG: &str = "[prod]\nurl = 's3://backups/p'\nregion = 'eu-west-1'\n\
                          secret-access-key = 'hunter2'\n\n[home]\nurl = 'fs:///data'\n";

    #[test]
    fn a_named_location_resolves_to_its_store_with_the_literal_path() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path(), CONFIG, &[]);
        let resolved = s.resolve("prod:a#b/100% x?.txt").unwrap();
        let parsed = StorageUrl::parse(&resolved.url).unwrap();
        assert_eq!(parsed.bucket(), "backups");
        assert_eq!(parsed.path(), "/p/a#b/100% x?.txt");
        assert_eq!(parsed.query()["region"], "eu-west-1");
        assert_eq!(parsed.query()["secret-access-key"], "hunter2");
        assert!(!resolved.shown.contains("hunter2"), "{}", resolved.shown);
        let home = s.resolve("home:sp ace/ü").unwrap();
        assert_eq!(
            StorageUrl::parse(&home.url).unwrap().path(),
            "/data/sp ace/ü"
        );
    }

    #[test]
    fn flags_become_keys_of_cloud_locations_only() {
        let dir = tempfile::tempdir().unwrap();
        let flags = [
            "--endpoint",
            "http://127.0.0.1:9000",
            "--region",
            "us-east-2",
        ];
        let s = session(dir.path(), CONFIG, &flags);
        let named = StorageUrl::parse(&s.resolve("prod:x").unwrap().url).unwrap();
        // A flag wins over the store's own key.
        assert_eq!(named.query()["region"], "us-east-2");
        assert_eq!(named.query()["endpoint"], "http://127.0.0.1:9000");
        let url = s.resolve("gcs://b/x?endpoint=http://other").unwrap();
        let url = StorageUrl::parse(&url.url).unwrap();
        assert_eq!(url.query()["endpoint"], "http://127.0.0.1:9000");
        for untouched in ["memory://m/x", "/tmp/x", "fs:///tmp/x", "-"] {
            assert_eq!(s.resolve(untouched).unwrap().url, untouched);
        }
        let home = StorageUrl::parse(&s.resolve("home:x").unwrap().url).unwrap();
        assert!(home.query().is_empty());
        let profile = session(dir.path(), CONFIG, &["--profile", "backup"]);
        let url = StorageUrl::parse(&profile.resolve("s3://b/x").unwrap().url).unwrap();
        assert_eq!(url.query()["profile"], "backup");
    }

    #[test]
    fn an_unknown_name_is_a_usage_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path(), CONFIG, &[]);
        let err = s.resolve("nosuch:x").unwrap_err();
        assert_eq!(crate::exit::code(&err), crate::exit::USAGE);
        let text = format!("{err:#}");
        assert!(
            text.contains("config.toml") && text.contains("./nosuch:x"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_config_breaks_named_locations_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(
            dir.path(),
            "[prod]\nurl = 's3://b'\nsecret-key = 'hunter2",
            &[],
        );
        assert_eq!(s.resolve("s3://b/x").unwrap().url, "s3://b/x");
        assert_eq!(s.resolve("/tmp/x").unwrap().url, "/tmp/x");
        let err = s.resolve("prod:x").unwrap_err();
        let text = format!("{err:#}");
        assert_eq!(crate::exit::code(&err), crate::exit::USAGE);
        assert!(
            text.contains("line 3") && !text.contains("hunter2"),
            "{text}"
        );
    }
}

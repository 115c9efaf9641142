//! `stor config`: add, list, show and remove the named stores of the config file
//! (`~/.config/stor/config.toml`), secrets masked in everything it prints.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use storage::{Error, ErrorKind, StorageUrl};

use crate::config_file::{self, Store, Stores};
use crate::exit::usage;
use crate::named::{self, Syntax};
use crate::session::Session;

/// `stor config ...`.
#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Add a named store: `stor config add prod s3://backups region=eu-west-1`. The URL's own
    /// query keys are kept as the store's keys.
    #[command(
        after_help = "Examples:\n  stor config add prod s3://backups region=eu-west-1 \
                            profile=backup\n  stor config add minio s3:// \
                            endpoint=http://127.0.0.1:9000 region=us-east-1\n  stor config add \
                            --force logs 'gcs://logs?project-id=acme'\n  stor config add \
                            archive /mnt/archive"
    )]
    Add(AddArgs),
    /// One line per named store: its name and its URL, secrets masked.
    #[command(after_help = "Examples:\n  stor config list\n  stor --json config list")]
    List,
    /// Every key of a named store, secrets masked.
    #[command(after_help = "Examples:\n  stor config show prod\n  stor --json config show prod")]
    Show(NameArg),
    /// Remove a named store.
    #[command(after_help = "Example:\n  stor config remove prod")]
    Remove(NameArg),
    /// Print the config file's path.
    #[command(after_help = "Example:\n  $EDITOR \"$(stor config path)\"")]
    Path,
}

#[derive(Debug, Args)]
struct AddArgs {
    /// Replace a store of the same name.
    #[arg(long)]
    force: bool,
    /// The name: two or more of A-Z a-z 0-9 _ - (used as `NAME:path`).
    name: String,
    /// The store's URL (or a local directory); `s3://` alone is the whole account.
    url: String,
    /// URL keys (`region=eu-west-1`, `endpoint=http://..`, `access-key=..`).
    #[arg(value_name = "KEY=VALUE")]
    keys: Vec<String>,
}

#[derive(Debug, Args)]
struct NameArg {
    /// The store's name.
    name: String,
}

/// `stor config`.
pub(crate) async fn config(session: &Session, args: ConfigArgs) -> Result<()> {
    let file = file(session)?;
    match args.command {
        ConfigCommand::Add(add) => add_store(&file, add),
        ConfigCommand::List => print_list(session),
        ConfigCommand::Show(name) => show(session, &file, &name.name),
        ConfigCommand::Remove(name) => {
            let mut stores = config_file::load(&file)?;
            if stores.remove(&name.name).is_none() {
                return Err(missing(&name.name, &file));
            }
            config_file::save(&file, &stores)
        }
        ConfigCommand::Path => {
            println!("{}", file.display());
            Ok(())
        }
    }
}

/// The config file, or why there is none.
pub(crate) fn file(session: &Session) -> Result<PathBuf> {
    config_file::path(session.global.config.as_deref()).ok_or_else(|| {
        usage("no config file: give --config FILE or STOR_CONFIG (there is no home directory)")
    })
}

fn missing(name: &str, file: &std::path::Path) -> anyhow::Error {
    anyhow::Error::new(Error::new(
        ErrorKind::NotFound,
        format!("no store named `{name}` in {}", file.display()),
    ))
}

fn add_store(file: &std::path::Path, args: AddArgs) -> Result<()> {
    if !named::valid_name(&args.name) {
        return Err(usage(format!(
            "`{}`: a store's name is two or more of A-Z a-z 0-9 _ -",
            args.name
        )));
    }
    let store = store_of(&args.url, &args.keys)?;
    let mut stores = config_file::load(file)?;
    if stores.contains_key(&args.name) && !args.force {
        return Err(anyhow::Error::new(Error::new(
            ErrorKind::AlreadyExists,
            format!(
                "a store named `{}` is in {} already (--force replaces it)",
                args.name,
                file.display()
            ),
        )));
    }
    stores.insert(args.name, store);
    config_file::save(file, &stores)
}

/// The store `url` and `keys` describe: the URL parsed (so that it is checked, and its
/// dialect keys translated), the keys added, then split into the URL without its query and
/// the keys.
fn store_of(url: &str, keys: &[String]) -> Result<Store> {
    match named::syntax(url) {
        Syntax::Url | Syntax::Local => {}
        Syntax::Stdio | Syntax::Named { .. } => {
            return Err(usage(format!(
                "`{url}`: a named store is a URL or a local directory (./{url} for a local one)"
            )));
        }
    }
    let mut pairs = Vec::new();
    for (at, pair) in keys.iter().enumerate() {
        // The argument itself is not quoted: it may be a secret given without its key.
        let Some((key, value)) = pair.split_once('=') else {
            return Err(usage(format!(
                "URL keys are given as KEY=VALUE: key {} of {} has no `=`",
                at + 1,
                keys.len()
            )));
        };
        if storage::types::backend::normal_key(key) == "url" {
            return Err(usage("`url` is the store's URL, not a key"));
        }
        pairs.push((key.to_owned(), value.to_owned()));
    }
    let shown = storage::redact_url(url);
    let parsed = StorageUrl::parse(url)
        .and_then(|parsed| parsed.with_options(pairs))
        .with_context(|| shown.clone())?;
    let full = parsed.to_url_with_secrets();
    let base = full.split_once('?').map_or(full.as_str(), |(base, _)| base);
    Ok(Store {
        url: base.to_owned(),
        keys: parsed.query().clone(),
    })
}

/// Whether URL key `key` holds a secret: judged as `storage::redact_url` judges it.
pub(crate) fn is_secret(key: &str) -> bool {
    let probe = format!("s3://b?{}=x", escape_key(key));
    storage::redact_url(&probe).ends_with("=***")
}

/// A query key or value for a URL that is read by people and parsed back: only what would
/// change its meaning (`%`, `&`, `=`, `#`, `+`, spaces, control characters) is escaped.
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if matches!(c, '%' | '&' | '=' | '#' | '+' | ' ') || c.is_control() {
            crate::printed::push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The store's URL with its keys, secrets masked.
pub(crate) fn shown_url(store: &Store) -> String {
    let mut url = storage::redact_url(&store.url);
    for (key, value) in &store.keys {
        url.push(if url.contains('?') { '&' } else { '?' });
        let value = if is_secret(key) {
            "***".to_owned()
        } else {
            escape_key(value)
        };
        url.push_str(&format!("{}={value}", escape_key(key)));
    }
    url
}

/// `stor config list` (and `stor ls` without a location): one store a line.
pub(crate) fn print_list(session: &Session) -> Result<()> {
    let file = file(session)?;
    let stores = config_file::load(&file)?;
    if stores.is_empty() && !session.global.json {
        eprintln!(
            "stor: no named stores in {} (add one: stor config add NAME URL)",
            file.display()
        );
    }
    let width = stores.keys().map(String::len).max().unwrap_or(0);
    for (name, store) in &stores {
        if session.global.json {
            let line = serde_json::json!({ "name": name, "url": shown_url(store) });
            println!("{line}");
        } else {
            println!("{name:<width$}  {}", shown_url(store));
        }
    }
    Ok(())
}

fn show(session: &Session, file: &std::path::Path, name: &str) -> Result<()> {
    let stores: Stores = config_file::load(file)?;
    let Some(store) = stores.get(name) else {
        return Err(missing(name, file));
    };
    let keys: BTreeMap<&str, &str> = store
        .keys
        .iter()
        .map(|(k, v)| {
            let shown = if is_secret(k) { "***" } else { v.as_str() };
            (k.as_str(), shown)
        })
        .collect();
    let url = storage::redact_url(&store.url);
    if session.global.json {
        let line = serde_json::json!({ "name": name, "url": url, "keys": keys });
        println!("{line}");
        return Ok(());
    }
    println!("name: {name}");
    println!("url: {url}");
    for (key, value) in keys {
        println!("{key}: {value}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_judged_as_redact_url_judges_them() {
        for secret in [
            "secret-access-key",
            "access-key",
            "account-key",
            "sas-token",
            "connection-string",
            "credentials-file",
            "session-token",
            "sse-customer-key",
        ] {
            assert!(is_secret(secret), "{secret}");
        }
        for plain in [
            "region",
            "endpoint",
            "account-name",
            "profile",
            "force-path-style",
        ] {
            assert!(!is_secret(plain), "{plain}");
        }
    }

    #[test]
    fn shown_urls_mask_secrets() {
        let store = Store {
            url: "s3://b/p".to_owned(),
            keys: BTreeMap::from([
                ("region".to_owned(), "eu west".to_owned()),
                ("secret-access-key".to_owned(), "hunter2".to_owned()),
            ]),
        };
        let shown = shown_url(&store);
        assert_eq!(shown, "s3://b/p?region=eu%20west&secret-access-key=***");
    }

    #[test]
    fn an_added_url_keeps_its_query_as_keys() {
        let store = store_of(
            "s3a://backups/some%20prefix?Region=eu&secret_access_key=hunter2",
            &[
                "endpoint=http://127.0.0.1:9000".to_owned(),
                "region=us".to_owned(),
            ],
        )
        .unwrap();
        assert_eq!(store.url, "s3://backups/some%20prefix");
        assert_eq!(store.keys["region"], "us");
        assert_eq!(store.keys["secret-access-key"], "hunter2");
        assert_eq!(store.keys["endpoint"], "http://127.0.0.1:9000");
        let local = store_of("/data/x", &[]).unwrap();
        assert_eq!(local.url, "fs:///data/x");
        assert_eq!(store_of("s3://", &[]).unwrap().url, "s3://");
    }

    #[test]
    fn bad_adds_are_usage_errors_without_secrets() {
        for (url, keys) in [
            ("prod:x", vec![]),
            ("-", vec![]),
            ("s3://b", vec!["secret-access-key"]),
            ("s3://b", vec!["url=s3://c"]),
        ] {
            let keys: Vec<String> = keys.into_iter().map(str::to_owned).collect();
            let err = store_of(url, &keys).unwrap_err();
            assert_eq!(
                crate::exit::code(&err),
                crate::exit::USAGE,
                "{url} {keys:?}"
            );
        }
        let err = store_of("s3://b/%zz?secret-access-key=hunter2", &[]).unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"), "{err:#}");
    }
}

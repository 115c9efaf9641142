//! What every command shares: the global flags (output, named stores, endpoint, bandwidth)
//! and the one way a command line's location becomes a store and a path.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use clap::Args;
use storage::{Location, StorageUrl};

use crate::config_file::{self, Stores};
use crate::exit::usage;
use crate::named::{self, Syntax};

/// Flags that every command takes, before or after its name.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Print errors only: no per-file lines, no summary, no progress bar.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// More on standard error: -v each file and each retry, -vv each request's span.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Show the progress bar even when standard error is not a terminal.
    #[arg(long, global = true, overrides_with = "no_progress")]
    pub(crate) progress: bool,
    /// Never show the progress bar.
    #[arg(long, global = true)]
    pub(crate) no_progress: bool,
    /// Print JSON, one object per line, instead of text (the schema is in docs/cli.md).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// The file of named stores [default: ~/.config/stor/config.toml].
    #[arg(long, global = true, value_name = "FILE", env = "STOR_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// The service endpoint for cloud locations (URL key `endpoint`): an S3-compatible store,
    /// an emulator, a private endpoint.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// The region of S3 locations (URL key `region`; Azure and GCS locations have none).
    #[arg(long, global = true, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// The credentials profile of S3 locations (URL key `profile`: a shared-config profile).
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Cap all transfers together at this many bytes per second (`10MiB`, `500K`).
    #[arg(long, global = true, value_name = "RATE", value_parser = crate::human::size_flag)]
    pub(crate) bwlimit: Option<u64>,
}

/// A location given on the command line, resolved: the URL to open, and how to show it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The URL (or local path) with the named store and the flags applied; may hold secrets.
    pub(crate) url: String,
    /// The location for messages: secrets masked.
    pub(crate) shown: String,
}

/// A location opened: the store, the path in it, and the URL it came from.
pub(crate) struct Located {
    /// The store and the path.
    pub(crate) loc: Location,
    /// The URL that was opened (secrets included: for `same_store`, never for display).
    pub(crate) url: String,
    /// The location for messages.
    pub(crate) shown: String,
}

/// The global flags, and the named stores once read.
pub(crate) struct Session {
    /// The flags.
    pub(crate) global: GlobalArgs,
    /// The named stores, read at the first `NAME:` location: a broken config file breaks
    /// only the commands that name a store.
    stores: OnceLock<Stores>,
}

impl Session {
    pub(crate) fn new(global: GlobalArgs) -> Self {
        Session {
            global,
            stores: OnceLock::new(),
        }
    }

    /// `arg` as the URL to open: a named store's URL with the path appended and its keys as
    /// the query, then `--endpoint`, `--region` and `--profile` as URL keys of a cloud
    /// location. `-`, local paths and URLs without those flags stay as they are.
    pub(crate) fn resolve(&self, arg: &str) -> Result<Resolved> {
        let plain = || Resolved {
            url: arg.to_owned(),
            shown: storage::redact_url(arg),
        };
        let url = match named::syntax(arg) {
            Syntax::Stdio | Syntax::Local => return Ok(plain()),
            Syntax::Url => self.with_flags(arg)?,
            Syntax::Named { name, path } => match self.named(name, path, arg)? {
                Some(url) => self.with_flags(&url)?,
                None => return Ok(plain()),
            },
        };
        Ok(Resolved {
            shown: storage::redact_url(&url),
            url,
        })
    }

    /// The URL of `NAME:path`; `None` when NAME is no store but `arg` is an existing local
    /// path.
    fn named(&self, name: &str, path: &str, arg: &str) -> Result<Option<String>> {
        let file = config_file::path(self.global.config.as_deref());
        let stores = match &file {
            Some(file) => self
                .stores(file)
                .with_context(|| format!("{arg}: the named stores (a local file: ./{arg})"))?,
            None => &Stores::new(),
        };
        if let Some(store) = stores.get(name) {
            let url = named::url_of(&store.url, &store.keys, path).with_context(|| {
                let file = file.as_deref().unwrap_or(Path::new("?")).display();
                format!("{arg}: the store `{name}` in {file}")
            })?;
            return Ok(Some(url));
        }
        if Path::new(arg).symlink_metadata().is_ok() {
            return Ok(None);
        }
        let file = file.map_or("no config file (no home directory)".to_owned(), |f| {
            f.display().to_string()
        });
        Err(usage(format!(
            "{arg}: `{name}` is not a named store in {file} (stor config list shows them); \
             for a local file write ./{arg}"
        )))
    }

    /// The stores of `file`, read once.
    fn stores(&self, file: &Path) -> Result<&Stores> {
        if let Some(stores) = self.stores.get() {
            return Ok(stores);
        }
        let loaded = config_file::load(file)?;
        Ok(self.stores.get_or_init(|| loaded))
    }

    /// `url` with the endpoint, region and profile flags as its keys, where its store takes
    /// them: `--endpoint` on every cloud, `--region` and `--profile` on S3 only (Azure and GCS
    /// have neither key, and a `cp` from GCS to S3 with `--region` means S3's region).
    /// Local files and memory stores take none.
    fn with_flags(&self, url: &str) -> Result<String> {
        let parsed = StorageUrl::parse(url).with_context(|| storage::redact_url(url))?;
        let keys: &[&str] = match parsed.scheme() {
            "s3" => &["endpoint", "region", "profile"],
            "azblob" | "gcs" => &["endpoint"],
            _ => &[],
        };
        let flags: Vec<(&str, &str)> = [
            ("endpoint", &self.global.endpoint),
            ("region", &self.global.region),
            ("profile", &self.global.profile),
        ]
        .into_iter()
        .filter(|(key, _)| keys.contains(key))
        .filter_map(|(key, value)| Some((key, value.as_deref()?)))
        .collect();
        if flags.is_empty() {
            return Ok(url.to_owned());
        }
        let parsed = parsed
            .with_options(flags)
            .with_context(|| storage::redact_url(url))?;
        Ok(parsed.to_url_with_secrets())
    }

    /// `arg` resolved and opened.
    pub(crate) async fn locate(&self, arg: &str) -> Result<Located> {
        let resolved = self.resolve(arg)?;
        let loc = storage::locate(&resolved.url)
            .await
            .with_context(|| resolved.shown.clone())?;
        Ok(Located {
            loc,
            url: resolved.url,
            shown: resolved.shown,
        })
    }
}

/// The global flags of a command line, for unit tests that need a session or a report.
#[cfg(test)]
pub(crate) fn parse_global(argv: &[&str]) -> GlobalArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        global: GlobalArgs,
    }
    match Line::try_parse_from(argv) {
        Ok(line) => line.global,
        Err(err) => panic!("{err}"),
    }
}

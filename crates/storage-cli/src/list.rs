//! `stor ls` and `stor stat`, as text or JSON; `stor ls` without a location lists the named
//! stores, and of an account URL (`s3://`) its buckets.

use std::borrow::Cow;

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use storage::{ListOptions, Metadata, StorageUrl};

use crate::human::HumanArgs;
use crate::named::Syntax;
use crate::session::{Located, Session};

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// List everything below the directory, not only one level.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Show size and modification time.
    #[arg(short = 'l', long = "long")]
    pub(crate) long: bool,
    /// `-h`: human-readable sizes (implies -l).
    #[command(flatten)]
    pub(crate) sizes: crate::human::HumanArgs,
    /// The directory to list. Without it: the named stores of the config file. A URL without
    /// a bucket (`s3://`) lists the buckets.
    pub(crate) location: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct StatArgs {
    /// The object or directory.
    pub(crate) location: String,
}

/// The bucket an account URL is opened on to list its buckets: every cloud store needs one to
/// open, and listing buckets asks the account, never this bucket.
const ANY_BUCKET: &str = "stor-list-buckets";

pub(crate) async fn ls(session: &Session, args: LsArgs) -> Result<()> {
    let Some(location) = &args.location else {
        return crate::config::print_list(session);
    };
    let resolved = session.resolve(location)?;
    if let Some(account) = account_url(&resolved.url) {
        return list_buckets(session, &account, &resolved.shown).await;
    }
    let Located { loc, shown, .. } = session.locate(location).await?;
    // Below a URL, names print escaped where the URL would read them otherwise, so that the
    // listed URL followed by a printed name names the object again; local paths and
    // `NAME:path` are literal, so their names print as they are. JSON carries the raw name.
    let escaped = crate::named::syntax(location) == Syntax::Url && !session.global.json;
    let mut opts = ListOptions::default();
    if args.recursive {
        opts = opts.recursive();
    }
    let dir = storage::ObjectPath::parse_dir(&loc.path).with_context(|| shown.clone())?;
    let mut entries = loc
        .store
        .list_with(dir.as_str(), opts)
        .await
        .with_context(|| shown.clone())?;
    while let Some(entry) = entries.try_next().await.with_context(|| shown.clone())? {
        let name = entry
            .path
            .as_str()
            .strip_prefix(dir.as_str())
            .unwrap_or(entry.path.as_str());
        let name = match escaped {
            true => Cow::Owned(crate::printed::escape(name)),
            false => Cow::Borrowed(name),
        };
        if session.global.json {
            println!("{}", metadata_json(&name, &entry.metadata));
        } else if args.long || args.sizes.human {
            println!("{}  {}", long_columns(&entry.metadata, &args.sizes), name);
        } else {
            println!("{name}");
        }
    }
    Ok(())
}

/// For a cloud URL without a bucket (`s3://?region=..`, a named store of a whole account):
/// the URL to open to list the account's buckets.
fn account_url(url: &str) -> Option<String> {
    let parsed = StorageUrl::parse(url).ok()?;
    let cloud = matches!(parsed.scheme(), "s3" | "azblob" | "gcs");
    if !cloud || !parsed.bucket().is_empty() || !parsed.path().trim_matches('/').is_empty() {
        return None;
    }
    let full = parsed.to_url_with_secrets();
    let rest = full.strip_prefix(&format!("{}://", parsed.scheme()))?;
    Some(format!("{}://{ANY_BUCKET}{rest}", parsed.scheme()))
}

/// The account's buckets, one a line as `NAME/` (so that `s3://` followed by a printed name
/// lists that bucket), or as JSON with `"mode":"bucket"`.
async fn list_buckets(session: &Session, account: &str, shown: &str) -> Result<()> {
    let store = storage::open(account)
        .await
        .with_context(|| shown.to_owned())?;
    let names = store
        .list_buckets()
        .await
        .with_context(|| shown.to_owned())?;
    for name in names {
        if session.global.json {
            println!(
                "{}",
                serde_json::json!({ "path": format!("{name}/"), "mode": "bucket" })
            );
        } else {
            println!("{name}/");
        }
    }
    Ok(())
}

fn long_columns(meta: &Metadata, sizes: &HumanArgs) -> String {
    let size = if meta.is_dir() {
        "DIR".to_owned()
    } else {
        sizes.size(meta.size)
    };
    let modified = meta
        .last_modified
        .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        .unwrap_or_else(|| "-".repeat(20));
    format!("{size:>12}  {modified}")
}

/// Every field of `meta`, as one JSON object (absent fields left out).
fn metadata_json(path: &str, meta: &Metadata) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("path".into(), path.into());
    let mode = if meta.is_dir() { "dir" } else { "file" };
    object.insert("mode".into(), mode.into());
    object.insert("size".into(), meta.size.into());
    for (name, value) in optional_fields(meta) {
        if let Some(value) = value {
            object.insert(name.into(), value.into());
        }
    }
    if !meta.user_metadata.is_empty() {
        let user: serde_json::Map<String, serde_json::Value> = meta
            .user_metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        object.insert("user_metadata".into(), user.into());
    }
    object.into()
}

/// The metadata fields a store may or may not report.
fn optional_fields(meta: &Metadata) -> [(&'static str, Option<String>); 8] {
    [
        ("etag", meta.etag.clone()),
        (
            "last_modified",
            meta.last_modified
                .map(|t| humantime::format_rfc3339(t).to_string()),
        ),
        ("content_type", meta.content_type.clone()),
        ("content_encoding", meta.content_encoding.clone()),
        ("cache_control", meta.cache_control.clone()),
        ("content_disposition", meta.content_disposition.clone()),
        ("version", meta.version.clone()),
        ("storage_class", meta.storage_class.clone()),
    ]
}

pub(crate) async fn stat(session: &Session, args: StatArgs) -> Result<()> {
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    let meta = loc
        .store
        .stat(&loc.path)
        .await
        .with_context(|| shown.clone())?;
    if session.global.json {
        println!("{}", metadata_json(&loc.path, &meta));
        return Ok(());
    }
    println!("path: {}", loc.path);
    println!("mode: {}", if meta.is_dir() { "dir" } else { "file" });
    println!("size: {}", meta.size);
    for (name, value) in optional_fields(&meta) {
        if let Some(value) = value {
            println!("{name}: {value}");
        }
    }
    for (key, value) in &meta.user_metadata {
        println!("meta.{key}: {value}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cloud_urls_without_a_bucket_list_buckets() {
        let account = account_url("s3://?region=eu-west-1&secret-access-key=a+b").unwrap();
        let parsed = StorageUrl::parse(&account).unwrap();
        assert_eq!(parsed.bucket(), ANY_BUCKET);
        assert_eq!(parsed.query()["secret-access-key"], "a+b");
        assert_eq!(parsed.query()["region"], "eu-west-1");
        assert!(account_url("gcs://").is_some());
        assert!(account_url("azblob:///?account-name=a").is_some());
        for not in [
            "s3://b/",
            "s3://b",
            "memory://",
            "fs:///",
            "/tmp",
            "s3:///x",
            "s3://%zz",
        ] {
            assert_eq!(account_url(not), None, "{not}");
        }
    }
}

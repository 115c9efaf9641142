//! `stor ls` and `stor stat`, as text or JSON.

use anyhow::{Context, Result};
use futures_util::TryStreamExt;
use storage::{ListOptions, Metadata, locate, redact_url};

use crate::cli::{LsArgs, StatArgs};
use crate::human::HumanArgs;

pub(crate) async fn ls(args: LsArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
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
        if args.json {
            println!("{}", metadata_json(name, &entry.metadata));
        } else if args.long || args.sizes.human {
            println!("{}  {}", long_columns(&entry.metadata, &args.sizes), name);
        } else {
            println!("{name}");
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

pub(crate) async fn stat(args: StatArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    let meta = loc
        .store
        .stat(&loc.path)
        .await
        .with_context(|| shown.clone())?;
    if args.json {
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

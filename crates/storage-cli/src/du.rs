//! `stor du`: the bytes and the number of objects below a prefix (`rclone size`,
//! `gcloud storage du -s`), as text or JSON.

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use storage::{ErrorKind, ListOptions, ObjectPath, Storage};

use crate::human::HumanArgs;
use crate::session::{Located, Session};

#[derive(Debug, Args)]
pub(crate) struct DuArgs {
    #[command(flatten)]
    pub(crate) sizes: HumanArgs,
    /// The directory (prefix) to measure; an object's name measures that object.
    pub(crate) location: String,
}

/// What lies below a prefix.
#[derive(Debug, Default, Clone, Copy)]
struct Total {
    bytes: u64,
    objects: u64,
}

pub(crate) async fn du(session: &Session, args: DuArgs) -> Result<()> {
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    let dir = ObjectPath::parse_dir(&loc.path).with_context(|| shown.clone())?;
    let store = loc.store.as_ref();
    // Without a trailing `/` the location may name one object rather than a prefix.
    let names_object = !loc.path.is_empty() && !loc.path.ends_with('/');
    let total = match sum_below(store, dir.as_str()).await {
        Ok(total) if total.objects > 0 || !names_object => total,
        Ok(total) => one_object(store, &loc.path)
            .await
            .with_context(|| shown.clone())?
            .unwrap_or(total),
        // A local file is not a directory to list.
        Err(err)
            if names_object
                && matches!(err.kind(), ErrorKind::NotDirectory | ErrorKind::NotFound) =>
        {
            match one_object(store, &loc.path)
                .await
                .with_context(|| shown.clone())?
            {
                Some(total) => total,
                None => return Err(err).with_context(|| shown.clone()),
            }
        }
        Err(err) => return Err(err).with_context(|| shown.clone()),
    };
    if session.global.json {
        let json = serde_json::json!({
            "path": shown,
            "bytes": total.bytes,
            "objects": total.objects,
        });
        println!("{json}");
    } else {
        let noun = if total.objects == 1 {
            "object"
        } else {
            "objects"
        };
        println!(
            "{}  {} {noun}  {shown}",
            args.sizes.size(total.bytes),
            total.objects
        );
    }
    Ok(())
}

/// The objects below `dir`, streamed: a prefix of millions of objects is summed, never held.
async fn sum_below(store: &dyn Storage, dir: &str) -> storage::Result<Total> {
    let mut total = Total::default();
    let mut entries = store
        .list_with(dir, ListOptions::default().recursive())
        .await?;
    while let Some(entry) = entries.try_next().await? {
        if !entry.metadata.is_dir() {
            total.bytes += entry.metadata.size;
            total.objects += 1;
        }
    }
    Ok(total)
}

/// `path` as one object, if it is one.
async fn one_object(store: &dyn Storage, path: &str) -> storage::Result<Option<Total>> {
    match store.stat(path).await {
        Ok(meta) if !meta.is_dir() => Ok(Some(Total {
            bytes: meta.size,
            objects: 1,
        })),
        Ok(_) => Ok(None),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

//! `stor mb` and `stor rb`: make and remove the bucket (container) a URL names.

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use serde_json::json;
use storage::{Error, ErrorKind, ListOptions};

use crate::session::{GlobalArgs, Located, Session};

#[derive(Debug, Args)]
pub(crate) struct LocationArg {
    /// The location.
    pub(crate) location: String,
}

pub(crate) async fn mb(session: &Session, args: LocationArg) -> Result<()> {
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    let name = loc.store.info().name.clone();
    loc.store
        .create_bucket(&name)
        .await
        .with_context(|| shown.clone())?;
    done(&session.global, Event::Made, &name);
    Ok(())
}

pub(crate) async fn rb(session: &Session, args: LocationArg) -> Result<()> {
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    // Azure's Delete Container removes the blobs with it; `rb` removes empty buckets only,
    // on every store (exit 6 otherwise).
    let mut entries = loc
        .store
        .list_with("", ListOptions::default().recursive())
        .await
        .with_context(|| shown.clone())?;
    if entries
        .try_next()
        .await
        .with_context(|| shown.clone())?
        .is_some()
    {
        return Err(Error::new(
            ErrorKind::DirectoryNotEmpty,
            "the bucket is not empty; remove its objects first (stor rm -r)",
        ))
        .with_context(|| shown.clone());
    }
    drop(entries);
    let name = loc.store.info().name.clone();
    loc.store
        .delete_bucket(&name)
        .await
        .with_context(|| shown.clone())?;
    done(&session.global, Event::Removed, &name);
    Ok(())
}

/// What became of the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Made,
    Removed,
}

impl Event {
    fn as_str(self) -> &'static str {
        match self {
            Event::Made => "made",
            Event::Removed => "removed",
        }
    }
}

/// Says what was done: a JSON event on standard output with `--json`, else a line on standard
/// error (none with `-q`), so that standard output stays empty for scripts.
fn done(global: &GlobalArgs, event: Event, bucket: &str) {
    if global.json {
        println!("{}", json_line(event, bucket));
    } else if !global.quiet {
        eprintln!("{}", text_line(event, bucket));
    }
}

fn json_line(event: Event, bucket: &str) -> serde_json::Value {
    json!({"event": event.as_str(), "bucket": bucket})
}

fn text_line(event: Event, bucket: &str) -> String {
    format!("stor: {} bucket {bucket}", event.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_event_and_the_bucket() {
        let made = json_line(Event::Made, "b1");
        assert_eq!(made["event"], "made");
        assert_eq!(made["bucket"], "b1");
        assert_eq!(json_line(Event::Removed, "b1")["event"], "removed");
        assert_eq!(text_line(Event::Removed, "b1"), "stor: removed bucket b1");
    }
}

//! `stor rm`: remove an object, or with `-r` a directory and everything below it.

use anyhow::{Context, Result};
use storage::{ObjectPath, StorageExt, locate, redact_url};

use crate::cli::RmArgs;
use crate::exit::usage;

pub(crate) async fn rm(args: RmArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    if args.recursive {
        let dir = ObjectPath::parse_dir(&loc.path).with_context(|| shown.clone())?;
        if dir.is_root() {
            return Err(usage(format!(
                "{shown}: refusing to remove the root of a store"
            )));
        }
        loc.store
            .remove_all(dir.as_str())
            .await
            .with_context(|| shown.clone())?;
        return Ok(());
    }
    if !loc
        .store
        .exists(&loc.path)
        .await
        .with_context(|| shown.clone())?
    {
        // NotFound, so that the exit code says so (3).
        return Err(storage::Error::not_found("no such object")).with_context(|| shown.clone());
    }
    loc.store
        .delete(&loc.path)
        .await
        .with_context(|| shown.clone())?;
    Ok(())
}

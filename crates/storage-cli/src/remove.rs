//! `stor rm`: remove an object, or with `-r` a directory and everything below it.

use anyhow::{Context, Result, bail};
use storage::{ObjectPath, StorageExt, locate, redact_url};

use crate::cli::RmArgs;

pub(crate) async fn rm(args: RmArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    if args.recursive {
        let dir = ObjectPath::parse_dir(&loc.path).with_context(|| shown.clone())?;
        if dir.is_root() {
            bail!("{shown}: refusing to remove the root of a store");
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
        bail!("{shown}: no such object");
    }
    loc.store
        .delete(&loc.path)
        .await
        .with_context(|| shown.clone())?;
    Ok(())
}

//! Writing a body to disk: streamed into a temporary file next to the target, then committed
//! by rename, so readers see the old file or the new one, never a part. With durability on,
//! the file is synced before the rename and its directory after (see `durable.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use storage_types::{Body, ObjectPath, Result};
use tokio::io::AsyncWriteExt;

use crate::blocking::blocking;
use crate::durable::Durability;
use crate::paths::{create_parents, resolve};
use crate::temp::TempPath;

/// Writes a body already in memory to `path` below `root`, atomically, in one trip to the
/// blocking pool (blocking): resolve, create the parents, write the temporary file, commit.
/// Once started it runs to the end, so a dropped future leaves the old file or the new one.
pub(crate) fn write_bytes_atomic(
    root: &Path,
    path: &ObjectPath,
    bytes: &Bytes,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
    durability: &Durability,
) -> Result<std::fs::Metadata> {
    let target = resolve(root, path)?;
    create_parents(&target, durability)?;
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
    let temp = TempPath::new_in(&parent);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp.path())?;
    file.write_all(bytes)?;
    durability.file(&file)?;
    drop(file);
    temp.commit(&target, if_match, if_none_match)?;
    durability.dir(&parent)?;
    Ok(std::fs::metadata(&target)?)
}

/// Streams `body` into a new temporary file in `dir`, synced if `durability` is on. The file
/// is removed if anything fails or the returned future is dropped.
pub(crate) async fn spill(dir: &Path, body: Body, durability: &Durability) -> Result<TempPath> {
    let temp = TempPath::new_in(dir);
    let mut file = temp.create().await?;
    let mut stream = body.into_stream();
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk?).await?;
    }
    // tokio's File writes in the background; flush waits for the last write to land.
    file.flush().await?;
    durability.tokio_file(&file).await?;
    Ok(temp)
}

/// Writes `body` to `target` atomically, creating its parent directories, honouring the
/// preconditions at commit time.
pub(crate) async fn write_atomic(
    target: PathBuf,
    body: Body,
    if_match: Option<String>,
    if_none_match: Option<String>,
    durability: &Durability,
) -> Result<std::fs::Metadata> {
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
    let (target_for_mkdir, for_mkdir) = (target.clone(), durability.clone());
    blocking(move || create_parents(&target_for_mkdir, &for_mkdir)).await?;
    let temp = spill(&parent, body, durability).await?;
    commit(temp, target, if_match, if_none_match, durability).await
}

/// Moves a finished (and, with durability on, synced) temporary file over `target`, syncs
/// the directory, and returns the new file's metadata.
pub(crate) async fn commit(
    temp: TempPath,
    target: PathBuf,
    if_match: Option<String>,
    if_none_match: Option<String>,
    durability: &Durability,
) -> Result<std::fs::Metadata> {
    let durability = durability.clone();
    blocking(move || {
        temp.commit(&target, if_match.as_deref(), if_none_match.as_deref())?;
        if let Some(parent) = target.parent() {
            durability.dir(parent)?;
        }
        Ok(std::fs::metadata(&target)?)
    })
    .await
}

//! The directories below a directory (local directories, explicit markers), for tidying up
//! after the files in them were moved or removed.

use storage::{ObjectPath, Storage, StorageExt};

/// Every directory below `dir`, each after its parent (delete them in reverse to go deepest
/// first). On stores without directories the listing holds none.
pub(crate) async fn below(
    store: &dyn Storage,
    dir: &ObjectPath,
) -> storage::Result<Vec<ObjectPath>> {
    let mut dirs = Vec::new();
    let mut pending = vec![dir.clone()];
    while let Some(next) = pending.pop() {
        for entry in store.list_all(next.as_str()).await? {
            if entry.metadata.is_dir() {
                pending.push(entry.path.clone());
                dirs.push(entry.path);
            }
        }
    }
    Ok(dirs)
}

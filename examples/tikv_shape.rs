//! TiKV's `ExternalStorage` shape on rs-storage: write from an `AsyncRead` with its length,
//! read whole, read a part, iterate a key prefix, delete, and a create-only lock file, as
//! docs/migrating-from-tikv.md maps them.
//!
//! ```text
//! cargo run -p storage-examples --bin tikv_shape                      # local files
//! cargo run -p storage-examples --bin tikv_shape -- 's3://bucket/prefix?region=eu-west-1'
//! ```

use std::sync::Arc;

use storage::{ErrorKind, Storage, StorageExt, WriteOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = storage_examples::url_from_args("tikv_shape");
    let store = storage::open(&url).await?;
    println!("opened {}", storage::redact_url(&url));
    let run = format!("tikv-shape-{}/", std::process::id());

    // ExternalStorage::write(name, reader, content_length): streamed from the reader.
    let sst = storage_examples::dump_lines(19, 3 << 20);
    let name = format!("{run}v1/backupmeta");
    let reader = std::io::Cursor::new(sst.clone());
    let body = storage::io::body_from_reader(reader, Some(sst.len() as u64));
    store.write(&name, body).await?;
    for extra in ["v1/backupmeta.1", "v1/backupmeta_x/part-0", "v1/other"] {
        store.write_bytes(&format!("{run}{extra}"), "meta").await?;
    }

    // read(name) and read_part(name, off, len).
    anyhow::ensure!(store.read_bytes(&name).await? == sst, "whole read differs");
    let part = store.read_range(&name, 1000..1016).await?;
    anyhow::ensure!(part[..] == sst[1000..1016], "part read differs");

    // iter_prefix(prefix): every key starting with it, not only below a directory.
    let mut listing = store.list_prefix(&name).await?;
    let mut found = Vec::new();
    while let Some(entry) = listing.next().await {
        found.push(entry?.path.as_str().trim_start_matches(&run).to_owned());
    }
    let expected = ["v1/backupmeta", "v1/backupmeta.1", "v1/backupmeta_x/part-0"];
    anyhow::ensure!(found == expected, "prefix listing gave {found:?}");

    // The remote lock: a lock file written only if nobody holds it.
    let lock = format!("{run}LOCK");
    take_lock(&store, &lock, "this process").await?;
    let second = take_lock(&store, &lock, "another process").await;
    anyhow::ensure!(
        second
            .as_ref()
            .is_err_and(|e| e.kind() == ErrorKind::ConditionNotMet),
        "a held lock was taken again: {second:?}"
    );

    // delete(name): idempotent.
    for path in found.iter().chain([&"LOCK".to_owned()]) {
        store.delete(&format!("{run}{path}")).await?;
    }
    // Deleting again what is gone succeeds.
    store.delete(&name).await?;
    anyhow::ensure!(!store.exists(&name).await?, "deleted");
    println!("tikv_shape: ok");
    Ok(())
}

/// Writes the lock file only if it is absent: `ConditionNotMet` while someone holds it.
async fn take_lock(store: &Arc<dyn Storage>, lock: &str, holder: &str) -> storage::Result<()> {
    let create_only = WriteOptions::default().create_only();
    store
        .write_with(lock, holder.to_owned().into(), create_only)
        .await
        .map(drop)
}

//! Tests of `durable`: the sync path runs where it should, and not at all with durability off;
//! writes succeed either way. (A real power cut cannot be staged in a unit test: these count
//! the syncs.)

use std::sync::atomic::Ordering;

use bytes::Bytes;
use storage_types::{Body, Storage, StorageExt};

use crate::FsStorage;

/// The syncs `store` issued since the last call.
fn take_syncs(store: &FsStorage) -> u64 {
    store.durability().syncs.swap(0, Ordering::Relaxed)
}

fn streamed(text: &'static str) -> Body {
    let chunks = text
        .as_bytes()
        .chunks(3)
        .map(|c| Ok::<_, storage_types::Error>(Bytes::copy_from_slice(c)));
    Body::from_stream(futures_util::stream::iter(chunks.collect::<Vec<_>>()), None)
}

/// Runs every operation that creates or moves a file, checking its result and returning the
/// syncs each issued, by name.
async fn exercise(store: &FsStorage) -> Vec<(&'static str, u64)> {
    let mut syncs = Vec::new();
    take_syncs(store);

    store.write_bytes("new/deep/a.txt", "first").await.unwrap();
    syncs.push(("write in two new directories", take_syncs(store)));
    store.write_bytes("new/deep/a.txt", "second").await.unwrap();
    syncs.push(("write in memory", take_syncs(store)));
    store
        .write("new/b.txt", streamed("streamed body"))
        .await
        .unwrap();
    syncs.push(("streamed write", take_syncs(store)));
    store
        .write_with(
            "new/c.txt",
            Body::from_bytes("once".into()),
            storage_types::WriteOptions::default().with_if_none_match("*"),
        )
        .await
        .unwrap();
    syncs.push(("create-only write", take_syncs(store)));

    let upload = store.create_multipart("parts/m.bin").await.unwrap();
    let one = store
        .upload_part(&upload, 1, Body::from_bytes("part one, ".into()))
        .await
        .unwrap();
    let two = store
        .upload_part(&upload, 2, Body::from_bytes("part two".into()))
        .await
        .unwrap();
    syncs.push(("create and upload parts", take_syncs(store)));
    store
        .complete_multipart(&upload, &[one, two])
        .await
        .unwrap();
    syncs.push(("complete multipart", take_syncs(store)));

    store.create_append("log/app.log").await.unwrap();
    syncs.push(("create append", take_syncs(store)));
    let length = store
        .append("log/app.log", 0, Body::from_bytes("line 1\n".into()))
        .await
        .unwrap();
    syncs.push(("append", take_syncs(store)));
    store.commit_append("log/app.log").await.unwrap();

    store.copy("new/b.txt", "new/copy.txt").await.unwrap();
    syncs.push(("copy", take_syncs(store)));
    store.rename("new/copy.txt", "new/moved.txt").await.unwrap();
    syncs.push(("rename in one directory", take_syncs(store)));
    store
        .rename("new/moved.txt", "log/moved.txt")
        .await
        .unwrap();
    syncs.push(("rename across directories", take_syncs(store)));

    // Whatever the setting, every write landed.
    assert_eq!(store.read_bytes("new/deep/a.txt").await.unwrap(), "second");
    assert_eq!(
        store.read_bytes("new/b.txt").await.unwrap(),
        "streamed body"
    );
    assert_eq!(store.read_bytes("new/c.txt").await.unwrap(), "once");
    assert_eq!(
        store.read_bytes("parts/m.bin").await.unwrap(),
        "part one, part two"
    );
    assert_eq!(length, 7);
    assert_eq!(store.read_bytes("log/app.log").await.unwrap(), "line 1\n");
    assert_eq!(
        store.read_bytes("log/moved.txt").await.unwrap(),
        "streamed body"
    );
    syncs
}

#[tokio::test]
async fn writes_sync_the_file_and_its_directory_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::new(dir.path()).unwrap();
    assert!(store.sync_enabled());
    let syncs = exercise(&store).await;
    let expected = [
        // The root and `new/` gain a directory; the file; `new/deep/`.
        ("write in two new directories", 4),
        // The file before the rename, its directory after.
        ("write in memory", 2),
        ("streamed write", 2),
        ("create-only write", 2),
        // Staged parts are not synced; the assembled file is, like any write.
        ("create and upload parts", 0),
        ("complete multipart", 3),
        ("create append", 3),
        ("append", 1),
        ("copy", 2),
        ("rename in one directory", 1),
        ("rename across directories", 2),
    ];
    assert_eq!(syncs, expected);
}

#[tokio::test]
async fn sync_off_issues_no_sync_and_writes_still_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::new(dir.path()).unwrap().with_sync(false);
    assert!(!store.sync_enabled());
    for (operation, syncs) in exercise(&store).await {
        assert_eq!(syncs, 0, "{operation}");
    }
}

#[tokio::test]
async fn a_clone_shares_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::new(dir.path()).unwrap().with_sync(false);
    let clone = store.clone();
    clone.write_bytes("x", "y").await.unwrap();
    assert!(!clone.sync_enabled());
    assert_eq!(take_syncs(&store), 0);
    let durable = store.with_sync(true);
    durable.write_bytes("x", "z").await.unwrap();
    assert_eq!(take_syncs(&durable), 2);
    assert_eq!(durable.info().service, "fs");
}

//! A write that fails, for any reason, leaves the previous file (or none) and no temporary
//! litter: body errors midway, bodies shorter or longer than declared, cancelled writes, failed
//! appends and aborted multipart uploads.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use storage_fs::FsStorage;
use storage_types::{Body, ErrorKind, Storage, StorageExt};

/// Every name below `dir`, hidden ones included.
fn all_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        names.push(entry.file_name().to_string_lossy().into_owned());
        if entry.file_type().unwrap().is_dir() {
            for name in all_names(&entry.path()) {
                names.push(format!("{}/{name}", entry.file_name().to_string_lossy()));
            }
        }
    }
    names.sort();
    names
}

fn failing_body(declared: Option<u64>) -> Body {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(vec![b'n'; 1 << 20])),
        Ok(Bytes::from(vec![b'n'; 1 << 20])),
        Err(std::io::Error::other("the source disk failed")),
    ];
    Body::from_stream(futures_util::stream::iter(chunks), declared)
}

fn body_of_len(actual: usize, declared: u64) -> Body {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from(vec![b'n'; actual]))];
    Body::from_stream(futures_util::stream::iter(chunks), Some(declared))
}

async fn store_with_old() -> (tempfile::TempDir, FsStorage) {
    let dir = tempfile::tempdir().unwrap();
    let store = FsStorage::new(dir.path()).unwrap();
    store.write_bytes("d/obj", "old content").await.unwrap();
    (dir, store)
}

async fn assert_old_intact(store: &FsStorage) {
    assert_eq!(store.read_bytes("d/obj").await.unwrap(), "old content");
    assert_eq!(all_names(store.root()), ["d", "d/obj"]);
}

#[tokio::test]
async fn body_error_midway_keeps_the_old_file() {
    let (_dir, store) = store_with_old().await;
    let err = store.write("d/obj", failing_body(None)).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("the source disk failed"),
        "{err:#}"
    );
    assert_old_intact(&store).await;
}

#[tokio::test]
async fn body_error_on_a_new_path_leaves_nothing() {
    let (_dir, store) = store_with_old().await;
    store
        .write("d/new", failing_body(Some(3 << 20)))
        .await
        .unwrap_err();
    assert!(!store.exists("d/new").await.unwrap());
    assert_old_intact(&store).await;
}

#[tokio::test]
async fn short_and_long_bodies_keep_the_old_file() {
    let (_dir, store) = store_with_old().await;
    for (actual, declared) in [(10, 11), (12, 11), (0, 1), (1, 0)] {
        let err = store
            .write("d/obj", body_of_len(actual, declared))
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::IntegrityMismatch,
            "{actual} vs {declared}: {err}"
        );
        assert_old_intact(&store).await;
    }
}

#[tokio::test]
async fn cancelled_write_leaves_no_litter() {
    let (_dir, store) = store_with_old().await;
    let endless = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Some((Ok::<_, std::io::Error>(Bytes::from_static(b"more")), ()))
    });
    let write = store.write("d/obj", Body::from_stream(endless, None));
    let outcome = tokio::time::timeout(Duration::from_millis(100), write).await;
    assert!(
        outcome.is_err(),
        "the endless write should still be running"
    );
    // The temporary file is removed when the write's future is dropped.
    assert_old_intact(&store).await;
}

#[tokio::test]
async fn failed_append_truncates_back() {
    let (_dir, store) = store_with_old().await;
    let err = store
        .append("d/obj", 11, failing_body(None))
        .await
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("the source disk failed"),
        "{err:#}"
    );
    assert_old_intact(&store).await;
    let err = store.append("d/obj", 11, body_of_len(3, 4)).await;
    assert_eq!(err.unwrap_err().kind(), ErrorKind::IntegrityMismatch);
    assert_old_intact(&store).await;
}

#[tokio::test]
async fn aborted_and_completed_uploads_leave_no_staging_files() {
    let (_dir, store) = store_with_old().await;
    let aborted = store.create_multipart("d/big").await.unwrap();
    store
        .upload_part(&aborted, 1, Body::from("abc"))
        .await
        .unwrap();
    store.abort_multipart(&aborted).await.unwrap();

    let done = store.create_multipart("d/obj").await.unwrap();
    let p1 = store
        .upload_part(&done, 1, Body::from("new "))
        .await
        .unwrap();
    let p2 = store
        .upload_part(&done, 2, Body::from("content"))
        .await
        .unwrap();
    store.complete_multipart(&done, &[p1, p2]).await.unwrap();
    assert_eq!(store.read_bytes("d/obj").await.unwrap(), "new content");
    assert_eq!(all_names(store.root()), [".stor-multipart", "d", "d/obj"]);
}

#[tokio::test]
async fn failed_part_upload_keeps_no_part() {
    let (_dir, store) = store_with_old().await;
    let up = store.create_multipart("d/big").await.unwrap();
    store
        .upload_part(&up, 1, failing_body(None))
        .await
        .unwrap_err();
    assert!(store.list_parts(&up).await.unwrap().is_empty());
}

#[tokio::test]
async fn cancelled_append_keeps_the_previous_length() {
    let (_dir, store) = store_with_old().await;
    let endless = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        Some((Ok::<_, std::io::Error>(Bytes::from_static(b"more")), ()))
    });
    let append = store.append("d/obj", 11, Body::from_stream(endless, None));
    let outcome = tokio::time::timeout(Duration::from_millis(100), append).await;
    assert!(
        outcome.is_err(),
        "the endless append should still be running"
    );
    // The writing task truncates back once it sees the append abandoned.
    for _ in 0..100 {
        if store.read_bytes("d/obj").await.unwrap() == "old content" {
            return assert_old_intact(&store).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "the cancelled append left {:?}",
        store.read_bytes("d/obj").await.unwrap()
    );
}

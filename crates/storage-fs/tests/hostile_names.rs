//! Hostile names on local files: over-long names and paths fail with a clear `InvalidInput`
//! and leave nothing behind; names that differ only by case or by Unicode normalisation stay
//! distinct objects (Linux filesystems compare bytes), each reading back its own content.
#![allow(clippy::unwrap_used)]

use std::fs;

use storage_fs::FsStorage;
use storage_types::{ErrorKind, Storage, StorageExt};

fn store() -> (tempfile::TempDir, FsStorage) {
    let root = tempfile::tempdir().unwrap();
    let store = FsStorage::new(root.path()).unwrap();
    (root, store)
}

/// Every entry under the root, temporary files included.
fn everything_under(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.push(path.display().to_string());
        }
    }
    found
}

#[tokio::test]
async fn an_over_long_name_is_invalid_input_and_leaves_nothing() {
    let (root, store) = store();
    let name = "n".repeat(300);
    for path in [name.clone(), format!("dir/{name}")] {
        let err = store.write_bytes(&path, "x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path:.20}: {err}");
        let err = store.stat(&path).await.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidInput | ErrorKind::NotFound),
            "{err}"
        );
    }
    let left: Vec<String> = everything_under(root.path())
        .into_iter()
        .filter(|p| !p.ends_with("/dir"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn an_over_long_path_is_invalid_input() {
    let (root, store) = store();
    let path = vec!["s".repeat(200); 25].join("/");
    let err = store.write_bytes(&path, "x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let files: Vec<String> = everything_under(root.path())
        .into_iter()
        .filter(|p| !std::path::Path::new(p).is_dir())
        .collect();
    assert!(files.is_empty(), "left behind: {files:?}");
}

#[tokio::test]
async fn names_differing_by_case_are_distinct_objects() {
    let (_root, store) = store();
    store.write_bytes("Report.csv", "upper").await.unwrap();
    store.write_bytes("report.csv", "lower").await.unwrap();
    assert_eq!(&store.read_bytes("Report.csv").await.unwrap()[..], b"upper");
    assert_eq!(&store.read_bytes("report.csv").await.unwrap()[..], b"lower");
    let names = store.list_all("").await.unwrap();
    let names: Vec<&str> = names.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(names, ["Report.csv", "report.csv"]);
}

#[tokio::test]
async fn names_differing_by_unicode_normalisation_are_distinct_objects() {
    let (_root, store) = store();
    let composed = "caf\u{e9}.txt";
    let decomposed = "cafe\u{301}.txt";
    store.write_bytes(composed, "nfc").await.unwrap();
    store.write_bytes(decomposed, "nfd").await.unwrap();
    assert_eq!(&store.read_bytes(composed).await.unwrap()[..], b"nfc");
    assert_eq!(&store.read_bytes(decomposed).await.unwrap()[..], b"nfd");
    let mut names: Vec<String> = store
        .list_all("")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path.as_str().to_owned())
        .collect();
    names.sort();
    let mut expected = vec![composed.to_owned(), decomposed.to_owned()];
    expected.sort();
    assert_eq!(names, expected, "listed byte for byte as written");
    store.delete(composed).await.unwrap();
    assert!(
        store.exists(decomposed).await.unwrap(),
        "deleting one kept the other"
    );
}

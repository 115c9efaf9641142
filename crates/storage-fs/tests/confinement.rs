//! No path leads outside the root: `..`, absolute paths, NUL bytes and symlinks that point out
//! are refused with `InvalidInput`, and nothing outside is read, written or deleted.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use storage_fs::FsStorage;
use storage_types::{Body, ErrorKind, ListOptions, Storage, StorageExt};

struct Fixture {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: FsStorage,
    outside: std::path::PathBuf,
}

/// A root, and a sibling directory outside it holding `secret.txt`.
fn fixture() -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let outside_dir = tempfile::tempdir().unwrap();
    let outside = fs::canonicalize(outside_dir.path()).unwrap();
    fs::write(outside.join("secret.txt"), "outside").unwrap();
    let store = FsStorage::new(root.path()).unwrap();
    Fixture {
        _dirs: (root, outside_dir),
        store,
        outside,
    }
}

fn assert_untouched(outside: &Path) {
    let names: Vec<_> = fs::read_dir(outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["secret.txt"], "something changed outside the root");
    assert_eq!(
        fs::read_to_string(outside.join("secret.txt")).unwrap(),
        "outside"
    );
}

#[tokio::test]
async fn escaping_paths_are_invalid_input_for_every_operation() {
    let fx = fixture();
    let store: &dyn Storage = &fx.store;
    let relative_escape = format!(
        "../{}/secret.txt",
        fx.outside.file_name().unwrap().to_str().unwrap()
    );
    let absolute = fx.outside.join("secret.txt").to_str().unwrap().to_owned();
    for bad in [
        "../x",
        "a/../../x",
        relative_escape.as_str(),
        absolute.as_str(),
        "a/\0b",
        "..\\x",
    ] {
        let kind = |r: storage_types::Result<_>| r.err().map(|e| e.kind());
        let invalid = Some(ErrorKind::InvalidInput);
        assert_eq!(kind(store.stat(bad).await.map(drop)), invalid, "{bad:?}");
        assert_eq!(kind(store.read(bad).await.map(drop)), invalid, "{bad:?}");
        let write = store.write(bad, Body::from("x")).await;
        assert_eq!(kind(write.map(drop)), invalid, "{bad:?}");
        assert_eq!(kind(store.delete(bad).await), invalid, "{bad:?}");
        assert_eq!(kind(store.list(bad).await.map(drop)), invalid);
        assert_eq!(kind(store.copy("a", bad).await), invalid);
        assert_eq!(kind(store.rename(bad, "a").await), invalid);
        assert_eq!(kind(store.create_dir(bad).await), invalid, "{bad:?}");
    }
    assert_untouched(&fx.outside);
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_pointing_outside_are_refused() {
    let fx = fixture();
    let root = fx.store.root().to_path_buf();
    std::os::unix::fs::symlink(&fx.outside, root.join("out-dir")).unwrap();
    std::os::unix::fs::symlink(fx.outside.join("secret.txt"), root.join("out-file")).unwrap();
    let store: &dyn Storage = &fx.store;

    for path in ["out-file", "out-dir/secret.txt"] {
        let err = store.read_bytes(path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
        let err = store.stat(path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
        let err = store.write_bytes(path, "overwritten").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
        let err = store.delete(path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
        let err = store.append(path, 7, Body::from("more")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
        let err = store.copy(path, "copied").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path}: {err}");
    }
    let err = store.write_bytes("out-dir/new.txt", "x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = store.list("out-dir/").await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    // Listing the root shows neither link: they lead outside.
    let names: Vec<String> = store
        .list_all_with("", ListOptions::default().recursive())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path.to_string())
        .collect();
    assert!(names.is_empty(), "{names:?}");
    assert!(!store.exists("copied").await.unwrap());
    assert_untouched(&fx.outside);
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_inside_the_root_are_followed() {
    let fx = fixture();
    let root = fx.store.root().to_path_buf();
    fx.store
        .write_bytes("real/data.txt", "inside")
        .await
        .unwrap();
    std::os::unix::fs::symlink(root.join("real"), root.join("alias")).unwrap();
    assert_eq!(
        fx.store.read_bytes("alias/data.txt").await.unwrap(),
        "inside"
    );
}

#[tokio::test]
async fn reserved_names_are_refused() {
    let fx = fixture();
    let err = fx
        .store
        .write_bytes(".stor-multipart/x", "x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains(".stor-"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn symlinked_directories_are_not_walked_or_deleted_through() {
    let fx = fixture();
    let root = fx.store.root().to_path_buf();
    fx.store.write_bytes("a/file", "a").await.unwrap();
    fx.store.write_bytes("b/keep", "b").await.unwrap();
    // A link to an ancestor (a loop) and a link to a sibling directory (an alias).
    std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("b"), root.join("a/alias")).unwrap();
    let names: Vec<String> = fx
        .store
        .list_all_with("", ListOptions::default().recursive())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path.to_string())
        .collect();
    assert_eq!(names, ["a/file", "b/keep"]);
    // remove_all of `a/` removes what is in `a/`, never what an alias inside it points at.
    fx.store.remove_all("a/").await.unwrap_err();
    assert_eq!(fx.store.read_bytes("b/keep").await.unwrap(), "b");
    assert!(!fx.store.exists("a/file").await.unwrap());
}

#[tokio::test]
async fn a_file_where_a_directory_would_be_is_simply_absent() {
    let fx = fixture();
    fx.store.write_bytes("file.txt", "x").await.unwrap();
    fx.store.delete("file.txt/below").await.unwrap();
    let err = fx.store.stat("file.txt/below").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_untouched(&fx.outside);
}

//! Local-file, noop and HDFS rows of the BR compatibility table. How to add a row:
//!
//! - one `Row` per BR spelling of a local URL (`local://`, `file://`, `noop://`: pingcap/tidb
//!   `br/pkg/storage/parse.go`, `local.go`) and per field of kvproto's `Local`, `Noop` and
//!   `HDFS` messages (the names `storage::kvproto` uses);
//! - `br`: what BR / TiKV does with it; `ours`: what rs-storage does (one sentence each);
//! - `check`: `Check::Server(|ctx| check(async move { ... }))` when the files themselves can be
//!   looked at (the "server" is the local disk: `ctx.scratch()` is this run's directory), else
//!   `Check::Config(...)`;
//! - run: `cargo xtask test --service fs --skip-unit` (prints `br-compat fs: N passed, M
//!   failed`); then `cargo xtask docs` refreshes the table in docs/urls.md.

use std::path::Path;
use std::sync::Arc;

use storage::kvproto::{Hdfs, Local, Noop, StorageBackend, open_backend};
use storage_types::{ErrorKind, Storage, StorageExt};

use super::{Check, CheckResult, Row, Source, check};

/// Writes `backupmeta` through `store` and finds it as a file below `dir`.
async fn lands_in(store: Arc<dyn Storage>, dir: &Path) -> CheckResult {
    store
        .write_bytes("backupmeta", "x")
        .await
        .map_err(|e| e.to_string())?;
    match std::fs::read(dir.join("backupmeta")) {
        Ok(bytes) if bytes == b"x" => Ok(()),
        other => Err(format!("the file under {} holds {other:?}", dir.display())),
    }
}

/// A store that takes a write and then holds nothing.
async fn discards(store: Arc<dyn Storage>) -> CheckResult {
    store
        .write_bytes("backupmeta", "x")
        .await
        .map_err(|e| format!("write: {e}"))?;
    match store.stat("backupmeta").await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        other => Err(format!("after a write, stat gave {other:?}")),
    }
}

/// The local, noop and HDFS rows.
pub fn rows() -> Vec<Row> {
    vec![
        Row {
            service: "fs",
            source: Source::Scheme,
            name: "local://",
            br: "Files below the URL's path on the machine that runs BR or TiKV (`local:///dir`).",
            ours: "Opens the fs store at the path (made if missing); a host is refused \
                   (`local://dir` is a mistyped `local:///dir`).",
            check: Check::Server(|ctx| {
                check(async move {
                    let dir = ctx.scratch().join("local-scheme");
                    let url = format!("local://{}", dir.display());
                    let store = storage::open(&url).await.map_err(|e| e.to_string())?;
                    lands_in(store, &dir).await?;
                    match storage::open("local://tmp/x").await {
                        Err(e) if e.kind() == ErrorKind::InvalidInput => Ok(()),
                        other => Err(format!("local://tmp/x gave {:?}", other.err())),
                    }
                })
            }),
        },
        Row {
            service: "fs",
            source: Source::Scheme,
            name: "file://",
            br: "The same as `local://`.",
            ours: "The same as `local://`.",
            check: Check::Server(|ctx| {
                check(async move {
                    let dir = ctx.scratch().join("file-scheme");
                    let url = format!("file://{}", dir.display());
                    let store = storage::open(&url).await.map_err(|e| e.to_string())?;
                    lands_in(store, &dir).await
                })
            }),
        },
        Row {
            service: "fs",
            source: Source::Kvproto,
            name: "Local.path",
            br: "The directory TiKV writes to (made if missing), on each TiKV node.",
            ours: "The fs store's root (made if missing; a relative path starts at the current \
                   directory); empty is `InvalidInput` naming the field.",
            check: Check::Server(|ctx| {
                check(async move {
                    let dir = ctx.scratch().join("kvproto-local");
                    let local = Local {
                        path: dir.display().to_string(),
                    };
                    let store = open_backend(&StorageBackend::Local(local))
                        .await
                        .map_err(|e| e.to_string())?;
                    lands_in(store, &dir).await?;
                    match open_backend(&StorageBackend::Local(Local::default())).await {
                        Err(e) if e.to_string().contains("Local.path") => Ok(()),
                        other => Err(format!("an empty path gave {:?}", other.err())),
                    }
                })
            }),
        },
        Row {
            service: "noop",
            source: Source::Scheme,
            name: "noop://",
            br: "Discards everything written (for measuring a backup without storing it).",
            ours: "The noop store: writes succeed and are discarded, reads find nothing; it \
                   takes no keys.",
            check: Check::Config(|_| {
                check(async move {
                    let store = storage::open("noop://").await.map_err(|e| e.to_string())?;
                    discards(store).await
                })
            }),
        },
        Row {
            service: "noop",
            source: Source::Kvproto,
            name: "Noop",
            br: "The message has no fields: TiKV's noop storage.",
            ours: "The noop store, as `noop://`.",
            check: Check::Config(|_| {
                check(async move {
                    let store = open_backend(&StorageBackend::Noop(Noop {}))
                        .await
                        .map_err(|e| e.to_string())?;
                    discards(store).await
                })
            }),
        },
        Row {
            service: "hdfs",
            source: Source::Kvproto,
            name: "HDFS.remote",
            br: "An HDFS URL (hdfs:///path or hdfs://host:port/path); TiKV runs \
                 `$HADOOP_HOME/bin/hdfs dfs -put` for each file.",
            ours: "Refused with `Unsupported`, saying why: no HDFS client, and a test server \
                   would take a Hadoop distribution (a JVM, a NameNode and a DataNode) that no \
                   registry here serves.",
            check: Check::Config(|_| {
                check(async move {
                    let hdfs = Hdfs {
                        remote: "hdfs://namenode:8020/backup".into(),
                    };
                    match open_backend(&StorageBackend::Hdfs(hdfs)).await {
                        Err(e) if e.kind() == ErrorKind::Unsupported => Ok(()),
                        other => Err(format!("HDFS gave {:?}", other.err())),
                    }
                })
            }),
        },
    ]
}

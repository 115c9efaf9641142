//! The backends under test: a fresh, empty store for every check (object_store's functions
//! assume they own the whole store), and what each backend's semantics ask of the checks.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use storage_fs::FsStorage;
use storage_memory::MemoryStorage;
use storage_types::{Operation, Pair, Storage};

/// Opens a fresh store for the check of the given name.
pub(crate) type Factory = Box<dyn Fn(&'static str) -> BoxFuture<'static, Arc<dyn Storage>>>;

/// One backend under test.
pub(crate) struct Target {
    /// The service name in the summary line.
    pub(crate) label: String,
    pub(crate) factory: Factory,
    /// Whether the last of two multipart uploads to one path wins when both complete.
    pub(crate) last_writer_wins: bool,
    /// Whether `list_with_offset` may hand its offset to the server (see
    /// `StorageObjectStore::with_offset_pushdown`).
    pub(crate) offset_pushdown: bool,
    /// Checks that cannot apply to this service, with the reason (see docs/interop.md).
    pub(crate) not_applicable: Vec<(&'static str, &'static str)>,
    /// Keeps the local store's directory until the run ends.
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    /// The backend named `service`: `memory`, `fs`, or a cloud one (`s3`, `azblob`, `gcs`).
    pub(crate) async fn open(service: &str) -> Result<Target, String> {
        match service {
            "memory" => Ok(Target::new("memory", memory_factory(), true, None)),
            "fs" => {
                let dir = tempfile::tempdir().map_err(|e| format!("no temp dir: {e}"))?;
                let root = dir.path().to_path_buf();
                let factory: Factory = Box::new(move |check| {
                    let store = FsStorage::new(root.join(check)).expect("the fs store opens");
                    let store: Arc<dyn Storage> = Arc::new(store);
                    Box::pin(async move { store })
                });
                Ok(Target::new("fs", factory, true, Some(dir)))
            }
            other => crate::clouds::open(other).await,
        }
    }

    pub(crate) fn new(
        label: impl Into<String>,
        factory: Factory,
        last_writer_wins: bool,
        dir: Option<tempfile::TempDir>,
    ) -> Target {
        Target {
            label: label.into(),
            factory,
            last_writer_wins,
            offset_pushdown: true,
            not_applicable: Vec::new(),
            _dir: dir,
        }
    }
}

fn memory_factory() -> Factory {
    Box::new(|_| {
        let store: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
        Box::pin(async move { store })
    })
}

/// Whether the store can replace an object only if its ETag matches (`PutMode::Update`).
pub(crate) fn supports_update(store: &dyn Storage) -> bool {
    store
        .info()
        .capability
        .supports_pair(Operation::Write, Pair::IfMatch)
}

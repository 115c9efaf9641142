//! The conformance suite against the in-memory backend.

use std::process::ExitCode;
use std::sync::Arc;

use storage_memory::MemoryStorage;
use storage_types::Storage;

fn main() -> ExitCode {
    storage_conformance::main_for("memory", || async {
        let store: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
        store
    })
}

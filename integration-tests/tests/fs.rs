//! The conformance suite against the local filesystem backend, in a fresh temporary root; after
//! the run, no temporary file of a write may be left anywhere in the tree.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use storage_fs::FsStorage;
use storage_types::Storage;

fn main() -> ExitCode {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("cannot create a temporary root: {err}");
            return ExitCode::FAILURE;
        }
    };
    let root = dir.path().to_path_buf();
    let code = storage_conformance::main_for("fs", move || async move {
        let store: Arc<dyn Storage> =
            Arc::new(FsStorage::new(&root).expect("the temporary root opens"));
        store
    });
    let litter = temporary_files(dir.path());
    if !litter.is_empty() {
        eprintln!("FAIL temporary files left behind by writes: {litter:?}");
        return ExitCode::FAILURE;
    }
    code
}

/// Every leftover temporary file of an atomic write below `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".stor-tmp-") {
            found.push(entry.path().display().to_string());
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(temporary_files(&entry.path()));
        }
    }
    found
}

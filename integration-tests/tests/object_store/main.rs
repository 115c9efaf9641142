//! object_store's own conformance functions (`object_store::integration`, which object_store
//! runs against its own stores) against `StorageObjectStore` over one rs-storage backend per
//! argument: `memory`, `fs` (a temporary directory), or `s3`, `azblob`, `gcs` against the
//! servers `cargo xtask test` starts, read from the same environment as the conformance
//! targets of those services (and built with the cargo feature of the same name).
//!
//! Prints one line per function (`ok NAME`, `FAIL NAME: why`, `n/a NAME: reason`), then
//! `object_store-suite <service>: N passed, M failed, K not applicable`, and exits non-zero if
//! anything failed. Without arguments it runs `memory` and `fs`. Every not-applicable entry is
//! explained in docs/interop.md.

mod checks;
mod clouds;
mod report;
mod stores;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Flags that cargo's test runner may pass (`--nocapture`, ...) are not services.
    let mut services: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    if services.is_empty() {
        services = vec!["memory".into(), "fs".into()];
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            println!("FAIL cannot start a tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut success = true;
    for service in &services {
        let passed = runtime.block_on(async {
            match stores::Target::open(service).await {
                Ok(target) => report::run(&target).await,
                Err(message) => {
                    println!("FAIL {service}: {message}");
                    false
                }
            }
        });
        success &= passed;
    }
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

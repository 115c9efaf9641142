//! The adapter checks against an S3-compatible server, with the same environment as the
//! conformance suite (`RS_STORAGE_S3_ENDPOINT`, `RS_STORAGE_S3_BUCKET`,
//! `RS_STORAGE_S3_ACCESS_KEY`, `RS_STORAGE_S3_SECRET_KEY`, optionally `RS_STORAGE_S3_SERVICE`).
//! Without them it FAILS: nothing passes by skipping.
//!
//! Run: `cargo test -p storage-io --features s3 --test s3` with the environment that
//! `cargo xtask test --service s3` gives the conformance suite.

mod checks;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use storage_s3::S3Builder;
use storage_types::{ErrorKind, Storage, WriteOptions};

fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!(
            "{name} is not set: this test needs an S3-compatible server; run it with the \
             environment `cargo xtask test --service s3` gives the conformance suite"
        )
    })
}

async fn store() -> Result<Arc<dyn Storage>, String> {
    let bucket = required("RS_STORAGE_S3_BUCKET")?;
    let store = S3Builder::new(&bucket)
        .endpoint(required("RS_STORAGE_S3_ENDPOINT")?)
        .region("us-east-1")
        .force_path_style(true)
        .credentials(
            required("RS_STORAGE_S3_ACCESS_KEY")?,
            required("RS_STORAGE_S3_SECRET_KEY")?,
            None,
        )
        .max_attempts(3)
        .build()
        .await
        .map_err(|err| format!("the S3 store does not build: {err}"))?;
    match store.create_bucket(&bucket).await {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
        Err(err) => return Err(format!("cannot create bucket {bucket}: {err}")),
    }
    Ok(Arc::new(store))
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let service = std::env::var("RS_STORAGE_S3_SERVICE").unwrap_or_else(|_| "s3".into());
    let store = match runtime.block_on(store()) {
        Ok(store) => store,
        Err(message) => {
            eprintln!("FAIL {message}");
            return ExitCode::FAILURE;
        }
    };
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let ctx = checks::Ctx {
        store,
        prefix: format!("storage-io-{}-{stamp}/", std::process::id()),
        object_size: 3 << 20,
        iterations: 300,
        // Past two parts of 5 MiB, so that the write goes up as a multipart upload.
        largest_write: 12 << 20,
        write: WriteOptions::default().with_part_size(5u64 << 20),
    };
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks::all() {
        // Each check runs as a task, so that a failed assertion is reported, not fatal.
        match runtime.block_on(runtime.spawn(check(ctx.clone()))) {
            Ok(()) => {
                passed += 1;
                println!("PASS {name}");
            }
            Err(err) => {
                failed += 1;
                println!("FAIL {name}: {err}");
            }
        }
    }
    println!("storage-io {service}: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

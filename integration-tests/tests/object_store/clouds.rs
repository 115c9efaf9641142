//! The cloud targets, against the servers `cargo xtask test` starts, read from the same
//! environment variables as the conformance targets of each service (see tests/s3.rs,
//! tests/azblob.rs, tests/gcs.rs). Each check gets its own root prefix in the bucket, below
//! `object-store-suite/<run>/`.

use crate::stores::Target;

/// The prefix of this run's roots, unique per process.
#[cfg(any(feature = "s3", feature = "azblob", feature = "gcs"))]
fn run_prefix() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("object-store-suite/{secs}-{}", std::process::id())
}

#[cfg(any(feature = "s3", feature = "azblob", feature = "gcs"))]
fn required(name: &str, service: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!("{name} is not set: run this suite through `cargo xtask test --service {service}`")
    })
}

/// The cloud backend named `service`, if this binary was built with its feature.
pub(crate) async fn open(service: &str) -> Result<Target, String> {
    let built = match service {
        "s3" => cfg!(feature = "s3"),
        "azblob" => cfg!(feature = "azblob"),
        "gcs" => cfg!(feature = "gcs"),
        other => {
            return Err(format!(
                "unknown service `{other}`; known: memory, fs, s3, azblob, gcs"
            ));
        }
    };
    if !built {
        return Err(format!(
            "built without the `{service}` feature (cargo test --features {service})"
        ));
    }
    match service {
        #[cfg(feature = "s3")]
        "s3" => s3::open().await,
        #[cfg(feature = "azblob")]
        "azblob" => azblob::open().await,
        #[cfg(feature = "gcs")]
        "gcs" => gcs::open().await,
        _ => Err(format!("no target for `{service}`")),
    }
}

#[cfg(feature = "s3")]
mod s3 {
    use std::sync::Arc;

    use storage_s3::{ChecksumMode, S3Builder};
    use storage_types::{ErrorKind, Storage};

    use super::{required, run_prefix};
    use crate::stores::{Factory, Target};

    pub(super) async fn open() -> Result<Target, String> {
        let label = required("RS_STORAGE_S3_SERVICE", "s3")?;
        let endpoint = required("RS_STORAGE_S3_ENDPOINT", "s3")?;
        let bucket = required("RS_STORAGE_S3_BUCKET", "s3")?;
        let access_key = required("RS_STORAGE_S3_ACCESS_KEY", "s3")?;
        let secret_key = required("RS_STORAGE_S3_SECRET_KEY", "s3")?;
        let checksum = match std::env::var("RS_STORAGE_S3_CHECKSUM").as_deref() {
            Ok("when-required") => ChecksumMode::WhenRequired,
            _ => ChecksumMode::WhenSupported,
        };
        let builder = move |root: String| {
            S3Builder::new(&bucket)
                .endpoint(&endpoint)
                .region("us-east-1")
                .force_path_style(true)
                .credentials(&access_key, &secret_key, None)
                .checksum(checksum)
                .max_attempts(3)
                .root(root)
        };
        let first = builder(String::new())
            .build()
            .await
            .map_err(|e| e.to_string())?;
        let name = first.info().name.clone();
        match first.create_bucket(&name).await {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => return Err(format!("cannot create bucket {name}: {err}")),
        }
        let prefix = run_prefix();
        let builder = Arc::new(builder);
        let factory: Factory = Box::new(move |check| {
            let builder = builder.clone();
            let root = format!("{prefix}/{check}");
            Box::pin(async move {
                let store = builder(root).build().await.expect("the S3 store builds");
                let store: Arc<dyn Storage> = Arc::new(store);
                store
            })
        });
        let mut target = Target::new(label, factory, true, None);
        // SeaweedFS's StartAfter skips every key below `<start_after>/`, where S3 compares
        // keys as strings (docs/interop.md); the offset is applied by the adapter there.
        target.offset_pushdown = !target.label.ends_with("seaweedfs");
        Ok(target)
    }
}

#[cfg(feature = "azblob")]
mod azblob {
    use std::sync::Arc;

    use storage_azblob::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY};
    use storage_types::{ErrorKind, Storage};

    use super::{required, run_prefix};
    use crate::stores::{Factory, Target};

    pub(super) async fn open() -> Result<Target, String> {
        let label = required("RS_STORAGE_AZBLOB_SERVICE", "azblob")?;
        let endpoint = required("RS_STORAGE_AZBLOB_ENDPOINT", "azblob")?;
        let container = required("RS_STORAGE_AZBLOB_CONTAINER", "azblob")?;
        let builder = move |root: String| {
            AzBlobBuilder::new(&container)
                .endpoint(&endpoint)
                .account(DEV_ACCOUNT)
                .account_key(DEV_ACCOUNT_KEY)
                .root(root)
                .build()
        };
        let first = builder(String::new()).map_err(|e| e.to_string())?;
        let name = first.info().name.clone();
        match first.create_bucket(&name).await {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => return Err(format!("cannot create container {name}: {err}")),
        }
        let prefix = run_prefix();
        let factory: Factory = Box::new(move |check| {
            let store = builder(format!("{prefix}/{check}")).expect("the Azure store builds");
            let store: Arc<dyn Storage> = Arc::new(store);
            Box::pin(async move { store })
        });
        // Committing a block list discards every uncommitted block of the blob, so the second
        // of two uploads to one blob cannot complete (object_store's Azure store likewise).
        Ok(Target::new(label, factory, false, None))
    }
}

#[cfg(feature = "gcs")]
mod gcs {
    use std::sync::Arc;

    use storage_gcs::GcsBuilder;
    use storage_types::Storage;

    use super::{required, run_prefix};
    use crate::stores::{Factory, Target};

    /// Why `get_opts` cannot pass on GCS without object versioning.
    const GENERATIONS: &str = "GCS gives every object a generation (its ObjectMeta version), \
        but keeps overwritten generations only in buckets with object versioning, which the \
        test server does not implement; the function reads an overwritten version back";

    pub(super) async fn open() -> Result<Target, String> {
        let label = required("RS_STORAGE_GCS_SERVICE", "gcs")?;
        let endpoint = required("RS_STORAGE_GCS_ENDPOINT", "gcs")?;
        let bucket = required("RS_STORAGE_GCS_BUCKET", "gcs")?;
        let credentials = required("RS_STORAGE_GCS_CREDENTIALS", "gcs")?;
        let prefix = run_prefix();
        let factory: Factory = Box::new(move |check| {
            let builder = GcsBuilder::new(&bucket)
                .endpoint(&endpoint)
                .project_id("test-project")
                .credentials_file(&credentials)
                .root(format!("{prefix}/{check}"));
            Box::pin(async move {
                let store = builder.build().await.expect("the GCS store builds");
                let store: Arc<dyn Storage> = Arc::new(store);
                store
            })
        });
        let mut target = Target::new(label, factory, true, None);
        target.not_applicable = vec![("get_opts", GENERATIONS)];
        Ok(target)
    }
}

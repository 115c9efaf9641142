//! Shared set-up for the tests: an in-process server on an ephemeral port and the official
//! clients pointed at it with anonymous credentials.

use gcs_test_server::{RunningServer, ServerConfig, start};
use google_cloud_auth::credentials::anonymous::Builder as Anonymous;
use google_cloud_storage::client::{Storage, StorageControl};

pub(crate) const BUCKET: &str = "test-bucket";
/// The bucket as the official clients name it.
pub(crate) const BUCKET_PATH: &str = "projects/_/buckets/test-bucket";

pub(crate) struct Fixture {
    pub(crate) server: RunningServer,
    pub(crate) storage: Storage,
    pub(crate) control: StorageControl,
}

pub(crate) async fn fixture() -> Fixture {
    fixture_with(ServerConfig::default()).await
}

pub(crate) async fn fixture_with(mut config: ServerConfig) -> Fixture {
    config.buckets.push(BUCKET.to_string());
    // GCS_TEST_SERVER_VERBOSE=1 logs every request the clients make, to debug a failing test.
    config.verbose |= std::env::var_os("GCS_TEST_SERVER_VERBOSE").is_some();
    let server = start(config).await.expect("the server starts");
    let storage = Storage::builder()
        .with_endpoint(server.url.clone())
        .with_credentials(Anonymous::new().build())
        .build()
        .await
        .expect("the Storage client builds");
    let control = StorageControl::builder()
        .with_endpoint(server.url.clone())
        .with_credentials(Anonymous::new().build())
        .build()
        .await
        .expect("the StorageControl client builds");
    Fixture {
        server,
        storage,
        control,
    }
}

/// Reads a whole response body.
pub(crate) async fn collect(
    mut reader: google_cloud_storage::read_object::ReadObjectResponse,
) -> google_cloud_storage::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = reader.next().await.transpose()? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A payload whose bytes differ by position, so that misplaced chunks are caught.
pub(crate) fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

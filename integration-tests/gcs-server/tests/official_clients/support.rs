//! Shared set-up for the tests: an in-process server on an ephemeral port and the official
//! clients pointed at it with credentials from the service-account key the server generated
//! (the only ones it accepts).

use gcs_test_server::{RunningServer, ServerConfig, start};
use google_cloud_auth::credentials::Credentials;
use google_cloud_auth::credentials::service_account::Builder as ServiceAccount;
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
    let credentials = credentials_of(&server);
    let (storage, control) = clients(&server, credentials).await;
    Fixture {
        server,
        storage,
        control,
    }
}

/// Credentials from the server's service-account key: self-signed JWTs it can verify.
pub(crate) fn credentials_of(server: &RunningServer) -> Credentials {
    ServiceAccount::new(server.service_account_key.clone())
        .build()
        .expect("service-account credentials build")
}

/// Both official clients on the server, with the given credentials.
pub(crate) async fn clients(
    server: &RunningServer,
    credentials: Credentials,
) -> (Storage, StorageControl) {
    let storage = Storage::builder()
        .with_endpoint(server.url.clone())
        .with_credentials(credentials.clone())
        .build()
        .await
        .expect("the Storage client builds");
    let control = StorageControl::builder()
        .with_endpoint(server.url.clone())
        .with_credentials(credentials)
        .build()
        .await
        .expect("the StorageControl client builds");
    (storage, control)
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

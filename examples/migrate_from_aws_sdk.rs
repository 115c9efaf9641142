//! Migrating an aws-sdk-s3 program one call at a time: hand its client to rs-storage
//! (`S3Storage::from_client` / `S3Builder::build_with_client`), move calls over as you go, and
//! reach the same client from the store (`client()`) for whatever is not moved yet.
//!
//! The client is configured the SDK's usual way, from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL` for an S3-compatible server):
//!
//! ```text
//! cargo run -p storage-examples --bin migrate_from_aws_sdk -- BUCKET
//! ```

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use storage::{Storage, StorageExt};
use storage_s3::S3Builder;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bucket = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: migrate_from_aws_sdk BUCKET"))?;

    // The program as it was: its own SDK client, its own calls.
    let config = aws_config::load_from_env().await;
    let mut s3_config = aws_sdk_s3::config::Builder::from(&config);
    if std::env::var_os("AWS_ENDPOINT_URL").is_some() {
        s3_config = s3_config.force_path_style(true);
    }
    let client = aws_sdk_s3::Client::from_conf(s3_config.build());
    client
        .put_object()
        .bucket(&bucket)
        .key("migrate/legacy.csv")
        .body(ByteStream::from_static(b"id,name\n1,alice\n"))
        .send()
        .await?;

    // Step 1: the same client, handed over. Its endpoint, credentials and retries apply; the
    // store's root is a key prefix.
    let s3 = S3Builder::new(&bucket)
        .root("migrate/")
        .build_with_client(client.clone())?;
    let store: Arc<dyn Storage> = Arc::new(s3.clone());

    // Step 2: new code uses the store, and sees what the old code wrote.
    let legacy = store.read_bytes("legacy.csv").await?;
    anyhow::ensure!(&legacy[..] == b"id,name\n1,alice\n", "read {legacy:?}");
    store.write_bytes("report.csv", "id,total\n1,42\n").await?;

    // Step 3: calls not moved yet reach the SDK through the store, on the same client.
    let head = s3
        .client()
        .head_object()
        .bucket(s3.bucket())
        .key("migrate/report.csv")
        .send()
        .await?;
    anyhow::ensure!(
        head.content_length() == Some(14),
        "the SDK sees the store's write"
    );

    store
        .delete_many(&["legacy.csv".to_owned(), "report.csv".to_owned()])
        .await?;
    println!("migrate_from_aws_sdk: ok");
    Ok(())
}

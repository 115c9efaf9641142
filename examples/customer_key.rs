//! Per-request encryption with a customer key (S3 SSE-C, GCS customer-supplied keys, Azure
//! customer-provided keys): the same `Encryption::CustomerKey` on every cloud, given to the
//! write and again to every read and stat. Without the key the object cannot be read.
//!
//! ```text
//! cargo run -p storage-examples --bin customer_key -- 'gcs://bucket/secure'
//! ```

use storage::types::CustomerKey;
use storage::{Encryption, ErrorKind, ReadOptions, StatOptions, WriteOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: customer_key URL"))?;
    let store = storage::open(&url).await?;

    // In a real tool the key comes from a key store; its bytes never reach Debug or logs.
    let key = CustomerKey::new(*b"an example key of 32 bytes long!");
    let encryption = Encryption::CustomerKey(key);
    println!("encrypting with {encryption:?}");

    let body = storage_examples::dump_lines(1, 64 << 10);
    store
        .write_with(
            "secure/ledger.sql",
            body.clone().into(),
            WriteOptions::default().with_encryption(encryption.clone()),
        )
        .await?;

    let meta = store
        .stat_with(
            "secure/ledger.sql",
            StatOptions::default().with_encryption(encryption.clone()),
        )
        .await?;
    anyhow::ensure!(meta.size == body.len() as u64, "stat with the key");

    let reader = store
        .read_with(
            "secure/ledger.sql",
            ReadOptions::default().with_encryption(encryption.clone()),
        )
        .await?;
    let back = reader.bytes().await?;
    anyhow::ensure!(back[..] == body[..], "read back with the key");

    // Without the key, the service refuses to decrypt.
    match store.read("secure/ledger.sql").await {
        Err(err) if err.kind() != ErrorKind::NotFound => println!("without the key: {err}"),
        Err(err) => anyhow::bail!("the object is gone: {err}"),
        Ok(_) => anyhow::bail!("the object was readable without its key"),
    }

    store.delete("secure/ledger.sql").await?;
    println!("customer_key: ok");
    Ok(())
}

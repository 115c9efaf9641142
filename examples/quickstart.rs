//! Quick start: open a store by URL (local files by default), then write, stat, read, list,
//! copy and delete an object.
//!
//! ```text
//! cargo run -p storage-examples --bin quickstart                      # local files
//! cargo run -p storage-examples --bin quickstart -- 's3://bucket/prefix?region=eu-west-1'
//! ```

use storage::{Feature, ReadOptions, StorageExt};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = storage_examples::url_from_args("quickstart");
    // `open` parses the URL; secrets in it never appear in errors or logs.
    let store = storage::open(&url).await?;
    println!("opened {}", storage::redact_url(&url));

    let meta = store
        .write_bytes("hello/greeting.txt", "Hello, storage!")
        .await?;
    println!("wrote {} bytes (ETag {:?})", meta.size, meta.etag);

    let stat = store.stat("hello/greeting.txt").await?;
    anyhow::ensure!(stat.size == 15, "stat says {} bytes", stat.size);

    let whole = store.read_bytes("hello/greeting.txt").await?;
    anyhow::ensure!(&whole[..] == b"Hello, storage!", "read back {whole:?}");
    // A range read: only bytes 7..14 travel.
    let reader = store
        .read_with(
            "hello/greeting.txt",
            ReadOptions::default().with_range(7..14),
        )
        .await?;
    anyhow::ensure!(reader.content_length() == 7, "a 7-byte range");

    // Optional features are declared; ask before using one.
    if store.info().capability.has_feature(Feature::Copy) {
        store.copy("hello/greeting.txt", "hello/copy.txt").await?;
    }

    let entries = store.list_all("hello/").await?;
    for entry in &entries {
        println!("{}  {} bytes", entry.path.as_str(), entry.metadata.size);
    }
    anyhow::ensure!(!entries.is_empty(), "the listing shows what was written");

    for entry in &entries {
        store.delete(entry.path.as_str()).await?;
    }
    anyhow::ensure!(!store.exists("hello/greeting.txt").await?, "deleted");
    println!("quickstart: ok");
    Ok(())
}

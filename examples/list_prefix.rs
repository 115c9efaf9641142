//! Listing a large prefix as a stream: entries arrive page by page as the caller consumes
//! them, so memory holds one page whatever the prefix's size. Writes 2,500 small objects
//! first, then lists them recursively in pages of 500, then removes them.
//!
//! ```text
//! cargo run -p storage-examples --bin list_prefix                     # local files
//! cargo run -p storage-examples --bin list_prefix -- 'azblob://container/logs?account-name=acct'
//! ```

use futures_util::{StreamExt, TryStreamExt, stream};
use storage::{ListOptions, StorageExt};

const OBJECTS: usize = 2_500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = storage_examples::url_from_args("list_prefix");
    let store = storage::open(&url).await?;

    // Set-up: 2,500 objects under `events/`, 16 writes in flight.
    stream::iter(0..OBJECTS)
        .map(|i| {
            let store = store.clone();
            async move { store.write_bytes(&key(i), format!("event {i}")).await }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await?;

    // The listing: a stream of entries, fetched one page (request) at a time.
    let opts = ListOptions::default().recursive().with_page_size(500);
    let mut entries = store.list_with("events/", opts).await?;
    let mut count = 0;
    let mut bytes = 0;
    let mut last = String::new();
    while let Some(entry) = entries.try_next().await? {
        let path = entry.path.as_str().to_owned();
        anyhow::ensure!(path > last, "entries come in order: {path} after {last}");
        bytes += entry.metadata.size;
        count += 1;
        if count % 500 == 0 {
            println!("{count} entries so far, the last {path}");
        }
        last = path;
    }
    anyhow::ensure!(count == OBJECTS, "listed {count} of {OBJECTS}");
    println!("{count} objects, {bytes} bytes");

    let removed = store.remove_all("events/").await?;
    anyhow::ensure!(removed == OBJECTS as u64, "removed {removed}");
    println!("list_prefix: ok");
    Ok(())
}

/// Zero-padded, so that the listing's order is the numbers' order.
fn key(i: usize) -> String {
    format!("events/2026/11/event-{i:05}.json")
}

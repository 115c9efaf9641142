//! A backup tool's streaming writer: a dump of unknown length goes up through an `AsyncWrite`
//! (multipart underneath), encrypted with a KMS key (S3 SSE-KMS, GCS CMEK, Azure encryption
//! scope) and held to a bandwidth limit. Memory stays at a few parts whatever the size.
//!
//! ```text
//! cargo run -p storage-examples --bin backup_writer -- 's3://bucket/backups?region=eu-west-1' alias/backup
//! ```

use std::time::Instant;

use storage::{Encryption, WriteOptions};
use storage_io::{ObjectWriter, RateLimit, WriterOptions};
use tokio::io::AsyncWriteExt;

/// What the example writes: 12 MiB in 256 KiB chunks, so three 5 MiB parts.
const DUMP_SIZE: usize = 12 << 20;
const CHUNK: usize = 256 << 10;
const BYTES_PER_SECOND: u64 = 16 << 20;
const BURST: u64 = 1 << 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (url, kms_key) = match (args.next(), args.next()) {
        (Some(url), Some(key)) => (url, key),
        _ => anyhow::bail!("usage: backup_writer URL KMS_KEY_ID"),
    };
    let store = storage::open(&url).await?;

    let write = WriteOptions::default()
        .with_encryption(Encryption::kms(kms_key))
        .with_content_type("application/sql")
        .with_part_size(5 << 20)
        .with_concurrency(2);
    let limit = RateLimit::new(BYTES_PER_SECOND, BURST);
    let opts = WriterOptions::default()
        .with_write(write)
        .with_rate_limit(limit);
    let mut writer = ObjectWriter::create(store.clone(), "dump/tidb-0001.sql", opts)?;

    let started = Instant::now();
    let mut seed = 0;
    let mut written = 0;
    while written < DUMP_SIZE {
        let chunk = storage_examples::dump_lines(seed, CHUNK.min(DUMP_SIZE - written));
        writer.write_all(&chunk).await?;
        written += chunk.len();
        seed += 1;
    }
    // The object appears at shutdown; dropping the writer instead would store nothing.
    writer.shutdown().await?;
    let elapsed = started.elapsed().as_secs_f64();

    let meta = store.stat("dump/tidb-0001.sql").await?;
    anyhow::ensure!(meta.size == DUMP_SIZE as u64, "stored {} bytes", meta.size);
    let rate = DUMP_SIZE as f64 / elapsed / f64::from(1 << 20);
    println!(
        "wrote {} MiB in {elapsed:.2} s ({rate:.1} MiB/s)",
        DUMP_SIZE >> 20
    );
    // Past the 1 MiB burst, bytes go at 16 MiB/s: anything faster means it did not apply.
    anyhow::ensure!(
        rate < 1.5 * (BYTES_PER_SECOND >> 20) as f64,
        "the bandwidth limit held"
    );

    store.delete("dump/tidb-0001.sql").await?;
    println!("backup_writer: ok");
    Ok(())
}

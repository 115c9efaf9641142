//! Measures the bandwidth limiter: 10 MiB written through `ObjectWriter` and read back
//! through `ObjectReader` on the in-memory store, each capped at 4 MiB/s, printing the rate
//! achieved and its ratio to the target. Exits with failure if a ratio is off by more than 10%.
//!
//! Run: `cargo run --release -p storage-io --example rate_limit [MiB/s] [MiB]`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use storage_io::{ObjectReader, ObjectWriter, RateLimit, ReaderOptions, WriterOptions};
use storage_types::Storage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MIB: u64 = 1 << 20;

fn arg(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn report(what: &str, bytes: u64, seconds: f64, target: u64) -> bool {
    let achieved = bytes as f64 / seconds;
    let ratio = achieved / target as f64;
    println!(
        "{what}: {:.1} MiB in {seconds:.2} s = {:.3} MiB/s, target {:.3} MiB/s, ratio {ratio:.3}",
        bytes as f64 / MIB as f64,
        achieved / MIB as f64,
        target as f64 / MIB as f64,
    );
    (0.9..=1.1).contains(&ratio)
}

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let rate = arg(1, 4) * MIB;
    let total = arg(2, 10) * MIB;
    let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
    // The default burst (a fiftieth of the rate); a full bucket and one burst of debt are a
    // head start of two bursts, 4% of a second.
    let limit = RateLimit::per_second(rate);
    let burst = limit.burst();
    println!("limit {rate} B/s, burst {burst} B, {total} bytes each way");

    let opts = WriterOptions::default().with_rate_limit(limit);
    let mut writer = ObjectWriter::create(store.clone(), "limited.bin", opts)?;
    let block = vec![0x5au8; 256 << 10];
    let started = Instant::now();
    let mut written = 0;
    while written < total {
        let n = block.len().min(usize::try_from(total - written)?);
        writer.write_all(&block[..n]).await?;
        written += n as u64;
    }
    writer.shutdown().await?;
    let write_ok = report("write", written, started.elapsed().as_secs_f64(), rate);

    let limit = RateLimit::new(rate, burst);
    let opts = ReaderOptions::default().with_rate_limit(limit);
    let mut reader = ObjectReader::open(store, "limited.bin", opts).await?;
    let started = Instant::now();
    let mut buf = vec![0u8; 1 << 20];
    let mut read = 0;
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        read += n as u64;
    }
    let read_ok = report("read", read, started.elapsed().as_secs_f64(), rate);

    Ok(if write_ok && read_ok && read == total {
        ExitCode::SUCCESS
    } else {
        println!("FAIL: a rate is more than 10% off its target");
        ExitCode::FAILURE
    })
}

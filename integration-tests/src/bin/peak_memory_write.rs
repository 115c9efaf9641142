//! Writes a large generated object through the public API and reports the process's peak
//! resident memory, to show that writes stream with bounded memory whatever the object size.
//!
//! Usage: `peak-memory-write URL SIZE [LIMIT]` (sizes like `2GiB`, `256MiB`); exits non-zero if
//! the peak exceeds LIMIT. `cargo xtask memcheck` builds and runs it.

use std::process::ExitCode;
use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use storage::{Body, open};

/// Chunk size of the generated body: what a caller streaming from a socket or file would hand us.
const CHUNK: usize = 1 << 20;

fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

/// The peak resident set size (VmHWM) of this process, in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Byte `i` of the generated object: cheap, and position-dependent so misplaced chunks show.
fn pattern_byte(i: u64) -> u8 {
    (i % 251) as u8
}

fn chunk_at(offset: u64, len: usize) -> Bytes {
    (0..len as u64)
        .map(|i| pattern_byte(offset + i))
        .collect::<Vec<u8>>()
        .into()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(size)) = (args.first(), args.get(1).and_then(|s| parse_size(s))) else {
        eprintln!("usage: peak-memory-write URL SIZE [LIMIT]");
        return ExitCode::from(2);
    };
    let limit = args.get(2).and_then(|s| parse_size(s));
    match run(url, size).await {
        Ok(()) => {}
        Err(err) => {
            eprintln!("peak-memory-write: {err}");
            return ExitCode::FAILURE;
        }
    }
    let Some(peak) = peak_rss() else {
        eprintln!("peak-memory-write: cannot read VmHWM from /proc/self/status");
        return ExitCode::FAILURE;
    };
    println!(
        "peak resident memory: {:.1} MiB",
        peak as f64 / (1 << 20) as f64
    );
    match limit {
        Some(limit) if peak > limit => {
            eprintln!("peak-memory-write: peak {peak} bytes exceeds the limit of {limit} bytes");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

async fn run(url: &str, size: u64) -> storage::Result<()> {
    let store = open(url).await?;
    // A bucket store's bucket is created first (a fresh test server has none).
    if store
        .info()
        .capability
        .has_feature(storage::Feature::Buckets)
    {
        let bucket = store.info().name.clone();
        match store.create_bucket(&bucket).await {
            Err(err) if err.kind() != storage::ErrorKind::AlreadyExists => return Err(err),
            _ => {}
        }
    }
    let chunks = futures_util::stream::unfold(0u64, move |offset| async move {
        if offset >= size {
            return None;
        }
        let len = (size - offset).min(CHUNK as u64) as usize;
        Some((
            Ok::<_, storage::Error>(chunk_at(offset, len)),
            offset + len as u64,
        ))
    });
    let started = Instant::now();
    store
        .write("peak-memory.bin", Body::from_stream(chunks, Some(size)))
        .await?;
    let wrote = started.elapsed();

    let started = Instant::now();
    let mut stream = store.read("peak-memory.bin").await?.into_stream();
    let mut offset = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if let Some(i) = (0..chunk.len()).find(|&i| chunk[i] != pattern_byte(offset + i as u64)) {
            return Err(storage::Error::new(
                storage::ErrorKind::IntegrityMismatch,
                format!("byte {} differs from what was written", offset + i as u64),
            ));
        }
        offset += chunk.len() as u64;
    }
    if offset != size {
        return Err(storage::Error::new(
            storage::ErrorKind::IntegrityMismatch,
            format!("read back {offset} bytes, wrote {size}"),
        ));
    }
    let read = started.elapsed();
    store.delete("peak-memory.bin").await?;
    let mib = size as f64 / (1 << 20) as f64;
    println!(
        "wrote {mib:.0} MiB in {:.2} s, read and verified it in {:.2} s",
        wrote.as_secs_f64(),
        read.as_secs_f64()
    );
    Ok(())
}

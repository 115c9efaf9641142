//! `reliability load`: 32 writers and 32 readers on 8 overlapping keys of one cloud backend for
//! a bounded time. Every version a writer writes describes itself (writer, sequence number,
//! length) and is filled from a seed of those, so a reader can tell that what it got is one
//! complete version some writer wrote, never a torn or spliced one. Reports operations per
//! second, errors per kind and the process's memory after warm-up and at its peak; fails on a
//! torn read, an untyped error or memory that keeps growing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use storage_types::{ErrorKind, StorageExt};

use crate::target::Target;

const WRITERS: u32 = 32;
const READERS: u32 = 32;
const KEYS: u32 = 8;
const MAGIC: &[u8; 4] = b"RSLD";
const HEADER: usize = 4 + 4 + 8 + 8;
/// Growth of resident memory past its level after warm-up that counts as not flat.
const GROWTH_LIMIT: u64 = 64 << 20;

/// What the workers saw, shared among them.
#[derive(Default)]
struct Tally {
    writes: AtomicU64,
    reads: AtomicU64,
    absent: AtomicU64,
    torn: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    untyped: Mutex<Vec<String>>,
    /// The next sequence number of each writer: a version with a higher one was never written.
    issued: Vec<AtomicU64>,
}

/// The version `writer` writes as its `seq`-th: 1 KiB to 64 KiB, self-describing.
fn version(writer: u32, seq: u64) -> Bytes {
    let mut state = (u64::from(writer) << 40) ^ seq ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let len = HEADER + 1024 + (next() % (63 * 1024)) as usize;
    let mut out = BytesMut::with_capacity(len);
    out.put_slice(MAGIC);
    out.put_u32(writer);
    out.put_u64(seq);
    out.put_u64(len as u64);
    while out.len() < len {
        out.put_u8(next() as u8);
    }
    out.freeze()
}

/// Whether `got` is exactly a version some writer was given to write.
fn is_whole_version(got: &Bytes, tally: &Tally) -> bool {
    if got.len() < HEADER || &got[..4] != MAGIC {
        return false;
    }
    let writer = u32::from_be_bytes(got[4..8].try_into().unwrap_or_default());
    let seq = u64::from_be_bytes(got[8..16].try_into().unwrap_or_default());
    let issued = tally
        .issued
        .get(writer as usize)
        .map_or(0, |n| n.load(Ordering::SeqCst));
    seq < issued && version(writer, seq) == *got
}

/// The verifier must catch what it is there to catch, or the run's "0 torn reads" means
/// nothing: checked at every start.
fn check_the_checker() -> Result<(), String> {
    let tally = Tally {
        issued: (0..WRITERS).map(|_| AtomicU64::new(1)).collect(),
        ..Tally::default()
    };
    let good = version(3, 0);
    let mut flipped = good.to_vec();
    flipped[HEADER + 7] ^= 1;
    let spliced: Bytes = [&good[..HEADER + 10], &version(4, 0)[HEADER + 10..]]
        .concat()
        .into();
    let cases = [
        (good.clone(), true, "a whole version"),
        (good.slice(..good.len() - 1), false, "a truncated version"),
        (flipped.into(), false, "a version with a flipped byte"),
        (spliced, false, "two versions spliced"),
        (version(3, 1), false, "a version no writer was given"),
    ];
    for (bytes, whole, what) in cases {
        if is_whole_version(&bytes, &tally) != whole {
            return Err(format!("the load test's verifier misjudges {what}"));
        }
    }
    Ok(())
}

fn count_error(tally: &Tally, err: &storage_types::Error) {
    if err.kind() == ErrorKind::Unexpected {
        locked(&tally.untyped).push(err.to_string());
    }
    *locked(&tally.errors)
        .entry(err.kind().as_str())
        .or_default() += 1;
}

/// A tally's lock; a worker that panicked holding it leaves counts that are still worth reading.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The process's resident memory, from /proc.
fn resident() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

pub(crate) async fn run(given: &[String]) -> Result<bool, String> {
    let mut service = None;
    let mut seconds = 20u64;
    let mut iter = given.iter();
    while let Some(flag) = iter.next() {
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--service" => service = Some(value.clone()),
            "--seconds" => {
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds takes a number, not `{value}`"))?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    check_the_checker()?;
    let target = Target::from_env(&service.ok_or("--service is required")?)?;
    let store = target.store(target.upstream()?, "").await?;
    target.prepare(store.as_ref()).await?;
    let dir = format!("load/{}/", std::process::id());
    let tally = Arc::new(Tally {
        issued: (0..WRITERS).map(|_| AtomicU64::new(0)).collect(),
        ..Tally::default()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let (store, tally, stop, dir) = (store.clone(), tally.clone(), stop.clone(), dir.clone());
        workers.spawn(async move {
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("{dir}key-{}", (u64::from(writer) + seq) % u64::from(KEYS));
                let body = version(writer, seq);
                // Issued before the write starts: a reader may see it as soon as it lands.
                tally.issued[writer as usize].store(seq + 1, Ordering::SeqCst);
                match store.write_bytes(&key, body).await {
                    Ok(_) => drop(tally.writes.fetch_add(1, Ordering::Relaxed)),
                    Err(err) => count_error(&tally, &err),
                }
                seq += 1;
            }
        });
    }
    for reader in 0..READERS {
        let (store, tally, stop, dir) = (store.clone(), tally.clone(), stop.clone(), dir.clone());
        workers.spawn(async move {
            let mut n = u64::from(reader);
            while !stop.load(Ordering::Relaxed) {
                let key = format!("{dir}key-{}", n % u64::from(KEYS));
                n += 1;
                match store.read_bytes(&key).await {
                    Ok(got) if is_whole_version(&got, &tally) => {
                        tally.reads.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => drop(tally.torn.fetch_add(1, Ordering::Relaxed)),
                    Err(err) if err.kind() == ErrorKind::NotFound => {
                        tally.absent.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(err) => count_error(&tally, &err),
                }
            }
        });
    }
    let (warm, peak) = watch_memory(seconds).await;
    stop.store(true, Ordering::Relaxed);
    while workers.join_next().await.is_some() {}
    let elapsed = started.elapsed().as_secs_f64();
    let _ = store.remove_all(&dir).await;
    report(target.name(), &tally, elapsed, warm, peak)
}

/// Samples resident memory until `seconds` have passed; returns the level after the first
/// quarter (warm-up: connection pools and buffers filled) and the peak after it.
async fn watch_memory(seconds: u64) -> (u64, u64) {
    let total = Duration::from_secs(seconds);
    let warm_up = total / 4;
    let started = Instant::now();
    let (mut warm, mut peak) = (0, 0);
    while started.elapsed() < total {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = resident();
        if started.elapsed() < warm_up {
            warm = now;
        } else {
            peak = peak.max(now);
        }
    }
    (warm, peak)
}

fn report(
    service: &str,
    tally: &Tally,
    elapsed: f64,
    warm: u64,
    peak: u64,
) -> Result<bool, String> {
    let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
    let writes = tally.writes.load(Ordering::Relaxed);
    let reads = tally.reads.load(Ordering::Relaxed);
    let torn = tally.torn.load(Ordering::Relaxed);
    let errors = locked(&tally.errors).clone();
    let untyped = locked(&tally.untyped).clone();
    let error_list = if errors.is_empty() {
        "none".to_owned()
    } else {
        errors
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let grew = peak.saturating_sub(warm);
    println!(
        "load {service}: {WRITERS} writers and {READERS} readers on {KEYS} keys for {elapsed:.0} s: \
         {:.0} writes/s, {:.0} reads/s ({} before any write), {torn} torn reads, errors: \
         {error_list}; memory {:.0} MiB after warm-up, {:.0} MiB peak",
        writes as f64 / elapsed,
        reads as f64 / elapsed,
        tally.absent.load(Ordering::Relaxed),
        mib(warm),
        mib(peak),
    );
    for message in untyped.iter().take(5) {
        println!("  untyped: {message}");
    }
    let flat = grew <= GROWTH_LIMIT;
    if !flat {
        println!("  memory grew by {:.0} MiB after warm-up", mib(grew));
    }
    Ok(torn == 0 && untyped.is_empty() && flat && writes > 0 && reads > 0)
}

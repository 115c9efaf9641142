//! The workloads, and the interleaved rounds that run every contender through each of them
//! (A B C D, then B C D A, ...) so that drift on a noisy machine hits all alike.

use std::io::Write;

use anyhow::{Context, ensure};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};

use crate::contender::{Contender, Entry, Expect, LargeObject};
use crate::measure::{Cost, Meter};
use crate::sample::{Record, Sample, SettingRecord, Skipped};
use crate::workload::Workload;

/// The sizes of one benchmark run.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) quick: bool,
    pub(crate) rounds: usize,
    pub(crate) small_count: usize,
    pub(crate) small_size: usize,
    pub(crate) in_flight: usize,
    pub(crate) large: LargeObject,
    pub(crate) list_count: usize,
    /// How many of the listed keys sit one level down, in directories of their own.
    pub(crate) list_dirs: usize,
    pub(crate) ranges: usize,
    pub(crate) range_len: u64,
}

impl Plan {
    pub(crate) fn new(quick: bool, rounds: usize) -> Self {
        const MIB: u64 = 1 << 20;
        let part_size = 8 * MIB;
        let pattern: Vec<u8> = (0..part_size)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        Self {
            quick,
            rounds,
            small_count: if quick { 100 } else { 1000 },
            small_size: 4096,
            in_flight: 8,
            large: LargeObject {
                size: if quick { 32 * MIB } else { 256 * MIB },
                part_size,
                concurrency: 8,
                pattern: Bytes::from(pattern),
                chunk: MIB as usize,
                read_in_parts: std::env::var("RS_STORAGE_BENCH_READ_IN_PARTS")
                    .is_ok_and(|v| v == "true"),
            },
            list_count: if quick { 1000 } else { 10_000 },
            list_dirs: 100,
            ranges: 64,
            range_len: MIB,
        }
    }

    /// The body of small object `i`: a slice of the pattern that starts at an offset of its
    /// own, so that a read that returns another object's bytes does not pass for this one's.
    fn small_body(&self, i: usize) -> Bytes {
        let at = (i * 4099) % (self.large.pattern.len() - self.small_size);
        self.large.pattern.slice(at..at + self.small_size)
    }

    /// What a read of `len` bytes at `offset` of the large or range object must deliver.
    pub(crate) fn expect(&self, offset: u64, len: u64) -> Expect {
        Expect::new(self.large.pattern.clone(), offset, len)
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} rounds; {} x {} B objects, {} in flight; one {} MiB object in {} MiB parts, {} in flight; \
             {} keys listed ({} of them one level down); {} concurrent {} MiB range reads",
            self.rounds,
            self.small_count,
            self.small_size,
            self.in_flight,
            self.large.size >> 20,
            self.large.part_size >> 20,
            self.large.concurrency,
            self.list_count,
            self.list_dirs,
            self.ranges,
            self.range_len >> 20,
        )
    }
}

const LIST_PREFIX: &str = "bench/list/";
const RANGE_KEY: &str = "bench/range.bin";

/// Each contender key's objects sit under a directory of their own (`sdk:alike` as
/// `bench/sdk-alike/`).
fn small_key(contender: &str, i: usize) -> String {
    format!("bench/{}/small/{i:05}", contender.replace(':', "-"))
}

fn large_key(contender: &str) -> String {
    format!("bench/{}/large.bin", contender.replace(':', "-"))
}

/// A contender's reason not to run a workload on this service, if it has one.
pub(crate) type SkipRule = fn(contender: &str, workload: Workload) -> Option<&'static str>;

/// The benchmark on one service: set-up, warm-up, then the interleaved rounds; each measured
/// run becomes a line of `out`, under the contender's key (`sdk`, `sdk:alike`, ...).
pub(crate) async fn run(
    service: &str,
    contenders: &[Entry],
    plan: &Plan,
    workloads: &[Workload],
    server_pids: &[u32],
    skip: SkipRule,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let setup = contenders.first().context("no contenders")?;
    set_up(setup.contender.as_ref(), plan).await?;
    for entry in contenders {
        if let Some(setting) = entry.setting {
            let record = Record::Setting(SettingRecord {
                service: service.to_owned(),
                contender: entry.key(),
                config: setting.config.suffix().to_owned(),
                what: setting.what.to_owned(),
                workloads: setting
                    .workloads
                    .iter()
                    .map(|w| w.name().to_owned())
                    .collect(),
            });
            writeln!(out, "{}", serde_json::to_string(&record)?)?;
        }
        // A contender that cannot write here (see the skip rule) cannot warm up either.
        if skip(entry.contender.name(), Workload::SmallWrite).is_some() {
            continue;
        }
        warm_up(entry.contender.as_ref())
            .await
            .with_context(|| format!("warm-up of {}", entry.key()))?;
    }
    for round in 0..plan.rounds {
        for &workload in workloads {
            for offset in 0..contenders.len() {
                let entry = &contenders[(round + offset) % contenders.len()];
                let contender = entry.contender.as_ref();
                let key = entry.key();
                if !entry.runs(workload) {
                    continue;
                }
                if let Some(reason) = skip(contender.name(), workload) {
                    if round == 0 {
                        let record = Record::Skipped(Skipped {
                            service: service.to_owned(),
                            workload: workload.name().to_owned(),
                            contender: key,
                            reason: reason.to_owned(),
                        });
                        writeln!(out, "{}", serde_json::to_string(&record)?)?;
                    }
                    continue;
                }
                // A contender that cannot write the large object reads the first one's; a
                // configuration that does not write it reads the one its library's other
                // configuration wrote.
                let large_from = if skip(contender.name(), Workload::LargeWrite).is_some() {
                    contenders[0].key()
                } else if entry.runs(Workload::LargeWrite) {
                    key.clone()
                } else {
                    contenders
                        .iter()
                        .find(|e| {
                            e.contender.name() == contender.name() && e.runs(Workload::LargeWrite)
                        })
                        .map_or_else(|| contenders[0].key(), Entry::key)
                };
                let sample = if workload.is_large() {
                    isolated(service, &key, workload, plan, &large_from, server_pids).await
                } else {
                    measure(service, entry, workload, plan, &large_from, server_pids).await
                };
                let mut sample =
                    sample.with_context(|| format!("{} on {service} by {key}", workload.name()))?;
                sample.round = round;
                eprintln!(
                    "bench {service} round {}/{} {:<14} {:<21} {:>8.3} s wall {:>8.3} s cpu",
                    round + 1,
                    plan.rounds,
                    workload.name(),
                    key,
                    sample.wall_s,
                    sample.client_cpu_s,
                );
                let record = Record::Sample(sample);
                writeln!(out, "{}", serde_json::to_string(&record)?)?;
            }
        }
    }
    Ok(())
}

/// Runs one workload in this process and measures it; then, outside the measured part, reads a
/// large write back and compares it with what was written.
pub(crate) async fn measure(
    service: &str,
    entry: &Entry,
    workload: Workload,
    plan: &Plan,
    large_from: &str,
    server_pids: &[u32],
) -> anyhow::Result<Sample> {
    let contender = entry.contender.as_ref();
    let key = entry.key();
    let meter = Meter::start(server_pids);
    let (bytes, ops) = run_one(contender, &key, workload, plan, large_from).await?;
    let cost = meter.stop();
    if workload == Workload::LargeWrite {
        let mut expect = plan.expect(0, plan.large.size);
        contender
            .get_large(&large_key(&key), &plan.large, &mut expect)
            .await
            .context("reading the large write back")?;
        expect.finish().context("the large write read back")?;
    }
    Ok(sample(service, workload, &key, cost, bytes, ops))
}

/// Runs one workload in a fresh process (`storage-bench one ...`), so that its peak memory is
/// its own and not what earlier workloads left in this process's heap.
async fn isolated(
    service: &str,
    contender: &str,
    workload: Workload,
    plan: &Plan,
    large_from: &str,
    server_pids: &[u32],
) -> anyhow::Result<Sample> {
    if service == "fs" {
        // Start from a clean page cache: a run that met the previous ones' write-back
        // would pay for it in kernel CPU, whichever contender it was.
        tokio::process::Command::new("sync").status().await?;
    }
    let pids: Vec<String> = server_pids.iter().map(u32::to_string).collect();
    let mut cmd = tokio::process::Command::new(std::env::current_exe()?);
    cmd.args(["one", "--service", service, "--contender", contender])
        .args(["--workload", workload.name(), "--large-from", large_from])
        .args(["--server-pid", &pids.join(",")])
        .stderr(std::process::Stdio::inherit());
    if plan.quick {
        cmd.arg("--quick");
    }
    let output = cmd
        .output()
        .await
        .context("cannot start `storage-bench one`")?;
    anyhow::ensure!(
        output.status.success(),
        "`storage-bench one` failed: {}",
        output.status
    );
    let text = String::from_utf8(output.stdout)?;
    let mut sample: Sample = serde_json::from_str(text.trim())
        .with_context(|| format!("unreadable result from `storage-bench one`: {text}"))?;
    sample.isolated = true;
    Ok(sample)
}

fn sample(
    service: &str,
    workload: Workload,
    contender: &str,
    cost: Cost,
    bytes: u64,
    ops: u64,
) -> Sample {
    Sample {
        service: service.to_owned(),
        workload: workload.name().to_owned(),
        contender: contender.to_owned(),
        round: 0,
        isolated: false,
        wall_s: cost.wall.as_secs_f64(),
        client_cpu_s: cost.client_cpu.as_secs_f64(),
        server_cpu_s: cost.server_cpu.as_secs_f64(),
        peak_rss: cost.peak_rss,
        bytes,
        ops,
    }
}

/// The shared data every contender lists and range-reads: written once, by the first.
async fn set_up(contender: &dyn Contender, plan: &Plan) -> anyhow::Result<()> {
    let flat = plan.list_count - plan.list_dirs;
    let range_size = plan.ranges as u64 * plan.range_len;
    // A server kept from an earlier run (when profiling) has the data already.
    let last_key = format!("{LIST_PREFIX}k{:05}", flat - 1);
    let beyond = format!("{LIST_PREFIX}k{flat:05}");
    if contender.stat(&last_key).await.is_ok()
        && contender.stat(&beyond).await.is_err()
        && contender.stat(RANGE_KEY).await.ok() == Some(range_size)
    {
        return Ok(());
    }
    let keys: Vec<String> = (0..flat)
        .map(|i| format!("{LIST_PREFIX}k{i:05}"))
        .chain((0..plan.list_dirs).map(|i| format!("{LIST_PREFIX}d{i:03}/x")))
        .collect();
    futures_util::stream::iter(keys)
        .map(|key| async move { contender.put(&key, Bytes::from_static(b"x")).await })
        .buffer_unordered(32)
        .try_collect::<()>()
        .await
        .context("writing the keys to list")?;
    let range_object = LargeObject {
        size: range_size,
        ..plan.large.clone()
    };
    contender
        .put_large(RANGE_KEY, &range_object)
        .await
        .context("writing the object to range-read")?;
    Ok(())
}

/// One small round trip of each kind, so that no contender's first workload pays for its
/// connections or credentials.
pub(crate) async fn warm_up(contender: &dyn Contender) -> anyhow::Result<()> {
    let key = format!("bench/{}/warm", contender.name());
    contender.put(&key, Bytes::from_static(b"warm")).await?;
    ensure!(contender.stat(&key).await? == 4, "warm-up stat");
    ensure!(&contender.get(&key).await?[..] == b"warm", "warm-up read");
    Ok(())
}

/// Runs one workload and checks what came back (reads by content, against what was
/// written); returns the payload bytes and requests. `name` is the contender's key, so that
/// each configuration writes its own objects.
async fn run_one(
    contender: &dyn Contender,
    name: &str,
    workload: Workload,
    plan: &Plan,
    large_from: &str,
) -> anyhow::Result<(u64, u64)> {
    let small = plan.small_count as u64;
    let small_bytes = small * plan.small_size as u64;
    match workload {
        Workload::SmallWrite => {
            for_each_small(plan, |i| {
                let body = plan.small_body(i);
                async move { contender.put(&small_key(name, i), body).await }
            })
            .await?;
            Ok((small_bytes, small))
        }
        Workload::SmallStat => {
            for_each_small(plan, |i| async move {
                let size = contender.stat(&small_key(name, i)).await?;
                ensure!(size == plan.small_size as u64, "stat gave {size} bytes");
                Ok(())
            })
            .await?;
            Ok((0, small))
        }
        Workload::SmallRead => {
            for_each_small(plan, |i| async move {
                let body = contender.get(&small_key(name, i)).await?;
                ensure!(
                    body == plan.small_body(i),
                    "object {i} read back {} bytes that differ from the {} written",
                    body.len(),
                    plan.small_size
                );
                Ok(())
            })
            .await?;
            Ok((small_bytes, small))
        }
        Workload::LargeWrite => {
            contender.put_large(&large_key(name), &plan.large).await?;
            Ok((plan.large.size, 1))
        }
        Workload::LargeRead => {
            let mut expect = plan.expect(0, plan.large.size);
            contender
                .get_large(&large_key(large_from), &plan.large, &mut expect)
                .await?;
            Ok((expect.finish()?, 1))
        }
        Workload::ListFlat => {
            let found = contender.list(LIST_PREFIX, false).await?;
            ensure!(
                found == plan.list_count as u64,
                "listed {found} of {}",
                plan.list_count
            );
            Ok((0, 1))
        }
        Workload::ListDelimited => {
            let found = contender.list(LIST_PREFIX, true).await?;
            ensure!(
                found == plan.list_count as u64,
                "listed {found} of {}",
                plan.list_count
            );
            Ok((0, 1))
        }
        Workload::RangeRead => {
            futures_util::stream::iter(0..plan.ranges as u64)
                .map(|i| async move {
                    let offset = i * plan.range_len;
                    let mut expect = plan.expect(offset, plan.range_len);
                    contender
                        .get_range(RANGE_KEY, offset, plan.range_len, &mut expect)
                        .await?;
                    expect.finish()
                })
                .buffer_unordered(plan.ranges)
                .try_collect::<Vec<u64>>()
                .await?;
            Ok((plan.ranges as u64 * plan.range_len, plan.ranges as u64))
        }
    }
}

async fn for_each_small<F, Fut>(plan: &Plan, op: F) -> anyhow::Result<()>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    futures_util::stream::iter(0..plan.small_count)
        .map(op)
        .buffer_unordered(plan.in_flight)
        .try_collect()
        .await
}

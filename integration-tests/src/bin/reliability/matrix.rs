//! `reliability faults`: runs every operation of one cloud backend through the fault-injecting
//! proxy under every fault, judges each cell (recovered, typed error, or a failure: corrupt,
//! partial, hung, untyped, missed), prints a line per cell and the service's summary line, and
//! writes the markdown section that `cargo xtask faults` assembles into docs/reliability.md.

use std::sync::Arc;

use futures_util::StreamExt;

use crate::plan::{self, Op, Schedule};
use crate::target::Target;
use crate::{report, scenario};

/// Cells run side by side, each with its own proxy and store.
const PARALLEL: usize = 6;
/// The seed when none is given, so that two runs strike at the same offsets.
const DEFAULT_SEED: u64 = 20_261_126;

struct Args {
    service: String,
    title: String,
    schedule: Schedule,
    seed: u64,
    out: Option<String>,
    /// Only the cells whose `operation / fault` contains this (for working on a few cells).
    only: Option<String>,
}

fn args(given: &[String]) -> Result<Args, String> {
    let mut args = Args {
        service: String::new(),
        title: String::new(),
        schedule: Schedule::Quick,
        seed: DEFAULT_SEED,
        out: None,
        only: None,
    };
    let mut iter = given.iter().cloned();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--service" => args.service = value()?,
            "--title" => args.title = value()?,
            "--schedule" => {
                args.schedule = match value()?.as_str() {
                    "quick" => Schedule::Quick,
                    "full" => Schedule::Full,
                    other => return Err(format!("unknown schedule `{other}`: quick or full")),
                }
            }
            "--seed" => {
                let seed = value()?;
                args.seed = seed.parse().map_err(|_| format!("bad seed `{seed}`"))?;
            }
            "--out" => args.out = Some(value()?),
            "--only" => args.only = Some(value()?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.service.is_empty() {
        return Err("--service is required (s3, azblob or gcs)".into());
    }
    if args.title.is_empty() {
        args.title = args.service.clone();
    }
    Ok(args)
}

/// Runs the matrix for the service `given` names; false when any cell failed.
pub(crate) async fn run(given: &[String]) -> Result<bool, String> {
    let args = args(given)?;
    let target = Arc::new(Target::from_env(&args.service)?);
    // The bucket is created without the proxy's help: no fault is armed on a fresh proxy.
    let proxy = storage_faults::FaultProxy::start(target.upstream()?)
        .await
        .map_err(|err| format!("proxy: {err}"))?;
    let store = target.store(proxy.addr(), "").await?;
    target.prepare(store.as_ref()).await?;
    target.probe_staged().await?;
    let cap = store.info().capability;
    let keep = |op: Op, fault| {
        target.undetectable(op, fault).is_none()
            && target.runs(op)
            && (!fault.strikes_chunk_answers(op) || target.resumable(op))
            && match op {
                Op::Append => cap.supports(storage_types::Operation::Append),
                Op::Copy => cap.supports(storage_types::Operation::Copy),
                _ => true,
            }
    };
    let mut scenarios = plan::scenarios(args.schedule, args.seed, keep);
    if let Some(only) = &args.only {
        scenarios
            .retain(|s| format!("{} / {}", s.op.name(), s.fault.name()).contains(only.as_str()));
    }
    let service = target.name();
    let mut cells: Vec<_> = futures_util::stream::iter(scenarios.into_iter().enumerate())
        .map(|(index, scenario)| {
            let target = Arc::clone(&target);
            async move {
                let cell = scenario::run(&target, scenario, index).await;
                println!("{}", report::cell_line(service, &cell));
                cell
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    cells.sort_by_key(|cell| (cell.scenario.op as u8, cell.scenario.fault as u8));
    let tally = report::Tally::of(&cells);
    println!("{}", tally.line(service));
    if let Some(out) = &args.out {
        let section = report::section(&target, &args.title, &cells, args.seed);
        std::fs::write(out, section).map_err(|err| format!("cannot write {out}: {err}"))?;
    }
    Ok(!tally.failed())
}

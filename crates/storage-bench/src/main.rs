//! `storage-bench`: rs-storage against the raw vendor SDKs, Apache OpenDAL and arrow-rs
//! object_store on one server, workload by workload. `cargo xtask bench` builds it in release,
//! starts the servers and runs it; see docs/performance.md for what it measures.
//!
//! ```text
//! storage-bench run --service s3|azblob|gcs|fs [--quick] [--rounds N] --out FILE [--server-pid PID,...]
//!     [--commit HASH] [--contenders sdk,rs-storage,opendal,object_store] [--workloads small-write,...]
//! storage-bench report --markdown docs/performance.md --chart docs/performance.png FILE...
//! storage-bench one --service S --contender KEY --workload W [--large-from KEY] [--quick]   (used by run)
//! ```

mod chart;
mod contender;
mod measure;
mod ours;
mod peers;
mod raw_azblob;
mod raw_fs;
mod raw_gcs;
mod raw_s3;
mod report;
mod results;
mod sample;
mod services;
mod settings;
mod workload;
mod workloads;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::sample::Record;
use crate::workload::Workload;
use crate::workloads::Plan;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|at| args.get(at + 1).cloned())
}

/// The process ids of `--server-pid a,b,...`.
fn server_pids(args: &[String]) -> Vec<u32> {
    flag(args, "--server-pid")
        .map(|list| {
            list.split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]).await,
        Some("one") => one(&args[1..]).await,
        Some("report") => report::write(&args[1..]),
        _ => Err(anyhow::anyhow!(
            "usage: storage-bench run --service s3|azblob|gcs|fs [--quick] [--rounds N] --out FILE [--server-pid PID,...]\n       storage-bench report --markdown FILE --chart FILE RESULTS..."
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("storage-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> anyhow::Result<()> {
    let service = flag(args, "--service").context("--service is required")?;
    let out = flag(args, "--out").context("--out is required")?;
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = match flag(args, "--rounds") {
        Some(n) => n.parse().context("--rounds takes a number")?,
        None => 5,
    };
    if rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let server_pids = measure::with_descendants(&server_pids(args));
    let plan = Plan::new(quick, rounds);
    let mut setup = services::contenders(&service).await?;
    // For profiling one contender or one workload: `--contenders sdk,rs-storage` (a library's
    // name keeps both its configurations, `sdk:alike` only that one), `--workloads large-write`.
    if let Some(names) = flag(args, "--contenders") {
        let names: Vec<&str> = names.split(',').collect();
        setup
            .contenders
            .retain(|e| names.contains(&e.contender.name()) || names.contains(&e.key().as_str()));
    }
    let workloads: Vec<Workload> = match flag(args, "--workloads") {
        Some(names) => {
            let names: Vec<&str> = names.split(',').collect();
            Workload::ALL
                .into_iter()
                .filter(|w| names.contains(&w.name()))
                .collect()
        }
        None => Workload::ALL.to_vec(),
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&out)
        .with_context(|| format!("cannot open {out}"))?;
    let header = Record::Run {
        service: service.clone(),
        server: setup.server.clone(),
        plan: plan.describe(),
        commit: flag(args, "--commit").unwrap_or_default(),
    };
    writeln!(file, "{}", serde_json::to_string(&header)?)?;
    workloads::run(
        &service,
        &setup.contenders,
        &plan,
        &workloads,
        &server_pids,
        setup.skip,
        &mut file,
    )
    .await
}

/// One workload by one contender, measured in this (fresh) process; prints the sample as JSON.
/// `run` starts it for the large-object workloads.
async fn one(args: &[String]) -> anyhow::Result<()> {
    let service = flag(args, "--service").context("--service is required")?;
    let name = flag(args, "--contender").context("--contender is required")?;
    let workload = flag(args, "--workload")
        .and_then(|w| Workload::named(&w))
        .context("--workload names no workload")?;
    let large_from = flag(args, "--large-from").unwrap_or_else(|| name.clone());
    let pids = server_pids(args);
    let plan = Plan::new(args.iter().any(|a| a == "--quick"), 1);
    let setup = services::contenders(&service).await?;
    let entry = setup
        .contenders
        .iter()
        .find(|e| e.key() == name)
        .with_context(|| format!("no contender `{name}` on {service}"))?;
    if (setup.skip)(entry.contender.name(), Workload::SmallWrite).is_none() {
        workloads::warm_up(entry.contender.as_ref()).await?;
    }
    let sample = workloads::measure(&service, entry, workload, &plan, &large_from, &pids).await?;
    println!("{}", serde_json::to_string(&sample)?);
    Ok(())
}

//! `cargo xtask load [--service s3,azblob,gcs] [--seconds 20]`: starts each cloud backend's
//! local server and runs `reliability load` against it (32 writers and 32 readers on 8
//! overlapping keys), printing its `load <service>: ...` line. Fails on a torn read, an untyped
//! error or memory that grows.

use crate::faults::{build_reliability, run_each, select};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    crate::check_args(args, &["--service", "--seconds"], &[])?;
    let seconds = crate::flag_value(args, "--seconds")?.unwrap_or_else(|| "20".into());
    let selected = select(args)?;
    let binary = build_reliability()?;
    let failed = run_each(&selected, &binary, "load", |_| {
        vec!["--seconds".into(), seconds.clone().into()]
    })?;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("the load test failed for {}", failed.join(", ")))
    }
}

//! The BR compatibility table (`storage_conformance::br_compat`) against one service's server,
//! as `cargo xtask test` starts it: `cargo test -p storage-conformance --test br_compat
//! --features <backend> -- <service>`, the service as xtask names it (`fs`, `s3-seaweedfs`,
//! `azblob`, `gcs`). Prints `br-compat <service>: N passed, M failed`; a missing server is a
//! failure, never a skip.

use std::process::ExitCode;

use storage_conformance::br_compat;

fn main() -> ExitCode {
    let Some(label) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("FAIL name the service: `-- fs`, `-- s3-seaweedfs`, `-- azblob` or `-- gcs`");
        return ExitCode::FAILURE;
    };
    // The table's services for the suite's: `fs` has the local-file, noop and HDFS rows.
    let (services, server): (&[&str], &str) = match label.as_str() {
        "fs" => (&["fs", "noop", "hdfs"], "local"),
        "s3-seaweedfs" => (&["s3"], "s3"),
        "azblob" => (&["azblob"], "azblob"),
        "gcs" => (&["gcs"], "gcs"),
        other => {
            eprintln!("FAIL no BR rows for the service `{other}`");
            return ExitCode::FAILURE;
        }
    };
    br_compat::main_for_rows(&label, services, br_compat::required_vars(server))
}

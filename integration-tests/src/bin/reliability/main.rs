//! `reliability`: the fault matrix and the load test of the cloud backends, run by
//! `cargo xtask faults` and `cargo xtask load` with the environment of the conformance suite.
//!
//! - `reliability faults --service s3|azblob|gcs [--schedule quick|full] [--seed N]
//!   [--title T] [--out FILE] [--only 'OPERATION / FAULT']` (`--only` runs the cells whose
//!   names contain the text)
//! - `reliability load --service s3|azblob|gcs [--seconds 20]`

mod load;
mod matrix;
mod plan;
mod report;
mod scenario;
mod target;
mod verdict;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("faults") => matrix::run(&args[1..]).await,
        Some("load") => load::run(&args[1..]).await,
        _ => Err("usage: reliability faults|load --service s3|azblob|gcs [...]".into()),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("reliability: {message}");
            ExitCode::FAILURE
        }
    }
}

//! `stor`: list, inspect, copy, move and remove objects on any rs-storage URL or local path;
//! sign URLs; make and remove buckets.

mod bucket;
mod bulk;
mod cat;
mod cli;
mod completions;
mod config;
mod config_file;
mod dirs;
mod du;
mod exit;
mod filter;
mod human;
mod list;
mod logging;
mod named;
mod options;
mod pipe;
mod presign;
mod printed;
mod progress;
mod remove;
mod report;
mod same_store;
mod session;
mod sync;
mod transfer;
mod upload;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(&cli.global);
    let session = session::Session::new(cli.global);
    // Ctrl-C or SIGTERM drops the command's work (its guards start their clean-up: the select
    // has ended before `stopped` runs) and exits 130 or 143.
    let outcome = tokio::select! {
        outcome = run(&session, cli.command) => Ok(outcome),
        signal = exit::stop() => Err(signal),
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(signal) => return exit::stopped(signal).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: the context, the storage error, then its causes.
            eprintln!("stor: {}", exit::one_line(&err));
            exit::status(&err)
        }
    }
}

async fn run(session: &session::Session, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Ls(args) => list::ls(session, args).await,
        Command::Stat(args) => list::stat(session, args).await,
        Command::Cat(args) => cat::cat(session, args).await,
        Command::Cp(args) => transfer::cp(session, args).await,
        Command::Mv(args) => transfer::mv(session, args).await,
        Command::Rm(args) => remove::rm(session, args).await,
        Command::Presign(args) => presign::presign(session, args).await,
        Command::Mb(args) => bucket::mb(session, args).await,
        Command::Rb(args) => bucket::rb(session, args).await,
        Command::Du(args) => du::du(session, args).await,
        Command::Sync(args) => sync::sync(session, args).await,
        Command::Config(args) => config::config(session, args).await,
        Command::Completions(args) => completions::completions(args, Cli::command()),
    }
}

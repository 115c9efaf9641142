//! `stor`: list, inspect, copy, move and remove objects on any rs-storage URL or local path;
//! sign URLs; make and remove buckets.

mod bucket;
mod cat;
mod cli;
mod du;
mod exit;
mod human;
mod list;
mod options;
mod pipe;
mod presign;
mod progress;
mod remove;
mod same_store;
mod transfer;
mod upload;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C drops the command's work (its guards start their clean-up: the select has
    // ended before `interrupted` runs) and exits 130.
    let outcome = tokio::select! {
        outcome = run(cli.command) => Some(outcome),
        () = exit::ctrl_c() => None,
    };
    let Some(outcome) = outcome else {
        return exit::interrupted().await;
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: the context, the storage error, then its causes. A cause that some
            // library already folded into the message before it is not printed twice.
            let mut line: Vec<String> = Vec::new();
            for cause in err.chain() {
                let text = cause.to_string();
                if !line.last().is_some_and(|before| before.contains(&text)) {
                    line.push(text);
                }
            }
            eprintln!("stor: {}", line.join(": ").replace('\n', " "));
            exit::status(&err)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Ls(args) => list::ls(args).await,
        Command::Stat(args) => list::stat(args).await,
        Command::Cat(args) => cat::cat(args).await,
        Command::Cp(args) => transfer::cp(args).await,
        Command::Mv(args) => transfer::mv(args).await,
        Command::Rm(args) => remove::rm(args).await,
        Command::Presign(args) => presign::presign(args).await,
        Command::Mb(args) => bucket::mb(args).await,
        Command::Rb(args) => bucket::rb(args).await,
        Command::Du(args) => du::du(args).await,
    }
}

//! The command line of `stor`: subcommands, their flags and their help texts.

use clap::{Args, Parser, Subcommand};

/// Work with objects and files on any store rs-storage opens.
///
/// A location is a local path (`/data/x`, `./x`) or a URL (`fs:///data/x`, `memory://name/x`).
/// A trailing `/` names a directory.
#[derive(Debug, Parser)]
#[command(name = "stor", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List a directory.
    #[command(
        after_help = "Examples:\n  stor ls /data/backups/\n  stor ls -r -l fs:///data/backups/"
    )]
    Ls(LsArgs),
    /// Show an object's metadata.
    #[command(after_help = "Example:\n  stor stat /data/backups/2024.tar")]
    Stat(LocationArg),
    /// Write an object's content to standard output.
    #[command(after_help = "Example:\n  stor cat /data/report.csv | head")]
    Cat(LocationArg),
    /// Copy an object (or with -r a directory) between any two locations.
    #[command(
        after_help = "Examples:\n  stor cp ./dump.sql fs:///backups/\n  stor cp -r /data/in/ /data/out/"
    )]
    Cp(TransferArgs),
    /// Move an object (or with -r a directory).
    #[command(after_help = "Example:\n  stor mv /data/tmp/a.csv /data/done/")]
    Mv(TransferArgs),
    /// Remove an object (or with -r a directory and everything below it).
    #[command(after_help = "Examples:\n  stor rm /data/tmp/a.csv\n  stor rm -r /data/tmp/")]
    Rm(RmArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// List everything below the directory, not only one level.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Show size and modification time.
    #[arg(short = 'l', long = "long")]
    pub(crate) long: bool,
    /// The directory to list.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct LocationArg {
    /// The object.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// Copy a directory and everything below it.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// The source object (or directory with -r).
    pub(crate) source: String,
    /// The destination; a trailing `/` or an existing directory keeps the source's name.
    pub(crate) destination: String,
}

#[derive(Debug, Args)]
pub(crate) struct RmArgs {
    /// Remove a directory and everything below it.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// The object or directory.
    pub(crate) location: String,
}

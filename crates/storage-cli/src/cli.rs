//! The command line of `stor`: subcommands, their flags and their help texts.

use clap::{Parser, Subcommand};

/// Work with objects and files on any store rs-storage opens.
///
/// A location is a local path (`/data/x`, `./x`) or a URL: `fs:///data/x`, `memory://name/x`,
/// `s3://bucket/x?region=..`, `azblob://container/x?account-name=..`, `gcs://bucket/x`, and the
/// other spellings of docs/urls.md. A trailing `/` names a directory. Secrets in URLs never
/// appear in messages.
#[derive(Debug, Parser)]
#[command(
    name = "stor",
    version,
    propagate_version = true,
    after_help = main_help()
)]
pub(crate) struct Cli {
    /// Output, named stores, endpoint and bandwidth: flags every command takes.
    #[command(flatten)]
    pub(crate) global: crate::session::GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List a directory.
    #[command(
        after_help = "Examples:\n  stor ls /data/backups/\n  stor ls -r -l \
                            s3://backups/tidb/?region=us-east-1\n  stor ls -lh gcs://logs/\n  \
                            stor ls --json gcs://logs/",
        disable_help_flag = true
    )]
    Ls(crate::list::LsArgs),
    /// Show an object's metadata.
    #[command(
        after_help = "Examples:\n  stor stat /data/backups/2024.tar\n  stor stat --json \
                            azblob://c/x?account-name=acct"
    )]
    Stat(crate::list::StatArgs),
    /// Write an object's content (or a byte range of it) to standard output.
    #[command(
        after_help = "Examples:\n  stor cat /data/report.csv | head\n  stor cat --range \
                            0-1023 s3://b/big.bin > first-kib\n  stor cat --range -100 \
                            gcs://logs/app.log"
    )]
    Cat(crate::cat::CatArgs),
    /// Copy an object (or with -r a directory) between any two locations.
    #[command(
        after_help = "Examples:\n  stor cp ./dump.sql s3://backups/db/\n  stor cp -r \
                            /data/in/ gcs://bucket/in/\n  stor cp --concurrency 8 --part-size \
                            16MiB big.tar s3://b/\n  stor cp --encryption kms:alias/backup x \
                            s3://b/x\n  pg_dump db | stor cp --expected-size 20GiB - \
                            s3://b/db.sql\n  stor cp s3://b/db.sql - | psql db\n  stor cp \
                            --cache-control max-age=60 --metadata owner=web -r site/ \
                            gcs://www/\n\nWithin one store (the same bucket and the same URL keys: endpoint, \
                            account, credentials ...) the copy is server-side; otherwise the \
                            bytes stream through stor."
    )]
    Cp(crate::options::TransferArgs),
    /// Move an object (or with -r a directory).
    #[command(
        after_help = "Examples:\n  stor mv /data/tmp/a.csv /data/done/\n  stor mv -r \
                            s3://b/incoming/ s3://b/done/"
    )]
    Mv(crate::options::TransferArgs),
    /// Remove an object (or with -r a directory and everything below it).
    #[command(after_help = "Examples:\n  stor rm /data/tmp/a.csv\n  stor rm -r s3://b/tmp/")]
    Rm(crate::remove::RmArgs),
    /// Print a signed URL that allows one request on an object without credentials.
    #[command(
        after_help = "Examples:\n  stor presign s3://b/report.pdf\n  stor presign --method \
                            put --expires 10m gcs://b/upload.bin"
    )]
    Presign(crate::presign::PresignArgs),
    /// Make a bucket (container).
    #[command(after_help = "Example:\n  stor mb s3://new-bucket?region=eu-west-1")]
    Mb(crate::bucket::LocationArg),
    /// Remove an empty bucket (container).
    #[command(after_help = "Example:\n  stor rb s3://old-bucket")]
    Rb(crate::bucket::LocationArg),
    /// Show the bytes and the number of objects below a prefix.
    #[command(
        after_help = "Examples:\n  stor du s3://backups/tidb/\n  stor du -h gcs://logs/2024/\n  \
                      stor du --json azblob://c/data/?account-name=acct",
        disable_help_flag = true
    )]
    Du(crate::du::DuArgs),
    /// Make a destination directory hold what the source holds: copy what is missing or
    /// changed, and with --delete remove what the source does not have.
    #[command(
        after_help = "Examples:\n  stor sync /data/backups/ s3://b/backups/\n  stor sync --dry-run \
                      --delete gcs://logs/ /archive/logs/\n  stor sync --checksum --exclude \
                      '*.tmp' ./site/ prod:www/\n\nA file is current when the destination holds one of \
                      the same size that is not older (--checksum: the same content hash \
                      where both sides have one). An interrupted sync run again sends only \
                      what did not arrive."
    )]
    Sync(crate::sync::SyncArgs),
    /// Named stores: `stor ls prod:backups/` once `prod` is in the config file.
    #[command(
        after_help = "Examples:\n  stor config add prod s3://backups region=eu-west-1 \
                      profile=backup\n  stor config list\n  stor config show prod\n  \
                      stor config remove prod\n  stor ls prod:tidb/"
    )]
    Config(crate::config::ConfigArgs),
    /// Print a shell's completion script for stor.
    #[command(
        after_help = "Examples:\n  stor completions bash > ~/.local/share/bash-completion/completions/stor\n  \
                      stor completions zsh > ~/.zfunc/_stor\n  stor completions fish > \
                      ~/.config/fish/completions/stor.fish"
    )]
    Completions(crate::completions::CompletionsArgs),
}

/// `stor --help`'s closing text: a few first commands, then the exit codes.
fn main_help() -> String {
    format!(
        "Examples:\n  stor ls s3://backups/?region=eu-west-1\n  stor cp -r ./data/ \
         gcs://bucket/data/\n  stor sync --delete /srv/site/ prod:www/\n  pg_dump db | stor cp - \
         azblob://c/db.sql?account-name=acct\n  stor config add prod s3://backups \
         region=eu-west-1\n\nEach command's --help has more examples.\n\n{}",
        crate::exit::TABLE
    )
}

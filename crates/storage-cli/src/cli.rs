//! The command line of `stor`: subcommands, their flags and their help texts.

use clap::{Args, Parser, Subcommand};

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
    after_help = crate::exit::TABLE
)]
pub(crate) struct Cli {
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
    Ls(LsArgs),
    /// Show an object's metadata.
    #[command(
        after_help = "Examples:\n  stor stat /data/backups/2024.tar\n  stor stat --json \
                            azblob://c/x?account-name=acct"
    )]
    Stat(StatArgs),
    /// Write an object's content (or a byte range of it) to standard output.
    #[command(
        after_help = "Examples:\n  stor cat /data/report.csv | head\n  stor cat --range \
                            0-1023 s3://b/big.bin > first-kib\n  stor cat --range -100 \
                            gcs://logs/app.log"
    )]
    Cat(CatArgs),
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
    Cp(TransferArgs),
    /// Move an object (or with -r a directory).
    #[command(
        after_help = "Examples:\n  stor mv /data/tmp/a.csv /data/done/\n  stor mv -r \
                            s3://b/incoming/ s3://b/done/"
    )]
    Mv(TransferArgs),
    /// Remove an object (or with -r a directory and everything below it).
    #[command(after_help = "Examples:\n  stor rm /data/tmp/a.csv\n  stor rm -r s3://b/tmp/")]
    Rm(RmArgs),
    /// Print a signed URL that allows one request on an object without credentials.
    #[command(
        after_help = "Examples:\n  stor presign s3://b/report.pdf\n  stor presign --method \
                            put --expires 10m gcs://b/upload.bin"
    )]
    Presign(PresignArgs),
    /// Make a bucket (container).
    #[command(after_help = "Example:\n  stor mb s3://new-bucket?region=eu-west-1")]
    Mb(LocationArg),
    /// Remove an empty bucket (container).
    #[command(after_help = "Example:\n  stor rb s3://old-bucket")]
    Rb(LocationArg),
    /// Show the bytes and the number of objects below a prefix.
    #[command(
        after_help = "Examples:\n  stor du s3://backups/tidb/\n  stor du -h gcs://logs/2024/\n  \
                      stor du --json azblob://c/data/?account-name=acct",
        disable_help_flag = true
    )]
    Du(crate::du::DuArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// List everything below the directory, not only one level.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Show size and modification time.
    #[arg(short = 'l', long = "long")]
    pub(crate) long: bool,
    /// One JSON object per line, with every field the store reports.
    #[arg(long)]
    pub(crate) json: bool,
    /// `-h`: human-readable sizes (implies -l).
    #[command(flatten)]
    pub(crate) sizes: crate::human::HumanArgs,
    /// The directory to list.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct StatArgs {
    /// Print a JSON object.
    #[arg(long)]
    pub(crate) json: bool,
    /// The object or directory.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct LocationArg {
    /// The location.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct CatArgs {
    /// Only bytes A to B (inclusive, from 0), from A to the end with `A-`, or the last N
    /// bytes with `-N`.
    #[arg(long, value_name = "A-B", allow_hyphen_values = true)]
    pub(crate) range: Option<String>,
    /// The object.
    pub(crate) location: String,
}

#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// Copy a directory and everything below it.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Parts of one object uploaded at once (stores that upload in parts).
    #[arg(long, value_name = "N")]
    pub(crate) concurrency: Option<usize>,
    /// The size of those parts (`8MiB`, `64M`, `1048576`), read as URL keys' sizes are.
    #[arg(long, value_name = "SIZE", value_parser = size_flag)]
    pub(crate) part_size: Option<u64>,
    /// The storage class (tier) of written objects: `STANDARD_IA`, `Cool`, `NEARLINE` ...
    #[arg(long, value_name = "CLASS")]
    pub(crate) storage_class: Option<String>,
    /// Encryption of written objects: `service`, `kms:KEY_ID` or `customer-key:BASE64`.
    #[arg(long, value_name = "MODE")]
    pub(crate) encryption: Option<String>,
    /// Content type, cache control, encoding, user metadata, checksum, expected size.
    #[command(flatten)]
    pub(crate) upload: crate::upload::UploadArgs,
    /// The source object (or directory with -r); `-` is standard input.
    pub(crate) source: String,
    /// The destination; a trailing `/` or an existing directory keeps the source's name; `-`
    /// is standard output.
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

#[derive(Debug, Args)]
pub(crate) struct PresignArgs {
    /// How long the URL is good for (`15m`, `1h`, `7days`).
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub(crate) expires: std::time::Duration,
    /// The request it allows.
    #[arg(long, value_enum, default_value_t = MethodArg::Get, ignore_case = true)]
    pub(crate) method: MethodArg,
    /// The object.
    pub(crate) location: String,
}

/// The request a signed URL allows (`--method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MethodArg {
    /// GET: read the object.
    Get,
    /// PUT: write the object.
    Put,
    /// HEAD: read its metadata.
    Head,
    /// DELETE: delete it.
    Delete,
}

/// `--part-size`: the size parser of URL keys, so that both take the same spellings.
fn size_flag(text: &str) -> Result<u64, String> {
    storage::types::backend::parse_size("--part-size", text).map_err(|err| err.message().to_owned())
}

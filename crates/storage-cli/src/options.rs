//! Write options from `stor cp`/`mv` flags: part size and concurrency, storage class and
//! encryption (the metadata flags are `upload`'s).

use anyhow::{Context, Result};
use clap::Args;
use storage::types::CustomerKey;
use storage::{Encryption, WriteOptions};

#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// Copy a directory and everything below it.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// How each object is written: parts, class, encryption, metadata.
    #[command(flatten)]
    pub(crate) write: WriteFlags,
    /// Several files at once, filters, and what to do with existing destinations.
    #[command(flatten)]
    pub(crate) bulk: crate::bulk::BulkArgs,
    /// The source object (or directory with -r); `-` is standard input.
    pub(crate) source: String,
    /// The destination; a trailing `/` or an existing directory keeps the source's name; `-`
    /// is standard output.
    pub(crate) destination: String,
}

/// The flags that say how each object is written (`cp`, `mv`, `sync`).
#[derive(Debug, Args)]
pub(crate) struct WriteFlags {
    /// Parts of one object uploaded at once (stores that upload in parts).
    #[arg(long, value_name = "N")]
    pub(crate) concurrency: Option<usize>,
    /// The size of those parts (`8MiB`, `64M`, `1048576`), read as URL keys' sizes are.
    #[arg(long, value_name = "SIZE", value_parser = crate::human::size_flag)]
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
}

/// `service`, `kms:KEY_ID` or `customer-key:BASE64`.
pub(crate) fn parse_encryption(text: &str) -> Result<Encryption> {
    match text.split_once(':') {
        None if text == "service" => Ok(Encryption::ServiceManaged),
        Some(("kms", key)) if !key.is_empty() => Ok(Encryption::kms(key)),
        Some(("customer-key", key)) => Ok(Encryption::CustomerKey(
            CustomerKey::from_base64(key).context("the customer key")?,
        )),
        // Never echo the value: it may be a key. A usage error (exit 2), checked before any
        // request.
        _ => Err(crate::exit::usage(
            "--encryption takes service, kms:KEY_ID or customer-key:BASE64",
        )),
    }
}

/// The write options the flags ask for.
pub(crate) fn write_options(args: &WriteFlags) -> Result<WriteOptions> {
    let mut opts = WriteOptions::default();
    if let Some(n) = args.concurrency {
        opts = opts.with_concurrency(n);
    }
    if let Some(size) = args.part_size {
        opts = opts.with_part_size(size);
    }
    if let Some(class) = &args.storage_class {
        opts = opts.with_storage_class(class.clone());
    }
    if let Some(encryption) = &args.encryption {
        opts = opts.with_encryption(parse_encryption(encryption)?);
    }
    Ok(opts)
}

/// Whether the flags ask for anything a server-side copy cannot carry.
pub(crate) fn needs_streaming(args: &WriteFlags) -> bool {
    args.upload.any()
        || args.storage_class.is_some()
        || args.part_size.is_some()
        || args.concurrency.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_never_echoes_the_value() {
        assert_eq!(
            parse_encryption("kms:alias/x").unwrap(),
            Encryption::kms("alias/x")
        );
        let err = parse_encryption("customer-key:c2VjcmV0").unwrap_err();
        assert!(!format!("{err:#}").contains("c2VjcmV0"), "{err:#}");
        let err = parse_encryption("hunter2").unwrap_err();
        assert!(err.is::<crate::exit::Usage>(), "{err:#}");
        assert!(!format!("{err:#}").contains("hunter2"));
    }
}

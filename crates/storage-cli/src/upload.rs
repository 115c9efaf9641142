//! The flags that describe what an upload stores besides its bytes (content type, cache
//! control, encoding, user metadata, a checksum for the service to verify, the size a stream
//! will have) and the write options they make for each object.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use futures_util::TryStreamExt;
use md5::{Digest, Md5};
use storage::types::{Checksum, Limits, Pair};
use storage::{Metadata, Operation, Storage, WriteOptions};

/// Upload flags of `stor cp` and `stor mv`, flattened into their arguments.
#[derive(Debug, Clone, Args)]
pub(crate) struct UploadArgs {
    /// The content type of written objects. Without it, a copy keeps the source's stored type,
    /// or guesses one from the destination's name, then the source's (`x.json` ->
    /// `application/json`).
    #[arg(long, value_name = "TYPE")]
    pub(crate) content_type: Option<String>,
    /// The `Cache-Control` of written objects (`max-age=3600`, `no-cache`).
    #[arg(long, value_name = "VALUE")]
    pub(crate) cache_control: Option<String>,
    /// The `Content-Encoding` of written objects (`gzip`): what the bytes are, not a request
    /// to compress them.
    #[arg(long, value_name = "ENCODING")]
    pub(crate) content_encoding: Option<String>,
    /// User metadata stored with written objects; repeat for more pairs.
    #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = key_value)]
    pub(crate) metadata: Vec<(String, String)>,
    /// Compute this checksum of each source (reading it once before the copy) and send it for
    /// the service to verify; a mismatch fails the write. Not for standard input.
    #[arg(long, value_enum, value_name = "ALGORITHM", ignore_case = true)]
    pub(crate) checksum_algorithm: Option<ChecksumAlgorithm>,
    /// With `-` (standard input) as the source: the size the stream will have (`20MiB`,
    /// `5G`). Parts grow so that the upload fits the store's part limit, and a stream that
    /// ends at another size fails without storing anything.
    #[arg(long, value_name = "SIZE", value_parser = expected_size)]
    pub(crate) expected_size: Option<u64>,
}

/// `--checksum-algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ChecksumAlgorithm {
    /// MD5 (`Content-MD5`).
    Md5,
    /// CRC32C (Castagnoli).
    Crc32c,
}

impl UploadArgs {
    /// Whether a flag asks for something only a new write can store (a server-side copy
    /// keeps the source's metadata).
    pub(crate) fn any(&self) -> bool {
        self.content_type.is_some()
            || self.cache_control.is_some()
            || self.content_encoding.is_some()
            || !self.metadata.is_empty()
            || self.checksum_algorithm.is_some()
    }
}

/// `KEY=VALUE` of `--metadata`.
fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("--metadata takes KEY=VALUE, not `{text}`")),
    }
}

/// `--expected-size`: the size parser of URL keys and `--part-size`.
fn expected_size(text: &str) -> Result<u64, String> {
    storage::types::backend::parse_size("--expected-size", text)
        .map_err(|err| err.message().to_owned())
}

/// The write options of one object: `base` (from the flags every write shares) with the
/// upload flags, the headers the source stored (`stored`: type, encoding, cache control and
/// disposition, carried where the flags do not set them and the destination keeps them), and a content type guessed from the names (`to`,
/// then `from`) when neither gives one.
pub(crate) fn object_options(
    base: WriteOptions,
    flags: &UploadArgs,
    stored: Option<&Metadata>,
    names: (Option<&str>, &str),
    dst: &dyn Storage,
) -> WriteOptions {
    let capability = &dst.info().capability;
    let keeps = |pair| capability.supports_pair(Operation::Write, pair);
    let mut opts = base;
    let (from, to) = names;
    let guessed = || {
        mime_guess::from_path(to)
            .first_raw()
            .or_else(|| from.and_then(|f| mime_guess::from_path(f).first_raw()))
            .map(str::to_owned)
    };
    if opts.content_type.is_none() && keeps(Pair::ContentType) {
        opts.content_type = flags
            .content_type
            .clone()
            .or_else(|| stored.and_then(|m| m.content_type.clone()))
            .or_else(guessed);
    }
    if let Some(stored) = stored {
        // A copy between stores keeps what the source says about its bytes: an object stored
        // gzip-encoded and copied without its encoding would read back as something else.
        if keeps(Pair::ContentEncoding) {
            opts.content_encoding = stored.content_encoding.clone();
        }
        if keeps(Pair::CacheControl) {
            opts.cache_control = stored.cache_control.clone();
        }
        if keeps(Pair::ContentDisposition) {
            opts.content_disposition = stored.content_disposition.clone();
        }
        // User metadata stays behind (as with rclone without -M): its names follow each
        // service's own rules (Azure's must be identifiers), so carrying it could fail a copy.
    }
    // What the flags ask for is set whatever the destination declares: one it cannot keep is
    // refused by name, not dropped.
    if let Some(v) = &flags.content_type {
        opts.content_type = Some(v.clone());
    }
    if let Some(v) = &flags.cache_control {
        opts.cache_control = Some(v.clone());
    }
    if let Some(v) = &flags.content_encoding {
        opts.content_encoding = Some(v.clone());
    }
    for (key, value) in &flags.metadata {
        opts = opts.with_user_metadata(key.clone(), value.clone());
    }
    opts
}

/// The checksum `algorithm` of the object `path`, read once through `store`.
pub(crate) async fn checksum_of(
    store: &Arc<dyn Storage>,
    path: &str,
    algorithm: ChecksumAlgorithm,
) -> Result<Checksum> {
    let mut stream = store
        .read(path)
        .await
        .context("reading the source for its checksum")?
        .into_stream();
    let mut md5 = Md5::new();
    let mut crc = 0u32;
    while let Some(chunk) = stream.try_next().await? {
        match algorithm {
            ChecksumAlgorithm::Md5 => md5.update(&chunk),
            ChecksumAlgorithm::Crc32c => crc = crc32c::crc32c_append(crc, &chunk),
        }
    }
    Ok(match algorithm {
        ChecksumAlgorithm::Md5 => Checksum::Md5(md5.finalize().into()),
        ChecksumAlgorithm::Crc32c => Checksum::Crc32c(crc),
    })
}

/// The default part size of every cloud backend: below it the stores' own choice stands.
const DEFAULT_PART_SIZE: u64 = 8 << 20;

/// `opts` with a part size large enough that `size` bytes fit in the store's part limit (a
/// stream's parts are cut before its end is known, so the size must be known upfront), and
/// an error when `size` is more than the store holds at all.
pub(crate) fn fit_parts(opts: WriteOptions, limits: &Limits, size: u64) -> Result<WriteOptions> {
    if let Some(max) = limits.max_object_size.filter(|max| size > *max) {
        bail!("--expected-size {size}: the store's largest object is {max} bytes");
    }
    let Some(max_parts) = limits.max_parts else {
        return Ok(opts);
    };
    let mib = 1 << 20;
    let needed = size.div_ceil(u64::from(max_parts)).div_ceil(mib) * mib;
    let current = opts.part_size.unwrap_or(DEFAULT_PART_SIZE);
    if needed <= current {
        return Ok(opts);
    }
    let needed = needed.max(limits.min_part_size.unwrap_or(0));
    if let Some(max) = limits.max_part_size.filter(|max| needed > *max) {
        bail!(
            "--expected-size {size}: parts of {needed} bytes would pass the store's largest part ({max} bytes)"
        );
    }
    Ok(opts.with_part_size(needed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_grow_to_fit_the_part_limit_and_never_shrink() {
        let limits = Limits::none().with_parts(Some(5 << 20), Some(5 << 30), 10_000);
        let opts = fit_parts(WriteOptions::default(), &limits, 20 << 20).unwrap();
        assert_eq!(opts.part_size, None, "the store's default part size stands");
        let opts = fit_parts(WriteOptions::default(), &limits, 200 << 30).unwrap();
        assert_eq!(opts.part_size, Some(21 << 20));
        let opts = WriteOptions::default().with_part_size(64 << 20);
        let opts = fit_parts(opts, &limits, 200 << 30).unwrap();
        assert_eq!(opts.part_size, Some(64 << 20));
        let big = Limits::none().with_object_sizes(None, Some(5 << 40));
        assert!(fit_parts(WriteOptions::default(), &big, 6 << 40).is_err());
    }

    #[test]
    fn metadata_pairs_need_a_key() {
        assert_eq!(key_value("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(key_value("a=").unwrap(), ("a".into(), String::new()));
        assert!(key_value("=b").is_err());
        assert!(key_value("ab").is_err());
    }
}

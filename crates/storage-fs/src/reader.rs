//! Reading a file, whole or a range, as a stream of chunks from an open handle (so a concurrent
//! replace cannot splice two versions into one read).

use std::io::SeekFrom;
use std::path::PathBuf;

use futures_util::TryStreamExt;
use storage_types::{ReadOptions, Reader, Result, check_preconditions};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::paths::{is_directory, metadata_of};

/// Chunk size of read streams: large enough to keep syscalls cheap, small enough to bound
/// memory per reader.
const CHUNK: usize = 256 * 1024;

pub(crate) async fn read(local: PathBuf, opts: &ReadOptions) -> Result<Reader> {
    let mut file = tokio::fs::File::open(&local).await?;
    let meta = file.metadata().await?;
    if meta.is_dir() {
        return Err(is_directory());
    }
    let metadata = metadata_of(&meta);
    check_preconditions(
        metadata.etag.as_deref(),
        opts.if_match.as_deref(),
        opts.if_none_match.as_deref(),
    )?;
    let (offset, length) = match opts.range {
        Some(range) => range.resolve(meta.len())?,
        None => (0, meta.len()),
    };
    if offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(length), CHUNK)
        .map_err(storage_types::Error::from);
    Ok(Reader::new(metadata, length, Box::pin(stream)))
}

//! Reading a file, whole or a range, from one open handle (so a concurrent replace cannot
//! splice two versions into one read). Resolving the path, opening, checking the conditions
//! and, for a small read, the read itself happen in one trip to the blocking pool; a larger
//! read then streams in chunks.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use bytes::Bytes;
use futures_util::TryStreamExt;
use storage_types::{
    Error, ErrorKind, Metadata, ObjectPath, ReadOptions, Reader, Result, check_preconditions,
};
use tokio::io::AsyncReadExt;

use crate::paths::{is_directory, metadata_of, resolve};

/// Chunk size of read streams: large enough to keep syscalls cheap, small enough to bound
/// memory per reader. A read of at most this much is done at once, without streaming.
const CHUNK: usize = 256 * 1024;

/// An opened read: done already, or a handle positioned at the range to stream.
pub(crate) enum Opened {
    Whole(Metadata, Bytes),
    Stream(Metadata, fs::File, u64),
}

/// Opens `path` below `root` and checks the read's conditions (blocking).
pub(crate) fn open(root: &Path, path: &ObjectPath, opts: &ReadOptions) -> Result<Opened> {
    let local = resolve(root, path)?;
    let mut file = fs::File::open(&local)?;
    let meta = file.metadata()?;
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
        file.seek(SeekFrom::Start(offset))?;
    }
    if length > CHUNK as u64 {
        return Ok(Opened::Stream(metadata, file, length));
    }
    let mut buffer = Vec::with_capacity(length as usize);
    file.take(length).read_to_end(&mut buffer)?;
    if buffer.len() as u64 != length {
        return Err(Error::new(
            ErrorKind::Unexpected,
            "the file was truncated while being read",
        )
        .with_temporary(true));
    }
    Ok(Opened::Whole(metadata, Bytes::from(buffer)))
}

/// The reader of an opened read.
pub(crate) fn reader(opened: Opened) -> Reader {
    match opened {
        Opened::Whole(metadata, bytes) => Reader::from_bytes(metadata, bytes),
        Opened::Stream(metadata, file, length) => {
            let file = tokio::fs::File::from_std(file);
            let stream = tokio_util::io::ReaderStream::with_capacity(file.take(length), CHUNK)
                .map_err(storage_types::Error::from);
            Reader::new(metadata, length, Box::pin(stream))
        }
    }
}

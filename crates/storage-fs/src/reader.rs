//! Reading a file, whole or a range, from one open handle (so a concurrent replace cannot
//! splice two versions into one read). Resolving the path, opening, checking the conditions
//! and, for a small read, the read itself happen in one trip to the blocking pool; a larger
//! read then streams in chunks, each read on the blocking pool straight into its own buffer.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use bytes::Bytes;
use futures_util::StreamExt;
use storage_types::backend::check_preconditions;
use storage_types::{
    ByteStream, Error, ErrorKind, Metadata, ObjectPath, ReadOptions, Reader, Result,
};

use crate::blocking::blocking;
use crate::paths::{is_directory, metadata_of, resolve};

/// Chunk size of read streams: one trip to the blocking pool and one buffer per chunk, large
/// enough that trips cost little next to the copy, small enough to bound memory per reader.
/// A read of at most this much is done at once, without streaming.
const CHUNK: usize = 1024 * 1024;

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
    Ok(Opened::Whole(
        metadata,
        read_exactly(&mut file, length as usize)?,
    ))
}

/// The next `len` bytes of `file`, read into a buffer of their own (the one copy from the
/// kernel); a file that ends sooner was truncated while being read.
fn read_exactly(file: &mut fs::File, len: usize) -> Result<Bytes> {
    let mut buffer = Vec::with_capacity(len);
    file.take(len as u64).read_to_end(&mut buffer)?;
    if buffer.len() != len {
        return Err(Error::new(
            ErrorKind::Unexpected,
            "the file was truncated while being read",
        )
        .with_temporary(true));
    }
    Ok(Bytes::from(buffer))
}

/// The reader of an opened read.
pub(crate) fn reader(opened: Opened) -> Reader {
    match opened {
        Opened::Whole(metadata, bytes) => Reader::from_bytes(metadata, bytes),
        Opened::Stream(metadata, file, length) => {
            Reader::new(metadata, length, chunks(file, length))
        }
    }
}

/// `length` bytes of `file` from where it stands, a chunk per trip to the blocking pool.
fn chunks(file: fs::File, length: u64) -> ByteStream {
    futures_util::stream::try_unfold((file, length), |(mut file, remaining)| async move {
        if remaining == 0 {
            return Ok(None);
        }
        let len = remaining.min(CHUNK as u64) as usize;
        let (file, chunk) = blocking(move || Ok((read_exactly(&mut file, len)?, file)))
            .await
            .map(|(chunk, file)| (file, chunk))?;
        Ok(Some((chunk, (file, remaining - len as u64))))
    })
    .boxed()
}

//! The options of the adapters: [`ReaderOptions`] and [`WriterOptions`].

use storage_types::{ReadOptions, WriteOptions};

use crate::rate_limit::RateLimit;

/// Options of [`ObjectReader::open`](crate::ObjectReader::open).
///
/// ```
/// use storage_io::{RateLimit, ReaderOptions};
/// use storage_types::ReadOptions;
///
/// let opts = ReaderOptions::default()
///     .with_read_ahead(4 << 20)
///     .with_read(ReadOptions::default().with_version("3"))
///     .with_rate_limit(RateLimit::per_second(10 << 20));
/// assert_eq!(opts.read_ahead, 4 << 20);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReaderOptions {
    /// How many bytes the reader holds in memory: it reads ahead up to this many, and seeks
    /// back into what it still holds are free. Default 1 MiB.
    pub read_ahead: usize,
    /// Options of every ranged read (version, customer key, progress, service extensions).
    /// Its `if_match`/`if_none_match` are checked once, when the reader opens; a `range` is
    /// refused, since the reader seeks instead.
    pub read: ReadOptions,
    /// Caps the bytes per second fetched.
    pub rate_limit: Option<RateLimit>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            read_ahead: 1 << 20,
            read: ReadOptions::default(),
            rate_limit: None,
        }
    }
}

impl ReaderOptions {
    /// Sets the read-ahead buffer's size in bytes (at least 1).
    pub fn with_read_ahead(mut self, bytes: usize) -> Self {
        self.read_ahead = bytes.max(1);
        self
    }

    /// Sets the options every ranged read carries.
    pub fn with_read(mut self, read: ReadOptions) -> Self {
        self.read = read;
        self
    }

    /// Caps the bytes per second fetched.
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }
}

/// Options of [`ObjectWriter::create`](crate::ObjectWriter::create) and
/// [`ObjectSink::create`](crate::ObjectSink::create).
///
/// Memory in flight is at most `(queue + 1) x chunk_size` bytes, plus what the backend buffers
/// for its parts (`part_size x concurrency` of the write options).
///
/// ```
/// use storage_io::WriterOptions;
/// use storage_types::WriteOptions;
///
/// let opts = WriterOptions::default()
///     .with_write(WriteOptions::default().with_content_type("text/csv"))
///     .with_chunk_size(1 << 20)
///     .with_queue(2);
/// assert_eq!(opts.queue, 2);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WriterOptions {
    /// The options of the one streaming write (content type, metadata, conditions,
    /// encryption, part size, concurrency, progress...).
    pub write: WriteOptions,
    /// `ObjectWriter` gathers small writes into chunks of this many bytes before handing them
    /// to the upload. Default 256 KiB.
    pub chunk_size: usize,
    /// How many chunks may wait for the upload before writes wait. Default 4.
    pub queue: usize,
    /// Caps the bytes per second uploaded.
    pub rate_limit: Option<RateLimit>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            write: WriteOptions::default(),
            chunk_size: 256 << 10,
            queue: 4,
            rate_limit: None,
        }
    }
}

impl WriterOptions {
    /// Sets the write's options.
    pub fn with_write(mut self, write: WriteOptions) -> Self {
        self.write = write;
        self
    }

    /// Sets the chunk size in bytes (at least 1).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Sets how many chunks may queue (at least 1).
    pub fn with_queue(mut self, chunks: usize) -> Self {
        self.queue = chunks.max(1);
        self
    }

    /// Caps the bytes per second uploaded.
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }
}

//! tokio and futures I/O adapters over any rs-storage store, and a bandwidth limiter.
//!
//! - [`ObjectReader`]: `AsyncRead + AsyncBufRead + AsyncSeek` (and a `Stream` of chunks) over
//!   ranged reads, with a read-ahead buffer; pinned to the object's ETag, so an object
//!   replaced mid-read is a `ConditionNotMet` error, never a mix of two versions.
//! - [`ObjectWriter`]: `AsyncWrite` over one streaming write (multipart underneath, as the
//!   backend decides); the object appears at `shutdown`, never when the writer is dropped.
//! - [`ObjectSink`]: the same write as a `futures::Sink<Bytes>`. For a read as a `Stream`, use
//!   [`Reader::into_stream`](storage_types::Reader::into_stream), or an `ObjectReader`.
//! - [`body_from_reader`] and [`body_from_file`]: a write's [`Body`](storage_types::Body) from
//!   any tokio `AsyncRead` or a local file, streamed with its length.
//! - [`RateLimit`]: a token bucket of bytes per second for reads and writes, shared by the
//!   transfers that hold clones of it; [`Limited`] is what it wraps things in.
//!
//! All of it needs a tokio runtime with the timer enabled (the writer spawns its upload).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use storage_io::{ObjectReader, ObjectWriter, RateLimit, ReaderOptions, WriterOptions};
//! use storage_types::Storage;
//!
//! let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
//! let limit = RateLimit::per_second(64 << 20);
//!
//! let mut writer = ObjectWriter::create(store.clone(), "copy.bin",
//!     WriterOptions::default().with_rate_limit(limit.clone()))?;
//! tokio::io::copy(&mut &b"0123456789"[..], &mut writer).await?;
//! tokio::io::AsyncWriteExt::shutdown(&mut writer).await?;
//!
//! let mut reader = ObjectReader::open(store, "copy.bin",
//!     ReaderOptions::default().with_rate_limit(limit)).await?;
//! let mut back = Vec::new();
//! tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut back).await?;
//! assert_eq!(back, b"0123456789");
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod body;
mod limited;
mod options;
mod rate_limit;
mod reader;
mod sink;
mod window;
mod writer;

pub use body::{body_from_file, body_from_reader};
pub use limited::Limited;
pub use options::{ReaderOptions, WriterOptions};
pub use rate_limit::RateLimit;
pub use reader::ObjectReader;
pub use sink::ObjectSink;
pub use writer::ObjectWriter;

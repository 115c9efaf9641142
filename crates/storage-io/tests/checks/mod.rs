//! The checks of the adapters, written once against `Arc<dyn Storage>` and run on memory
//! (tests/memory.rs) and on an S3-compatible server (tests/s3.rs). A check panics on failure.

// A check fails by panicking, so unwrapping is how it reports.
#![allow(clippy::unwrap_used)]

pub(crate) mod rng;

use std::future::Future;
use std::io::SeekFrom;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use storage_io::{ObjectReader, ObjectSink, ObjectWriter, RateLimit, ReaderOptions, WriterOptions};
use storage_types::{Error, ErrorKind, ReadOptions, Storage, StorageExt, WriteOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use rng::Rng;

/// Where and how hard a check runs.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) store: Arc<dyn Storage>,
    /// Prepended to every path, so that runs do not collide.
    pub(crate) prefix: String,
    /// The size of the object the seek check reads.
    pub(crate) object_size: usize,
    /// How many seek-and-read steps it takes.
    pub(crate) iterations: usize,
    /// The largest object the write checks write.
    pub(crate) largest_write: usize,
    /// Write options of the large writes (a small part size makes a cloud backend use
    /// multipart).
    pub(crate) write: WriteOptions,
}

impl Ctx {
    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    async fn put(&self, path: &str, data: &[u8]) {
        self.store
            .write(path, Bytes::copy_from_slice(data).into())
            .await
            .expect("the fixture is written");
    }
}

pub(crate) type Check = fn(Ctx) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every check, by name.
pub(crate) fn all() -> Vec<(&'static str, Check)> {
    vec![
        ("random_seeks_and_reads", |c| {
            Box::pin(random_seeks_and_reads(c))
        }),
        ("seek_edges", |c| Box::pin(seek_edges(c))),
        ("empty_object_reads_nothing", |c| {
            Box::pin(empty_object_reads_nothing(c))
        }),
        ("open_errors", |c| Box::pin(open_errors(c))),
        ("replaced_object_mid_read_errors", |c| {
            Box::pin(replaced_object_mid_read_errors(c))
        }),
        ("writes_of_random_sizes", |c| {
            Box::pin(writes_of_random_sizes(c))
        }),
        ("sink_writes", |c| Box::pin(sink_writes(c))),
        ("drop_without_shutdown_leaves_no_object", |c| {
            Box::pin(drop_without_shutdown_leaves_no_object(c))
        }),
        ("write_error_surfaces_at_shutdown", |c| {
            Box::pin(write_error_surfaces_at_shutdown(c))
        }),
        ("rate_limited_transfers_keep_the_bytes", |c| {
            Box::pin(rate_limited_transfers_keep_the_bytes(c))
        }),
    ]
}

fn kind_of(err: std::io::Error) -> ErrorKind {
    Error::from(err).kind()
}

/// Random seeks (from the start, the current position and the end, inside and outside the
/// buffer, past the end) each followed by a read through `read`, `fill_buf` or the stream,
/// compared with the source bytes.
pub(crate) async fn random_seeks_and_reads(ctx: Ctx) {
    let mut rng = Rng::new(0x5eed_0001);
    let data = rng.bytes(ctx.object_size);
    let path = ctx.path("seeks.bin");
    ctx.put(&path, &data).await;
    let size = data.len() as u64;
    let opts = ReaderOptions::default().with_read_ahead(16 << 10);
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, opts)
        .await
        .unwrap();
    assert_eq!(reader.size(), size);
    let mut pos = 0u64;
    for step in 0..ctx.iterations {
        let target = match rng.below(4) {
            0 => SeekFrom::Start(rng.below(size + 64)),
            1 => SeekFrom::End(-(rng.below(size + 1) as i64) + rng.below(8) as i64),
            2 => {
                // Near the current position: mostly inside the read-ahead buffer.
                let delta = rng.below(64 << 10) as i64 - (32 << 10);
                SeekFrom::Current(delta.max(-(pos as i64)))
            }
            _ => SeekFrom::Current(0),
        };
        pos = reader.seek(target).await.unwrap();
        let want = rng.below(40 << 10) as usize;
        let start = usize::try_from(pos).unwrap().min(data.len());
        let expected = &data[start..(start + want).min(data.len())];
        let got = match rng.below(3) {
            0 => {
                let mut buf = vec![0u8; expected.len()];
                reader.read_exact(&mut buf).await.unwrap();
                buf
            }
            1 => {
                let held = reader.fill_buf().await.unwrap();
                let n = held.len().min(want);
                let got = held[..n].to_vec();
                reader.consume(n);
                got
            }
            _ => match reader.next().await {
                Some(chunk) => chunk.unwrap().to_vec(),
                None => Vec::new(),
            },
        };
        // A stream chunk may run past `want`; every way reads at most to the end.
        assert!(
            data[start..].starts_with(&got),
            "step {step}: {} bytes at {pos} differ from the source",
            got.len()
        );
        if pos < size && want > 0 {
            assert!(
                !got.is_empty(),
                "step {step}: nothing read at {pos} of {size}"
            );
        }
        pos += got.len() as u64;
        assert_eq!(reader.stream_position().await.unwrap(), pos, "step {step}");
    }
    // And the rest, from wherever the walk ended.
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, &data[usize::try_from(pos).unwrap().min(data.len())..]);
    ctx.store.delete(&path).await.unwrap();
}

/// End-relative seeks, seeks past the end (reads there are end of file) and before the start
/// (an error).
pub(crate) async fn seek_edges(ctx: Ctx) {
    let path = ctx.path("edges.txt");
    ctx.put(&path, b"0123456789").await;
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, ReaderOptions::default())
        .await
        .unwrap();
    assert_eq!(reader.seek(SeekFrom::End(0)).await.unwrap(), 10);
    let mut buf = [0u8; 4];
    assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    assert_eq!(reader.seek(SeekFrom::Start(1000)).await.unwrap(), 1000);
    assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    assert_eq!(reader.seek(SeekFrom::End(-3)).await.unwrap(), 7);
    let mut tail = String::new();
    reader.read_to_string(&mut tail).await.unwrap();
    assert_eq!(tail, "789");
    let err = reader.seek(SeekFrom::End(-11)).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(reader.seek(SeekFrom::Current(-8)).await.unwrap(), 2);
    reader.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"2345");
    ctx.store.delete(&path).await.unwrap();
}

pub(crate) async fn empty_object_reads_nothing(ctx: Ctx) {
    let path = ctx.path("empty");
    ctx.put(&path, b"").await;
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, ReaderOptions::default())
        .await
        .unwrap();
    let mut all = Vec::new();
    assert_eq!(reader.read_to_end(&mut all).await.unwrap(), 0);
    assert!(reader.next().await.is_none());
    ctx.store.delete(&path).await.unwrap();
}

pub(crate) async fn open_errors(ctx: Ctx) {
    let missing = ObjectReader::open(ctx.store.clone(), &ctx.path("missing"), Default::default())
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let ranged = ReaderOptions::default().with_read(ReadOptions::default().with_range(0..4));
    let err = ObjectReader::open(ctx.store.clone(), &ctx.path("x"), ranged)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

/// An object replaced after the reader opened it: every byte read is of the first version,
/// and the first ranged read after the replacement fails with `ConditionNotMet`.
pub(crate) async fn replaced_object_mid_read_errors(ctx: Ctx) {
    let mut rng = Rng::new(0x5eed_0002);
    let first = rng.bytes(64 << 10);
    let second = rng.bytes(64 << 10);
    let path = ctx.path("replaced.bin");
    ctx.put(&path, &first).await;

    // Replaced before the first read.
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, ReaderOptions::default())
        .await
        .unwrap();
    ctx.put(&path, &second).await;
    let mut buf = vec![0u8; 100];
    let err = reader.read_exact(&mut buf).await.unwrap_err();
    assert_eq!(kind_of(err), ErrorKind::ConditionNotMet);

    // Replaced in the middle: reading on yields only first-version bytes or the error, and a
    // seek outside the buffer fails.
    ctx.put(&path, &first).await;
    let opts = ReaderOptions::default().with_read_ahead(4 << 10);
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, opts)
        .await
        .unwrap();
    reader.seek(SeekFrom::Start(32 << 10)).await.unwrap();
    reader.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, first[32 << 10..(32 << 10) + 100]);
    ctx.put(&path, &second).await;
    let mut rest = Vec::new();
    let offset = (32 << 10) + 100;
    match reader.read_to_end(&mut rest).await {
        Ok(_) => assert_eq!(rest, first[offset..]),
        Err(err) => {
            assert_eq!(kind_of(err), ErrorKind::ConditionNotMet);
            assert!(
                first[offset..].starts_with(&rest),
                "bytes of two versions were mixed"
            );
        }
    }
    reader.seek(SeekFrom::Start(0)).await.unwrap();
    let err = reader.read_exact(&mut buf).await.unwrap_err();
    assert_eq!(kind_of(err), ErrorKind::ConditionNotMet);
    ctx.store.delete(&path).await.unwrap();
}

/// Objects of random sizes (and the edges: empty, one byte, a chunk exactly, the largest)
/// written through `AsyncWrite` in writes of random sizes, then read back.
pub(crate) async fn writes_of_random_sizes(ctx: Ctx) {
    let mut rng = Rng::new(0x5eed_0003);
    let chunk = 64 << 10;
    let mut sizes = vec![0, 1, chunk, chunk + 1, ctx.largest_write];
    sizes.extend((0..6).map(|_| rng.below(4 * chunk as u64) as usize));
    for (i, size) in sizes.into_iter().enumerate() {
        let data = rng.bytes(size);
        let path = ctx.path(&format!("written-{i}.bin"));
        let opts = WriterOptions::default()
            .with_chunk_size(chunk)
            .with_queue(2)
            .with_write(ctx.write.clone().with_content_type("application/x-test"));
        let mut writer = ObjectWriter::create(ctx.store.clone(), &path, opts).unwrap();
        let mut written = 0;
        while written < size {
            let n = (1 + rng.below(3 * chunk as u64) as usize).min(size - written);
            writer.write_all(&data[written..written + n]).await.unwrap();
            if rng.below(8) == 0 {
                writer.flush().await.unwrap();
            }
            written += n;
        }
        writer.shutdown().await.unwrap();
        assert_eq!(
            writer.metadata().map(|m| m.size),
            Some(size as u64),
            "size {size}"
        );
        let back = ctx.store.read_bytes(&path).await.unwrap();
        assert!(back == data[..], "object {i} of {size} bytes differs");
        let meta = ctx.store.stat(&path).await.unwrap();
        assert_eq!(meta.content_type.as_deref(), Some("application/x-test"));
        ctx.store.delete(&path).await.unwrap();
    }
}

pub(crate) async fn sink_writes(ctx: Ctx) {
    let mut rng = Rng::new(0x5eed_0004);
    let data = Bytes::from(rng.bytes(300 << 10));
    let path = ctx.path("sunk.bin");
    let mut sink = ObjectSink::create(ctx.store.clone(), &path, WriterOptions::default()).unwrap();
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let n = (rng.below(50 << 10) as usize).min(data.len() - at);
        chunks.push(Ok(data.slice(at..at + n)));
        at += n;
    }
    sink.send_all(&mut futures_util::stream::iter(chunks))
        .await
        .unwrap();
    sink.close().await.unwrap();
    assert_eq!(ctx.store.read_bytes(&path).await.unwrap(), data);
    ctx.store.delete(&path).await.unwrap();
}

/// A writer dropped before `shutdown` leaves no object, and an existing one as it was.
pub(crate) async fn drop_without_shutdown_leaves_no_object(ctx: Ctx) {
    let fresh = ctx.path("dropped.bin");
    let existing = ctx.path("kept.bin");
    ctx.put(&existing, b"old").await;
    for path in [&fresh, &existing] {
        let opts = WriterOptions::default()
            .with_chunk_size(16 << 10)
            .with_write(ctx.write.clone());
        let mut writer = ObjectWriter::create(ctx.store.clone(), path, opts).unwrap();
        writer
            .write_all(&vec![7u8; ctx.largest_write.min(1 << 20)])
            .await
            .unwrap();
        writer.flush().await.unwrap();
        drop(writer);
    }
    // The abandoned writes fail as soon as their task sees the queue closed; give them time
    // to do the wrong thing if they were going to.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = ctx.store.stat(&fresh).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(ctx.store.read_bytes(&existing).await.unwrap(), "old");
    // Nor is a multipart upload left behind, where the backend used one.
    match ctx.store.list_multipart_uploads(&ctx.prefix).await {
        Ok(uploads) => assert!(
            uploads
                .iter()
                .all(|u| u.path.as_str() != fresh && u.path.as_str() != existing),
            "an abandoned write left {uploads:?}"
        ),
        Err(err) => assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}"),
    }
    ctx.store.delete(&existing).await.unwrap();
}

/// A write the store refuses fails at `shutdown` (or sooner), not silently.
pub(crate) async fn write_error_surfaces_at_shutdown(ctx: Ctx) {
    let path = ctx.path("exists.txt");
    ctx.put(&path, b"already here").await;
    let opts = WriterOptions::default().with_write(WriteOptions::default().create_only());
    let mut writer = ObjectWriter::create(ctx.store.clone(), &path, opts).unwrap();
    let outcome = async {
        writer.write_all(b"replacement").await?;
        writer.shutdown().await
    }
    .await;
    let err = outcome.expect_err("a create-only write over an object fails");
    assert_eq!(kind_of(err), ErrorKind::ConditionNotMet);
    assert!(writer.metadata().is_none());
    assert_eq!(ctx.store.read_bytes(&path).await.unwrap(), "already here");
    ctx.store.delete(&path).await.unwrap();
}

/// The limiter changes the timing, never the bytes (the rate is measured by the example).
pub(crate) async fn rate_limited_transfers_keep_the_bytes(ctx: Ctx) {
    let mut rng = Rng::new(0x5eed_0005);
    let data = rng.bytes(200 << 10);
    let path = ctx.path("limited.bin");
    let limit = RateLimit::new(64 << 20, 8 << 10);
    let opts = WriterOptions::default().with_rate_limit(limit.clone());
    let mut writer = ObjectWriter::create(ctx.store.clone(), &path, opts).unwrap();
    writer.write_all(&data).await.unwrap();
    writer.shutdown().await.unwrap();

    let opts = ReaderOptions::default().with_rate_limit(limit.clone());
    let mut reader = ObjectReader::open(ctx.store.clone(), &path, opts)
        .await
        .unwrap();
    let mut back = Vec::new();
    reader.read_to_end(&mut back).await.unwrap();
    assert!(back == data);

    let stream = ctx.store.read(&path).await.unwrap().into_stream();
    let mut pieces = limit.limit_stream(stream);
    let mut joined = Vec::new();
    while let Some(piece) = pieces.next().await {
        let piece = piece.unwrap();
        assert!(piece.len() <= 8 << 10, "a piece of {} bytes", piece.len());
        joined.extend_from_slice(&piece);
    }
    assert!(joined == data);
    ctx.store.delete(&path).await.unwrap();
}

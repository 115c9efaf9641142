//! One library under test, reduced to the calls the workloads make. Each contender does each
//! call the way its own documentation recommends.

use async_trait::async_trait;
use bytes::Bytes;

/// The data of the large-object workload: `size` bytes handed over as `chunk`-sized pieces of
/// one pattern (a caller streaming from a socket or a file), uploaded in parts of `part_size`
/// with `concurrency` in flight.
#[derive(Debug, Clone)]
pub(crate) struct LargeObject {
    pub(crate) size: u64,
    pub(crate) part_size: u64,
    pub(crate) concurrency: usize,
    /// A `part_size` buffer of pseudo-random bytes; chunks and parts are slices of it.
    pub(crate) pattern: Bytes,
    pub(crate) chunk: usize,
    /// Whether the libraries that can read in parts (rs-storage, OpenDAL) read the object
    /// back as `part_size` ranges, `concurrency` at once; else every library reads it with one
    /// request. Off unless `RS_STORAGE_BENCH_READ_IN_PARTS=true`: against a local server on
    /// two cores, parts cost more CPU than they save in waiting (docs/performance.md).
    pub(crate) read_in_parts: bool,
}

impl LargeObject {
    /// The body as `chunk`-sized slices of the pattern, in order.
    pub(crate) fn chunks(&self) -> impl Iterator<Item = Bytes> + Send + 'static {
        let pattern = self.pattern.clone();
        let chunk = self.chunk as u64;
        let size = self.size;
        let part = pattern.len() as u64;
        (0..size.div_ceil(chunk)).map(move |i| {
            let start = i * chunk;
            let len = chunk.min(size - start);
            let at = (start % part) as usize;
            pattern.slice(at..at + len as usize)
        })
    }

    /// The body as `part_size` slices, for libraries that take whole parts.
    pub(crate) fn parts(&self) -> impl Iterator<Item = Bytes> + Send + 'static {
        let pattern = self.pattern.clone();
        let size = self.size;
        let part = self.part_size;
        (0..size.div_ceil(part)).map(move |i| {
            let len = part.min(size - i * part);
            pattern.slice(0..len as usize)
        })
    }
}

/// The operations the workloads time.
#[async_trait]
pub(crate) trait Contender: Send + Sync {
    /// The column name in the results.
    fn name(&self) -> &'static str;
    async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()>;
    /// The object's size.
    async fn stat(&self, key: &str) -> anyhow::Result<u64>;
    /// The whole object, as one buffer (small objects).
    async fn get(&self, key: &str) -> anyhow::Result<Bytes>;
    /// `len` bytes from `offset`; returns how many arrived.
    async fn get_range(&self, key: &str, offset: u64, len: u64) -> anyhow::Result<u64>;
    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()>;
    /// Streams the whole object through without keeping it; returns how many bytes arrived.
    async fn get_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<u64>;
    /// Lists `prefix` (ending in `/`), all levels or one level with a `/` delimiter; returns
    /// how many entries (objects plus common prefixes) came back.
    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64>;
}

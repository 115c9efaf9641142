//! One library under test, reduced to the calls the workloads make. Each contender does each
//! call the way its own documentation recommends.

use anyhow::ensure;
use async_trait::async_trait;
use bytes::Bytes;

use crate::workload::Workload;

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

/// What a read must deliver: `len` bytes of the written data from `offset`, where the data at
/// any position is the pattern's byte at that position modulo its length (how the large object,
/// the range object and the small objects are all written). Each chunk is compared with the
/// pattern as it arrives, so that a read is checked by content without keeping it; the
/// comparison (a `memcmp`) costs every contender alike.
pub(crate) struct Expect {
    pattern: Bytes,
    start: u64,
    at: u64,
    end: u64,
}

impl Expect {
    pub(crate) fn new(pattern: Bytes, offset: u64, len: u64) -> Self {
        Self {
            pattern,
            start: offset,
            at: offset,
            end: offset + len,
        }
    }

    /// Compares the next chunk of the read with what was written there.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> anyhow::Result<()> {
        ensure!(
            chunk.len() as u64 <= self.end - self.at,
            "the read ran past the {} bytes written",
            self.end - self.start
        );
        let period = self.pattern.len() as u64;
        let mut rest = chunk;
        while !rest.is_empty() {
            let from = (self.at % period) as usize;
            let n = rest.len().min(self.pattern.len() - from);
            ensure!(
                rest[..n] == self.pattern[from..from + n],
                "bytes {}..{} differ from what was written",
                self.at,
                self.at + n as u64
            );
            self.at += n as u64;
            rest = &rest[n..];
        }
        Ok(())
    }

    /// Checks that the whole expected length arrived; returns it.
    pub(crate) fn finish(&self) -> anyhow::Result<u64> {
        ensure!(
            self.at == self.end,
            "read {} of {} bytes",
            self.at - self.start,
            self.end - self.start
        );
        Ok(self.end - self.start)
    }
}

/// Which of the two configurations a contender instance runs in. Where a library's defaults
/// differ from the settings every contender can share (payload signing, read strategy, syncs),
/// it runs twice: once as a user migrating from the SDK has it ("SDK defaults"), once set like
/// the others ("set alike"); elsewhere once, standing for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Config {
    Defaults,
    Alike,
}

impl Config {
    pub(crate) const BOTH: [Config; 2] = [Config::Defaults, Config::Alike];

    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Config::Defaults => "defaults",
            Config::Alike => "alike",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Config::Defaults => "SDK defaults",
            Config::Alike => "set alike",
        }
    }
}

/// A contender instance in one configuration: what it sets, and which workloads it runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setting {
    pub(crate) config: Config,
    /// What this configuration sets, named for the table.
    pub(crate) what: &'static str,
    /// The workloads this instance runs: every one, or only those the setting changes (the
    /// library's instance in the other configuration runs the rest).
    pub(crate) workloads: &'static [Workload],
}

/// A contender as the benchmark runs it: the library, and its configuration when it runs in two.
pub(crate) struct Entry {
    pub(crate) contender: Box<dyn Contender>,
    pub(crate) setting: Option<Setting>,
}

impl Entry {
    pub(crate) fn both(contender: Box<dyn Contender>) -> Self {
        Self {
            contender,
            setting: None,
        }
    }

    pub(crate) fn set(contender: Box<dyn Contender>, setting: Setting) -> Self {
        Self {
            contender,
            setting: Some(setting),
        }
    }

    /// The name its results go under: `sdk`, or `sdk:defaults` and `sdk:alike`.
    pub(crate) fn key(&self) -> String {
        match self.setting {
            None => self.contender.name().to_owned(),
            Some(s) => format!("{}:{}", self.contender.name(), s.config.suffix()),
        }
    }

    /// Whether this instance runs `workload`.
    pub(crate) fn runs(&self, workload: Workload) -> bool {
        self.setting.is_none_or(|s| s.workloads.contains(&workload))
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
    /// `len` bytes from `offset`, each chunk handed to `expect` as it arrives.
    async fn get_range(
        &self,
        key: &str,
        offset: u64,
        len: u64,
        expect: &mut Expect,
    ) -> anyhow::Result<()>;
    async fn put_large(&self, key: &str, object: &LargeObject) -> anyhow::Result<()>;
    /// Streams the whole object through without keeping it, each chunk handed to `expect`.
    async fn get_large(
        &self,
        key: &str,
        object: &LargeObject,
        expect: &mut Expect,
    ) -> anyhow::Result<()>;
    /// Lists `prefix` (ending in `/`), all levels or one level with a `/` delimiter; returns
    /// how many entries (objects plus common prefixes) came back.
    async fn list(&self, prefix: &str, delimited: bool) -> anyhow::Result<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern() -> Bytes {
        Bytes::from((0..=255u8).cycle().take(1000).collect::<Vec<u8>>())
    }

    #[test]
    fn a_read_passes_only_with_the_bytes_written_there() {
        let pattern = pattern();
        // Across the pattern's end: positions 990..1010 hold pattern[990..] then pattern[..10].
        let mut expect = Expect::new(pattern.clone(), 990, 20);
        expect.feed(&pattern[990..1000]).unwrap();
        expect.feed(&pattern[..10]).unwrap();
        assert_eq!(expect.finish().unwrap(), 20);

        let mut flipped = pattern[..10].to_vec();
        flipped[3] ^= 1;
        let mut expect = Expect::new(pattern.clone(), 0, 10);
        assert!(expect.feed(&flipped).is_err());

        let mut short = Expect::new(pattern.clone(), 0, 10);
        short.feed(&pattern[..9]).unwrap();
        assert!(short.finish().is_err());

        let mut long = Expect::new(pattern.clone(), 0, 10);
        assert!(long.feed(&pattern[..11]).is_err());
    }
}

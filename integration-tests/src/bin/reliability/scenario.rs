//! Running one cell: set up its objects through a proxy of its own, arm the fault, run the
//! operation under a hang limit, then judge the result and what the store holds afterwards
//! (the object, and any upload left behind). A cell whose endpoint answers nothing runs with
//! no proxy and the store's defaults, which must give up quickly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use storage_faults::FaultProxy;
use storage_types::{ByteRange, Operation, ReadOptions, Storage, StorageExt, WriteOptions};

use crate::plan::{Op, Scenario, Strikes};
use crate::target::{FAIL_FAST, RETRIES, TIMEOUT, Target};
use crate::verdict::Verdict;

/// Longer than any well-behaved answer to a fault can take: every attempt timing out, with the
/// backoff between them, and slack for a loaded machine.
const HANG_LIMIT: Duration = Duration::from_secs(20 + 3 * (RETRIES as u64 + 1) * TIMEOUT.as_secs());

const OBJECT: usize = 1 << 20;
const RANGE: (u64, u64) = (4096, 256 << 10);
const MULTIPART: usize = 11 << 20;
const PART: u64 = 5 << 20;
/// The first part or chunk of a multipart write that a fault strikes is at least this long (a
/// GCS resumable chunk, as the matrix sets it; S3 and Azure parts are `PART`).
const STRUCK_PART: u64 = 2 << 20;
/// A parallel composite write: its body, in parts of `COMPOSITE_PART`, four at once.
const COMPOSITE: usize = (2 << 20) + (100 << 10);
const COMPOSITE_PART: u64 = 512 << 10;
const APPENDED: usize = 64 << 10;
/// A cut in the answer to a resumable upload's last chunk lands within this many bytes: the
/// object resource GCS answers with is longer.
const CHUNK_ANSWER: u64 = 256;

/// One judged cell.
pub(crate) struct Cell {
    pub(crate) scenario: Scenario,
    pub(crate) verdict: Verdict,
    pub(crate) elapsed: Duration,
    /// How many times the fault struck.
    pub(crate) fired: u32,
}

/// Data no other scenario writes, so that a mix-up between objects shows.
fn data(len: usize, salt: u64) -> Bytes {
    let mut state = salt | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

pub(crate) async fn run(target: &Target, scenario: Scenario, index: usize) -> Cell {
    let started = Instant::now();
    let (verdict, fired) = match judge(target, scenario, index).await {
        Ok(judged) => judged,
        Err(what) => (Verdict::Broken(what), 0),
    };
    Cell {
        scenario,
        verdict,
        elapsed: started.elapsed(),
        fired,
    }
}

async fn judge(
    target: &Target,
    scenario: Scenario,
    index: usize,
) -> Result<(Verdict, u32), String> {
    if scenario.fault.unreachable() {
        return unreachable(target, scenario).await;
    }
    let upstream = target.upstream()?;
    let proxy = FaultProxy::start(upstream)
        .await
        .map_err(|err| format!("proxy: {err}"))?;
    // A root of its own, so that whatever an upload stages (GCS part objects, below the
    // store's root) is this cell's alone.
    let root = format!("faults/{index:03}-{}/", std::process::id());
    let store = target.store(proxy.addr(), &root).await?;
    let dir = "cell/";
    let mut setup = Setup::new(&store, dir, scenario).await?;
    setup.root = root;
    let times = match scenario.strikes {
        Strikes::Once => 1,
        Strikes::Always => u32::MAX,
    };
    match Target::tunnel_fault(scenario.fault) {
        Some(fault) if target.over_grpc(scenario.op) => proxy.arm_tunnel(fault, times),
        _ => proxy.arm(target.rule(&scenario, setup.body_len).times(times)),
    }
    let outcome = tokio::time::timeout(HANG_LIMIT, setup.operate(&store)).await;
    let fired = proxy.fired();
    let seen: Vec<String> = proxy
        .requests()
        .iter()
        .map(|r| match r.status {
            Some(status) => format!("{} {} ({status})", r.method, r.target),
            None => format!("{} {} (no answer)", r.method, r.target),
        })
        .collect();
    proxy.clear();
    let verdict = match outcome {
        Err(_) => Verdict::Hung,
        Ok(result) if fired == 0 => {
            let ended = match result {
                Ok(_) => "the call succeeded".to_owned(),
                Err(err) => format!("the call failed: {err}"),
            };
            Verdict::Missed(format!("{ended}; requests: {}", seen.join(", ")))
        }
        Ok(result) => setup.check(target, &store, result).await?,
    };
    // A read of an object replaced mid-read must fail (`ConditionNotMet`), not recover: the
    // bytes it started on are gone.
    let transient = scenario.strikes == Strikes::Once
        && scenario.fault.must_recover()
        && scenario.op != Op::ReadReplaced;
    let verdict = if transient {
        verdict.after_one_fault(target.contract(scenario.op, scenario.fault))
    } else {
        verdict
    };
    let _ = store.remove_all(dir).await;
    Ok((verdict, fired))
}

/// A cell whose endpoint answers nothing: the call, with the store's defaults, must end in a
/// typed error within `FAIL_FAST`.
async fn unreachable(target: &Target, scenario: Scenario) -> Result<(Verdict, u32), String> {
    let store = target.unreachable(scenario.fault).await?;
    let path = "faults/unreachable";
    let call = async {
        match scenario.op {
            Op::Stat => store.stat(path).await.map(drop),
            Op::Read => store.read_bytes(path).await.map(drop),
            _ => store
                .write_bytes(path, Bytes::from_static(b"x"))
                .await
                .map(drop),
        }
    };
    let verdict = match tokio::time::timeout(FAIL_FAST, call).await {
        Err(_) => Verdict::Hung,
        Ok(Ok(())) => {
            Verdict::Corrupt("a call to an endpoint where nothing answers succeeded".into())
        }
        Ok(Err(err)) => Verdict::of_error(&err),
    };
    // Every connection the call tried was refused (or never resolved): the fault struck.
    Ok((verdict, 1))
}

/// What a scenario put in place before the fault, and what a correct operation yields.
struct Setup {
    op: Op,
    salt: u64,
    path: String,
    other: String,
    dir: String,
    /// The store's root, below which uploads stage what they stage.
    root: String,
    old: Option<Bytes>,
    new: Bytes,
    /// The length of the body the fault strikes, over which its offset is spread.
    body_len: u64,
    listed: Vec<String>,
}

/// What the operation handed back, for the check.
enum Done {
    Bytes(Bytes),
    Size(u64),
    Names(Vec<String>),
    Nothing,
}

impl Setup {
    async fn new(store: &Arc<dyn Storage>, dir: &str, scenario: Scenario) -> Result<Setup, String> {
        let salt = scenario.draw;
        let path = format!("{dir}object");
        let other = format!("{dir}copy");
        let mut setup = Setup {
            op: scenario.op,
            salt,
            path: path.clone(),
            other,
            dir: dir.to_owned(),
            root: String::new(),
            old: None,
            new: data(OBJECT, salt),
            body_len: OBJECT as u64,
            listed: Vec::new(),
        };
        let put = |bytes: Bytes| {
            let store = Arc::clone(store);
            let path = path.clone();
            async move {
                store
                    .write_bytes(&path, bytes)
                    .await
                    .map_err(|err| format!("setup write: {err}"))
            }
        };
        match scenario.op {
            Op::Stat | Op::Read | Op::ReadReplaced | Op::Copy | Op::Delete => {
                put(setup.new.clone()).await?;
            }
            Op::RangedRead => {
                put(setup.new.clone()).await?;
                setup.body_len = RANGE.1;
            }
            Op::SmallWrite => {
                let old = data(OBJECT / 2, salt ^ 1);
                put(old.clone()).await?;
                setup.old = Some(old);
                setup.new = data(OBJECT / 4, salt);
                setup.body_len = setup.new.len() as u64;
            }
            Op::MultipartWrite | Op::StreamedWrite => {
                let old = data(OBJECT / 2, salt ^ 1);
                put(old.clone()).await?;
                setup.old = Some(old);
                setup.new = data(MULTIPART, salt);
                setup.body_len = if scenario.fault.strikes_chunk_answers(scenario.op) {
                    CHUNK_ANSWER
                } else {
                    STRUCK_PART
                };
            }
            Op::CompositeWrite => {
                let old = data(OBJECT / 2, salt ^ 1);
                put(old.clone()).await?;
                setup.old = Some(old);
                setup.new = data(COMPOSITE, salt);
                setup.body_len = COMPOSITE_PART;
            }
            Op::List => {
                for n in 0..5 {
                    let name = format!("{dir}entry-{n}");
                    store
                        .write_bytes(&name, data(1024, salt + n))
                        .await
                        .map_err(|err| format!("setup write: {err}"))?;
                    setup.listed.push(name);
                }
                // A listing's body: a few hundred bytes of XML or JSON per entry.
                setup.body_len = 1024;
            }
            Op::Append => {
                store
                    .create_append(&setup.path)
                    .await
                    .map_err(|err| format!("setup create_append: {err}"))?;
                setup.old = Some(Bytes::new());
                setup.new = data(APPENDED, salt);
                setup.body_len = APPENDED as u64;
            }
        }
        Ok(setup)
    }

    /// The operation itself, which the fault strikes.
    async fn operate(&self, store: &Arc<dyn Storage>) -> storage_types::Result<Done> {
        match self.op {
            Op::Stat => Ok(Done::Size(store.stat(&self.path).await?.size)),
            Op::Read => Ok(Done::Bytes(store.read_bytes(&self.path).await?)),
            Op::ReadReplaced => {
                // The response head has come (and named the version); the body has not been
                // read yet when the object is replaced, so the break comes after the change.
                let reader = store.read(&self.path).await?;
                store
                    .write_bytes(&self.path, data(OBJECT, !self.salt))
                    .await?;
                Ok(Done::Bytes(reader.bytes().await?))
            }
            Op::RangedRead => {
                let range = ByteRange::new(RANGE.0, Some(RANGE.1));
                let reader = store
                    .read_with(&self.path, ReadOptions::default().with_range(range))
                    .await?;
                Ok(Done::Bytes(reader.bytes().await?))
            }
            Op::SmallWrite => {
                store.write_bytes(&self.path, self.new.clone()).await?;
                Ok(Done::Nothing)
            }
            Op::MultipartWrite => {
                let cap = &store.info().capability;
                let mut opts = WriteOptions::default();
                if cap.supports_pair(Operation::Write, storage_types::Pair::PartSize) {
                    opts = opts.with_part_size(PART);
                }
                store
                    .write_with(
                        &self.path,
                        storage_types::Body::from_bytes(self.new.clone()),
                        opts,
                    )
                    .await?;
                Ok(Done::Nothing)
            }
            Op::CompositeWrite => {
                let opts = WriteOptions::default()
                    .with_part_size(COMPOSITE_PART)
                    .with_concurrency(4);
                store.write_with(&self.path, self.streamed(), opts).await?;
                Ok(Done::Nothing)
            }
            Op::StreamedWrite => {
                store
                    .write_with(&self.path, self.streamed(), WriteOptions::default())
                    .await?;
                Ok(Done::Nothing)
            }
            Op::List => {
                let entries = store.list_all(&self.dir).await?;
                Ok(Done::Names(
                    entries
                        .into_iter()
                        .map(|e| e.path.as_str().to_owned())
                        .collect(),
                ))
            }
            Op::Copy => {
                store.copy(&self.path, &self.other).await?;
                Ok(Done::Nothing)
            }
            Op::Delete => {
                store.delete(&self.path).await?;
                Ok(Done::Nothing)
            }
            Op::Append => {
                let body = storage_types::Body::from_bytes(self.new.clone());
                Ok(Done::Size(store.append(&self.path, 0, body).await?))
            }
        }
    }

    /// The new data as a stream of known length: a body held whole in memory goes up another
    /// way (in one upload, resumed from memory).
    fn streamed(&self) -> storage_types::Body {
        let chunks: Vec<std::io::Result<Bytes>> = self
            .new
            .chunks(64 << 10)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        storage_types::Body::from_stream(
            futures_util::stream::iter(chunks),
            Some(self.new.len() as u64),
        )
    }

    /// Judges the operation's result and what the store holds now (read with no fault armed).
    async fn check(
        &self,
        target: &Target,
        store: &Arc<dyn Storage>,
        result: storage_types::Result<Done>,
    ) -> Result<Verdict, String> {
        let failed = match result {
            Ok(done) => return self.check_success(target, store, done).await,
            Err(err) => err,
        };
        // A failed write must leave the old object or the new one, whole.
        let written = match self.op {
            Op::SmallWrite
            | Op::MultipartWrite
            | Op::CompositeWrite
            | Op::StreamedWrite
            | Op::Append => Some(&self.path),
            Op::Copy => Some(&self.other),
            _ => None,
        };
        if let Some(path) = written {
            let now = self.current(store, path).await?;
            let acceptable = match self.op {
                Op::Copy => now.is_none() || now.as_ref() == Some(&self.new),
                _ => now.as_ref() == self.old.as_ref() || now.as_ref() == Some(&self.new),
            };
            if !acceptable {
                return Ok(Verdict::Partial(format!(
                    "after the failed {}, the object holds {}",
                    self.op.name(),
                    describe(now.as_ref())
                )));
            }
        }
        if let Some(orphans) = self.orphaned_uploads(target, store).await? {
            return Ok(match target.keeps_staged_after_failure() {
                Some(why) => Verdict::of_error(&failed).noting(&format!("{orphans}, as {why}")),
                None => Verdict::Partial(orphans),
            });
        }
        Ok(Verdict::of_error(&failed))
    }

    async fn check_success(
        &self,
        target: &Target,
        store: &Arc<dyn Storage>,
        done: Done,
    ) -> Result<Verdict, String> {
        let wrong = |what: String| Ok(Verdict::Corrupt(what));
        match (self.op, done) {
            (Op::Stat, Done::Size(size)) if size != self.new.len() as u64 => {
                wrong(format!("stat says {size} bytes, not {}", self.new.len()))
            }
            (Op::Read | Op::ReadReplaced, Done::Bytes(got)) if got != self.new => {
                wrong(format!("read returned {}", describe(Some(&got))))
            }
            (Op::RangedRead, Done::Bytes(got)) => {
                let (start, len) = (RANGE.0 as usize, RANGE.1 as usize);
                if got != self.new.slice(start..start + len) {
                    return wrong(format!("ranged read returned {}", describe(Some(&got))));
                }
                Ok(Verdict::Recovered)
            }
            (Op::List, Done::Names(mut names)) => {
                names.sort();
                if names != self.listed {
                    return wrong(format!("list returned {names:?}"));
                }
                Ok(Verdict::Recovered)
            }
            (Op::Delete, _) => match store.exists(&self.path).await {
                Ok(false) => Ok(Verdict::Recovered),
                Ok(true) => wrong("the deleted object is still there".into()),
                Err(err) => Err(format!("check: {err}")),
            },
            (
                Op::SmallWrite
                | Op::MultipartWrite
                | Op::CompositeWrite
                | Op::StreamedWrite
                | Op::Append
                | Op::Copy,
                done,
            ) => {
                if let (Op::Append, Done::Size(size)) = (self.op, &done)
                    && *size != self.new.len() as u64
                {
                    return wrong(format!("append reported length {size}"));
                }
                let path = if self.op == Op::Copy {
                    &self.other
                } else {
                    &self.path
                };
                let now = self.current(store, path).await?;
                if now.as_ref() != Some(&self.new) {
                    return wrong(format!(
                        "the {} succeeded but the object holds {}",
                        self.op.name(),
                        describe(now.as_ref())
                    ));
                }
                if let Some(orphans) = self.orphaned_uploads(target, store).await? {
                    return Ok(Verdict::Partial(orphans));
                }
                Ok(Verdict::Recovered)
            }
            _ => Ok(Verdict::Recovered),
        }
    }

    /// The whole object at `path` now, or None if there is none.
    async fn current(&self, store: &Arc<dyn Storage>, path: &str) -> Result<Option<Bytes>, String> {
        match store.read_bytes(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == storage_types::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(format!("check read: {err}")),
        }
    }

    /// What an upload left behind: multipart uploads still open below the scenario's
    /// directory, where the service lists them, and whatever the backend staged below the
    /// store's root (GCS part objects).
    async fn orphaned_uploads(
        &self,
        target: &Target,
        store: &Arc<dyn Storage>,
    ) -> Result<Option<String>, String> {
        if !matches!(
            self.op,
            Op::MultipartWrite | Op::CompositeWrite | Op::StreamedWrite | Op::Append
        ) {
            return Ok(None);
        }
        let cap = &store.info().capability;
        if self.op != Op::Append && cap.supports(Operation::ListMultipartUploads) {
            let open = store
                .list_multipart_uploads(&self.dir)
                .await
                .map_err(|err| format!("check list_multipart_uploads: {err}"))?;
            if !open.is_empty() {
                return Ok(Some(format!("{} upload(s) left open", open.len())));
            }
        }
        let staged = target.staged(&self.root).await?;
        Ok((!staged.is_empty()).then(|| {
            format!(
                "{} staged object(s) left behind: {}",
                staged.len(),
                staged.join(", ")
            )
        }))
    }
}

fn describe(bytes: Option<&Bytes>) -> String {
    match bytes {
        None => "nothing".into(),
        Some(bytes) => format!("{} bytes that match neither version", bytes.len()),
    }
}

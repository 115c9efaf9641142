//! The BR compatibility table: one row per URL key of BR (pingcap/tidb `br/pkg/storage`) and per
//! field of kvproto's `backup.StorageBackend`, each with what BR means by it, what rs-storage
//! does with it, and a check that exercises it: against the local server where the server can
//! judge it ([`Check::Server`]), otherwise on the parsed configuration ([`Check::Config`]).
//!
//! Rows live in one file per service (`rows_s3.rs`, `rows_azblob.rs`, `rows_gcs.rs`,
//! `rows_local.rs`; each starts with a how-to). The test target `br_compat` runs the rows of one
//! service against the server `cargo xtask test` started and prints
//! `br-compat <service>: N passed, M failed`; `cargo xtask docs` renders the same rows as the
//! table in docs/urls.md ([`table::render`]). The page's test (`crates/storage/tests/url_docs.rs`)
//! parses every backticked `scheme://...` span of it, so a row's text puts only URLs that
//! `storage::open` parses between backticks.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};

#[cfg(feature = "azblob")]
pub mod rows_azblob;
#[cfg(feature = "gcs")]
pub mod rows_gcs;
pub mod rows_local;
#[cfg(feature = "s3")]
pub mod rows_s3;
pub mod table;

/// How long one row's check may take: a hung request is a failure, not a stalled suite.
pub const ROW_TIMEOUT: Duration = Duration::from_secs(60);

/// Rows checked at once.
const PARALLEL_ROWS: usize = 4;

/// Where a row's setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A URL scheme (`local://`, `ks3://`): its `name` is the scheme with `://`.
    Scheme,
    /// A query key of BR's storage URL (`s3://bucket/prefix?KEY=...`).
    UrlKey,
    /// A field of kvproto's `backup.StorageBackend` (its `name` is `Message.field`).
    Kvproto,
}

impl Source {
    /// The column text of the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Scheme => "URL scheme",
            Source::UrlKey => "URL key",
            Source::Kvproto => "kvproto",
        }
    }
}

/// A check's result: `Err` says what went wrong, in one line.
pub type CheckResult = Result<(), String>;

/// A check: an async function of the run's context.
pub type CheckFn = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = CheckResult> + Send>>;

/// How a row is checked.
#[derive(Clone, Copy)]
pub enum Check {
    /// Against the local server (a request the server judges: it stores, refuses, or answers
    /// with what the setting asked for).
    Server(CheckFn),
    /// On the parsed configuration or the opened store, without a request the server could
    /// judge (the server ignores the setting, or it concerns the client only).
    Config(CheckFn),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Check {
    fn function(self) -> CheckFn {
        match self {
            Check::Server(f) | Check::Config(f) => f,
        }
    }

    /// The column text of the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Server(_) => "server",
            Check::Config(_) => "configuration",
        }
    }
}

/// One key or field.
#[derive(Clone, Copy)]
pub struct Row {
    /// `s3`, `azblob`, `gcs`, `fs` or `noop` (and `hdfs`, `cloud-dynamic` for the kvproto
    /// backends rs-storage maps or refuses).
    pub service: &'static str,
    /// A URL key or a kvproto field.
    pub source: Source,
    /// The key as BR spells it (`force-path-style`), or `Message.field` (`S3.force_path_style`).
    pub name: &'static str,
    /// What BR (or TiKV, for kvproto) does with it, in a sentence.
    pub br: &'static str,
    /// What rs-storage does with it, in a sentence.
    pub ours: &'static str,
    /// The check that exercises it.
    pub check: Check,
}

impl Row {
    /// A row of `service`, from `source`.
    pub fn new(
        service: &'static str,
        source: Source,
        name: &'static str,
        br: &'static str,
        ours: &'static str,
        check: Check,
    ) -> Self {
        Row {
            service,
            source,
            name,
            br,
            ours,
            check,
        }
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.service, self.source.as_str(), self.name)
    }
}

/// What a check gets: the server's environment (endpoint, bucket, credentials, as
/// `cargo xtask test` sets them), a unique prefix per run and a scratch directory.
#[derive(Debug)]
pub struct Ctx {
    run_id: String,
    scratch: PathBuf,
}

impl Ctx {
    /// A variable of the environment `cargo xtask test` set for the server; missing is an error
    /// naming it (never a skip).
    pub fn var(&self, name: &str) -> Result<String, String> {
        std::env::var(name).map_err(|_| {
            format!("{name} is not set: run through `cargo xtask test --service <service>`")
        })
    }

    /// A path prefix no other row or run uses: `br-compat-<run>/<label>/`.
    pub fn prefix(&self, label: &str) -> String {
        format!("br-compat-{}/{label}/", self.run_id)
    }

    /// A local directory of this run, removed at its end.
    pub fn scratch(&self) -> &Path {
        &self.scratch
    }
}

/// Boxes an async block as a [`CheckFn`]'s result: `Check::Server(|ctx| check(async move {
/// ... }))`.
pub fn check<F>(future: F) -> Pin<Box<dyn Future<Output = CheckResult> + Send>>
where
    F: Future<Output = CheckResult> + Send + 'static,
{
    Box::pin(future)
}

/// The environment each suite's server must have set; missing ones fail the run before any
/// row, and the endpoint must accept a connection.
pub fn required_vars(service: &str) -> &'static [&'static str] {
    match service {
        "s3" => &[
            "RS_STORAGE_S3_ENDPOINT",
            "RS_STORAGE_S3_BUCKET",
            "RS_STORAGE_S3_ACCESS_KEY",
            "RS_STORAGE_S3_SECRET_KEY",
        ],
        "azblob" => &["RS_STORAGE_AZBLOB_ENDPOINT", "RS_STORAGE_AZBLOB_CONTAINER"],
        "gcs" => &[
            "RS_STORAGE_GCS_ENDPOINT",
            "RS_STORAGE_GCS_BUCKET",
            "RS_STORAGE_GCS_CREDENTIALS",
        ],
        _ => &[],
    }
}

/// Every row of every service this build has, in table order.
pub fn all_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    #[cfg(feature = "s3")]
    rows.extend(rows_s3::rows());
    #[cfg(feature = "azblob")]
    rows.extend(rows_azblob::rows());
    #[cfg(feature = "gcs")]
    rows.extend(rows_gcs::rows());
    rows.extend(rows_local::rows());
    rows
}

/// Problems of the table itself: a key or field given twice, or an empty description.
pub fn table_problems(rows: &[Row]) -> Vec<String> {
    let mut seen = BTreeMap::new();
    let mut problems = Vec::new();
    for row in rows {
        if seen
            .insert((row.service, row.source, row.name), ())
            .is_some()
        {
            problems.push(format!("{row:?} has two rows"));
        }
        if row.br.trim().is_empty() || row.ours.trim().is_empty() || row.name.is_empty() {
            problems.push(format!("{row:?} leaves a column empty"));
        }
    }
    problems
}

/// kvproto fields of `services` (as `storage::kvproto::FIELDS` lists them) with no row.
pub fn missing_fields(services: &[&str], rows: &[Row]) -> Vec<String> {
    storage::kvproto::FIELDS
        .iter()
        .filter(|(service, _)| services.contains(service))
        .filter(|(service, name)| {
            !rows.iter().any(|row| {
                row.service == *service && row.source == Source::Kvproto && row.name == *name
            })
        })
        .map(|(service, name)| format!("the kvproto field {name} ({service}) has no row"))
        .collect()
}

/// The `main` of the `br_compat` test target for one suite (`label`, as `cargo xtask test`
/// names the service): the rows of the table's `services`, after checking the server's
/// environment (`required`). Prints one line per row and `br-compat <label>: N passed, M
/// failed`. Fails on any failed row, on a missing server, on a kvproto field without a row, or
/// on an empty table.
pub fn main_for_rows(label: &str, services: &[&str], required: &[&str]) -> ExitCode {
    let rows: Vec<Row> = all_rows()
        .into_iter()
        .filter(|row| services.contains(&row.service))
        .collect();
    let mut problems = table_problems(&rows);
    if rows.is_empty() {
        problems.push(format!("no rows for {}", services.join(", ")));
    }
    problems.extend(missing_fields(services, &rows));
    problems.extend(server_problems(required));
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("FAIL {problem}");
        }
        println!("br-compat {label}: 0 passed, {} failed", problems.len());
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("FAIL cannot start a tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let run_id = run_id();
    let scratch = std::env::temp_dir().join(format!("br-compat-{run_id}"));
    if let Err(err) = std::fs::create_dir_all(&scratch) {
        eprintln!("FAIL cannot create {}: {err}", scratch.display());
        return ExitCode::FAILURE;
    }
    let ctx = Arc::new(Ctx {
        run_id,
        scratch: scratch.clone(),
    });
    let outcomes: Vec<(Row, CheckResult)> = runtime.block_on(
        futures_util::stream::iter(rows)
            .map(|row| {
                let ctx = Arc::clone(&ctx);
                async move { (row, run_row(row, ctx).await) }
            })
            .buffered(PARALLEL_ROWS)
            .collect(),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let mut failed = 0;
    for (row, outcome) in &outcomes {
        match outcome {
            Ok(()) => println!("ok   {row:?}"),
            Err(why) => {
                failed += 1;
                println!("FAIL {row:?}: {why}");
            }
        }
    }
    println!(
        "br-compat {label}: {} passed, {failed} failed",
        outcomes.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One row on a task of its own, under [`ROW_TIMEOUT`], a panic caught as a failure.
async fn run_row(row: Row, ctx: Arc<Ctx>) -> CheckResult {
    let task = tokio::spawn(async move {
        let body = AssertUnwindSafe((row.check.function())(ctx)).catch_unwind();
        match tokio::time::timeout(ROW_TIMEOUT, body).await {
            Err(_) => Err(format!("timed out after {} s", ROW_TIMEOUT.as_secs())),
            Ok(Err(_)) => Err("the check panicked".to_owned()),
            Ok(Ok(outcome)) => outcome.map_err(|why| why.replace('\n', " ")),
        }
    });
    task.await
        .unwrap_or_else(|err| Err(format!("the check's task failed: {err}")))
}

/// Missing variables, and an endpoint that does not accept a connection.
fn server_problems(required: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for name in required {
        match std::env::var(name) {
            Err(_) => problems.push(format!(
                "{name} is not set: the server is missing (run `cargo xtask test --service ...`)"
            )),
            Ok(value) if name.ends_with("_ENDPOINT") => {
                if let Err(why) = reachable(&value) {
                    problems.push(format!("{name}={value}: {why}"));
                }
            }
            Ok(_) => {}
        }
    }
    problems
}

/// Whether `http://host:port/...` accepts a TCP connection within a few seconds.
fn reachable(endpoint: &str) -> Result<(), String> {
    use std::net::ToSocketAddrs;
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = match authority.contains(':') {
        true => authority.to_owned(),
        false => format!("{authority}:80"),
    };
    let addresses = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?;
    for address in addresses {
        if std::net::TcpStream::connect_timeout(&address, Duration::from_secs(5)).is_ok() {
            return Ok(());
        }
    }
    Err(format!("nothing accepts connections at {authority}"))
}

/// A lower-case id that differs between runs, so that runs against one bucket never share a
/// prefix.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{:016x}",
        (nanos as u64) ^ (u64::from(std::process::id()) << 40)
    )
}

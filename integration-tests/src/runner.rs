//! Running cases against a store: concurrently, each in its own directory and under a timeout,
//! and the `main` of a `harness = false` test target.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{FutureExt, StreamExt};
use storage_types::{Storage, StorageExt};

use crate::harness::{
    BackendGap, CASE_TIMEOUT, Case, Ctx, Need, Outcome, PARALLEL_CASES, Report, ServerGap,
};

/// How long the removal of a passed case's objects may take; it is best effort.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Cases that list the whole store, not only their own directory: they run alone, after the
/// others.
const WHOLE_STORE: &[&str] = &["prefix::empty_prefix_lists_whole_store"];

/// Runs every case of [`all_cases`](crate::all_cases) whose name contains `filter`.
pub async fn run(store: Arc<dyn Storage>, filter: Option<&str>) -> Report {
    run_cases(store, crate::all_cases(), filter, &[]).await
}

/// Runs the cases whose name contains `filter` (all if `None`), [`PARALLEL_CASES`] at a time,
/// each in its own directory `conformance-<run id>/<case>/` and within [`CASE_TIMEOUT`]. The
/// objects of a passed case are removed afterwards; a failed case's are kept for inspection.
/// Cases named in `gaps` are reported as unsupported, with the gap's reason, without running.
/// Must be called inside a multi-thread tokio runtime.
pub async fn run_cases(
    store: Arc<dyn Storage>,
    cases: Vec<Case>,
    filter: Option<&str>,
    gaps: &[ServerGap],
) -> Report {
    run_cases_with_gaps(store, cases, filter, gaps, &[]).await
}

/// [`run_cases`], with the cases the backend itself cannot pass (`backend_gaps`) reported as
/// unsupported too.
///
/// Cases that list the whole store (see `WHOLE_STORE`) run after all the others, one at a
/// time: run beside them they would see other cases' objects and directories vanish mid-walk.
pub async fn run_cases_with_gaps(
    store: Arc<dyn Storage>,
    cases: Vec<Case>,
    filter: Option<&str>,
    gaps: &[ServerGap],
    backend_gaps: &[BackendGap],
) -> Report {
    let run_id = new_run_id();
    let selected: Vec<Case> = cases
        .into_iter()
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        .collect();
    // Cases that list the whole store see every other case's objects come and go: they run
    // after the others, one at a time.
    let (alone, together): (Vec<_>, Vec<_>) = selected
        .into_iter()
        .enumerate()
        .partition(|(_, case)| WHOLE_STORE.contains(&case.name));
    let start = |(index, case): (usize, Case)| {
        let ctx = Ctx::new(Arc::clone(&store), &run_id, case.name);
        let gap = gaps
            .iter()
            .find(|g| g.case == case.name)
            .map(|g| Need::Server(g.reason))
            .or_else(|| {
                backend_gaps
                    .iter()
                    .find(|g| g.case == case.name)
                    .map(|g| Need::Backend(g.reason))
            });
        async move {
            let outcome = match gap {
                Some(need) => Outcome::Unsupported(need),
                None => run_one(case, ctx).await,
            };
            (index, case.name, outcome)
        }
    };
    let mut outcomes: Vec<(usize, &'static str, Outcome)> = futures_util::stream::iter(together)
        .map(&start)
        .buffer_unordered(PARALLEL_CASES)
        .collect()
        .await;
    for case in alone {
        outcomes.push(start(case).await);
    }
    outcomes.sort_by_key(|(index, _, _)| *index);
    // The run's own directory, if the backend keeps empty directories and every case below it
    // was cleaned up; a failed case's objects keep it (and this delete fails, harmlessly).
    let run_dir = format!("conformance-{run_id}/");
    let _ = store.delete(&run_dir).await;
    Report::new(
        outcomes
            .into_iter()
            .map(|(_, name, outcome)| (name, outcome))
            .collect(),
    )
}

/// Runs one case on a task of its own, so that cases use every worker thread and a panic is
/// caught as a failure.
async fn run_one(case: Case, ctx: Ctx) -> Outcome {
    if let Some(need) = case.missing_need(ctx.capability()) {
        return Outcome::Unsupported(need);
    }
    let task = tokio::spawn(async move {
        let body = AssertUnwindSafe(case.call(&ctx)).catch_unwind();
        let outcome = match tokio::time::timeout(CASE_TIMEOUT, body).await {
            Err(_) => Outcome::Failed(format!("timed out after {} s", CASE_TIMEOUT.as_secs())),
            Ok(Err(panic)) => Outcome::Failed(format!("panicked: {}", panic_message(&*panic))),
            Ok(Ok(Err(err))) => Outcome::Failed(format!("{err:#}").replace('\n', " ")),
            Ok(Ok(Ok(()))) => Outcome::Passed,
        };
        if outcome == Outcome::Passed {
            // Cleanup is a courtesy to shared buckets, not part of the case: its errors are
            // ignored (the `ext` cases test remove_all itself).
            let cleanup = ctx.store.remove_all(ctx.base());
            let _ = tokio::time::timeout(CLEANUP_TIMEOUT, cleanup).await;
        }
        outcome
    });
    match task.await {
        Ok(outcome) => outcome,
        Err(err) => Outcome::Failed(format!("the case's task failed: {err}")),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a non-string panic payload)".to_owned()
    }
}

/// A lower-case alphanumeric id that differs between runs, so that runs against one bucket
/// never share a directory (or a bucket name).
fn new_run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 40);
    format!("{mixed:016x}")
}

/// The `main` of a `harness = false` test target: builds a multi-thread tokio runtime, creates
/// the store with `make_store` inside it, runs the suite and prints one line per case and the
/// summary `conformance <service>: <N> passed, <M> failed, <K> unsupported`. Fails if a case
/// failed.
///
/// Arguments: the first one not starting with `-` filters cases by substring; `--exact` makes
/// it match whole names; `--list` prints the case names instead of running them (as libtest
/// does, so that test runners can enumerate cases); `--ignored` selects nothing, as no case is
/// ignored. Other flags cargo passes are ignored.
pub fn main_for<F, Fut>(service: &str, make_store: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn Storage>>,
{
    main_for_server(service, &[], make_store)
}

/// [`main_for`] against a test server that cannot judge some cases: those in `gaps` are
/// reported as unsupported with the gap's reason.
pub fn main_for_server<F, Fut>(service: &str, gaps: &[ServerGap], make_store: F) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn Storage>>,
{
    main_for_cases(service, crate::all_cases(), gaps, &[], make_store)
}

/// [`main_for_server`] with the cases given ([`all_cases`](crate::all_cases) plus a backend's
/// own, say), and the cases the backend itself cannot pass.
pub fn main_for_cases<F, Fut>(
    service: &str,
    mut cases: Vec<Case>,
    gaps: &[ServerGap],
    backend_gaps: &[BackendGap],
    make_store: F,
) -> ExitCode
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn Storage>>,
{
    let args = Args::parse(std::env::args().skip(1));
    if let (true, Some(filter)) = (args.exact, &args.filter) {
        cases.retain(|c| c.name == filter);
    }
    if args.ignored {
        // The suite has no ignored cases: asked for those only, there is nothing to do.
        cases.clear();
    }
    if args.list {
        for case in &cases {
            println!("{}: test", case.name);
        }
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("conformance {service}: cannot start a tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(async {
        let store = make_store().await;
        crate::secrets::observe(&format!("{store:?} {:?}", store.info()));
        run_cases_with_gaps(store, cases, args.filter.as_deref(), gaps, backend_gaps).await
    });
    for line in report.case_lines() {
        crate::secrets::observe(&line);
        println!("{line}");
    }
    let mut secrets_kept = true;
    if let Some((line, ok)) = crate::secrets::secrets_report(service) {
        println!("{line}");
        secrets_kept = ok;
    }
    println!("{}", report.summary(service));
    if report.is_success() && secrets_kept {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The command line of a test target, as far as the suite uses it.
#[derive(Debug, Default)]
struct Args {
    filter: Option<String>,
    exact: bool,
    list: bool,
    ignored: bool,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Self {
        // libtest flags that take a value as the next argument; the value is not a filter.
        const WITH_VALUE: [&str; 6] = [
            "--test-threads",
            "--skip",
            "--format",
            "--color",
            "--logfile",
            "-Z",
        ];
        let mut parsed = Args::default();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--exact" => parsed.exact = true,
                "--list" => parsed.list = true,
                "--ignored" => parsed.ignored = true,
                flag if WITH_VALUE.contains(&flag) => {
                    args.next();
                }
                flag if flag.starts_with('-') => {}
                _ if parsed.filter.is_none() => parsed.filter = Some(arg),
                _ => {}
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn flags_are_not_filters() {
        assert_eq!(
            parse(&["--nocapture", "read"]).filter.as_deref(),
            Some("read")
        );
        assert_eq!(parse(&["--test-threads", "4"]).filter, None);
        assert!(parse(&["--list", "--format", "terse"]).list);
        assert!(parse(&["--exact", "read::whole"]).exact);
    }

    #[test]
    fn case_names_are_unique() {
        let cases = crate::all_cases();
        let names: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), cases.len());
    }

    async fn fails(_: &Ctx) -> anyhow::Result<()> {
        anyhow::bail!("on purpose")
    }

    async fn panics(_: &Ctx) -> anyhow::Result<()> {
        panic!("on purpose")
    }

    async fn passes(ctx: &Ctx) -> anyhow::Result<()> {
        ctx.write("a", "a").await?;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn outcomes_are_reported_in_order() {
        use storage_types::{Feature, ListOptions};

        use crate::harness::Need;

        const PRESIGN: &[Need] = &[Need::Feature(Feature::Presign)];
        let cases = vec![
            Case::new("t::passes", &[], |ctx| Box::pin(passes(ctx))),
            Case::new("t::fails", &[], |ctx| Box::pin(fails(ctx))),
            Case::new("t::panics", &[], |ctx| Box::pin(panics(ctx))),
            Case::new("t::needs_presign", PRESIGN, |ctx| Box::pin(passes(ctx))),
            Case::new("other", &[], |ctx| Box::pin(fails(ctx))),
        ];
        let store: Arc<dyn Storage> = Arc::new(storage_memory::MemoryStorage::new());
        let report = run_cases(Arc::clone(&store), cases, Some("t::"), &[]).await;
        let lines: Vec<String> = report.case_lines().collect();
        assert_eq!(lines[0], "ok   t::passes");
        assert_eq!(lines[1], "FAIL t::fails: on purpose");
        assert_eq!(lines[2], "FAIL t::panics: panicked: on purpose");
        assert_eq!(
            lines[3],
            "unsupported t::needs_presign: needs feature `presign`"
        );
        assert_eq!(lines.len(), 4);
        assert_eq!(
            report.summary("m"),
            "conformance m: 1 passed, 2 failed, 1 unsupported"
        );
        // The passed case cleaned up after itself.
        let left = store
            .list_all_with("", ListOptions::default().recursive())
            .await
            .unwrap();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn run_ids_are_lower_case_hex() {
        let id = new_run_id();
        assert_eq!(id.len(), 16);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}

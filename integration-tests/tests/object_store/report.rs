//! Runs every check against a target and prints its line, then the summary line.
//!
//! The object_store functions fail by panicking; the panic is caught, and its message and
//! place become the check's `FAIL` line.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use storage_object_store::StorageObjectStore;

use crate::checks::{CHECKS, Run, Subject};
use crate::stores::{Target, supports_update};

/// Longest a check may take (the multipart ones move some 50 MiB).
const TIMEOUT: Duration = Duration::from_secs(600);

/// What a check came to.
enum Outcome {
    Passed,
    Failed(String),
    NotApplicable(String),
}

/// Runs every check; prints one line each and the summary. Returns whether none failed.
pub(crate) async fn run(target: &Target) -> bool {
    let last_panic = capture_panics();
    let (mut passed, mut failed, mut not_applicable) = (0, 0, 0);
    for check in CHECKS {
        let store = (target.factory)(check.name).await;
        let adapter =
            StorageObjectStore::new(store.clone()).with_offset_pushdown(target.offset_pushdown);
        // Why the check does not apply: the service says, the check says, or the backend
        // lacks what it needs.
        let skip = target
            .not_applicable
            .iter()
            .find(|(name, _)| *name == check.name)
            .map(|(_, why)| *why)
            .or(match check.run {
                Run::NotApplicable(why) => Some(why),
                Run::Call(_) => None,
            })
            .or_else(|| check.needs.missing(store.as_ref()));
        let outcome = match (&check.run, skip) {
            (_, Some(why)) => Outcome::NotApplicable(why.to_owned()),
            (Run::NotApplicable(why), None) => Outcome::NotApplicable((*why).to_owned()),
            (Run::Call(call), None) => {
                let subject = Subject {
                    store: &adapter,
                    paginated: &adapter,
                    multipart: adapter.multipart_store(),
                    supports_update: supports_update(store.as_ref()),
                    last_writer_wins: target.last_writer_wins,
                };
                let future = AssertUnwindSafe(call(&subject)).catch_unwind();
                match tokio::time::timeout(TIMEOUT, future).await {
                    Ok(Ok(())) => Outcome::Passed,
                    Ok(Err(_)) => Outcome::Failed(take(&last_panic)),
                    Err(_) => Outcome::Failed(format!("did not finish within {TIMEOUT:?}")),
                }
            }
        };
        match outcome {
            Outcome::Passed => {
                passed += 1;
                println!("ok {}", check.name);
            }
            Outcome::Failed(why) => {
                failed += 1;
                println!("FAIL {}: {why}", check.name);
            }
            Outcome::NotApplicable(reason) => {
                not_applicable += 1;
                println!("n/a {}: {reason}", check.name);
            }
        }
    }
    let _ = panic::take_hook();
    println!(
        "object_store-suite {}: {passed} passed, {failed} failed, {not_applicable} not applicable",
        target.label
    );
    failed == 0
}

/// Installs a panic hook that keeps the last panic's message and place, on one line.
fn capture_panics() -> Arc<Mutex<Option<String>>> {
    let last = Arc::new(Mutex::new(None));
    let keep = last.clone();
    panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| {
                info.payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
            })
            .unwrap_or_else(|| "panicked".to_owned());
        let place = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let line = format!("{message}{place}").replace('\n', " | ");
        if let Ok(mut slot) = keep.lock() {
            *slot = Some(line);
        }
    }));
    last
}

fn take(last: &Mutex<Option<String>>) -> String {
    last.lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .unwrap_or_else(|| "panicked".to_owned())
}

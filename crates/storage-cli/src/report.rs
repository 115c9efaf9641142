//! What a transfer says while it runs and when it ends: a line per file (text on standard
//! error, or JSON events on standard output with `--json`), the progress bar, failures as they
//! happen, and a summary (files, bytes, time, rate). A job that went on past failed files ends
//! with [`PartialFailure`] (exit 7).

use std::sync::Mutex;
use std::time::Instant;

use indicatif::ProgressBar;
use serde_json::json;

use crate::exit::PartialFailure;
use crate::human::human;
use crate::session::GlobalArgs;

/// The running account of one job.
pub(crate) struct Report {
    /// What the job does to each file, past tense: `copied`, `moved`, `removed`.
    verb: &'static str,
    json: bool,
    quiet: bool,
    started: Instant,
    bar: ProgressBar,
    tally: Mutex<Tally>,
}

#[derive(Default)]
struct Tally {
    files: u64,
    bytes: u64,
    skipped: u64,
    planned: u64,
    deleted: u64,
    failed: Vec<String>,
}

impl Report {
    /// A report for a job that `verb`s files (`copied`, `moved`, `removed`).
    pub(crate) fn new(global: &GlobalArgs, verb: &'static str) -> Report {
        Report {
            verb,
            json: global.json,
            quiet: global.quiet,
            started: Instant::now(),
            bar: crate::progress::bar(global, 0),
            tally: Mutex::new(Tally::default()),
        }
    }

    /// How many files the job has taken so far, whatever became of them.
    pub(crate) fn seen(&self) -> u64 {
        let tally = self.lock();
        tally.files + tally.skipped + tally.planned + tally.failed.len() as u64
    }

    /// Whether a file has failed so far.
    pub(crate) fn any_failed(&self) -> bool {
        !self.lock().failed.is_empty()
    }

    /// The bar transfers advance.
    pub(crate) fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// The file at `path`, of `bytes`, starts: the bar's total grows, and its message names
    /// the newest file in flight.
    pub(crate) fn listed(&self, path: &str, bytes: u64) {
        self.bar.inc_length(bytes);
        self.bar.set_message(path.to_owned());
    }

    /// `path` is done: `bytes` of it went through (or were copied on the service).
    pub(crate) fn done(&self, path: &str, bytes: u64) {
        {
            let mut tally = self.lock();
            tally.files += 1;
            tally.bytes += bytes;
        }
        self.event(
            json!({"event": self.verb, "path": path, "bytes": bytes}),
            || format!("{} {path} ({})", self.verb, human(bytes)),
        );
    }

    /// `path` was left alone, and why (`exists`, `unchanged`, `excluded`).
    pub(crate) fn skipped(&self, path: &str, bytes: u64, reason: &str) {
        self.bar.inc(bytes);
        self.lock().skipped += 1;
        self.event(
            json!({"event": "skipped", "path": path, "reason": reason}),
            || format!("skipped {path} ({reason})"),
        );
    }

    /// `path` (of `bytes`) was deleted from the destination (`sync --delete`): counted apart
    /// from the files the job's verb counts.
    pub(crate) fn deleted(&self, path: &str, bytes: u64) {
        self.lock().deleted += 1;
        self.event(
            json!({"event": "deleted", "path": path, "bytes": bytes}),
            || format!("deleted {path} ({})", human(bytes)),
        );
    }

    /// A dry run's step: what would be done to `path` (`copy`, `delete`) and why.
    pub(crate) fn planned(&self, action: &str, path: &str, bytes: u64, reason: &str) {
        self.lock().planned += 1;
        self.event(
            json!({"event": "plan", "action": action, "path": path, "bytes": bytes,
                   "reason": reason}),
            || format!("would {action} {path} ({}, {reason})", human(bytes)),
        );
    }

    /// `path` failed; the job goes on. Printed even with `-q`: failures are errors.
    pub(crate) fn failed(&self, path: &str, err: &anyhow::Error) {
        self.lock().failed.push(path.to_owned());
        let message = crate::exit::one_line(err);
        if self.json {
            println!(
                "{}",
                json!({"event": "failed", "path": path, "error": message})
            );
        }
        self.line(format!("stor: failed {path}: {message}"));
    }

    /// Prints the summary and ends the bar; a job with failed files fails with
    /// [`PartialFailure`] naming them.
    pub(crate) fn finish(self) -> anyhow::Result<()> {
        self.bar.finish_and_clear();
        let tally = std::mem::take(&mut *self.lock());
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            (tally.bytes as f64 / seconds) as u64
        } else {
            0
        };
        if self.json {
            println!(
                "{}",
                json!({"event": "summary", "verb": self.verb, "files": tally.files,
                       "bytes": tally.bytes, "seconds": seconds, "bytes_per_second": rate,
                       "skipped": tally.skipped, "planned": tally.planned,
                       "deleted": tally.deleted, "failed": tally.failed})
            );
        } else if !self.quiet {
            let mut text = format!(
                "stor: {} {} {}, {} in {:.1} s ({}/s)",
                self.verb,
                tally.files,
                if tally.files == 1 { "file" } else { "files" },
                human(tally.bytes),
                seconds,
                human(rate)
            );
            if tally.skipped > 0 {
                text.push_str(&format!(", {} skipped", tally.skipped));
            }
            if tally.deleted > 0 {
                text.push_str(&format!(", {} deleted", tally.deleted));
            }
            if tally.planned > 0 {
                text.push_str(&format!(", {} planned (dry run)", tally.planned));
            }
            if !tally.failed.is_empty() {
                text.push_str(&format!(", {} failed", tally.failed.len()));
            }
            eprintln!("{text}");
        }
        if tally.failed.is_empty() {
            return Ok(());
        }
        let total = tally.files + tally.skipped + tally.failed.len() as u64;
        Err(anyhow::Error::new(PartialFailure {
            failed: tally.failed,
            total,
        }))
    }

    fn event(&self, json: serde_json::Value, text: impl FnOnce() -> String) {
        if self.json {
            println!("{json}");
        } else if !self.quiet {
            self.line(text());
        }
    }

    /// A line on standard error, above the bar when there is one.
    fn line(&self, text: String) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

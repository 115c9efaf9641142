//! The secret-leak watch: while the suite runs, every tracing event down to TRACE (ours and the
//! vendor SDKs'), every error a case inspects or reports, and the store's `Debug` output are
//! scanned for the secret values the backend was configured with. Any occurrence is a leak and
//! fails the run.

use std::io;
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// aws-sigv4's signing trace: at TRACE it prints the request it signs, every header included
/// (an S3 customer key is one), which no caller can mask. Watched at DEBUG and above.
const SIGNING_TRACE: &str = "aws_sigv4::http_request::sign";

/// The customer keys the encryption cases use, `which` from 0 to 9: distinct, non-repeating
/// bytes, printable so that a raw copy in a log is found too.
pub const fn customer_key(which: u8) -> [u8; 32] {
    let mut key = *b"rs-storage conformance key no.0!";
    key[30] = b'0' + which % 10;
    key
}

/// Shortest secret spelling scanned for: anything shorter would match by chance.
const MIN_SECRET_LEN: usize = 12;

#[derive(Debug)]
struct Watch {
    /// Every spelling of every secret: raw, base64, percent-encoded.
    spellings: Vec<String>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    lines: u64,
    texts: u64,
    leaks: Vec<String>,
}

static WATCH: OnceLock<Watch> = OnceLock::new();

/// Starts the watch for `secrets` (plus the suite's customer keys), and routes every tracing
/// event through it: every level of every target, except aws-sigv4's signing trace, which
/// prints each request it signs with all its headers (an S3 customer key among them; see
/// docs/services/s3.md). Call once, before the store is built.
///
/// Errors: a secret shorter than 12 characters (it would match by chance), or a second call.
pub fn watch_secrets<I, S>(secrets: I) -> Result<(), String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut spellings = Vec::new();
    for secret in secrets.into_iter().map(Into::into) {
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "a watched secret must be at least {MIN_SECRET_LEN} characters long"
            ));
        }
        spellings.extend(spellings_of(secret.as_bytes()));
    }
    for which in 0..10 {
        spellings.extend(spellings_of(&customer_key(which)));
    }
    spellings.sort();
    spellings.dedup();
    WATCH
        .set(Watch {
            spellings,
            state: Mutex::new(State::default()),
        })
        .map_err(|_| "the secret watch is already running".to_owned())?;
    let levels = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target(SIGNING_TRACE, LevelFilter::DEBUG);
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(ScanningWriter),
        )
        .with(levels);
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|e| format!("cannot install the scanning subscriber: {e}"))
}

/// The raw text, its base64 and its percent-encoding (as it would sit in a URL or header).
fn spellings_of(secret: &[u8]) -> Vec<String> {
    let mut out = vec![STANDARD.encode(secret)];
    if let Ok(text) = std::str::from_utf8(secret) {
        out.push(text.to_owned());
        out.push(percent_encode(text));
    }
    out
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Scans `text` (an error's `Display` or `Debug`, a store's `Debug`) when the watch runs.
pub(crate) fn observe(text: &str) {
    if let Some(watch) = WATCH.get() {
        watch.scan(text, false);
    }
}

impl Watch {
    fn scan(&self, text: &str, is_log_line: bool) {
        let found = self.spellings.iter().any(|s| text.contains(s.as_str()));
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if is_log_line {
            state.lines += 1;
        } else {
            state.texts += 1;
        }
        if found && state.leaks.len() < 10 {
            state.leaks.push(self.masked(text));
        }
    }

    /// `text` with every secret spelling replaced, so that the report itself leaks nothing.
    fn masked(&self, text: &str) -> String {
        let mut shown: String = text.chars().take(400).collect();
        for spelling in &self.spellings {
            shown = shown.replace(spelling.as_str(), "<SECRET>");
        }
        shown
    }
}

/// The watch's verdict, `None` when it is not running: a summary line, and whether no secret
/// was seen.
pub fn secrets_report(service: &str) -> Option<(String, bool)> {
    let watch = WATCH.get()?;
    let state = watch.state.lock().unwrap_or_else(|e| e.into_inner());
    let mut line = format!(
        "secrets {service}: {} log lines (every target at TRACE but {SIGNING_TRACE}) and {} \
         errors and descriptions scanned for {} secret spellings, {} leaks",
        state.lines,
        state.texts,
        watch.spellings.len(),
        state.leaks.len()
    );
    for leak in &state.leaks {
        line.push_str(&format!("\n  leak: {leak}"));
    }
    Some((line, state.leaks.is_empty()))
}

/// A tracing writer that scans each formatted event instead of printing it.
struct ScanningWriter;

/// One event's text, scanned when the formatter is done with it.
struct EventBuffer(Vec<u8>);

impl<'a> MakeWriter<'a> for ScanningWriter {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        EventBuffer(Vec::with_capacity(256))
    }
}

impl io::Write for EventBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        if let Some(watch) = WATCH.get() {
            watch.scan(&String::from_utf8_lossy(&self.0), true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_secret_is_watched() {
        let spellings = spellings_of(b"wJalr/XUtn+FEMI=");
        assert!(spellings.contains(&"wJalr/XUtn+FEMI=".to_owned()));
        assert!(spellings.contains(&"wJalr%2FXUtn%2BFEMI%3D".to_owned()));
        assert!(spellings.contains(&STANDARD.encode("wJalr/XUtn+FEMI=")));
    }

    #[test]
    fn a_leak_is_reported_masked() {
        let watch = Watch {
            spellings: spellings_of(b"super-secret-value"),
            state: Mutex::new(State::default()),
        };
        watch.scan("GET /x?sig=super-secret-value HTTP/1.1", true);
        watch.scan("nothing here", false);
        let state = watch.state.lock().unwrap();
        assert_eq!((state.lines, state.texts), (1, 1));
        assert_eq!(state.leaks, vec!["GET /x?sig=<SECRET> HTTP/1.1".to_owned()]);
    }
}

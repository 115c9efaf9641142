//! `stor` with bytes piped into its standard input while it runs, shared by the local and the
//! cloud test targets.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `stor args` with `input` written into its standard input through a pipe, in chunks, from
/// another thread; returns its output once it exits.
pub(crate) fn stor_fed(args: &[&str], input: impl Into<Vec<u8>>) -> Output {
    let input = input.into();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stor runs");
    let mut stdin = child.stdin.take().expect("a piped standard input");
    let feeder = std::thread::spawn(move || {
        for chunk in input.chunks(64 << 10) {
            // stor may stop reading early (a usage error, a failed write): then the pipe closes.
            if stdin.write_all(chunk).is_err() {
                return;
            }
        }
    });
    let out = child.wait_with_output().expect("stor ends");
    let _ = feeder.join();
    out
}

//! The runner both Entra ID test binaries use: named async cases run in turn, a line each,
//! then `<label>: N passed, M failed`.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

/// One case: its future, failing with a message.
pub type Case = fn() -> Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// Runs `cases` in turn on `runtime` and prints the summary line under `label`; success only
/// when every case passed.
pub fn run_cases(
    label: &str,
    runtime: &tokio::runtime::Runtime,
    cases: &[(&str, Case)],
) -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        match runtime.block_on(case()) {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(message) => {
                failed += 1;
                println!("test {name} ... FAILED: {message}");
            }
        }
    }
    println!("{label}: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

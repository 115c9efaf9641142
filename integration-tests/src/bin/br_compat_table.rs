//! Prints the BR compatibility table (every row of `storage_conformance::br_compat`, all
//! services) as Markdown, for `cargo xtask docs` to put into docs/urls.md between its markers.

use std::process::ExitCode;

use storage_conformance::br_compat::{all_rows, table, table_problems};

fn main() -> ExitCode {
    let rows = all_rows();
    let problems = table_problems(&rows);
    if !problems.is_empty() {
        for problem in problems {
            eprintln!("{problem}");
        }
        return ExitCode::FAILURE;
    }
    print!("{}", table::render(&rows));
    ExitCode::SUCCESS
}

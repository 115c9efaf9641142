//! The shared conformance suite of rs-storage: cases that any [`Storage`] implementation must
//! pass, and a runner that reports each case as passed, failed or unsupported.
//!
//! Every case takes a [`Ctx`]: the store under test and a directory prefix of its own, so that
//! cases run concurrently on one store without seeing each other. A case declares what it
//! [`Need`]s (a feature, or an option of an operation); where the store's capability lacks one
//! the case is reported as unsupported, never as passed.
//!
//! A backend crate runs the suite from a test target with `harness = false`:
//!
//! ```no_run
//! use std::process::ExitCode;
//! use std::sync::Arc;
//!
//! use storage_types::Storage;
//!
//! # fn make_store() -> Arc<dyn Storage> { Arc::new(storage_memory::MemoryStorage::new()) }
//! fn main() -> ExitCode {
//!     storage_conformance::main_for("my-service", || async { make_store() })
//! }
//! ```
//!
//! `cargo test --test <target> -- <filter>` runs only the cases whose name contains `filter`.
//!
//! [`Storage`]: storage_types::Storage
#![deny(missing_docs)]

#[macro_use]
mod macros;

pub mod br_compat;
mod cases;
pub mod check;
mod ctx;
mod harness;
pub mod http;
mod runner;
mod secrets;

pub use cases::{KMS_KEY_VARIABLE, all_cases};
pub use harness::{
    BackendGap, CASE_TIMEOUT, Case, CaseFn, Ctx, Need, Outcome, PARALLEL_CASES, Report, ServerGap,
};
pub use runner::{main_for, main_for_cases, main_for_server, run, run_cases, run_cases_with_gaps};
pub use secrets::{customer_key, secrets_report, watch_secrets};

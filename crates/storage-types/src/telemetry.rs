//! Metrics of every call, reported through the [`metrics`](https://docs.rs/metrics) facade by
//! the central layer, once for every backend: install any `metrics` recorder (a Prometheus
//! exporter, OpenTelemetry's bridge, StatsD ...) and every store in the process reports to it.
//! Without a recorder the facade does nothing, and a call pays for a clock read and a few
//! small allocations (the labels).
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | [`OPERATIONS_TOTAL`] | counter | `service`, `operation`, `outcome` |
//! | [`OPERATION_DURATION_SECONDS`] | histogram | `service`, `operation` |
//! | [`BYTES_READ_TOTAL`] | counter | `service`, `operation` |
//! | [`BYTES_WRITTEN_TOTAL`] | counter | `service`, `operation` |
//!
//! `service` is the backend's name (`s3`, `gcs`, `azblob`, `fs`, `memory`, `noop`),
//! `operation` the [`Operation`]'s name (`read`, `write`, `upload_part`, ...), `outcome` is
//! `ok` or the [`ErrorKind`](crate::ErrorKind) of the failure with `_` for spaces
//! (`not_found`, `condition_not_met`, `rate_limited`, ...).
//!
//! A call is measured until the operation returns: for a read, until its body starts to
//! arrive, and its bytes are the length it announces (the range asked for, or the object);
//! for a listing, until the first page. Retries inside a vendor SDK are not counted apart:
//! a call that succeeded after two retries is one `ok` call, whose duration includes them.
//!
//! ```
//! // After installing a recorder (see examples/metrics.rs), describe the metrics once so an
//! // exporter can print their help text and units.
//! storage_types::telemetry::describe();
//! ```

use std::time::Duration;

use metrics::{Unit, counter, describe_counter, describe_histogram, histogram};

use crate::error::Error;
use crate::operation::Operation;

/// Calls made, by `service`, `operation` and `outcome`.
pub const OPERATIONS_TOTAL: &str = "storage_operations_total";

/// How long calls take, in seconds, by `service` and `operation`.
pub const OPERATION_DURATION_SECONDS: &str = "storage_operation_duration_seconds";

/// Bytes returned by successful reads, by `service` and `operation`.
pub const BYTES_READ_TOTAL: &str = "storage_bytes_read_total";

/// Bytes stored by successful writes and part uploads, by `service` and `operation`.
pub const BYTES_WRITTEN_TOTAL: &str = "storage_bytes_written_total";

/// Gives the installed recorder each metric's help text and unit. Optional: the metrics are
/// reported without it.
pub fn describe() {
    describe_counter!(
        OPERATIONS_TOTAL,
        Unit::Count,
        "Storage calls, by service, operation and outcome (ok or the error kind)"
    );
    describe_histogram!(
        OPERATION_DURATION_SECONDS,
        Unit::Seconds,
        "Duration of storage calls, by service and operation"
    );
    describe_counter!(
        BYTES_READ_TOTAL,
        Unit::Bytes,
        "Bytes returned by successful storage reads"
    );
    describe_counter!(
        BYTES_WRITTEN_TOTAL,
        Unit::Bytes,
        "Bytes stored by successful storage writes and part uploads"
    );
}

/// Reports one finished call. `bytes` is what the call moved, where it says.
pub(crate) fn record(
    service: &'static str,
    operation: Operation,
    result: Result<Option<u64>, &Error>,
    elapsed: Duration,
) {
    let name = operation.as_str();
    histogram!(OPERATION_DURATION_SECONDS, "service" => service, "operation" => name)
        .record(elapsed.as_secs_f64());
    let bytes = match result {
        Ok(bytes) => {
            counter!(OPERATIONS_TOTAL, "service" => service, "operation" => name, "outcome" => "ok")
                .increment(1);
            bytes
        }
        Err(err) => {
            let outcome = err.kind().as_str().replace(' ', "_");
            counter!(OPERATIONS_TOTAL, "service" => service, "operation" => name, "outcome" => outcome)
                .increment(1);
            None
        }
    };
    let direction = match operation {
        Operation::Read => BYTES_READ_TOTAL,
        Operation::Write | Operation::UploadPart => BYTES_WRITTEN_TOTAL,
        _ => return,
    };
    if let Some(bytes) = bytes {
        counter!(direction, "service" => service, "operation" => name).increment(bytes);
    }
}

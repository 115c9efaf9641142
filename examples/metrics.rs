//! Metrics for Prometheus: every call of every store reports its outcome, duration and bytes
//! through the `metrics` facade (from one place, the layer every backend goes through), so
//! installing a recorder is all it takes. This one is `metrics-exporter-prometheus` without its
//! HTTP listener: the program renders the text page itself and prints it, as a `/metrics`
//! handler of your own server would return it.
//!
//! ```text
//! cargo run -p storage-examples --bin metrics                     # local files
//! cargo run -p storage-examples --bin metrics -- 's3://bucket/prefix?region=eu-west-1'
//! ```

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use storage::types::telemetry;
use storage::{ErrorKind, StorageExt};

/// Histogram buckets for call durations, in seconds: local calls take microseconds, cloud
/// calls milliseconds to seconds.
const BUCKETS: [f64; 8] = [0.0001, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10.0];

const REPORTS: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Without buckets the exporter renders histograms as summaries (quantiles).
    let duration = Matcher::Full(telemetry::OPERATION_DURATION_SECONDS.to_owned());
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(duration, &BUCKETS)?
        .install_recorder()
        .context("cannot install the Prometheus recorder")?;
    telemetry::describe();

    let url = storage_examples::url_from_args("metrics");
    let store = storage::open(&url).await?;
    let service = store.info().service;

    let mut written = 0;
    for i in 0..REPORTS {
        let body = storage_examples::dump_lines(i as u64, 1000 * (i + 1));
        written += body.len();
        store
            .write_bytes(&format!("metrics/report-{i}.sql"), body)
            .await?;
    }
    for i in 0..REPORTS {
        store.read_bytes(&format!("metrics/report-{i}.sql")).await?;
    }
    // A failed call is counted under its error kind.
    match store.stat("metrics/no-such-report.sql").await {
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        other => anyhow::bail!("a stat of a missing object gave {other:?}"),
    }
    for i in 0..REPORTS {
        store.delete(&format!("metrics/report-{i}.sql")).await?;
    }

    let page = prometheus.render();
    print!("{page}");

    // The page has a counter per operation and outcome, and the bytes moved.
    let expected = [
        format!(
            r#"storage_operations_total{{service="{service}",operation="write",outcome="ok"}} {REPORTS}"#
        ),
        format!(
            r#"storage_operations_total{{service="{service}",operation="read",outcome="ok"}} {REPORTS}"#
        ),
        format!(
            r#"storage_operations_total{{service="{service}",operation="stat",outcome="not_found"}} 1"#
        ),
        format!(
            r#"storage_operations_total{{service="{service}",operation="delete",outcome="ok"}} {REPORTS}"#
        ),
        format!(
            r#"storage_bytes_written_total{{service="{service}",operation="write"}} {written}"#
        ),
        format!(r#"storage_bytes_read_total{{service="{service}",operation="read"}} {written}"#),
        format!(
            r#"storage_operation_duration_seconds_count{{service="{service}",operation="read"}} {REPORTS}"#
        ),
        "# TYPE storage_operation_duration_seconds histogram".to_owned(),
    ];
    for line in &expected {
        anyhow::ensure!(page.lines().any(|l| l == line), "the page lacks `{line}`");
    }
    println!("metrics: ok");
    Ok(())
}

//! Tests of `telemetry`: what the central layer reports, read back through a small recorder
//! scoped to each test. (A module of their own: they call both the layer and `telemetry`.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

use std::time::Duration;

use crate::capability::Capability;
use crate::error::{Error, ErrorKind};
use crate::operation::Operation;
use crate::response::StorageInfo;
use crate::telemetry::{describe, record};

/// Every metric's value by `name{label=value,...}`: a counter's total, a histogram's count.
#[derive(Debug, Default, Clone)]
struct Recorded(Arc<Mutex<BTreeMap<String, f64>>>);

/// One metric's slot in [`Recorded`].
#[derive(Debug)]
struct Slot {
    values: Recorded,
    key: String,
}

impl Slot {
    fn add(&self, value: f64) {
        let mut values = self.values.0.lock().unwrap_or_else(|p| p.into_inner());
        *values.entry(self.key.clone()).or_default() += value;
    }
}

impl CounterFn for Slot {
    fn increment(&self, value: u64) {
        self.add(value as f64);
    }

    fn absolute(&self, _value: u64) {
        unreachable!("the layer only increments");
    }
}

impl HistogramFn for Slot {
    fn record(&self, value: f64) {
        assert!(value >= 0.0, "a duration is never negative");
        self.add(1.0);
    }
}

impl Recorded {
    fn slot(&self, key: &Key) -> Arc<Slot> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        Arc::new(Slot {
            values: self.clone(),
            key: format!("{}{{{}}}", key.name(), labels.join(",")),
        })
    }

    fn describe(&self, name: KeyName, unit: Option<Unit>) {
        let unit = unit.map_or("none", |u| u.as_str());
        let mut values = self.0.lock().unwrap_or_else(|p| p.into_inner());
        values.insert(format!("unit of {}{{}}: {unit}", name.as_str()), 0.0);
    }

    fn get(&self, key: &str) -> Option<f64> {
        let values = self.0.lock().unwrap_or_else(|p| p.into_inner());
        values.get(key).copied()
    }

    fn keys(&self) -> Vec<String> {
        let values = self.0.lock().unwrap_or_else(|p| p.into_inner());
        values.keys().cloned().collect()
    }
}

impl Recorder for Recorded {
    fn describe_counter(&self, name: KeyName, unit: Option<Unit>, _: SharedString) {
        self.describe(name, unit);
    }

    fn describe_gauge(&self, name: KeyName, unit: Option<Unit>, _: SharedString) {
        self.describe(name, unit);
    }

    fn describe_histogram(&self, name: KeyName, unit: Option<Unit>, _: SharedString) {
        self.describe(name, unit);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.slot(key))
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.slot(key))
    }
}

fn info() -> StorageInfo {
    StorageInfo::new("memory", "test", Capability::new())
}

/// Runs `f` with a fresh recorder scoped to this thread; returns what it recorded.
fn recording(f: impl FnOnce()) -> Recorded {
    let recorded = Recorded::default();
    metrics::with_local_recorder(&recorded, f);
    recorded
}

#[test]
fn every_call_counts_its_outcome_duration_and_bytes() {
    let recorded = recording(|| {
        futures_executor::block_on(async {
            let info = info();
            let size = |n: &u64| Some(*n);
            for _ in 0..2 {
                let wrote =
                    crate::layer::traced(&info, Operation::Write, "a", size, async { Ok(7) });
                assert_eq!(wrote.await.unwrap(), 7);
            }
            let read = crate::layer::traced(&info, Operation::Read, "a", size, async { Ok(5) });
            assert_eq!(read.await.unwrap(), 5);
            let missing = crate::layer::traced(&info, Operation::Read, "b", size, async {
                Err(Error::not_found("no such object"))
            });
            let err = missing.await.unwrap_err();
            // The error still gets the call's context.
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert!(err.to_string().contains("memory"), "{err}");
        })
    });
    let calls = |labels: &str| recorded.get(&format!("storage_operations_total{{{labels}}}"));
    assert_eq!(
        calls("service=memory,operation=write,outcome=ok"),
        Some(2.0)
    );
    assert_eq!(calls("service=memory,operation=read,outcome=ok"), Some(1.0));
    assert_eq!(
        calls("service=memory,operation=read,outcome=not_found"),
        Some(1.0)
    );
    let durations = "storage_operation_duration_seconds{service=memory,operation=read}";
    assert_eq!(recorded.get(durations), Some(2.0));
    // Bytes of successful calls only, each in its direction.
    assert_eq!(
        recorded.get("storage_bytes_written_total{service=memory,operation=write}"),
        Some(14.0)
    );
    assert_eq!(
        recorded.get("storage_bytes_read_total{service=memory,operation=read}"),
        Some(5.0)
    );
    assert_eq!(recorded.keys().len(), 7, "{:?}", recorded.keys());
}

#[test]
fn calls_that_move_no_bytes_count_none() {
    let recorded = recording(|| {
        // A byte count from an operation that moves no body is not reported.
        record("fs", Operation::Delete, Ok(Some(3)), Duration::ZERO);
        let err = Error::new(ErrorKind::ConditionNotMet, "stale");
        record("fs", Operation::Write, Err(&err), Duration::from_millis(2));
    });
    assert_eq!(
        recorded.keys(),
        [
            "storage_operation_duration_seconds{service=fs,operation=delete}",
            "storage_operation_duration_seconds{service=fs,operation=write}",
            "storage_operations_total{service=fs,operation=delete,outcome=ok}",
            "storage_operations_total{service=fs,operation=write,outcome=condition_not_met}",
        ]
    );
}

#[test]
fn describe_gives_every_metric_a_unit() {
    let recorded = recording(describe);
    assert_eq!(
        recorded.keys(),
        [
            "unit of storage_bytes_read_total{}: bytes",
            "unit of storage_bytes_written_total{}: bytes",
            "unit of storage_operation_duration_seconds{}: seconds",
            "unit of storage_operations_total{}: count",
        ]
    );
}

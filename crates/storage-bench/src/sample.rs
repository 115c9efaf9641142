//! One measured run, as a line of the results file that `report` reads.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sample {
    pub(crate) service: String,
    pub(crate) workload: String,
    pub(crate) contender: String,
    pub(crate) round: usize,
    /// Measured in a process of its own (the large-object workloads), so `peak_rss` is the
    /// workload's own footprint.
    #[serde(default)]
    pub(crate) isolated: bool,
    pub(crate) wall_s: f64,
    pub(crate) client_cpu_s: f64,
    pub(crate) server_cpu_s: f64,
    pub(crate) peak_rss: u64,
    /// Payload bytes moved (0 for metadata workloads).
    pub(crate) bytes: u64,
    /// Requests made by the workload's caller (objects, ranges, pages not counted).
    pub(crate) ops: u64,
}

/// Why a contender has no figures for a workload on a service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Skipped {
    pub(crate) service: String,
    pub(crate) workload: String,
    pub(crate) contender: String,
    pub(crate) reason: String,
}

/// A line of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Record {
    Sample(Sample),
    Skipped(Skipped),
    /// What the run was: sizes, rounds, versions.
    Run {
        service: String,
        server: String,
        plan: String,
    },
}

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

/// What a contender instance that runs in one of two configurations sets there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SettingRecord {
    pub(crate) service: String,
    /// The key its samples go under, `sdk:alike` say.
    pub(crate) contender: String,
    /// `defaults` or `alike`.
    pub(crate) config: String,
    pub(crate) what: String,
    /// The workloads it runs in this configuration.
    pub(crate) workloads: Vec<String>,
}

/// A line of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Record {
    Sample(Sample),
    Skipped(Skipped),
    Setting(SettingRecord),
    /// What the run was: sizes, rounds, and the commit of the code measured (with a note when
    /// that code had uncommitted changes; empty when the run was not told).
    Run {
        service: String,
        server: String,
        plan: String,
        #[serde(default)]
        commit: String,
    },
}

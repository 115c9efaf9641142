//! The figures of one or more runs, read from their results files: by service, workload and
//! contender, with medians and ratios to the raw SDK over the rounds, in either configuration
//! ("SDK defaults", "set alike"). The report's tables and the chart both read them.

use std::collections::BTreeMap;

use anyhow::Context;

use crate::contender::Config;
use crate::sample::{Record, Sample, SettingRecord, Skipped};

/// The contenders in column order; the first is the baseline of every ratio.
pub(crate) const CONTENDERS: [&str; 4] = ["sdk", "rs-storage", "opendal", "object_store"];

/// The figures of one contender on one workload of one service, over the rounds.
#[derive(Debug, Default, Clone)]
pub(crate) struct Series {
    pub(crate) samples: Vec<Sample>,
}

impl Series {
    fn median_of(&self, f: impl Fn(&Sample) -> f64) -> f64 {
        median(self.samples.iter().map(f).collect())
    }
    pub(crate) fn wall(&self) -> f64 {
        self.median_of(|s| s.wall_s)
    }
    pub(crate) fn cpu(&self) -> f64 {
        self.median_of(|s| s.client_cpu_s)
    }
    pub(crate) fn server_cpu(&self) -> f64 {
        self.median_of(|s| s.server_cpu_s)
    }
    pub(crate) fn peak_rss(&self) -> u64 {
        self.samples.iter().map(|s| s.peak_rss).max().unwrap_or(0)
    }
    fn by_round(&self, round: usize) -> Option<&Sample> {
        self.samples.iter().find(|s| s.round == round)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// A ratio's median over rounds (each round's figure against the baseline's in that round),
/// with its minimum and maximum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratio {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

fn ratio(of: &Series, to: &Series, f: impl Fn(&Sample) -> f64) -> Option<Ratio> {
    let values: Vec<f64> = of
        .samples
        .iter()
        .filter_map(|s| to.by_round(s.round).map(|b| f(s) / f(b)))
        .filter(|r| r.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(Ratio {
        median: median(values.clone()),
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// What one service's run was: its server, its sizes and the commit it measured.
#[derive(Debug, Default, Clone)]
pub(crate) struct RunInfo {
    pub(crate) server: String,
    pub(crate) plan: String,
    pub(crate) commit: String,
}

/// Every run's figures, by service, then workload, then contender key (`sdk`, or `sdk:defaults`
/// and `sdk:alike` where the SDK runs in two configurations).
#[derive(Debug, Default)]
pub(crate) struct Results {
    pub(crate) series: BTreeMap<String, BTreeMap<String, BTreeMap<String, Series>>>,
    skipped: Vec<Skipped>,
    settings: Vec<SettingRecord>,
    pub(crate) runs: BTreeMap<String, RunInfo>,
}

impl Results {
    pub(crate) fn load(files: &[String]) -> anyhow::Result<Self> {
        let mut results = Results::default();
        for file in files {
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match serde_json::from_str::<Record>(line)
                    .with_context(|| format!("bad line in {file}"))?
                {
                    Record::Sample(sample) => results
                        .series
                        .entry(sample.service.clone())
                        .or_default()
                        .entry(sample.workload.clone())
                        .or_default()
                        .entry(sample.contender.clone())
                        .or_default()
                        .samples
                        .push(sample),
                    Record::Skipped(skipped) => results.skipped.push(skipped),
                    Record::Setting(setting) => results.settings.push(setting),
                    Record::Run {
                        service,
                        server,
                        plan,
                        commit,
                    } => {
                        results.runs.insert(
                            service,
                            RunInfo {
                                server,
                                plan,
                                commit,
                            },
                        );
                    }
                }
            }
        }
        Ok(results)
    }

    /// A library's figures in `config`: its instance for that configuration where it ran the
    /// workload, else the one standing for both, else its other configuration's (which ran the
    /// workloads where the two do not differ).
    pub(crate) fn get(
        &self,
        service: &str,
        workload: &str,
        contender: &str,
        config: Config,
    ) -> Option<&Series> {
        let by_key = self.series.get(service)?.get(workload)?;
        let other = match config {
            Config::Defaults => Config::Alike,
            Config::Alike => Config::Defaults,
        };
        by_key
            .get(&format!("{contender}:{}", config.suffix()))
            .or_else(|| by_key.get(contender))
            .or_else(|| by_key.get(&format!("{contender}:{}", other.suffix())))
    }

    pub(crate) fn skip_reason(
        &self,
        service: &str,
        workload: &str,
        contender: &str,
    ) -> Option<&str> {
        self.skipped
            .iter()
            .find(|s| {
                s.service == service
                    && s.workload == workload
                    && s.contender.split(':').next() == Some(contender)
            })
            .map(|s| s.reason.as_str())
    }

    /// The configurations a service's tables show: both where a contender runs in two, else
    /// one, standing for both (`None`).
    pub(crate) fn configs(&self, service: &str) -> Vec<Option<Config>> {
        if self.settings.iter().any(|s| s.service == service) {
            Config::BOTH.map(Some).into()
        } else {
            vec![None]
        }
    }

    /// What each contender that differs sets in `config` on `service`: (library, what, the
    /// workloads it was measured on that way; its other rows are the other configuration's,
    /// which the setting does not change).
    pub(crate) fn settings(&self, service: &str, config: Config) -> Vec<(&str, &str, String)> {
        self.settings
            .iter()
            .filter(|s| s.service == service && s.config == config.suffix())
            .map(|s| {
                let library = s.contender.split(':').next().unwrap_or(&s.contender);
                let workloads = if s.workloads.len() == crate::workload::Workload::ALL.len() {
                    "Every row of it is measured so".to_owned()
                } else {
                    format!(
                        "Measured so on {}; its other rows are the other configuration's, \
                         which this setting does not change",
                        s.workloads.join(", ")
                    )
                };
                (library, s.what.as_str(), workloads)
            })
            .collect()
    }

    /// Services in the order the docs show them.
    pub(crate) fn services(&self) -> Vec<&str> {
        let order = ["s3", "fs", "azblob", "gcs"];
        let mut list: Vec<&str> = order
            .iter()
            .copied()
            .filter(|s| self.series.contains_key(*s))
            .collect();
        list.extend(
            self.series
                .keys()
                .map(String::as_str)
                .filter(|s| !order.contains(s)),
        );
        list
    }

    /// A contender's wall time against the SDK's in the same configuration, round by round.
    pub(crate) fn wall_ratio(
        &self,
        service: &str,
        workload: &str,
        contender: &str,
        config: Config,
    ) -> Option<Ratio> {
        ratio(
            self.get(service, workload, contender, config)?,
            self.get(service, workload, "sdk", config)?,
            |s| s.wall_s,
        )
    }

    /// A contender's client CPU against the SDK's in the same configuration, round by round.
    pub(crate) fn cpu_ratio(
        &self,
        service: &str,
        workload: &str,
        contender: &str,
        config: Config,
    ) -> Option<Ratio> {
        ratio(
            self.get(service, workload, contender, config)?,
            self.get(service, workload, "sdk", config)?,
            |s| s.client_cpu_s,
        )
    }
}

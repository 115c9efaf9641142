//! The workloads by name, apart from the code that runs them (workloads.rs), so that the
//! contenders' settings can name them without an import circle.

/// The workloads, in the order each round runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workload {
    SmallWrite,
    SmallStat,
    SmallRead,
    LargeWrite,
    LargeRead,
    ListFlat,
    ListDelimited,
    RangeRead,
}

impl Workload {
    pub(crate) const ALL: [Workload; 8] = [
        Workload::SmallWrite,
        Workload::SmallStat,
        Workload::SmallRead,
        Workload::LargeWrite,
        Workload::LargeRead,
        Workload::ListFlat,
        Workload::ListDelimited,
        Workload::RangeRead,
    ];

    /// The large-object workloads, whose peak memory is measured in a process of their own.
    pub(crate) fn is_large(self) -> bool {
        matches!(self, Workload::LargeWrite | Workload::LargeRead)
    }

    pub(crate) fn named(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::SmallWrite => "small-write",
            Workload::SmallStat => "small-stat",
            Workload::SmallRead => "small-read",
            Workload::LargeWrite => "large-write",
            Workload::LargeRead => "large-read",
            Workload::ListFlat => "list-flat",
            Workload::ListDelimited => "list-delimited",
            Workload::RangeRead => "range-read",
        }
    }
}

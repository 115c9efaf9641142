//! What the fault matrix runs: the operations, the faults, whether a fault strikes once or
//! every time, and the seeded schedule that picks body offsets and, for the quick schedule,
//! which cells run.

use std::fmt;

/// An operation under test, with the request that the fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Stat,
    Read,
    /// A read whose body breaks off after the object was replaced: the resume must not splice.
    ReadReplaced,
    RangedRead,
    SmallWrite,
    MultipartWrite,
    List,
    Copy,
    Delete,
    Append,
}

impl Op {
    pub(crate) const ALL: [Op; 10] = [
        Op::Stat,
        Op::Read,
        Op::ReadReplaced,
        Op::RangedRead,
        Op::SmallWrite,
        Op::MultipartWrite,
        Op::List,
        Op::Copy,
        Op::Delete,
        Op::Append,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Stat => "stat",
            Op::Read => "read",
            Op::ReadReplaced => "read of an object replaced mid-read",
            Op::RangedRead => "ranged read",
            Op::SmallWrite => "small write",
            Op::MultipartWrite => "multipart write",
            Op::List => "list",
            Op::Copy => "copy",
            Op::Delete => "delete",
            Op::Append => "append",
        }
    }

    /// Whether the struck request carries a body the proxy can cut.
    fn sends_body(self) -> bool {
        matches!(self, Op::SmallWrite | Op::MultipartWrite | Op::Append)
    }

    /// Whether the struck response carries a body worth cutting or corrupting.
    fn receives_body(self) -> bool {
        matches!(
            self,
            Op::Read | Op::ReadReplaced | Op::RangedRead | Op::List
        )
    }
}

/// A fault, before its body offset is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    ResetBeforeResponse,
    ResetDuringUpload,
    ResetDuringDownload,
    Status500,
    Throttle503,
    Throttle429,
    Stall,
    Truncate,
    FlipByte,
    Latency,
}

impl FaultKind {
    pub(crate) const ALL: [FaultKind; 10] = [
        FaultKind::ResetBeforeResponse,
        FaultKind::ResetDuringUpload,
        FaultKind::ResetDuringDownload,
        FaultKind::Status500,
        FaultKind::Throttle503,
        FaultKind::Throttle429,
        FaultKind::Stall,
        FaultKind::Truncate,
        FaultKind::FlipByte,
        FaultKind::Latency,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            FaultKind::ResetBeforeResponse => "reset before response",
            FaultKind::ResetDuringUpload => "reset mid-upload",
            FaultKind::ResetDuringDownload => "reset mid-download",
            FaultKind::Status500 => "500",
            FaultKind::Throttle503 => "503 throttled",
            FaultKind::Throttle429 => "429 Retry-After",
            FaultKind::Stall => "stall",
            FaultKind::Truncate => "truncated body",
            FaultKind::FlipByte => "flipped byte",
            FaultKind::Latency => "latency 300 ms",
        }
    }

    /// Whether the fault can strike `op` at all.
    pub(crate) fn applies_to(self, op: Op) -> bool {
        if op == Op::ReadReplaced {
            return self == FaultKind::ResetDuringDownload;
        }
        match self {
            FaultKind::ResetDuringUpload => op.sends_body(),
            FaultKind::ResetDuringDownload | FaultKind::Truncate | FaultKind::FlipByte => {
                op.receives_body()
            }
            _ => true,
        }
    }
}

/// Whether the fault strikes the first matching request only (a transient fault, which a retry
/// should get past) or every one (a lasting fault, which must end in a typed error in time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strikes {
    Once,
    Always,
}

impl fmt::Display for Strikes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strikes::Once => "once",
            Strikes::Always => "always",
        })
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scenario {
    pub(crate) op: Op,
    pub(crate) fault: FaultKind,
    pub(crate) strikes: Strikes,
    /// A number drawn from the seed, from which the fault's body offset is taken.
    pub(crate) draw: u64,
}

/// Which cells run: `quick` strikes once only (every transient fault against every operation),
/// `full` adds every lasting fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schedule {
    Quick,
    Full,
}

/// The scenarios of `schedule` for the cells `keep` keeps, with offsets drawn from `seed` (so
/// that a run can be repeated exactly).
pub(crate) fn scenarios(
    schedule: Schedule,
    seed: u64,
    keep: impl Fn(Op, FaultKind) -> bool,
) -> Vec<Scenario> {
    let mut rng = SplitMix(seed);
    let mut out = Vec::new();
    for op in Op::ALL {
        for fault in FaultKind::ALL
            .into_iter()
            .filter(|f| f.applies_to(op) && keep(op, *f))
        {
            let mut strikes = vec![Strikes::Once];
            // Latency that lasts is still only latency: once says all there is to say.
            if schedule == Schedule::Full && fault != FaultKind::Latency {
                strikes.push(Strikes::Always);
            }
            for strikes in strikes {
                out.push(Scenario {
                    op,
                    fault,
                    strikes,
                    draw: rng.next(),
                });
            }
        }
    }
    out
}

/// SplitMix64: a tiny seeded generator, enough to spread fault offsets over a body.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

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
    /// A streamed write in parts uploaded side by side (GCS: a parallel composite upload of
    /// staged part objects).
    CompositeWrite,
    /// A large write from a stream, one chunk at a time (GCS: a resumable upload in chunks).
    StreamedWrite,
    List,
    Copy,
    Delete,
    Append,
}

impl Op {
    pub(crate) const ALL: [Op; 12] = [
        Op::Stat,
        Op::Read,
        Op::ReadReplaced,
        Op::RangedRead,
        Op::SmallWrite,
        Op::MultipartWrite,
        Op::CompositeWrite,
        Op::StreamedWrite,
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
            Op::CompositeWrite => "parallel composite write",
            Op::StreamedWrite => "streamed write in chunks",
            Op::List => "list",
            Op::Copy => "copy",
            Op::Delete => "delete",
            Op::Append => "append",
        }
    }

    /// Whether the struck request carries a body the proxy can cut.
    fn sends_body(self) -> bool {
        matches!(
            self,
            Op::SmallWrite
                | Op::MultipartWrite
                | Op::CompositeWrite
                | Op::StreamedWrite
                | Op::Append
        )
    }

    /// Whether the struck response carries a body worth cutting or corrupting.
    fn receives_body(self) -> bool {
        matches!(
            self,
            Op::Read | Op::ReadReplaced | Op::RangedRead | Op::List
        )
    }

    /// Whether the operation may go up in chunks, each answered with how much the service
    /// kept (a GCS resumable upload; [`Target::resumable`](crate::target::Target::resumable)
    /// says where it does).
    fn sends_chunks(self) -> bool {
        matches!(self, Op::MultipartWrite | Op::StreamedWrite)
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
    /// A chunk of a resumable upload reaches the service only in part (all but its last
    /// 256 KiB, or its tail), so that its `308` has a `Range` short of what the client sent.
    ShortResume,
    FlipByte,
    Latency,
    /// Nothing listens at the endpoint: every connection is refused.
    Refused,
    /// The endpoint's host name does not resolve.
    UnknownHost,
}

impl FaultKind {
    pub(crate) const ALL: [FaultKind; 13] = [
        FaultKind::ResetBeforeResponse,
        FaultKind::ResetDuringUpload,
        FaultKind::ResetDuringDownload,
        FaultKind::Status500,
        FaultKind::Throttle503,
        FaultKind::Throttle429,
        FaultKind::Stall,
        FaultKind::Truncate,
        FaultKind::ShortResume,
        FaultKind::FlipByte,
        FaultKind::Latency,
        FaultKind::Refused,
        FaultKind::UnknownHost,
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
            FaultKind::ShortResume => "308 with a short Range",
            FaultKind::FlipByte => "flipped byte",
            FaultKind::Latency => "latency 300 ms",
            FaultKind::Refused => "connection refused",
            FaultKind::UnknownHost => "unknown host",
        }
    }

    /// Whether the fault is the endpoint's, not one request's: no proxy, no server, and the
    /// store runs with its default retries and timeouts, which must end the call quickly.
    pub(crate) fn unreachable(self) -> bool {
        matches!(self, FaultKind::Refused | FaultKind::UnknownHost)
    }

    /// Whether a call struck once by this fault must succeed: every transient fault. A flipped
    /// byte may end in an integrity error instead (no service sends its checksum again), and
    /// an endpoint that is not there is not transient.
    pub(crate) fn must_recover(self) -> bool {
        !matches!(self, FaultKind::FlipByte) && !self.unreachable()
    }

    /// Whether the fault can strike `op` at all.
    pub(crate) fn applies_to(self, op: Op) -> bool {
        if op == Op::ReadReplaced {
            return self == FaultKind::ResetDuringDownload;
        }
        if self.unreachable() {
            // A read and a write of each client: enough to show every call fails fast.
            return matches!(op, Op::Stat | Op::Read | Op::SmallWrite);
        }
        match self {
            FaultKind::ResetDuringUpload => op.sends_body(),
            FaultKind::ResetDuringDownload | FaultKind::FlipByte => op.receives_body(),
            // A chunked upload's last answer (the object's resource) is a body to cut too.
            FaultKind::Truncate => op.receives_body() || op.sends_chunks(),
            FaultKind::ShortResume => op.sends_chunks(),
            _ => true,
        }
    }

    /// Whether the fault strikes `op` in the answers to its chunks, which only an upload in
    /// chunks has (see [`Target::resumable`](crate::target::Target::resumable)).
    pub(crate) fn strikes_chunk_answers(self, op: Op) -> bool {
        op.sends_chunks() && matches!(self, FaultKind::Truncate | FaultKind::ShortResume)
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
/// `full` adds every lasting fault. An unreachable endpoint is a lasting fault that both run.
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
            // Nothing answers, every time, and every run checks that calls give up quickly.
            if fault.unreachable() {
                strikes = vec![Strikes::Always];
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

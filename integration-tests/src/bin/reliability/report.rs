//! The matrix's output: a line per cell as it finishes, the per-service summary line, and the
//! markdown section that `cargo xtask faults` puts in docs/reliability.md.

use std::fmt::Write as _;

use crate::plan::{FaultKind, Op, Strikes};
use crate::scenario::Cell;
use crate::target::Target;
use crate::verdict::Verdict;

/// Counts of the verdicts of one service's run.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) scenarios: usize,
    pub(crate) recovered: usize,
    pub(crate) typed: usize,
    pub(crate) not_recovered: usize,
    /// Cells not recovered without a documented reason: failures of the run.
    pub(crate) unexplained: usize,
    pub(crate) corrupt: usize,
    pub(crate) partial: usize,
    pub(crate) hung: usize,
    pub(crate) untyped: usize,
    pub(crate) missed: usize,
    pub(crate) broken: usize,
}

impl Tally {
    pub(crate) fn of(cells: &[Cell]) -> Tally {
        let mut tally = Tally {
            scenarios: cells.len(),
            ..Tally::default()
        };
        for cell in cells {
            let count = match cell.verdict {
                Verdict::Recovered => &mut tally.recovered,
                Verdict::Typed { .. } => &mut tally.typed,
                Verdict::NotRecovered { reason, .. } => {
                    if reason.is_none() {
                        tally.unexplained += 1;
                    }
                    &mut tally.not_recovered
                }
                Verdict::Corrupt(_) => &mut tally.corrupt,
                Verdict::Partial(_) => &mut tally.partial,
                Verdict::Hung => &mut tally.hung,
                Verdict::Untyped(_) => &mut tally.untyped,
                Verdict::Missed(_) => &mut tally.missed,
                Verdict::Broken(_) => &mut tally.broken,
            };
            *count += 1;
        }
        tally
    }

    pub(crate) fn failed(&self) -> bool {
        self.unexplained
            + self.corrupt
            + self.partial
            + self.hung
            + self.untyped
            + self.missed
            + self.broken
            > 0
    }

    /// `faults <service>: N scenarios, A recovered, B typed errors, C not recovered, 0 corrupt,
    /// 0 partial, 0 hung`, with the other failures named only when there are any.
    pub(crate) fn line(&self, service: &str) -> String {
        let mut line = format!(
            "faults {service}: {} scenarios, {} recovered, {} typed errors, {} not recovered, \
             {} corrupt, {} partial, {} hung",
            self.scenarios,
            self.recovered,
            self.typed,
            self.not_recovered,
            self.corrupt,
            self.partial,
            self.hung
        );
        for (count, what) in [
            (self.untyped, "untyped errors"),
            (self.missed, "faults that never struck"),
            (self.broken, "cells that could not be judged"),
        ] {
            if count > 0 {
                let _ = write!(line, ", {count} {what}");
            }
        }
        line
    }
}

/// The progress line of one cell.
pub(crate) fn cell_line(service: &str, cell: &Cell) -> String {
    format!(
        "{service}: {} / {} / {}: {} in {:.1} s (struck {}x)",
        cell.scenario.op.name(),
        cell.scenario.fault.name(),
        cell.scenario.strikes,
        cell.verdict,
        cell.elapsed.as_secs_f64(),
        cell.fired
    )
}

/// The markdown section of one service: the summary line, then a table with a row per
/// operation and fault and a column per strike pattern.
pub(crate) fn section(target: &Target, title: &str, cells: &[Cell], seed: u64) -> String {
    let tally = Tally::of(cells);
    let full = cells.iter().any(|c| c.scenario.strikes == Strikes::Always);
    let mut out = format!(
        "### {title}\n\n`{}` (seed {seed})\n\n",
        tally.line(target.name())
    );
    if full {
        out.push_str(
            "| operation | fault | struck once | struck every time |\n|---|---|---|---|\n",
        );
    } else {
        out.push_str("| operation | fault | struck once |\n|---|---|---|\n");
    }
    for op in Op::ALL {
        for fault in FaultKind::ALL {
            let find = |strikes| {
                cells.iter().find(|c| {
                    c.scenario.op == op
                        && c.scenario.fault == fault
                        && c.scenario.strikes == strikes
                })
            };
            let Some(once) = find(Strikes::Once) else {
                continue;
            };
            let _ = write!(
                out,
                "| {} | {} | {} |",
                op.name(),
                fault.name(),
                short(once)
            );
            if full {
                let always = find(Strikes::Always).map_or_else(|| "–".to_owned(), short);
                let _ = write!(out, " {always} |");
            }
            out.push('\n');
        }
    }
    let mut undetectable: Vec<&str> = Vec::new();
    for why in Op::ALL
        .into_iter()
        .flat_map(|op| FaultKind::ALL.map(|fault| target.undetectable(op, fault)))
        .flatten()
    {
        if !undetectable.contains(&why) {
            undetectable.push(why);
        }
    }
    for why in undetectable {
        let _ = write!(out, "\nLeft out: {why}.\n");
    }
    for cell in cells {
        if let Verdict::NotRecovered {
            reason: Some(reason),
            ..
        } = &cell.verdict
        {
            let _ = write!(
                out,
                "\nNot recovered, {} / {} struck {}: {reason}.\n",
                cell.scenario.op.name(),
                cell.scenario.fault.name(),
                cell.scenario.strikes
            );
        }
    }
    out
}

fn short(cell: &Cell) -> String {
    let verdict = match &cell.verdict {
        Verdict::Typed {
            kind, temporary, ..
        } => {
            let temporary = if *temporary { ", temporary" } else { "" };
            format!("error: {}{temporary}", kind.as_str())
        }
        // The reason is written once, under the table.
        Verdict::NotRecovered {
            kind,
            temporary,
            reason: Some(_),
            ..
        } => {
            let temporary = if *temporary { ", temporary" } else { "" };
            format!("not recovered: {}{temporary} (see below)", kind.as_str())
        }
        other => other.to_string().replace('|', "\\|"),
    };
    format!("{verdict} ({:.1} s)", cell.elapsed.as_secs_f64())
}

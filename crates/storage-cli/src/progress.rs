//! The transfer progress bar: bytes, bytes per second and ETA on a terminal, nothing when
//! standard error is piped.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use storage::Progress;

/// A bar for `total` bytes, hidden unless standard error is a terminal.
pub(crate) fn bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}  ETA {eta:>4}  {wide_msg}",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

/// A progress option that advances `bar`.
pub(crate) fn reporter(bar: &ProgressBar) -> Progress {
    let bar = bar.clone();
    Progress::new(move |n| bar.inc(n))
}

//! The transfer progress bar: bytes, bytes per second and ETA, drawn on standard error when it
//! is a terminal (or `--progress` asks), never with `--no-progress` or `-q`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use storage::Progress;

use crate::session::GlobalArgs;

/// Whether the flags and standard error call for a bar.
pub(crate) fn wanted(global: &GlobalArgs) -> bool {
    if global.quiet || global.no_progress {
        return false;
    }
    global.progress || std::io::stderr().is_terminal()
}

/// A bar for `total` bytes (more may be added as a listing goes on), hidden unless wanted.
pub(crate) fn bar(global: &GlobalArgs, total: u64) -> ProgressBar {
    if !wanted(global) {
        return ProgressBar::hidden();
    }
    // A terminal-like target draws whether or not standard error is a terminal: `--progress`
    // into a log file gets the bar's lines too.
    let target =
        ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), REFRESH_HZ);
    let bar = ProgressBar::with_draw_target(Some(total), target);
    let style = ProgressStyle::with_template(
        "{bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}  ETA {eta:>4}  {wide_msg}",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

/// How often the bar redraws: often enough to look live, rarely enough to cost nothing.
const REFRESH_HZ: u8 = 10;

/// A progress option that advances `bar`.
pub(crate) fn reporter(bar: &ProgressBar) -> Progress {
    let bar = bar.clone();
    Progress::new(move |n| bar.inc(n))
}

//! `stor cat`: an object's content, or a byte range of it (`A-B`, `A-`, the last N bytes with
//! `-N`), to standard output.

use anyhow::{Context, Result};
use clap::Args;
use futures_util::TryStreamExt;
use storage::{ReadOptions, Storage};
use tokio::io::AsyncWriteExt;

use crate::exit::usage;
use crate::session::{Located, Session};

#[derive(Debug, Args)]
pub(crate) struct CatArgs {
    /// Only bytes A to B (inclusive, from 0), from A to the end with `A-`, or the last N
    /// bytes with `-N`.
    #[arg(long, value_name = "A-B", allow_hyphen_values = true)]
    pub(crate) range: Option<String>,
    /// The object.
    pub(crate) location: String,
}

/// The bytes `--range` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    All,
    /// From this byte to the end.
    From(u64),
    /// These bytes, both ends included.
    Span(u64, u64),
    /// The last N bytes.
    Last(u64),
}

const FORMS: &str = "--range takes A-B, A- or -N (the last N bytes)";

/// `A-B`, `A-`, `-N`; anything else is a usage error (exit 2).
fn parse_range(range: Option<&str>) -> Result<Wanted> {
    let Some(range) = range else {
        return Ok(Wanted::All);
    };
    let number = |n: &str| {
        n.trim()
            .parse::<u64>()
            .map_err(|_| usage(format!("{FORMS}, not `{range}`")))
    };
    let Some((start, end)) = range.split_once('-') else {
        return Err(usage(format!("{FORMS}, not `{range}`")));
    };
    match (start.trim(), end.trim()) {
        ("", last) => match number(last)? {
            0 => Err(usage(format!("--range {range}: the range is empty"))),
            n => Ok(Wanted::Last(n)),
        },
        (start, "") => Ok(Wanted::From(number(start)?)),
        (start, end) => {
            let (start, end) = (number(start)?, number(end)?);
            if end < start {
                return Err(usage(format!(
                    "--range {range}: the end comes before the start"
                )));
            }
            Ok(Wanted::Span(start, end))
        }
    }
}

/// The read options for `wanted`. No store reads a suffix range, so the last N bytes are
/// the range from `size - N`, after a stat; `None` when that leaves nothing to read.
async fn read_options(
    wanted: Wanted,
    store: &dyn Storage,
    path: &str,
) -> Result<Option<ReadOptions>> {
    let opts = ReadOptions::default();
    Ok(Some(match wanted {
        Wanted::All => opts,
        Wanted::From(start) => opts.with_range(start..),
        Wanted::Span(start, end) => opts.with_range(start..end.saturating_add(1)),
        Wanted::Last(n) => {
            let size = store.stat(path).await?.size;
            if size == 0 {
                return Ok(None);
            }
            opts.with_range(size.saturating_sub(n)..)
        }
    }))
}

pub(crate) async fn cat(session: &Session, args: CatArgs) -> Result<()> {
    let wanted = parse_range(args.range.as_deref())?;
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    let Some(opts) = read_options(wanted, loc.store.as_ref(), &loc.path)
        .await
        .with_context(|| shown.clone())?
    else {
        return Ok(());
    };
    let mut stream = loc
        .store
        .read_with(&loc.path, opts)
        .await
        .with_context(|| shown.clone())?
        .into_stream();
    let mut stdout = tokio::io::stdout();
    while let Some(chunk) = stream.try_next().await.with_context(|| shown.clone())? {
        match stdout.write_all(&chunk).await {
            // A closed pipe (`stor cat x | head`) is the reader's choice, not an error.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    stdout.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_their_refusals() {
        assert_eq!(parse_range(None).unwrap(), Wanted::All);
        assert_eq!(parse_range(Some("5-")).unwrap(), Wanted::From(5));
        assert_eq!(parse_range(Some("1-3")).unwrap(), Wanted::Span(1, 3));
        assert_eq!(parse_range(Some("-4")).unwrap(), Wanted::Last(4));
        for bad in ["-0", "3-1", "x-", "12", "-", "1-2-3"] {
            let err = parse_range(Some(bad)).unwrap_err();
            assert_eq!(crate::exit::code(&err), crate::exit::USAGE, "{bad}");
        }
    }
}

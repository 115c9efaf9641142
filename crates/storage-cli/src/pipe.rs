//! `stor cp -`: standard input as the source (a stream of unknown or declared size, uploaded
//! part by part with bounded memory) or standard output as the destination (written as the
//! bytes arrive).

use anyhow::{Context, Result};
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use indicatif::ProgressStyle;
use storage::io::RateLimit;
use storage::{Body, ObjectPath};
use tokio::io::AsyncReadExt;

use crate::cat::CatArgs;
use crate::exit::usage;
use crate::options::{TransferArgs, needs_streaming, write_options};
use crate::progress::{bar, reporter};
use crate::session::{Located, Session};
use crate::upload::object_options;

/// The location that means standard input (as a source) or standard output (as a
/// destination).
pub(crate) const STDIO: &str = "-";

/// The most bytes one chunk read from standard input holds: large enough to keep the part
/// writer's copying cheap, small enough that memory stays the writer's parts.
const CHUNK: usize = 256 << 10;

/// Whether the transfer reads standard input or writes standard output.
pub(crate) fn is_pipe(args: &TransferArgs) -> bool {
    args.source == STDIO || args.destination == STDIO
}

/// The usage errors of flags that name standard input or output where they cannot apply;
/// checked before anything is read or written.
pub(crate) fn check_usage(args: &TransferArgs, moving: bool) -> Result<()> {
    let pipe = is_pipe(args);
    if moving && pipe {
        return Err(usage(
            "stor mv cannot read standard input or write standard output (`-`); use stor cp",
        ));
    }
    if args.write.upload.expected_size.is_some() && args.source != STDIO {
        return Err(usage(
            "--expected-size is for standard input (`-` as the source) only",
        ));
    }
    if !pipe {
        return Ok(());
    }
    if args.recursive {
        return Err(usage(
            "-r copies directories; standard input or output (`-`) is one stream",
        ));
    }
    if args.source == STDIO && args.destination == STDIO {
        return Err(usage("stor cp - -: one side must be a file or an object"));
    }
    if args.source == STDIO && args.write.upload.checksum_algorithm.is_some() {
        return Err(usage(
            "--checksum-algorithm needs the whole source before the upload starts, and \
             standard input can be read only once; checksum a file instead",
        ));
    }
    if args.destination == STDIO
        && (needs_streaming(&args.write)
            || args.write.upload.any()
            || args.write.encryption.is_some())
    {
        return Err(usage("stor cp ... -: standard output takes no write flags"));
    }
    Ok(())
}

/// `stor cp - DEST` or `stor cp SRC -`.
pub(crate) async fn cp(session: &Session, args: TransferArgs) -> Result<()> {
    if args.destination == STDIO {
        let cat = CatArgs {
            range: None,
            location: args.source,
        };
        return crate::cat::cat(session, cat).await;
    }
    let Located {
        loc: dst, shown, ..
    } = session.locate(&args.destination).await?;
    if dst.path.is_empty() || dst.path.ends_with('/') {
        return Err(usage(format!(
            "{shown}: standard input has no name to keep; give the object's full path"
        )));
    }
    let to = ObjectPath::parse(&dst.path).with_context(|| shown.clone())?;
    let expected = args.write.upload.expected_size;
    let mut opts = object_options(
        write_options(&args.write)?,
        &args.write.upload,
        None,
        (None, to.as_str()),
        dst.store.as_ref(),
    );
    if let Some(size) = expected {
        opts = crate::upload::fit_parts(opts, dst.store.info().capability.limits(), size)?;
    }
    let bar = bar(&session.global, expected.unwrap_or(0));
    if expected.is_none() {
        // No total to count towards: the bytes so far and the rate.
        if let Ok(style) = ProgressStyle::with_template("{bytes:>10} {bytes_per_sec:>12}") {
            bar.set_style(style);
        }
    }
    let opts = opts.with_progress(reporter(&bar));
    // With a size, the store is told it upfront, and a stream ending at another size fails
    // the write (the central layer counts the bytes) before the object is committed.
    let body = Body::from_stream(stdin_chunks(), expected);
    let body = match session.global.bwlimit {
        Some(rate) => RateLimit::per_second(rate).limit_body(body),
        None => body,
    };
    dst.store
        .write_with(to.as_str(), body, opts)
        .await
        .with_context(|| format!("- -> {shown}"))?;
    bar.finish_and_clear();
    Ok(())
}

/// Standard input as a stream of chunks of up to [`CHUNK`] bytes.
fn stdin_chunks() -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::try_unfold(tokio::io::stdin(), |mut stdin| async move {
        let mut chunk = BytesMut::with_capacity(CHUNK);
        // A pipe hands over at most its buffer per read: fill the chunk, or stop at the end.
        while chunk.len() < CHUNK {
            if stdin.read_buf(&mut chunk).await? == 0 {
                break;
            }
        }
        Ok((!chunk.is_empty()).then(|| (chunk.freeze(), stdin)))
    })
}

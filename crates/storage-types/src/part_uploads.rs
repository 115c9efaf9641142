//! [`upload_parts`]: the one loop that cuts a body into parts and uploads them with bounded
//! concurrency (S3 multipart, Azure blocks, GCS composite parts), as object_store's
//! `WriteMultipart` sits over `put_part`. A backend writes only "upload one part".

use std::future::Future;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::error::{Error, Result};
use crate::parts::PartReader;

/// How a body is cut and sent.
#[derive(Debug, Clone, Copy)]
pub struct PartPlan {
    /// Bytes per part (the last may be shorter).
    pub part_size: u64,
    /// Parts in flight at once (at least 1).
    pub concurrency: usize,
    /// The most parts the service allows in one upload.
    pub max_parts: u32,
}

/// What [`upload_parts`] sent: each part's outcome in part order, and the body's size.
#[derive(Debug)]
pub struct UploadedParts<T> {
    /// The outcome of each part, ordered by part number (1, 2, ...).
    pub parts: Vec<T>,
    /// The bytes sent, all parts together.
    pub size: u64,
}

/// Uploads `first` and then the rest of `source`, part by part, with at most
/// `plan.concurrency` uploads in flight: memory holds part size x (concurrency + 1).
///
/// `upload(number, bytes)` sends part `number` (from 1). A backend that wants parts on every
/// core spawns the work inside that future (with a handle that aborts on drop). When a part
/// buffer comes back unshared after its upload, the next part is read into it.
///
/// On the first error no new part starts, and the parts already in flight are waited for
/// before the error returns, so that the caller's clean-up (an abort, removing staged parts)
/// runs after every request of the upload has ended. A body needing more than
/// `plan.max_parts` parts is `InvalidInput`.
pub async fn upload_parts<T, F, Fut>(
    source: &mut PartReader,
    first: Bytes,
    plan: PartPlan,
    mut upload: F,
) -> Result<UploadedParts<T>>
where
    F: FnMut(u32, Bytes) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let concurrency = plan.concurrency.max(1);
    let mut in_flight = FuturesUnordered::new();
    let mut done: Vec<(u32, T)> = Vec::new();
    let mut size = 0u64;
    let mut failure: Option<Error> = None;
    let (mut part, mut end, mut number) = (first, false, 1u32);
    loop {
        while in_flight.len() >= concurrency {
            if let Some((n, outcome, buffer)) = in_flight.next().await {
                match outcome {
                    Ok(value) => {
                        source.recycle(buffer);
                        done.push((n, value));
                    }
                    Err(err) => failure = failure.or(Some(err)),
                }
            }
        }
        if failure.is_some() {
            break;
        }
        size += part.len() as u64;
        let kept = part.clone();
        let sent = upload(number, part);
        in_flight.push(async move { (number, sent.await, kept) });
        if end {
            break;
        }
        if number == plan.max_parts {
            failure = Some(Error::invalid_input(format!(
                "the body needs more than {} parts of {} bytes; set a larger part_size",
                plan.max_parts, plan.part_size
            )));
            break;
        }
        match source.next_part(plan.part_size).await {
            Ok((next, ended)) if next.is_empty() && ended => break,
            Ok((next, ended)) => (part, end) = (next, ended),
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
        number += 1;
    }
    while let Some((n, outcome, _)) = in_flight.next().await {
        match outcome {
            Ok(value) => done.push((n, value)),
            Err(err) => failure = failure.or(Some(err)),
        }
    }
    if let Some(err) = failure {
        return Err(err);
    }
    done.sort_by_key(|(n, _)| *n);
    Ok(UploadedParts {
        parts: done.into_iter().map(|(_, value)| value).collect(),
        size,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_executor::block_on;

    use super::*;
    use crate::ErrorKind;
    use crate::body::Body;

    fn plan(part_size: u64, concurrency: usize, max_parts: u32) -> PartPlan {
        PartPlan {
            part_size,
            concurrency,
            max_parts,
        }
    }

    fn run(
        body: &'static str,
        plan: PartPlan,
        fail_at: Option<u32>,
    ) -> (Result<UploadedParts<(u32, Bytes)>>, usize) {
        let mut source = PartReader::new(Body::from(body).into_stream());
        let started = AtomicUsize::new(0);
        let outcome = block_on(async {
            let (first, _) = source.next_part(plan.part_size).await?;
            upload_parts(&mut source, first, plan, |n, bytes| {
                started.fetch_add(1, Ordering::SeqCst);
                async move {
                    if Some(n) == fail_at {
                        return Err(Error::new(ErrorKind::Unavailable, "part refused"));
                    }
                    Ok((n, bytes))
                }
            })
            .await
        });
        (outcome, started.load(Ordering::SeqCst))
    }

    #[test]
    fn parts_come_back_in_order_with_the_size() {
        let (outcome, _) = run("abcdefghij", plan(4, 2, 100), None);
        let uploaded = outcome.unwrap();
        assert_eq!(uploaded.size, 10);
        let parts: Vec<(u32, Bytes)> = uploaded.parts;
        assert_eq!(
            parts,
            vec![(1, "abcd".into()), (2, "efgh".into()), (3, "ij".into())]
        );
    }

    #[test]
    fn a_body_ending_on_a_boundary_sends_no_empty_part() {
        let (outcome, started) = run("abcdefgh", plan(4, 1, 100), None);
        assert_eq!(outcome.unwrap().parts.len(), 2);
        assert_eq!(started, 2);
    }

    #[test]
    fn a_failed_part_stops_new_parts_and_is_returned() {
        let (outcome, started) = run("abcdefghijklmnopqrst", plan(2, 1, 100), Some(2));
        let err = outcome.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert_eq!(started, 2, "no part may start after a failure is seen");
    }

    #[test]
    fn too_many_parts_is_invalid_input() {
        let (outcome, _) = run("abcdefghij", plan(2, 2, 3), None);
        let err = outcome.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("more than 3 parts"), "{err}");
    }

    #[test]
    fn no_more_than_concurrency_parts_are_in_flight() {
        let mut source = PartReader::new(Body::from("abcdefghijklmnop").into_stream());
        let in_flight = AtomicUsize::new(0);
        let peak = Mutex::new(0usize);
        block_on(async {
            let (first, _) = source.next_part(2).await.unwrap();
            upload_parts(&mut source, first, plan(2, 3, 100), |_, _| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                let mut p = peak.lock().unwrap();
                *p = (*p).max(now);
                drop(p);
                let in_flight = &in_flight;
                async move {
                    // Yield once, so that several parts are pending together.
                    futures_util::future::ready(()).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                }
            })
            .await
            .unwrap();
        });
        assert!(*peak.lock().unwrap() <= 3);
    }
}

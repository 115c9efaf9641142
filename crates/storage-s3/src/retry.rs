//! What the SDK retries beyond its own rules: an HTTP 429 whatever its body says.

use aws_sdk_s3::config::interceptors::InterceptorContext;
use aws_sdk_s3::config::retry::{ClassifyRetry, RetryAction};

/// Classes `429 Too Many Requests` as throttling, to be retried with the SDK's backoff. The
/// SDK's own classifiers know throttling by the error code in the body (`SlowDown`, ...) and
/// retry by status only 500, 502, 503 and 504, so a 429 without a code was never retried: the
/// answer to a HEAD (which has no body, so `stat` and existence checks), and any answer of an
/// S3-compatible store that throttles with a bare 429.
#[derive(Debug)]
pub(crate) struct TooManyRequests;

impl ClassifyRetry for TooManyRequests {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.response() {
            Some(response) if response.status().as_u16() == 429 => RetryAction::throttling_error(),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TooManyRequests"
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use storage_types::{ErrorKind, Storage};

    use crate::S3Builder;
    use crate::stub::serve;

    #[tokio::test]
    async fn a_bare_429_to_a_head_is_retried_and_a_lasting_one_is_rate_limited() {
        // The first HEAD is throttled with no body at all, as S3 answers a HEAD.
        let heads = std::sync::Arc::new(AtomicUsize::new(0));
        let count = std::sync::Arc::clone(&heads);
        let stub = serve(move |_| {
            if count.fetch_add(1, Ordering::SeqCst) == 0 {
                (429, vec![], String::new())
            } else {
                (200, vec![("etag", "\"e\"".to_owned())], String::new())
            }
        })
        .await;
        let store = S3Builder::new("bkt")
            .endpoint(&stub.url)
            .region("us-east-1")
            .credentials("AKID", "SECRET", None)
            .build()
            .await
            .unwrap();
        let meta = store.stat("k").await.unwrap();
        assert_eq!(meta.etag.as_deref(), Some("\"e\""));
        assert_eq!(heads.load(Ordering::SeqCst), 2, "one retry");

        let stub = serve(|_| (429, vec![], String::new())).await;
        let store = S3Builder::new("bkt")
            .endpoint(&stub.url)
            .region("us-east-1")
            .credentials("AKID", "SECRET", None)
            .max_attempts(2)
            .build()
            .await
            .unwrap();
        let err = store.stat("k").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
        assert_eq!(stub.seen().len(), 2, "every attempt was made");
    }
}

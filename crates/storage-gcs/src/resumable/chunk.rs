//! One chunk of the upload, sent until the session holds all of it. After a request that got
//! no answer, or an answer that asks for a retry (408, 429, 5xx), the session is asked where
//! it stands (`Content-Range: bytes */*`) and the chunk is sent again from there: the service
//! may have kept none of it, part of it or all of it (and, for the last chunk, finalised the
//! object). What it reports must lie within the chunk; anything else ends the upload, never a
//! guess.

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use bytes::Bytes;
use reqwest::Url;
use storage_types::{Error, ErrorKind, Result};

use super::transport::{Answer, Attempts, Sender, retryable, status_error};

/// Resume Incomplete: the session holds the bytes its `Range` header says.
const RESUME_INCOMPLETE: u16 = 308;

/// A started upload.
pub(super) struct Session<'a> {
    pub(super) sender: Sender<'a>,
    /// The session URL: it stands for the upload, so it goes in no message.
    pub(super) url: Url,
}

/// Bytes `start..start + bytes.len()` of the object.
pub(super) struct Chunk<'a> {
    pub(super) bytes: &'a Bytes,
    pub(super) start: u64,
    /// The object's size, when known (always on the last chunk).
    pub(super) total: Option<u64>,
    /// The CRC32C of the whole object: only on the last chunk.
    pub(super) crc32c: Option<u32>,
}

/// Where a chunk left the upload.
pub(super) enum Progress {
    /// The session holds the whole chunk; more are to come.
    Persisted,
    /// The upload is finalised: the answer carries the object resource.
    Finished(Answer),
}

/// What a request of the session learnt.
enum Status {
    /// The session holds this many bytes.
    Persisted(u64),
    Finished(Answer),
}

impl Session<'_> {
    /// Sends `chunk`, resuming where the session says after a failure.
    pub(super) async fn send(&self, chunk: Chunk<'_>) -> Result<Progress> {
        let end = chunk.start + chunk.bytes.len() as u64;
        let last = chunk.crc32c.is_some();
        let mut attempts = Attempts::new(self.sender.store.inner.retry);
        let mut persisted = chunk.start;
        let mut ask_first = false;
        loop {
            let outcome = if ask_first {
                self.request(self.status_query(), &attempts, "the upload's status query")
                    .await?
            } else {
                self.request(
                    self.put(&chunk, persisted),
                    &attempts,
                    "a chunk of the upload",
                )
                .await?
            };
            let (error, never_connected) = match outcome {
                Ok(Status::Finished(answer)) if last => return Ok(Progress::Finished(answer)),
                Ok(Status::Finished(_)) => {
                    return Err(Error::unexpected(
                        "GCS finalised the upload before its last chunk",
                    ));
                }
                Ok(Status::Persisted(now)) => {
                    if now < chunk.start || now > end {
                        return Err(Error::new(
                            ErrorKind::Unexpected,
                            format!(
                                "GCS reports {now} bytes of the upload persisted, outside the \
                                 chunk it was sent ({}..{end}): the upload is abandoned",
                                chunk.start
                            ),
                        ));
                    }
                    let progressed = now > persisted || ask_first;
                    persisted = now;
                    ask_first = false;
                    if now == end && !last {
                        return Ok(Progress::Persisted);
                    }
                    // Part of the chunk is kept (or, of the last one, all of it without the
                    // upload being finalised): the rest goes next. A chunk the service keeps
                    // refusing to take counts as a failure, so that this ends.
                    if progressed {
                        continue;
                    }
                    let error = Error::new(
                        ErrorKind::Unavailable,
                        format!("GCS kept none of a chunk sent at byte {now}"),
                    )
                    .with_temporary(true);
                    (error, false)
                }
                Err(failure) => failure,
            };
            attempts.failed(error, never_connected).await?;
            ask_first = true;
            tracing::debug!(
                offset = chunk.start,
                "GCS upload: asking the session where it stands"
            );
        }
    }

    /// The chunk's bytes from `persisted` on; an empty body with the size finalises the
    /// upload when the session holds all of the last chunk.
    fn put(&self, chunk: &Chunk<'_>, persisted: u64) -> reqwest::RequestBuilder {
        let skip = usize::try_from(persisted - chunk.start).unwrap_or(usize::MAX);
        let body = chunk.bytes.slice(skip.min(chunk.bytes.len())..);
        let total = chunk.total.map_or("*".to_owned(), |t| t.to_string());
        let range = match body.len() as u64 {
            0 => format!("bytes */{total}"),
            n => format!("bytes {persisted}-{}/{total}", persisted + n - 1),
        };
        let mut req = self
            .sender
            .store
            .inner
            .http
            .put(self.url.clone())
            .header("content-range", range);
        if let Some(crc32c) = chunk.crc32c {
            let crc32c = BASE64_STANDARD.encode(crc32c.to_be_bytes());
            req = req.header("x-goog-hash", format!("crc32c={crc32c}"));
        }
        req.body(body)
    }

    /// Cancels the upload, once, without retries: a DELETE of the session (GCS answers 499).
    /// Best effort: a session left behind expires on its own.
    pub(super) async fn cancel(&self) {
        let req = self.sender.store.inner.http.delete(self.url.clone());
        let deadline = Attempts::new(self.sender.store.inner.retry).deadline();
        match self.sender.send(req, deadline).await {
            Ok(Ok(answer)) if matches!(answer.status, 499 | 204 | 200 | 404 | 410) => {}
            Ok(Ok(answer)) => tracing::debug!(
                status = answer.status,
                "GCS upload: the session could not be cancelled"
            ),
            Ok(Err(no_answer)) => tracing::debug!(
                error = %no_answer.error,
                "GCS upload: the session could not be cancelled"
            ),
            Err(err) => {
                tracing::debug!(error = %err, "GCS upload: the session could not be cancelled")
            }
        }
    }

    fn status_query(&self) -> reqwest::RequestBuilder {
        self.sender
            .store
            .inner
            .http
            .put(self.url.clone())
            .header("content-range", "bytes */*")
            .body(Bytes::new())
    }

    /// Sends one request of the session: what it learnt, or why another attempt may help
    /// (the error, and whether no connection was made). An answer that ends the upload is the
    /// error returned.
    async fn request(
        &self,
        req: reqwest::RequestBuilder,
        attempts: &Attempts,
        what: &str,
    ) -> Result<std::result::Result<Status, (Error, bool)>> {
        let answer = match self.sender.send(req, attempts.deadline()).await? {
            Ok(answer) => answer,
            Err(no_answer) => return Ok(Err((no_answer.error, no_answer.never_connected))),
        };
        match answer.status {
            200 | 201 => Ok(Ok(Status::Finished(answer))),
            RESUME_INCOMPLETE => Ok(Ok(Status::Persisted(persisted(&answer)?))),
            status if retryable(status) => Ok(Err((status_error(&answer, what), false))),
            404 | 410 => Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "{what}: HTTP {}: the upload session is gone (expired or cancelled)",
                    answer.status
                ),
            )),
            _ => Err(status_error(&answer, what)),
        }
    }
}

/// The bytes a 308 answer says the session holds: `Range: bytes=0-N` is N + 1, no `Range` is
/// none.
fn persisted(answer: &Answer) -> Result<u64> {
    let Some(range) = answer.headers.get("range") else {
        return Ok(0);
    };
    range
        .to_str()
        .ok()
        .and_then(|r| r.trim().strip_prefix("bytes=0-"))
        .and_then(|last| last.parse::<u64>().ok())
        .map(|last| last + 1)
        .ok_or_else(|| Error::unexpected("GCS answered a Range header that is not bytes=0-N"))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    fn answer(range: Option<&'static str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(range) = range {
            headers.insert("range", HeaderValue::from_static(range));
        }
        Answer {
            status: RESUME_INCOMPLETE,
            headers,
            body: Bytes::new(),
        }
    }

    #[test]
    fn a_range_header_counts_the_bytes_persisted() {
        assert_eq!(persisted(&answer(None)).unwrap(), 0);
        assert_eq!(persisted(&answer(Some("bytes=0-0"))).unwrap(), 1);
        assert_eq!(persisted(&answer(Some("bytes=0-262143"))).unwrap(), 262_144);
        assert!(persisted(&answer(Some("bytes=5-9"))).is_err());
    }
}

//! The proxy's vocabulary: what it can do to an exchange ([`Fault`]), which requests it does it
//! to ([`Rule`]), and what it saw ([`Seen`]).

use std::time::Duration;

use crate::http::RequestHead;

/// One way to break an HTTP exchange. Body offsets and counts are body bytes as the client
/// reads them: for a chunked body, the chunk data, never the chunk-size lines around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Read the whole request, forward nothing, close the client connection without answering.
    ///
    /// A request waiting on `Expect: 100-continue` is sent `100 Continue`, so that its body is
    /// read too. The close is a reset (RST), so the client sees "connection reset" rather than
    /// a clean end of stream.
    ResetBeforeResponse,
    /// Forward the request head and `after` bytes of its body upstream, then close both sides.
    ///
    /// Both closes are resets. A request with no more than `after` body bytes is not struck: it
    /// is relayed unchanged, and the fault does not count in [`FaultProxy::fired`](crate::FaultProxy::fired).
    ResetDuringRequestBody {
        /// Body bytes to forward before the reset.
        after: u64,
    },
    /// Forward the response head and `after` bytes of its body, then close the client side.
    ///
    /// The close is a reset (RST), sent as soon as the bytes are handed to the kernel; the
    /// upstream connection is closed too. A response with no more than `after` body bytes is
    /// not struck: it is relayed unchanged, and the fault does not count.
    ResetDuringResponseBody {
        /// Body bytes to forward before the reset.
        after: u64,
    },
    /// Answer this status with these headers and body without contacting upstream (the request
    /// body is read and discarded first). Content-Length is added.
    ///
    /// The added Content-Length replaces any in `headers` (and so does any Transfer-Encoding);
    /// a 204 or 304 gets no body, and the answer to HEAD announces its body without sending
    /// it. A request waiting on `Expect: 100-continue` is sent `100 Continue` first. The client
    /// connection stays open for its next request unless the request asked for
    /// `Connection: close`.
    Status {
        /// The status code, e.g. 503.
        code: u16,
        /// Header fields to send, in order, e.g. `("x-ms-error-code", "ServerBusy")`.
        headers: Vec<(String, String)>,
        /// The response body, sent as is.
        body: String,
    },
    /// Read the request, never answer; keep the connection open until the client closes it.
    ///
    /// A request waiting on `Expect: 100-continue` is sent `100 Continue`, so that its body is
    /// read too.
    Stall,
    /// Forward the response head unchanged (its Content-Length stays), then only `keep` body
    /// bytes, then close.
    ///
    /// The close is a clean end of stream (FIN), so the client sees a body shorter than
    /// announced rather than a reset. A response with no more than `keep` body bytes is not
    /// struck: it is relayed unchanged, and the fault does not count.
    Truncate {
        /// Body bytes to forward before the close.
        keep: u64,
    },
    /// Forward the response with the body byte at offset `at` XOR 0x01. The framing is
    /// untouched, so the connection stays usable. A body no longer than `at` is not struck (and
    /// the fault does not count).
    FlipByte {
        /// Offset of the byte to corrupt, from the start of the body.
        at: u64,
    },
    /// Wait this long before forwarding the response head (the first one, when the server sends
    /// an interim `100 Continue` before its final answer).
    Latency(Duration),
    /// Forward a chunk of a GCS resumable upload only up to the last multiple of `quantum`
    /// bytes before its end, as a service that persisted less than it was sent: the request's
    /// Content-Length and `Content-Range: bytes A-B/T` are lowered to match, the rest of the
    /// body is read from the client and dropped, and the server's answer is relayed (a `308`
    /// whose `Range` ends short of what the client sent). The client must send the rest again
    /// from where the `Range` ends.
    ///
    /// Only a request whose Content-Length body the `Content-Range` spans exactly, longer than
    /// `quantum`, is struck: any other is relayed unchanged, and the fault does not count.
    ShortChunk {
        /// The granularity of what is kept: GCS takes chunks in multiples of 256 KiB.
        quantum: u64,
    },
}

impl Fault {
    /// The offset in the response body at which the fault strikes, for the faults that cut or
    /// change a response body: a body that ends at or before it is not struck.
    pub(crate) fn response_offset(&self) -> Option<u64> {
        match self {
            Fault::ResetDuringResponseBody { after: at }
            | Fault::Truncate { keep: at }
            | Fault::FlipByte { at } => Some(*at),
            _ => None,
        }
    }
}

/// What to do to a tunnelled connection (an HTTP/2 client, whose requests the proxy cannot
/// see one by one): the fault strikes when the client next sends bytes on any tunnelled
/// connection, so it meets whatever request goes out next, on a connection opened before or
/// after the fault was armed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelFault {
    /// Reset both sides of the connection (RST) instead of forwarding the bytes.
    Reset,
    /// Forward nothing more in either direction; keep the connection open until the client
    /// closes it.
    Stall,
    /// Wait this long before forwarding the bytes.
    Latency(Duration),
}

/// When to inject a [`Fault`]: every condition that is set must hold, and the rule fires at most
/// `times` times. Build one with [`Rule::new`] and the setters:
///
/// ```
/// use storage_faults::{Fault, Rule};
///
/// let rule = Rule::new(Fault::ResetBeforeResponse)
///     .method("PUT")
///     .query_contains("partNumber=2")
///     .times(1);
/// assert_eq!(rule.method.as_deref(), Some("PUT"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The request method, compared ignoring ASCII case.
    pub method: Option<String>,
    /// A substring of the request target's path, percent-encoded as sent.
    pub path_contains: Option<String>,
    /// A substring of the request target's query (the part after `?`, as sent); a request
    /// without a query has an empty one.
    pub query_contains: Option<String>,
    /// A header field name the request must carry, compared ignoring ASCII case.
    pub header_present: Option<String>,
    /// How many more times the rule may fire; a rule at 0 is skipped.
    pub times: u32,
    /// Whether a firing that struck nothing (a cut or a flip past the end of the body, a short
    /// resume on an answer other than a 308) is given back, so that the rule waits for a
    /// request it can strike: the answer to the last chunk of an upload, say, when the others
    /// have empty bodies. Off by default: a rule fires on the requests it matches.
    pub until_struck: bool,
    /// What to do to a matching request.
    pub fault: Fault,
}

impl Rule {
    /// A rule that injects `fault` into the next request, whatever it is: one time, on any
    /// method, path, query and headers. Narrow it with the setters.
    #[must_use]
    pub fn new(fault: Fault) -> Self {
        Rule {
            method: None,
            path_contains: None,
            query_contains: None,
            header_present: None,
            times: 1,
            until_struck: false,
            fault,
        }
    }

    /// Only requests with this method.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests whose path contains this.
    #[must_use]
    pub fn path_contains(mut self, part: impl Into<String>) -> Self {
        self.path_contains = Some(part.into());
        self
    }

    /// Only requests whose query contains this.
    #[must_use]
    pub fn query_contains(mut self, part: impl Into<String>) -> Self {
        self.query_contains = Some(part.into());
        self
    }

    /// Only requests that carry this header.
    #[must_use]
    pub fn header_present(mut self, name: impl Into<String>) -> Self {
        self.header_present = Some(name.into());
        self
    }

    /// Give back a firing that struck nothing (see the field of the same name): the rule fires
    /// on the first `times` matching requests that it can strike.
    #[must_use]
    pub fn until_struck(mut self) -> Self {
        self.until_struck = true;
        self
    }

    /// Fire this many times (`u32::MAX` is, in practice, always).
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// Whether `request` meets every condition (the count is the caller's business).
    pub(crate) fn matches(&self, request: &RequestHead) -> bool {
        let method = self
            .method
            .as_deref()
            .is_none_or(|method| method.eq_ignore_ascii_case(request.method()));
        let path = self
            .path_contains
            .as_deref()
            .is_none_or(|part| request.path().contains(part));
        let query = self
            .query_contains
            .as_deref()
            .is_none_or(|part| request.query().unwrap_or("").contains(part));
        let header = self
            .header_present
            .as_deref()
            .is_none_or(|name| request.has_header(name));
        method && path && query && header
    }
}

/// One request the proxy read, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The request method, as sent.
    pub method: String,
    /// The request target as sent: `path?query` for the usual origin form.
    pub target: String,
    /// The fault applied to this exchange: `None` when no rule fired, and also when one fired
    /// but its offset lay past the end of the body, so that nothing changed.
    pub fault: Option<Fault>,
    /// The final (non-1xx) status forwarded or sent to the client, if one was.
    pub status: Option<u16>,
}

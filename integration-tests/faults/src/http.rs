//! HTTP/1.1 message heads: reading one off a connection into a bounded buffer, parsing the few
//! parts the proxy needs (request line, status line, header fields), and deciding how the body
//! that follows is framed (RFC 9112 section 6). Heads are forwarded as the raw bytes received,
//! so nothing here has to reproduce them.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The largest head accepted; real SDK heads are a few KiB, and the bound keeps a peer that
/// never sends the blank line from growing the buffer without end.
pub(crate) const MAX_HEAD: usize = 64 * 1024;

/// How much to ask the socket for at a time.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// Input that is not HTTP/1.1 the proxy can frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Which end of a relay failed: the one read from (including input that does not parse) or the
/// one written to. The caller needs to know, because a server that stops reading a request body
/// may still be sending its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Broken {
    Source,
    Sink,
}

impl From<Malformed> for Broken {
    fn from(_: Malformed) -> Self {
        Broken::Source
    }
}

/// How the body after a head is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Exactly this many bytes (0 for a message without a body).
    Length(u64),
    /// Transfer-Encoding: chunked, ending with the zero-size chunk and the trailers.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// Reads one head: the bytes up to and including the blank line. Blank lines before it are
/// skipped, as RFC 9112 asks of servers (a stray CRLF after a body is an old client habit).
/// `Ok(None)` is a connection closed before any byte of a head.
pub(crate) async fn read_head<R>(io: &mut R, buf: &mut BytesMut) -> Result<Option<Bytes>, Broken>
where
    R: AsyncRead + Unpin,
{
    let mut scanned = 0;
    loop {
        let blank = buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if blank > 0 {
            let _ = buf.split_to(blank);
            scanned = 0;
        }
        if let Some(end) = head_end(buf, scanned) {
            return Ok(Some(buf.split_to(end).freeze()));
        }
        if buf.len() >= MAX_HEAD {
            return Err(Broken::Source);
        }
        // The end marker may straddle the next read, so the last three bytes are scanned again.
        scanned = buf.len().saturating_sub(3);
        buf.reserve(READ_CHUNK);
        let read = io.read_buf(buf).await.map_err(|_| Broken::Source)?;
        if read == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(Broken::Source)
            };
        }
    }
}

/// The length of the head at the start of `buf`, if its blank line has arrived. Bare LF line
/// ends are tolerated, as RFC 9112 allows.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len()).find_map(|i| {
        if buf[i] != b'\n' {
            return None;
        }
        match buf.get(i + 1..) {
            Some([b'\n', ..]) => Some(i + 2),
            Some([b'\r', b'\n', ..]) => Some(i + 3),
            _ => None,
        }
    })
}

/// The header fields of a head, in order, names as sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parses the lines after the start line.
    fn parse<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Result<Self, Malformed> {
        let mut fields = Vec::new();
        for line in lines {
            if line.is_empty() {
                continue;
            }
            // Obsolete line folding is refused, as RFC 9112 allows: it smuggles framing.
            let colon = line.iter().position(|&b| b == b':').ok_or(Malformed)?;
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
                return Err(Malformed);
            }
            let value = String::from_utf8_lossy(value);
            fields.push((
                String::from_utf8_lossy(name).into_owned(),
                value.trim_matches([' ', '\t']).to_owned(),
            ));
        }
        Ok(Fields(fields))
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The comma-separated elements of every field called `name`.
    fn elements<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.values(name)
            .flat_map(|value| value.split(','))
            .map(|element| element.trim_matches([' ', '\t']))
            .filter(|element| !element.is_empty())
    }

    /// Content-Length, which may be repeated only with one value (RFC 9110 section 8.6).
    fn content_length(&self) -> Result<Option<u64>, Malformed> {
        let mut length = None;
        for element in self.elements("content-length") {
            if element.is_empty()
                || element.len() > 19
                || !element.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(Malformed);
            }
            let value = element.parse::<u64>().map_err(|_| Malformed)?;
            if length.is_some_and(|known| known != value) {
                return Err(Malformed);
            }
            length = Some(value);
        }
        Ok(length)
    }

    /// `Some(true)` when Transfer-Encoding ends with chunked, `Some(false)` when it ends with
    /// anything else, `None` when there is no Transfer-Encoding.
    fn chunked(&self) -> Option<bool> {
        self.elements("transfer-encoding")
            .last()
            .map(|coding| coding.eq_ignore_ascii_case("chunked"))
    }

    fn connection_has(&self, option: &str) -> bool {
        self.elements("connection")
            .any(|element| element.eq_ignore_ascii_case(option))
    }
}

/// A request head: the raw bytes to forward and what the proxy reads from them.
#[derive(Debug, Clone)]
pub(crate) struct RequestHead {
    raw: Bytes,
    method: String,
    target: String,
    http10: bool,
    fields: Fields,
}

impl RequestHead {
    pub(crate) fn parse(raw: Bytes) -> Result<Self, Malformed> {
        let mut lines = split_lines(&raw);
        let start = lines.next().ok_or(Malformed)?;
        let start = std::str::from_utf8(start).map_err(|_| Malformed)?;
        let mut parts = start.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed);
        };
        if method.is_empty() || !method.bytes().all(is_token) {
            return Err(Malformed);
        }
        if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Malformed);
        }
        let http10 = parse_version(version)?;
        let fields = Fields::parse(lines)?;
        Ok(RequestHead {
            method: method.to_owned(),
            target: target.to_owned(),
            http10,
            fields,
            raw,
        })
    }

    pub(crate) fn raw(&self) -> &[u8] {
        &self.raw
    }

    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// The path part of the target; an absolute-form target (`http://host/p`) loses its scheme
    /// and authority so that rules see the same path either way.
    pub(crate) fn path(&self) -> &str {
        let origin = origin_form(&self.target);
        origin.split_once('?').map_or(origin, |(path, _)| path)
    }

    pub(crate) fn query(&self) -> Option<&str> {
        origin_form(&self.target)
            .split_once('?')
            .map(|(_, query)| query)
    }

    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.fields.has(name)
    }

    /// The value of the first field called `name`.
    pub(crate) fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.fields.values(name).next()
    }

    pub(crate) fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    pub(crate) fn expects_continue(&self) -> bool {
        self.fields
            .values("expect")
            .any(|value| value.eq_ignore_ascii_case("100-continue"))
    }

    /// Whether the client lets the connection carry another request after this one. HTTP/1.0
    /// keep-alive is not worth supporting for the SDKs this proxy serves.
    pub(crate) fn keeps_alive(&self) -> bool {
        !self.http10 && !self.fields.connection_has("close")
    }

    /// A request has a body only when it says so (RFC 9112 section 6.3, rules 6 to 8); a
    /// transfer coding other than a final chunked cannot be framed and is refused.
    pub(crate) fn framing(&self) -> Result<Framing, Malformed> {
        match self.fields.chunked() {
            Some(true) => Ok(Framing::Chunked),
            Some(false) => Err(Malformed),
            None => Ok(Framing::Length(self.fields.content_length()?.unwrap_or(0))),
        }
    }
}

/// A response head: the raw bytes to forward and what the proxy reads from them.
#[derive(Debug, Clone)]
pub(crate) struct ResponseHead {
    raw: Bytes,
    status: u16,
    http10: bool,
    fields: Fields,
}

impl ResponseHead {
    pub(crate) fn parse(raw: Bytes) -> Result<Self, Malformed> {
        let mut lines = split_lines(&raw);
        let start = lines.next().ok_or(Malformed)?;
        let version = start.get(..8).ok_or(Malformed)?;
        let http10 = parse_version(std::str::from_utf8(version).map_err(|_| Malformed)?)?;
        let code = match start.get(8..) {
            Some([b' ', a, b, c]) | Some([b' ', a, b, c, b' ', ..]) => [*a, *b, *c],
            _ => return Err(Malformed),
        };
        if !code.iter().all(u8::is_ascii_digit) || code[0] == b'0' {
            return Err(Malformed);
        }
        let status = code
            .iter()
            .fold(0u16, |status, digit| status * 10 + u16::from(digit - b'0'));
        let fields = Fields::parse(lines)?;
        Ok(ResponseHead {
            raw,
            status,
            http10,
            fields,
        })
    }

    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    /// The head with every `Location` that points at `//{from}` pointed at `//{to}` instead,
    /// as a reverse proxy does, so that a client follows a redirect or an upload session
    /// (GCS hands back its resumable session as a `Location`) through the proxy; the head
    /// as it is when none does.
    pub(crate) fn located_at(&self, from: &str, to: &str) -> std::borrow::Cow<'_, [u8]> {
        let from = format!("//{from}");
        let to = format!("//{to}");
        let moved = |line: &[u8]| {
            let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
            let value = std::str::from_utf8(value).ok()?;
            (name.eq_ignore_ascii_case(b"location") && value.contains(&from))
                .then(|| [name, value.replacen(&from, &to, 1).as_bytes()].concat())
        };
        if !self
            .raw
            .split(|&b| b == b'\n')
            .any(|line| moved(line).is_some())
        {
            return std::borrow::Cow::Borrowed(&self.raw);
        }
        let mut out = Vec::with_capacity(self.raw.len() + 8);
        let mut lines = self.raw.split(|&b| b == b'\n').peekable();
        while let Some(line) = lines.next() {
            out.extend_from_slice(&moved(line).unwrap_or_else(|| line.to_vec()));
            if lines.peek().is_some() {
                out.push(b'\n');
            }
        }
        std::borrow::Cow::Owned(out)
    }

    /// A 1xx that a final response follows; 101 Switching Protocols ends HTTP on the
    /// connection instead.
    pub(crate) fn is_interim(&self) -> bool {
        (100..200).contains(&self.status) && self.status != 101
    }

    pub(crate) fn keeps_alive(&self) -> bool {
        !self.http10 && !self.fields.connection_has("close")
    }

    /// RFC 9112 section 6.3: no body after HEAD or a 1xx, 204 or 304; then Transfer-Encoding
    /// (chunked, or anything else read until close), then Content-Length, then until close.
    pub(crate) fn framing(&self, request_was_head: bool) -> Result<Framing, Malformed> {
        if request_was_head || self.status < 200 || self.status == 204 || self.status == 304 {
            return Ok(Framing::Length(0));
        }
        match self.fields.chunked() {
            Some(true) => Ok(Framing::Chunked),
            Some(false) => Ok(Framing::UntilClose),
            None => Ok(self
                .fields
                .content_length()?
                .map_or(Framing::UntilClose, Framing::Length)),
        }
    }
}

/// The lines of a head without their line ends (CRLF or bare LF).
fn split_lines(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    raw.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// `Ok(true)` for HTTP/1.0, `Ok(false)` for HTTP/1.1.
fn parse_version(version: &str) -> Result<bool, Malformed> {
    match version {
        "HTTP/1.1" => Ok(false),
        "HTTP/1.0" => Ok(true),
        _ => Err(Malformed),
    }
}

/// The `/path?query` part of a target, whether it came in origin or absolute form.
fn origin_form(target: &str) -> &str {
    let Some((_, rest)) = target.split_once("://") else {
        return target;
    };
    rest.find(['/', '?']).map_or("", |start| &rest[start..])
}

/// The characters of a method or header field name (RFC 9110 section 5.6.2).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests;

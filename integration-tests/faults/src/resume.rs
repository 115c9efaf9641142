//! The short chunk ([`Fault::ShortChunk`](crate::Fault::ShortChunk)): a chunk of a GCS
//! resumable upload forwarded only in part, its head rewritten (`Content-Length`,
//! `Content-Range`) so that the server takes the part for the whole request.

use crate::http::{Framing, RequestHead};

/// A chunk cut short: the head to forward instead, and how many body bytes it carries.
#[derive(Debug)]
pub(crate) struct Shortened {
    pub(crate) head: Vec<u8>,
    pub(crate) kept: u64,
}

/// `request` shortened to the last multiple of `quantum` bytes before the end of its body, if
/// it is a chunk that can be: a body framed by Content-Length, a `Content-Range: bytes A-B/T`
/// (`T` may be `*`) that spans exactly that body, and more than one quantum of it.
pub(crate) fn shorten(request: &RequestHead, framing: Framing, quantum: u64) -> Option<Shortened> {
    let Framing::Length(length) = framing else {
        return None;
    };
    let (first, last, total) = content_range(request.header("content-range")?)?;
    if quantum == 0 || last - first + 1 != length {
        return None;
    }
    // At least one byte is withheld, and at least one quantum sent.
    let kept = (length - 1) / quantum * quantum;
    if kept == 0 {
        return None;
    }
    let head = replace_fields(
        request.raw(),
        &[
            ("content-length", kept.to_string()),
            (
                "content-range",
                format!("bytes {first}-{}/{total}", first + kept - 1),
            ),
        ],
    );
    Some(Shortened { head, kept })
}

/// The first and last byte and the total (as sent) of `bytes A-B/T`; `None` for a request that
/// carries no data (`bytes */T`) or a value that does not parse.
fn content_range(value: &str) -> Option<(u64, u64, &str)> {
    let range = value.trim().strip_prefix("bytes ")?;
    let (span, total) = range.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    (last >= first && !total.trim().is_empty()).then_some((first, last, total.trim()))
}

/// `head` with the value of every field named in `fields` replaced, each line keeping its line
/// end (CRLF or bare LF).
fn replace_fields(head: &[u8], fields: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len() + 16);
    let mut lines = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let colon = line.iter().position(|&b| b == b':');
        let value = colon.and_then(|colon| {
            fields
                .iter()
                .find(|(name, _)| line[..colon].eq_ignore_ascii_case(name.as_bytes()))
                .map(|(_, value)| value)
        });
        match (colon, value) {
            (Some(colon), Some(value)) => {
                out.extend_from_slice(&line[..=colon]);
                out.push(b' ');
                out.extend_from_slice(value.as_bytes());
                if line.ends_with(b"\r") {
                    out.push(b'\r');
                }
            }
            _ => out.extend_from_slice(line),
        }
        if lines.peek().is_some() {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::shorten;
    use crate::http::{Framing, RequestHead};

    fn chunk(range: &str, length: u64) -> (RequestHead, Framing) {
        let raw = format!(
            "PUT /upload?upload_id=1 HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\
             content-range: {range}\r\nx-goog-hash: crc32c=AAAAAA==\r\n\r\n"
        );
        let request = RequestHead::parse(Bytes::from(raw)).unwrap();
        let framing = request.framing().unwrap();
        (request, framing)
    }

    #[test]
    fn a_chunk_keeps_its_whole_quanta_but_the_last() {
        let (request, framing) = chunk("bytes 1024-3071/*", 2048);
        let short = shorten(&request, framing, 512).unwrap();
        assert_eq!(short.kept, 1536);
        assert_eq!(
            String::from_utf8(short.head).unwrap(),
            "PUT /upload?upload_id=1 HTTP/1.1\r\nHost: test\r\nContent-Length: 1536\r\n\
             content-range: bytes 1024-2559/*\r\nx-goog-hash: crc32c=AAAAAA==\r\n\r\n"
        );
    }

    #[test]
    fn a_last_chunk_of_any_size_keeps_whole_quanta_and_its_total() {
        let (request, framing) = chunk("bytes 2048-3099/3100", 1052);
        let short = shorten(&request, framing, 512).unwrap();
        assert_eq!(short.kept, 1024);
        assert!(
            String::from_utf8(short.head)
                .unwrap()
                .contains("content-range: bytes 2048-3071/3100\r\n")
        );
    }

    #[test]
    fn what_cannot_be_cut_is_left_alone() {
        for (range, length) in [
            // One quantum or less: nothing would be left to send.
            ("bytes 0-511/*", 512),
            ("bytes 0-99/100", 100),
            // A status query carries no data.
            ("bytes */4096", 0),
            // A range that does not span the body.
            ("bytes 0-1023/*", 2048),
            ("items 0-2047/*", 2048),
        ] {
            let (request, framing) = chunk(range, length);
            assert!(shorten(&request, framing, 512).is_none(), "{range}");
        }
    }
}

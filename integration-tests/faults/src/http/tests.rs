//! Unit tests of head reading, head parsing and the framing decisions.

use bytes::{Bytes, BytesMut};
use tokio::io::AsyncReadExt;

use super::{Broken, Framing, Malformed, RequestHead, ResponseHead, read_head};

fn request(head: &str) -> Result<RequestHead, Malformed> {
    RequestHead::parse(Bytes::copy_from_slice(head.as_bytes()))
}

fn response(head: &str) -> Result<ResponseHead, Malformed> {
    ResponseHead::parse(Bytes::copy_from_slice(head.as_bytes()))
}

#[test]
fn a_request_head_yields_method_path_query_and_headers() {
    let head = request(
        "PUT /bucket/a%20key?partNumber=2&uploadId=u HTTP/1.1\r\nHost: x\r\nX-Amz-Meta-A: 1\r\n\r\n",
    )
    .unwrap();
    assert_eq!(head.method(), "PUT");
    assert_eq!(head.target(), "/bucket/a%20key?partNumber=2&uploadId=u");
    assert_eq!(head.path(), "/bucket/a%20key");
    assert_eq!(head.query(), Some("partNumber=2&uploadId=u"));
    assert!(head.has_header("x-amz-meta-a"));
    assert!(!head.has_header("x-amz-meta"));
    assert!(head.keeps_alive());
    assert!(!head.is_head());
}

#[test]
fn an_absolute_form_target_is_matched_by_its_path() {
    let head = request("GET http://host:9000/b/k?x=1 HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(head.path(), "/b/k");
    assert_eq!(head.query(), Some("x=1"));
    let bare = request("GET http://host:9000 HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(bare.path(), "");
    assert_eq!(bare.query(), None);
}

#[test]
fn connection_close_and_http10_end_keep_alive() {
    assert!(
        !request("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n")
            .unwrap()
            .keeps_alive()
    );
    assert!(!request("GET / HTTP/1.0\r\n\r\n").unwrap().keeps_alive());
    assert!(
        !response("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
            .unwrap()
            .keeps_alive()
    );
}

#[test]
fn malformed_request_heads_are_refused() {
    for head in [
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
    ] {
        assert_eq!(request(head).err(), Some(Malformed), "{head:?}");
    }
}

#[test]
fn request_bodies_are_framed_by_length_or_chunks_or_absent() {
    let framing = |head: &str| request(head).and_then(|head| head.framing());
    assert_eq!(framing("GET / HTTP/1.1\r\n\r\n"), Ok(Framing::Length(0)));
    assert_eq!(
        framing("PUT / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"),
        Ok(Framing::Length(12))
    );
    assert_eq!(
        framing("PUT / HTTP/1.1\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n"),
        Ok(Framing::Length(5))
    );
    assert_eq!(
        framing("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n\r\n"),
        Ok(Framing::Chunked)
    );
    for bad in [
        "PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "PUT / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
        "PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    ] {
        assert_eq!(framing(bad), Err(Malformed), "{bad:?}");
    }
}

#[test]
fn response_bodies_follow_rfc_9112() {
    let framing =
        |head: &str, head_request: bool| response(head).and_then(|head| head.framing(head_request));
    let with_length = "HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n";
    assert_eq!(framing(with_length, false), Ok(Framing::Length(36)));
    assert_eq!(framing(with_length, true), Ok(Framing::Length(0)));
    for bodiless in [
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
    ] {
        assert_eq!(
            framing(bodiless, false),
            Ok(Framing::Length(0)),
            "{bodiless:?}"
        );
    }
    assert_eq!(
        framing(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            false
        ),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false),
        Ok(Framing::UntilClose)
    );
    assert_eq!(
        framing("HTTP/1.0 200 OK\r\n\r\n", false),
        Ok(Framing::UntilClose)
    );
}

#[test]
fn status_lines_are_parsed_strictly() {
    assert_eq!(
        response("HTTP/1.1 503 Slow Down\r\n\r\n").unwrap().status(),
        503
    );
    assert_eq!(response("HTTP/1.1 200\r\n\r\n").unwrap().status(), 200);
    assert_eq!(response("HTTP/1.1 599 \r\n\r\n").unwrap().status(), 599);
    assert!(
        response("HTTP/1.1 100 Continue\r\n\r\n")
            .unwrap()
            .is_interim()
    );
    assert!(
        !response("HTTP/1.1 101 Switching\r\n\r\n")
            .unwrap()
            .is_interim()
    );
    for bad in [
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.2 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
    ] {
        assert_eq!(response(bad).err(), Some(Malformed), "{bad:?}");
    }
}

#[tokio::test]
async fn a_head_split_across_reads_is_reassembled_and_the_rest_kept() {
    let mut pieces = (&b"\r\nGET / HTTP/1.1\r"[..])
        .chain(&b"\nHost: x\r\n\r"[..])
        .chain(&b"\nnext"[..]);
    let mut buf = BytesMut::new();
    let head = read_head(&mut pieces, &mut buf).await.unwrap();
    assert_eq!(
        head.as_deref(),
        Some(&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..])
    );
    assert_eq!(&buf[..], b"next");
}

#[tokio::test]
async fn bare_line_feeds_end_a_head() {
    let mut input = &b"HTTP/1.1 200 OK\nContent-Length: 0\n\nrest"[..];
    let mut buf = BytesMut::new();
    let head = read_head(&mut input, &mut buf).await.unwrap().unwrap();
    assert_eq!(
        response(std::str::from_utf8(&head).unwrap())
            .unwrap()
            .status(),
        200
    );
    assert_eq!(&buf[..], b"rest");
}

#[tokio::test]
async fn end_of_stream_is_clean_only_between_heads() {
    let mut buf = BytesMut::new();
    assert_eq!(read_head(&mut &b""[..], &mut buf).await, Ok(None));
    assert_eq!(read_head(&mut &b"\r\n"[..], &mut buf).await, Ok(None));
    let mut buf = BytesMut::new();
    assert_eq!(
        read_head(&mut &b"GET / HTTP/1.1\r\n"[..], &mut buf).await,
        Err(Broken::Source)
    );
}

#[tokio::test]
async fn an_endless_head_is_refused() {
    let mut endless = tokio::io::repeat(b'a');
    let mut buf = BytesMut::new();
    assert_eq!(read_head(&mut endless, &mut buf).await, Err(Broken::Source));
    assert!(buf.len() < 4 * super::MAX_HEAD);
}

#[test]
fn a_location_at_the_upstream_is_moved_to_the_proxy_and_nothing_else_is() {
    let head = response(
        "HTTP/1.1 200 OK\r\nlocation: http://127.0.0.1:9000/upload?upload_id=1\r\n\
         X-Other: http://127.0.0.1:9000/\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&head.located_at("127.0.0.1:9000", "127.0.0.1:7")),
        "HTTP/1.1 200 OK\r\nlocation: http://127.0.0.1:7/upload?upload_id=1\r\n\
         X-Other: http://127.0.0.1:9000/\r\nContent-Length: 0\r\n\r\n"
    );
    let elsewhere =
        response("HTTP/1.1 302 Found\r\nLocation: http://example.com/\r\n\r\n").unwrap();
    assert!(matches!(
        elsewhere.located_at("127.0.0.1:9000", "127.0.0.1:7"),
        std::borrow::Cow::Borrowed(_)
    ));
}

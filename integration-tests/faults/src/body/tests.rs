//! Unit tests of body relaying: framing found exactly, bytes after the body left alone, and
//! the cut and the flip placed by body offset.

use bytes::BytesMut;
use tokio::io::AsyncReadExt;

use super::{Relayed, Shape, relay};
use crate::http::{Broken, Framing};

/// Relays `input` (delivered in pieces of `piece` bytes) and returns what came out, the
/// outcome and what was left for the next reader (in the buffer or still unread).
async fn run(
    input: &[u8],
    piece: usize,
    framing: Framing,
    shape: Shape,
) -> (Vec<u8>, Result<Relayed, Broken>, Vec<u8>) {
    let mut reader: Box<dyn tokio::io::AsyncRead + Unpin + Send + '_> = Box::new(&input[..0]);
    for part in input.chunks(piece.max(1)) {
        reader = Box::new(reader.chain(part));
    }
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let outcome = relay(&mut reader, &mut buf, &mut out, framing, shape).await;
    let mut rest = buf.to_vec();
    reader.read_to_end(&mut rest).await.unwrap();
    (out, outcome, rest)
}

const CHUNKED: &[u8] =
    b"5;ext=\"a\"\r\nhello\r\n2\r\n, \r\n7\r\nchunked\r\n0\r\nx-trailer: 1\r\n\r\nNEXT";
const CHUNKED_BODY_END: usize = CHUNKED.len() - 4;

fn stop_at(at: u64) -> Shape {
    Shape {
        stop_at: Some(at),
        flip_at: None,
    }
}

fn flip_at(at: u64) -> Shape {
    Shape {
        stop_at: None,
        flip_at: Some(at),
    }
}

#[tokio::test]
async fn a_length_body_ends_where_its_length_says() {
    for piece in [1, 3, 100] {
        let (out, outcome, rest) =
            run(b"helloNEXT", piece, Framing::Length(5), Shape::default()).await;
        assert_eq!(
            (out.as_slice(), outcome, rest.as_slice()),
            (&b"hello"[..], Ok(Relayed::Complete), &b"NEXT"[..])
        );
    }
}

#[tokio::test]
async fn a_length_body_cut_short_by_the_peer_is_a_source_failure() {
    let (out, outcome, _) = run(b"hel", 2, Framing::Length(5), Shape::default()).await;
    assert_eq!(out, b"hel");
    assert_eq!(outcome, Err(Broken::Source));
}

#[tokio::test]
async fn a_chunked_body_is_relayed_raw_up_to_its_trailers() {
    for piece in [1, 4, 1000] {
        let (out, outcome, rest) = run(CHUNKED, piece, Framing::Chunked, Shape::default()).await;
        assert_eq!(out, &CHUNKED[..CHUNKED_BODY_END], "piece {piece}");
        assert_eq!(outcome, Ok(Relayed::Complete));
        assert_eq!(rest, b"NEXT");
    }
}

#[tokio::test]
async fn a_cut_inside_a_chunk_keeps_the_framing_before_it() {
    let (out, outcome, _) = run(CHUNKED, 3, Framing::Chunked, stop_at(6)).await;
    assert_eq!(out, b"5;ext=\"a\"\r\nhello\r\n2\r\n,");
    assert_eq!(outcome, Ok(Relayed::Stopped));
}

#[tokio::test]
async fn a_cut_at_a_chunk_boundary_withholds_the_next_chunk() {
    let (out, outcome, _) = run(CHUNKED, 7, Framing::Chunked, stop_at(5)).await;
    assert_eq!(out, b"5;ext=\"a\"\r\nhello\r\n");
    assert_eq!(outcome, Ok(Relayed::Stopped));
    let (out, outcome, _) = run(CHUNKED, 7, Framing::Chunked, stop_at(0)).await;
    assert_eq!(out, b"");
    assert_eq!(outcome, Ok(Relayed::Stopped));
}

#[tokio::test]
async fn a_cut_at_or_past_the_end_lets_the_whole_body_through() {
    for at in [14, 15, 1000] {
        let (out, outcome, _) = run(CHUNKED, 5, Framing::Chunked, stop_at(at)).await;
        assert_eq!(out, &CHUNKED[..CHUNKED_BODY_END], "cut at {at}");
        assert_eq!(outcome, Ok(Relayed::Complete));
    }
    let (out, outcome, _) = run(b"hello", 5, Framing::Length(5), stop_at(5)).await;
    assert_eq!(
        (out.as_slice(), outcome),
        (&b"hello"[..], Ok(Relayed::Complete))
    );
}

#[tokio::test]
async fn a_flip_lands_on_the_body_byte_whatever_the_framing_and_reads() {
    for piece in [1, 2, 64] {
        let (out, outcome, _) = run(CHUNKED, piece, Framing::Chunked, flip_at(6)).await;
        let mut expected = CHUNKED[..CHUNKED_BODY_END].to_vec();
        // Body offset 6 is the space in ", ", after five bytes of data and their framing.
        let space = expected.iter().position(|&b| b == b' ').unwrap();
        expected[space] ^= 0x01;
        assert_eq!(out, expected, "piece {piece}");
        assert_eq!(outcome, Ok(Relayed::Flipped));
        let (out, outcome, _) = run(b"abcdef", piece, Framing::Length(6), flip_at(5)).await;
        assert_eq!(
            (out.as_slice(), outcome),
            (&b"abcdeg"[..], Ok(Relayed::Flipped))
        );
    }
    // Past the end nothing changes, and the outcome says so: such a flip never counts as struck.
    let (out, outcome, _) = run(b"abc", 1, Framing::Length(3), flip_at(3)).await;
    assert_eq!(
        (out.as_slice(), outcome),
        (&b"abc"[..], Ok(Relayed::Complete))
    );
}

#[tokio::test]
async fn a_body_until_close_ends_with_the_stream() {
    let (out, outcome, _) = run(b"all of it", 4, Framing::UntilClose, Shape::default()).await;
    assert_eq!(
        (out.as_slice(), outcome),
        (&b"all of it"[..], Ok(Relayed::Complete))
    );
    let (out, outcome, _) = run(b"all of it", 4, Framing::UntilClose, stop_at(3)).await;
    assert_eq!(
        (out.as_slice(), outcome),
        (&b"all"[..], Ok(Relayed::Stopped))
    );
}

#[tokio::test]
async fn malformed_chunking_is_a_source_failure() {
    for bad in [
        &b"zz\r\nhello\r\n0\r\n\r\n"[..],
        b"\r\nhello\r\n0\r\n\r\n",
        b"+5\r\nhello\r\n0\r\n\r\n",
        b"5x\r\nhello\r\n0\r\n\r\n",
        b"10000000000000000\r\n",
        b"5\r\nhelloXX\r\n0\r\n\r\n",
        b"5\r\nhello\r\n0\r\n",
        b"5\r\nhel",
    ] {
        let (_, outcome, _) = run(bad, 3, Framing::Chunked, Shape::default()).await;
        assert_eq!(
            outcome,
            Err(Broken::Source),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    let endless_line = vec![b'1'; 10_000];
    let (_, outcome, _) = run(&endless_line, 512, Framing::Chunked, Shape::default()).await;
    assert_eq!(outcome, Err(Broken::Source));
}

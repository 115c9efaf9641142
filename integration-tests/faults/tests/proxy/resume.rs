//! The faults aimed at a resumable upload's chunks: a chunk the server receives only in part
//! (so that its `308` reports less than the client sent), and rules that wait for a request or
//! an answer they can change (the chunks' `308`s have empty bodies; the last chunk's answer
//! has one).

use storage_faults::{Fault, Rule};

use crate::client::Client;
use crate::setup;

/// Sends a chunk of `len` bytes at `start` to the test server's session, and returns the
/// status and `Range` of the answer.
async fn chunk(client: &mut Client, start: u64, len: u64) -> (u16, Option<String>) {
    let body = "x".repeat(len as usize);
    client
        .send(format!(
            "PUT /session?upload_id=1 HTTP/1.1\r\nHost: test\r\nContent-Length: {len}\r\n\
             Content-Range: bytes {start}-{}/*\r\n\r\n{body}",
            start + len - 1
        ))
        .await;
    let response = client.response(false).await;
    (response.status, response.header("range").map(str::to_owned))
}

#[tokio::test]
async fn a_short_chunk_reaches_the_server_in_part_and_the_308_says_so() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ShortChunk { quantum: 4 }));
    assert_eq!(
        chunk(&mut client, 0, 16).await,
        (308, Some("bytes=0-11".to_owned()))
    );
    // The server read a whole request of 12 bytes, and the client's connection goes on.
    assert_eq!(upstream.log_when(1).await, ["PUT /session?upload_id=1 12"]);
    assert_eq!(proxy.fired(), 1);
    assert_eq!(
        proxy.requests()[0].fault,
        Some(Fault::ShortChunk { quantum: 4 })
    );
    // Struck once: the rest, sent again from where the `Range` ended, goes through whole.
    assert_eq!(
        chunk(&mut client, 12, 16).await,
        (308, Some("bytes=0-27".to_owned()))
    );
    assert_eq!(upstream.log_when(2).await[1], "PUT /session?upload_id=1 16");
}

#[tokio::test]
async fn a_short_chunk_strikes_only_a_chunk_longer_than_its_quantum() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ShortChunk { quantum: 4 }).times(3));
    assert_eq!(client.get("/fixed").await.status, 200);
    client
        .send("PUT /b/k HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world")
        .await;
    assert_eq!(client.response(false).await.body, b"11");
    assert_eq!(
        chunk(&mut client, 0, 4).await,
        (308, Some("bytes=0-3".to_owned()))
    );
    assert_eq!(proxy.fired(), 0);
    // Each of them used up a firing.
    assert_eq!(
        chunk(&mut client, 4, 16).await,
        (308, Some("bytes=0-19".to_owned()))
    );
    assert_eq!(upstream.log_when(4).await[3], "PUT /session?upload_id=1 16");
    assert_eq!(proxy.fired(), 0);
}

#[tokio::test]
async fn a_rule_until_struck_waits_for_a_request_it_can_change() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ShortChunk { quantum: 4 }).until_struck());
    assert_eq!(client.get("/fixed").await.status, 200);
    assert_eq!(
        chunk(&mut client, 0, 4).await,
        (308, Some("bytes=0-3".to_owned()))
    );
    assert_eq!(proxy.fired(), 0);
    assert_eq!(
        chunk(&mut client, 4, 16).await,
        (308, Some("bytes=0-15".to_owned()))
    );
    assert_eq!(proxy.fired(), 1);
}

#[tokio::test]
async fn a_cut_until_struck_waits_for_a_body_long_enough() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(
        Rule::new(Fault::Truncate { keep: 3 })
            .method("PUT")
            .until_struck(),
    );
    // The chunks' answers have no body to cut.
    assert_eq!(chunk(&mut client, 0, 16).await.0, 308);
    assert_eq!(chunk(&mut client, 16, 16).await.0, 308);
    assert_eq!(proxy.fired(), 0);
    // The answer to an ordinary PUT has a body (its length, "11"), but no longer than 3 bytes.
    client
        .send("PUT /b/k HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world")
        .await;
    assert_eq!(client.response(false).await.body, b"11");
    assert_eq!(proxy.fired(), 0);
    let long = "x".repeat(12345);
    client
        .send(format!(
            "PUT /b/k HTTP/1.1\r\nHost: test\r\nContent-Length: 12345\r\n\r\n{long}"
        ))
        .await;
    let (rest, end) = client.rest().await;
    assert!(rest.ends_with(b"\r\n\r\n123"), "{rest:?}");
    assert_eq!(end, crate::client::End::Eof);
    assert_eq!(proxy.fired(), 1);
}

//! Each fault does what its documentation says, as the client and the server see it.

use std::time::{Duration, Instant};

use storage_faults::{Fault, Rule, Seen};

use crate::client::End;
use crate::setup;
use crate::upstream::{CHUNKED_HEAD, FIXED, FIXED_HEAD, LARGE, large_byte};

const PUT_HELLO_WORLD: &str =
    "PUT /b/k HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world";

#[tokio::test]
async fn reset_before_response_reads_the_request_and_resets() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ResetBeforeResponse));
    client.send(PUT_HELLO_WORLD).await;
    assert_eq!(client.rest().await, (Vec::new(), End::Reset));
    assert_eq!(upstream.connections(), 0, "nothing went upstream");
    assert_eq!(
        proxy.requests(),
        [Seen {
            method: "PUT".to_owned(),
            target: "/b/k".to_owned(),
            fault: Some(Fault::ResetBeforeResponse),
            status: None,
        }]
    );
}

#[tokio::test]
async fn reset_during_request_body_forwards_only_its_first_bytes() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ResetDuringRequestBody { after: 4 }));
    client.send(PUT_HELLO_WORLD).await;
    assert_eq!(client.rest().await, (Vec::new(), End::Reset));
    assert_eq!(upstream.log_when(1).await, ["PUT /b/k broken after 4"]);
    assert_eq!(proxy.requests()[0].status, None);
}

#[tokio::test]
async fn reset_during_request_body_counts_chunk_data() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ResetDuringRequestBody { after: 7 }));
    client
        .send(
            "PUT /b/k HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
             5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        )
        .await;
    assert_eq!(client.rest().await.0, b"");
    assert_eq!(upstream.log_when(1).await, ["PUT /b/k broken after 7"]);
}

#[tokio::test]
async fn reset_during_response_body_resets_after_its_first_bytes() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::ResetDuringResponseBody { after: 10 }));
    client
        .send("GET /fixed HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (bytes, end) = client.rest().await;
    assert_eq!(bytes, [FIXED_HEAD.as_bytes(), &FIXED[..10]].concat());
    assert_eq!(end, End::Reset);
    assert_eq!(proxy.requests()[0].status, Some(200));
}

#[tokio::test]
async fn status_answers_alone_and_keeps_the_connection() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Status {
        code: 503,
        headers: vec![("x-amz-error-code".to_owned(), "SlowDown".to_owned())],
        body: "slow down".to_owned(),
    }));
    client.send(PUT_HELLO_WORLD).await;
    let answer = client.response(false).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("x-amz-error-code"), Some("SlowDown"));
    assert_eq!(answer.header("content-length"), Some("9"));
    assert_eq!(answer.body, b"slow down");
    assert_eq!(
        client.get("/fixed").await.body,
        FIXED,
        "the rule fired once"
    );
    assert_eq!(
        upstream.log(),
        ["GET /fixed"],
        "the PUT never reached the server"
    );
    let statuses: Vec<_> = proxy.requests().iter().map(|seen| seen.status).collect();
    assert_eq!(statuses, [Some(503), Some(200)]);
}

#[tokio::test]
async fn status_invites_a_body_held_back_for_100_continue() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Status {
        code: 500,
        headers: Vec::new(),
        body: String::new(),
    }));
    client
        .send(
            "PUT /b/k HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
        )
        .await;
    assert_eq!(client.response(false).await.status, 100);
    client.send("hello").await;
    assert_eq!(client.response(false).await.status, 500);
    assert_eq!(client.get("/fixed").await.status, 200);
}

#[tokio::test]
async fn stall_never_answers_and_holds_the_connection_open() {
    let (upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Stall));
    client.send(PUT_HELLO_WORLD).await;
    assert_eq!(client.rest_within(Duration::from_millis(300)).await, None);
    // Still open: more bytes are taken in, and still nothing comes back.
    client
        .send("GET /fixed HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    assert_eq!(client.rest_within(Duration::from_millis(100)).await, None);
    assert_eq!(upstream.connections(), 0);
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(proxy.requests()[0].status, None);
}

#[tokio::test]
async fn truncate_keeps_the_head_and_ends_the_body_early_with_a_clean_close() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Truncate { keep: 5 }));
    client
        .send("GET /fixed HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (bytes, end) = client.rest().await;
    assert_eq!(bytes, [FIXED_HEAD.as_bytes(), &FIXED[..5]].concat());
    assert_eq!(end, End::Eof);
}

#[tokio::test]
async fn truncate_cuts_a_chunked_body_inside_a_chunk() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Truncate { keep: 8 }));
    client
        .send("GET /chunked HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (bytes, end) = client.rest().await;
    let expected = format!("{CHUNKED_HEAD}5\r\nhello\r\n2\r\n, \r\n7\r\nc");
    assert_eq!(String::from_utf8_lossy(&bytes), expected);
    assert_eq!(end, End::Eof);
}

#[tokio::test]
async fn flip_byte_corrupts_one_body_byte_and_keeps_the_connection() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::FlipByte { at: 3 }));
    let corrupted = client.get("/fixed").await;
    let mut expected = FIXED.to_vec();
    expected[3] ^= 0x01;
    assert_eq!(corrupted.body, expected);
    assert_eq!(corrupted.header("content-length"), Some("36"));
    assert_eq!(
        client.get("/fixed").await.body,
        FIXED,
        "the rule fired once"
    );
}

#[tokio::test]
async fn flip_byte_counts_chunk_data_not_framing() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::FlipByte { at: 6 }));
    assert_eq!(client.get("/chunked").await.body, b"hello,!chunked world");
}

#[tokio::test]
async fn flip_byte_reaches_the_last_byte_of_a_large_body_or_nothing_past_it() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::FlipByte {
        at: LARGE as u64 - 1,
    }));
    proxy.arm(Rule::new(Fault::FlipByte { at: LARGE as u64 }));
    let last = client.get("/large").await.body;
    assert_eq!(last[LARGE - 1], large_byte(LARGE - 1) ^ 0x01);
    assert!(
        last[..LARGE - 1]
            .iter()
            .enumerate()
            .all(|(i, &b)| b == large_byte(i))
    );
    let past = client.get("/large").await.body;
    assert!(past.iter().enumerate().all(|(i, &b)| b == large_byte(i)));
    // The flip past the end changed nothing, so it did not strike.
    assert_eq!(proxy.fired(), 1);
    let faults: Vec<_> = proxy
        .requests()
        .into_iter()
        .map(|seen| seen.fault)
        .collect();
    assert_eq!(
        faults,
        [
            Some(Fault::FlipByte {
                at: LARGE as u64 - 1
            }),
            None
        ]
    );
}

#[tokio::test]
async fn cuts_at_or_past_the_end_of_a_body_strike_nothing_and_do_not_count() {
    let (upstream, proxy, mut client) = setup().await;
    // The request body is 11 bytes: a reset "after 11" would come after all of it.
    proxy.arm(Rule::new(Fault::ResetDuringRequestBody { after: 11 }).method("PUT"));
    client.send(PUT_HELLO_WORLD).await;
    assert_eq!(client.response(false).await.status, 200);
    assert_eq!(upstream.log_when(1).await, ["PUT /b/k 11"]);
    for fault in [
        Fault::Truncate { keep: 36 },
        Fault::ResetDuringResponseBody { after: 36 },
        Fault::FlipByte { at: 36 },
    ] {
        proxy.arm(Rule::new(fault).method("GET"));
        // The same connection serves each: none of them broke it.
        assert_eq!(client.get("/fixed").await.body, FIXED);
    }
    assert_eq!(proxy.fired(), 0);
    assert!(proxy.requests().iter().all(|seen| seen.fault.is_none()));
    // One byte inside the body is enough to strike.
    proxy.arm(Rule::new(Fault::Truncate { keep: 35 }));
    client
        .send("GET /fixed HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    assert_eq!(client.rest().await.1, End::Eof);
    assert_eq!(proxy.fired(), 1);
}

#[tokio::test]
async fn latency_delays_the_response() {
    let (_upstream, proxy, mut client) = setup().await;
    proxy.arm(Rule::new(Fault::Latency(Duration::from_millis(300))));
    let start = Instant::now();
    assert_eq!(client.get("/fixed").await.body, FIXED);
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(proxy.requests()[0].status, Some(200));
}

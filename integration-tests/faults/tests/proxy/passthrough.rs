//! Requests that no rule picks: they pass through unchanged, many to a connection.

use storage_faults::Seen;

use crate::client::End;
use crate::setup;
use crate::upstream::{CHUNKS, FIXED, LARGE, large_byte};

#[tokio::test]
async fn keep_alive_exchanges_of_every_framing_pass_through() {
    let (upstream, proxy, mut client) = setup().await;

    let fixed = client.get("/fixed").await;
    assert_eq!((fixed.status, fixed.body.as_slice()), (200, FIXED));
    assert_eq!(fixed.header("etag"), Some("\"fixed\""));

    let chunked = client.get("/chunked").await;
    assert_eq!(chunked.header("transfer-encoding"), Some("chunked"));
    assert_eq!(chunked.body, CHUNKS.concat().as_bytes());

    client
        .send("PUT /b/k HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world")
        .await;
    assert_eq!(client.response(false).await.body, b"11");

    client
        .send(
            "PUT /b/k?partNumber=1 HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
             5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-trailer: t\r\n\r\n",
        )
        .await;
    assert_eq!(client.response(false).await.body, b"11");

    // HEAD announces a length but sends no body, and 204 has none: the GET after them only
    // reads right if the proxy framed both as empty.
    client
        .send("HEAD /fixed HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let head = client.response(true).await;
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("36"))
    );
    assert_eq!(client.get("/empty").await.status, 204);
    assert_eq!(client.get("/fixed").await.body, FIXED);

    assert_eq!(
        upstream.connections(),
        1,
        "one upstream connection carries them all"
    );
    assert_eq!(proxy.fired(), 0);
    let seen = |method: &str, target: &str, status| Seen {
        method: method.to_owned(),
        target: target.to_owned(),
        fault: None,
        status: Some(status),
    };
    assert_eq!(
        proxy.requests(),
        [
            seen("GET", "/fixed", 200),
            seen("GET", "/chunked", 200),
            seen("PUT", "/b/k", 200),
            seen("PUT", "/b/k?partNumber=1", 200),
            seen("HEAD", "/fixed", 200),
            seen("GET", "/empty", 204),
            seen("GET", "/fixed", 200),
        ]
    );
}

#[tokio::test]
async fn an_interim_100_continue_comes_through_before_the_body_is_sent() {
    let (upstream, _proxy, mut client) = setup().await;
    client
        .send(
            "PUT /b/k HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
        )
        .await;
    assert_eq!(client.response(false).await.status, 100);
    client.send("hello").await;
    let answer = client.response(false).await;
    assert_eq!((answer.status, answer.body.as_slice()), (200, &b"5"[..]));
    assert_eq!(client.get("/fixed").await.body, FIXED);
    assert_eq!(upstream.log(), ["PUT /b/k 5", "GET /fixed"]);
}

#[tokio::test]
async fn a_body_without_length_is_read_until_the_server_closes() {
    let (_upstream, proxy, mut client) = setup().await;
    client
        .send("GET /close HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (bytes, end) = client.rest().await;
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"
    );
    assert_eq!(end, End::Eof);
    assert_eq!(proxy.requests()[0].status, Some(200));
}

#[tokio::test]
async fn large_bodies_stream_through_both_ways() {
    let (_upstream, _proxy, mut client) = setup().await;
    let upload = vec![7u8; 8 << 20];
    client
        .send(format!(
            "PUT /big HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
            upload.len()
        ))
        .await;
    client.send(&upload).await;
    assert_eq!(
        client.response(false).await.body,
        upload.len().to_string().as_bytes()
    );

    let download = client.get("/large").await;
    assert_eq!(download.body.len(), LARGE);
    assert!(
        download
            .body
            .iter()
            .enumerate()
            .all(|(i, &b)| b == large_byte(i))
    );
}

#[tokio::test]
async fn http2_connections_are_tunnelled_untouched() {
    use storage_faults::{Fault, FaultProxy, Rule};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // An echo server stands in for an HTTP/2 (gRPC) upstream: the proxy must relay bytes it
    // cannot parse as HTTP/1.1, and no rule may touch them.
    let echo = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = echo.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = echo.accept().await.unwrap();
        let (mut read, mut write) = socket.split();
        let _ = tokio::io::copy(&mut read, &mut write).await;
    });
    let proxy = FaultProxy::start(upstream).await.unwrap();
    proxy.arm(Rule::new(Fault::ResetBeforeResponse).times(100));

    let mut client = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    // The preface in two writes, so that the proxy must wait for the rest of it.
    let sent = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00frames";
    client.write_all(&sent[..5]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    client.write_all(&sent[5..]).await.unwrap();
    let mut echoed = vec![0u8; sent.len()];
    client.read_exact(&mut echoed).await.unwrap();
    assert_eq!(echoed, sent);
    assert_eq!(proxy.fired(), 0);
    assert!(proxy.requests().is_empty());
}

#[tokio::test]
async fn tunnel_faults_reset_stall_and_delay_the_next_bytes() {
    use std::time::{Duration, Instant};

    use storage_faults::{FaultProxy, TunnelFault};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let echo = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = echo.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = echo.accept().await.unwrap();
            tokio::spawn(async move {
                let (mut read, mut write) = socket.split();
                let _ = tokio::io::copy(&mut read, &mut write).await;
            });
        }
    });
    let proxy = FaultProxy::start(upstream).await.unwrap();
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let open = || async {
        let mut client = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
        client.write_all(preface).await.unwrap();
        let mut echoed = vec![0u8; preface.len()];
        client.read_exact(&mut echoed).await.unwrap();
        client
    };

    // Latency: the next bytes arrive, late.
    let mut client = open().await;
    proxy.arm_tunnel(TunnelFault::Latency(Duration::from_millis(200)), 1);
    let started = Instant::now();
    client.write_all(b"ping").await.unwrap();
    let mut got = [0u8; 4];
    client.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"ping");
    assert!(started.elapsed() >= Duration::from_millis(200));

    // Stall: the next bytes go nowhere and nothing comes back.
    proxy.arm_tunnel(TunnelFault::Stall, 1);
    client.write_all(b"lost").await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(300), client.read(&mut got)).await;
    assert!(waited.is_err(), "a stalled tunnel answered: {waited:?}");

    // Reset: a fresh connection's next bytes end it with a reset, not an echo.
    let mut client = open().await;
    proxy.arm_tunnel(TunnelFault::Reset, 1);
    client.write_all(b"boom").await.unwrap();
    let read = client.read(&mut got).await;
    assert!(
        matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{read:?}"
    );
    assert_eq!(proxy.fired(), 3);
}

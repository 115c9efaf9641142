//! Input the proxy cannot frame closes the connection, and only that connection.

use std::time::{Duration, Instant};

use storage_faults::FaultProxy;
use tokio::net::TcpStream;

use crate::client::{Client, End};
use crate::setup;
use crate::upstream::{FIXED, Upstream};

#[tokio::test]
async fn malformed_requests_close_the_connection_and_the_proxy_carries_on() {
    let (upstream, proxy, _client) = setup().await;
    let inputs: [&[u8]; 9] = [
        b"\x00\x01\x02 not http\r\n\r\n",
        b"GET /fixed HTTP/2.0\r\n\r\n",
        b"GET  /fixed HTTP/1.1\r\n\r\n",
        b"GET /fixed HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /fixed HTTP/1.1\r\nHost: test\r\n folded: line\r\n\r\n",
        b"PUT /b/k HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"PUT /b/k HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"PUT /b/k HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"PUT /b/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    ];
    for input in inputs {
        let mut client = Client::connect(proxy.addr()).await;
        client.send(input).await;
        let (bytes, end) = client.rest().await;
        assert_eq!(bytes, b"", "{:?}", String::from_utf8_lossy(input));
        assert!(matches!(end, End::Eof | End::Reset), "{end:?}");
    }
    let mut client = Client::connect(proxy.addr()).await;
    assert_eq!(client.get("/fixed").await.body, FIXED);
    assert!(upstream.log().iter().all(|line| !line.ends_with(" 5")));
}

#[tokio::test]
async fn a_head_without_end_closes_the_connection() {
    let (_upstream, _proxy, mut client) = setup().await;
    let endless = format!("GET /fixed HTTP/1.1\r\nx-pad: {}", "a".repeat(200_000));
    // The proxy may close before it has taken all of this in.
    let _ = client.try_send(endless).await;
    let (bytes, end) = client.rest().await;
    assert_eq!(bytes, b"");
    assert!(matches!(end, End::Eof | End::Reset), "{end:?}");
}

#[tokio::test]
async fn a_malformed_response_closes_the_client_connection() {
    let (_upstream, proxy, mut client) = setup().await;
    client
        .send("GET /garbage HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let (bytes, end) = client.rest().await;
    assert_eq!(bytes, b"");
    assert!(matches!(end, End::Eof | End::Reset), "{end:?}");
    assert_eq!(proxy.requests()[0].status, None);
}

#[tokio::test]
async fn a_dropped_proxy_stops_accepting_and_closes_its_connections() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr()).await.unwrap();
    let addr = proxy.addr();
    let mut client = Client::connect(addr).await;
    assert_eq!(client.get("/fixed").await.body, FIXED);
    drop(proxy);
    let (bytes, end) = client.rest().await;
    assert_eq!((bytes.as_slice(), end), (&b""[..], End::Eof));
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the proxy still accepts connections"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

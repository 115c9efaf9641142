//! Connections the proxy cannot frame but should not break: an HTTP/2 client (gRPC, say) that
//! opens with the prior-knowledge preface is tunnelled to the upstream server byte for byte, with
//! no rule applied, so that a service speaking both protocols on one port (the GCS test server:
//! JSON over HTTP/1.1, gRPC over HTTP/2) keeps working behind the proxy.

use std::net::SocketAddr;

use tokio::net::TcpStream;

/// The first bytes of an HTTP/2 connection preface (`PRI * HTTP/2.0`); no HTTP/1.1 method is
/// spelled `PRI`.
const HTTP2_PREFACE_START: &[u8] = b"PRI * HTTP/2.0";

/// Whether the client opened with the HTTP/2 preface, judged from its first bytes without
/// consuming them. A client that sends nothing, or closes, is not HTTP/2.
pub(crate) async fn opens_http2(client: &TcpStream) -> bool {
    let mut first = [0u8; HTTP2_PREFACE_START.len()];
    loop {
        match client.peek(&mut first).await {
            Ok(0) | Err(_) => return false,
            Ok(n) if n >= first.len() => return first == HTTP2_PREFACE_START,
            Ok(n) if first[..n] != HTTP2_PREFACE_START[..n] => return false,
            // A partial preface so far: wait for the rest (peek returns what has arrived).
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
        }
    }
}

/// Relays both directions between `client` and a new connection to `upstream` until either
/// side closes.
pub(crate) async fn tunnel(mut client: TcpStream, upstream: SocketAddr) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

//! Connections the proxy cannot frame but should not break: an HTTP/2 client (gRPC, say) that
//! opens with the prior-knowledge preface is tunnelled to the upstream server byte for byte, so
//! that a service speaking both protocols on one port (the GCS test server: JSON over HTTP/1.1,
//! gRPC over HTTP/2) keeps working behind the proxy. No rule applies to a tunnel; a
//! [`TunnelFault`] strikes it when the client next sends bytes.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::fault::TunnelFault;
use crate::http::READ_CHUNK;
use crate::state::Shared;

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
/// side closes, or a tunnel fault ends or freezes the connection.
pub(crate) async fn tunnel(client: TcpStream, upstream: SocketAddr, shared: &Shared) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upward = async {
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => return Ending::Closed,
                Ok(n) => n,
            };
            match shared.tunnel_fault() {
                Some(TunnelFault::Reset) => return Ending::Reset,
                Some(TunnelFault::Stall) => return Ending::Stall,
                Some(TunnelFault::Latency(delay)) => tokio::time::sleep(delay).await,
                None => {}
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                return Ending::Closed;
            }
        }
    };
    let downward = async {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
        Ending::Closed
    };
    let ending = tokio::select! {
        ending = upward => ending,
        ending = downward => ending,
    };
    match ending {
        Ending::Closed => {}
        Ending::Reset => {
            // Both halves go back together so that the close can be a reset.
            if let (Ok(client), Ok(server)) = (
                client_read.reunite(client_write),
                server_read.reunite(server_write),
            ) {
                let _ = client.set_zero_linger();
                let _ = server.set_zero_linger();
            }
        }
        Ending::Stall => {
            // Hold the connection, relaying nothing, until the client gives up on it.
            let mut sink = [0u8; 1];
            while matches!(client_read.read(&mut sink).await, Ok(n) if n > 0) {}
        }
    }
}

/// How a tunnel's relaying stopped.
enum Ending {
    Closed,
    Reset,
    Stall,
}

//! A fault-injecting HTTP/1.1 proxy for tests: it sits on loopback between a storage SDK's
//! client and a local server, passes requests through, and breaks the ones a [`Rule`] picks with
//! a [`Fault`]: a reset before or during a transfer, a made-up error status, a stall, a
//! truncated or corrupted body, added latency, a resumable upload's chunk received in part.
//! Tests then check that the SDK-backed storage retries, fails cleanly or detects the
//! corruption.
//!
//! ```no_run
//! use storage_faults::{Fault, FaultProxy, Rule};
//!
//! # async fn example(server: std::net::SocketAddr) -> std::io::Result<()> {
//! let proxy = FaultProxy::start(server).await?;
//! // The second part of a multipart upload is reset once, half-way through its body.
//! proxy.arm(
//!     Rule::new(Fault::ResetDuringRequestBody { after: 1024 })
//!         .method("PUT")
//!         .query_contains("partNumber=2"),
//! );
//! let endpoint = format!("http://{}", proxy.addr());
//! // ... point the SDK client at `endpoint`, upload, then:
//! assert_eq!(proxy.fired(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! The proxy parses HTTP/1.1 framing itself (Content-Length, chunked, read-to-close, interim
//! 1xx responses) and streams bodies through bounded buffers, so bodies of any size pass. Heads
//! are forwarded byte for byte, but for a response's `Location` naming the upstream server,
//! which names the proxy instead (as a reverse proxy rewrites it), so that a redirect or a GCS
//! resumable-upload session comes back through the proxy. A client that opens with the HTTP/2 preface (gRPC) is tunnelled: rules never
//! apply to it, only a [`TunnelFault`] armed with [`FaultProxy::arm_tunnel`]. What else it cannot frame closes the connection: TLS,
//! heads over 64 KiB, obsolete header folding, a request transfer coding other than a final
//! chunked, conflicting Content-Lengths. It does not relay `CONNECT` tunnels or protocol
//! upgrades (a `101` response ends the connection), and HTTP/1.0 connections carry one
//! exchange each. The record of [`FaultProxy::requests`] grows until
//! [`clear`](FaultProxy::clear).

mod body;
mod fault;
mod http;
mod proxy;
mod relay;
mod reply;
mod resume;
mod state;
mod tunnel;

pub use fault::{Fault, Rule, Seen, TunnelFault};
pub use proxy::FaultProxy;

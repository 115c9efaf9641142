//! The fault proxy end to end: a tiny origin server, the proxy in front of it and a raw HTTP/1.1
//! client, so that every byte the client receives can be checked.

#![allow(clippy::unwrap_used)]

mod client;
mod faults;
mod malformed;
mod passthrough;
mod resume;
mod rules;
mod upstream;

use storage_faults::FaultProxy;

use crate::client::Client;
use crate::upstream::Upstream;

/// An origin server, a proxy in front of it and a client connected to the proxy.
async fn setup() -> (Upstream, FaultProxy, Client) {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr()).await.unwrap();
    let client = Client::connect(proxy.addr()).await;
    (upstream, proxy, client)
}

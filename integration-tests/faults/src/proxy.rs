//! The proxy's handle and its accept loop: one task accepts client connections on loopback and
//! runs each in a task of its own, relaying to the upstream server.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::fault::{Rule, Seen, TunnelFault};
use crate::relay;
use crate::state::Shared;

/// A running fault-injecting proxy in front of one HTTP/1.1 server.
///
/// Point the client at [`FaultProxy::addr`] instead of the server, then [`arm`](Self::arm)
/// rules. Requests that no rule picks pass through unchanged, with keep-alive. Dropping the
/// proxy stops it: it accepts no more connections and closes the ones it has.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port (127.0.0.1) in front of `upstream`. Must be
    /// called within a Tokio runtime, which runs the proxy.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept = tokio::spawn(accept_loop(listener, upstream, Arc::clone(&shared)));
        Ok(FaultProxy {
            addr,
            shared,
            accept,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a rule after those already armed. Rules are checked in order, and the first that
    /// matches a request and has firings left fires (and loses one); a request fires at most
    /// one rule.
    pub fn arm(&self, rule: Rule) {
        self.shared.arm(rule);
    }

    /// Arms `fault` for tunnelled (HTTP/2) connections, replacing any armed before: it strikes
    /// the next `times` times a tunnelled client sends bytes. It counts in
    /// [`fired`](Self::fired); tunnelled requests are not in [`requests`](Self::requests).
    pub fn arm_tunnel(&self, fault: TunnelFault, times: u32) {
        self.shared.arm_tunnel(fault, times);
    }

    /// Drops every rule and forgets what was seen: [`fired`](Self::fired) and
    /// [`requests`](Self::requests) start again from nothing.
    pub fn clear(&self) {
        self.shared.clear();
    }

    /// How many faults were applied since the start or the last [`clear`](Self::clear): a rule
    /// that fired but whose body offset lay past the end of the body changed nothing and does
    /// not count.
    pub fn fired(&self) -> u32 {
        self.shared.fired()
    }

    /// Every request read since the start or the last [`clear`](Self::clear), in the order
    /// they arrived, with the fault applied and the status the client was sent.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.requests()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The connection tasks live in the accept task's JoinSet, so they end with it.
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    connections.spawn(relay::serve(client, upstream, Arc::clone(&shared)));
                }
                // Running out of file descriptors is the usual cause, and it passes; pausing
                // keeps the loop from spinning on it meanwhile.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Finished connections are reaped, so that a long run does not accumulate them.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

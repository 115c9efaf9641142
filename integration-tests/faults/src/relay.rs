//! One client connection, request after request: each request head is read, the rules pick its
//! fault, and the exchange is either relayed over the connection's own upstream connection
//! (shaped by the fault) or acted out by the proxy alone. The connection ends when either side
//! closes, on anything malformed, and after every fault that closes.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::body::{self, Relayed, Shape};
use crate::fault::Fault;
use crate::http::{Broken, Framing, READ_CHUNK, RequestHead, ResponseHead, read_head};
use crate::state::{Shared, Ticket};
use crate::{reply, resume};

/// What becomes of the connection after an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    KeepAlive,
    /// Close both sides normally (FIN).
    Close,
    /// Close both sides with a reset (RST).
    Reset,
}

/// A socket and the bytes read from it that nobody has used yet.
#[derive(Debug)]
struct Peer {
    stream: TcpStream,
    buf: BytesMut,
}

impl Peer {
    fn new(stream: TcpStream) -> Self {
        // Heads and bodies go out in separate writes; Nagle's algorithm would hold the second
        // back for a delayed acknowledgement on every exchange.
        let _ = stream.set_nodelay(true);
        Peer {
            stream,
            buf: BytesMut::new(),
        }
    }

    /// Makes the coming close a reset. Should the option fail, the close is an ordinary one,
    /// which still ends the connection.
    fn reset_on_close(&self) {
        let _ = self.stream.set_zero_linger();
    }
}

/// Where an exchange reports the final status it sent, as soon as it sends it, so that a client
/// that has read a response always finds its status in [`Shared::requests`].
#[derive(Debug, Clone, Copy)]
struct Record<'a> {
    shared: &'a Shared,
    ticket: Ticket,
}

impl Record<'_> {
    fn answered(self, status: u16) {
        self.shared.answered(self.ticket, status);
    }

    /// The fault was applied: it counts as struck.
    fn struck(self, fault: &Fault) {
        self.shared.struck(self.ticket, fault);
    }

    /// The fault will not strike this exchange (see [`Shared::spared`]).
    fn spared(self) {
        self.shared.spared(self.ticket);
    }
}

/// The two ends' addresses as `host:port`: a `Location` the upstream sends naming itself is
/// made to name the proxy.
#[derive(Debug)]
struct Hosts {
    upstream: String,
    proxy: String,
}

/// Serves one client connection until it ends.
pub(crate) async fn serve(client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    if crate::tunnel::opens_http2(&client).await {
        crate::tunnel::tunnel(client, upstream, &shared).await;
        return;
    }
    let hosts = Hosts {
        upstream: upstream.to_string(),
        proxy: client
            .local_addr()
            .map_or_else(|_| upstream.to_string(), |addr| addr.to_string()),
    };
    let mut client = Peer::new(client);
    let mut server = None;
    let next = loop {
        let next = exchange(&mut client, &mut server, upstream, &hosts, &shared).await;
        if next != Next::KeepAlive {
            break next;
        }
    };
    if next == Next::Reset {
        client.reset_on_close();
        if let Some(server) = &server {
            server.reset_on_close();
        }
    }
}

/// Reads one request and sees it through.
async fn exchange(
    client: &mut Peer,
    server: &mut Option<Peer>,
    upstream: SocketAddr,
    hosts: &Hosts,
    shared: &Shared,
) -> Next {
    let raw = tokio::select! {
        head = read_head(&mut client.stream, &mut client.buf) => match head {
            Ok(Some(raw)) => raw,
            Ok(None) | Err(_) => return Next::Close,
        },
        () = hung_up(server.as_mut()) => return Next::Close,
    };
    let Ok(request) = RequestHead::parse(raw) else {
        return Next::Close;
    };
    let Ok(framing) = request.framing() else {
        return Next::Close;
    };
    let (fault, ticket) = shared.admit(&request);
    let record = Record { shared, ticket };
    // These faults act on the exchange as a whole: they are applied as soon as it is picked.
    // Faults at a body offset count once the offset is reached (see `forward` and `respond`).
    if let Some(fault @ (Fault::ResetBeforeResponse | Fault::Status { .. } | Fault::Stall)) = &fault
    {
        record.struck(fault);
    }
    let next = act(
        client, server, upstream, hosts, &request, framing, fault, record,
    )
    .await;
    // Whatever did not strike by now never will: a rule that waits for a strike fires again.
    record.spared();
    next
}

/// Sees one admitted request through, with its fault.
#[allow(clippy::too_many_arguments)]
async fn act(
    client: &mut Peer,
    server: &mut Option<Peer>,
    upstream: SocketAddr,
    hosts: &Hosts,
    request: &RequestHead,
    framing: Framing,
    fault: Option<Fault>,
    record: Record<'_>,
) -> Next {
    match fault {
        Some(Fault::ResetBeforeResponse) => {
            // Reset whether or not the body arrived whole: the client sees the same either way.
            let _ = swallow(client, request, framing).await;
            Next::Reset
        }
        Some(Fault::Status {
            code,
            headers,
            body,
        }) => {
            if swallow(client, request, framing).await.is_err() {
                return Next::Close;
            }
            let response = reply::status(code, &headers, &body, request.is_head());
            record.answered(code);
            if client.stream.write_all(&response).await.is_err() {
                return Next::Close;
            }
            if request.keeps_alive() {
                Next::KeepAlive
            } else {
                Next::Close
            }
        }
        Some(Fault::Stall) => {
            if swallow(client, request, framing).await.is_ok() {
                wait_for_close(client).await;
            }
            Next::Close
        }
        fault => {
            if server.is_none() {
                // An upstream that cannot be reached looks, to the client, like a dropped
                // connection; a made-up 502 would look like an answer from the service.
                let Ok(stream) = TcpStream::connect(upstream).await else {
                    return Next::Close;
                };
                *server = Some(Peer::new(stream));
            }
            let Some(server) = server.as_mut() else {
                return Next::Close;
            };
            forward(
                client,
                server,
                request,
                framing,
                fault.as_ref(),
                hosts,
                record,
            )
            .await
        }
    }
}

/// Resolves when the idle upstream connection closes (or says something unasked, which leaves
/// it unusable just the same), so that the client's connection closes with it as it would
/// without the proxy. Never resolves while there is no upstream connection.
async fn hung_up(server: Option<&mut Peer>) {
    match server {
        Some(server) => {
            server.buf.reserve(READ_CHUNK);
            let _ = server.stream.read_buf(&mut server.buf).await;
        }
        None => std::future::pending().await,
    }
}

/// Reads the request body and drops it. A client waiting for `100 Continue` is sent one first,
/// as no server will.
async fn swallow(client: &mut Peer, request: &RequestHead, framing: Framing) -> Result<(), Broken> {
    if request.expects_continue() && framing != Framing::Length(0) {
        client
            .stream
            .write_all(reply::CONTINUE)
            .await
            .map_err(|_| Broken::Sink)?;
    }
    let mut nowhere = tokio::io::sink();
    body::relay(
        &mut client.stream,
        &mut client.buf,
        &mut nowhere,
        framing,
        Shape::default(),
    )
    .await
    .map(|_| ())
}

/// Reads and drops whatever the client sends until it closes the connection.
async fn wait_for_close(client: &mut Peer) {
    loop {
        client.buf.clear();
        client.buf.reserve(READ_CHUNK);
        match client.stream.read_buf(&mut client.buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Relays one exchange through `server`. The request body and the response run at once: a
/// client sending `Expect: 100-continue` holds its body back until the interim response has
/// come through, and a server may answer before it has read the whole body.
async fn forward(
    client: &mut Peer,
    server: &mut Peer,
    request: &RequestHead,
    framing: Framing,
    fault: Option<&Fault>,
    hosts: &Hosts,
    record: Record<'_>,
) -> Next {
    // A short chunk goes up with a head of its own, announcing only the part that is kept.
    let short = match fault {
        Some(Fault::ShortChunk { quantum }) => {
            let short = resume::shorten(request, framing, *quantum);
            if short.is_none() {
                record.spared();
            }
            short
        }
        _ => None,
    };
    let head = short.as_ref().map_or(request.raw(), |short| &short.head);
    if server.stream.write_all(head).await.is_err() {
        return Next::Close;
    }
    let cut = match fault {
        Some(Fault::ResetDuringRequestBody { after }) => Some(*after),
        _ => short.as_ref().map(|short| short.kept),
    };
    let shape = Shape {
        stop_at: cut,
        flip_at: None,
    };
    let (mut client_read, mut client_write) = client.stream.split();
    let (mut server_read, mut server_write) = server.stream.split();
    let send = async {
        let relayed = body::relay(
            &mut client_read,
            &mut client.buf,
            &mut server_write,
            framing,
            shape,
        )
        .await?;
        match (&short, relayed, framing) {
            (Some(short), Relayed::Stopped, Framing::Length(length)) => {
                // The rest is read and dropped: for the server, the request ended where its
                // new head says, and the connection carries on.
                let rest = Framing::Length(length - short.kept);
                let mut nowhere = tokio::io::sink();
                body::relay(
                    &mut client_read,
                    &mut client.buf,
                    &mut nowhere,
                    rest,
                    Shape::default(),
                )
                .await?;
                if let Some(fault) = fault {
                    record.struck(fault);
                }
                Ok(Relayed::Complete)
            }
            _ => Ok(relayed),
        }
    };
    let answer = respond(
        &mut server_read,
        &mut server.buf,
        &mut client_write,
        request.is_head(),
        fault,
        hosts,
        record,
    );
    tokio::pin!(send, answer);
    // Whether the whole request body reached the server, once that is known.
    let mut sent: Option<bool> = None;
    loop {
        tokio::select! {
            result = &mut send, if sent.is_none() => match result {
                Ok(Relayed::Stopped) => {
                    if let Some(fault) = fault {
                        record.struck(fault);
                    }
                    return Next::Reset;
                }
                // A cut at or past the end of the body strikes nothing: the exchange goes on.
                Ok(Relayed::Complete | Relayed::Flipped) => sent = Some(true),
                // The client gave up on its own request.
                Err(Broken::Source) => return Next::Close,
                // The server stopped reading, which servers do when they answer early.
                Err(Broken::Sink) => sent = Some(false),
            },
            result = &mut answer => {
                let Ok(next) = result else {
                    return Next::Close;
                };
                if next != Next::KeepAlive {
                    return next;
                }
                // The next request starts after this one's body, so it must be read first.
                let sent = match sent {
                    Some(sent) => sent,
                    // A cut reached after the server answered in full came too late to
                    // break anything the client sees: it does not count.
                    None => matches!(
                        (&mut send).await,
                        Ok(Relayed::Complete | Relayed::Flipped)
                    ),
                };
                return if sent { Next::KeepAlive } else { Next::Close };
            }
        }
    }
}

/// Relays the response: any interim 1xx heads, then the final head and its body, shaped by
/// the response faults.
async fn respond<R, W>(
    src: &mut R,
    buf: &mut BytesMut,
    dst: &mut W,
    head_request: bool,
    fault: Option<&Fault>,
    hosts: &Hosts,
    record: Record<'_>,
) -> Result<Next, Broken>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut delay = match fault {
        Some(Fault::Latency(delay)) => Some(*delay),
        _ => None,
    };
    loop {
        let raw = read_head(src, buf).await?.ok_or(Broken::Source)?;
        let head = ResponseHead::parse(raw)?;
        let framing = head.framing(head_request)?;
        if let Some(delay) = delay.take() {
            if let Some(fault) = fault {
                record.struck(fault);
            }
            tokio::time::sleep(delay).await;
        }
        if !head.is_interim() {
            record.answered(head.status());
        }
        let out = head.located_at(&hosts.upstream, &hosts.proxy);
        if !head.is_interim()
            && let (Some(fault), Framing::Length(length)) = (fault, framing)
            && fault
                .response_offset()
                .is_some_and(|offset| offset >= length)
        {
            // Nothing of this body lies at the offset: known before a byte goes out, so that a
            // rule waiting for a strike is armed again before the client sends what follows.
            record.spared();
        }
        dst.write_all(&out).await.map_err(|_| Broken::Sink)?;
        if head.is_interim() {
            continue;
        }
        if head.status() == 101 {
            // Whatever protocol follows is not HTTP/1.1, which is all this proxy can relay.
            return Ok(Next::Close);
        }
        let shape = match fault {
            Some(Fault::Truncate { keep: cut } | Fault::ResetDuringResponseBody { after: cut }) => {
                Shape {
                    stop_at: Some(*cut),
                    flip_at: None,
                }
            }
            Some(Fault::FlipByte { at }) => Shape {
                stop_at: None,
                flip_at: Some(*at),
            },
            _ => Shape::default(),
        };
        let relayed = body::relay(src, buf, dst, framing, shape).await?;
        // Only a cut inside the body, or a flip of a byte the body has, strikes: past its end
        // the response went through as it was, and the connection carries on as it would.
        if let (Some(fault), Relayed::Stopped | Relayed::Flipped) = (fault, relayed) {
            record.struck(fault);
        }
        return Ok(match (fault, relayed) {
            (Some(Fault::Truncate { .. }), Relayed::Stopped) => Next::Close,
            (Some(Fault::ResetDuringResponseBody { .. }), Relayed::Stopped) => Next::Reset,
            _ if framing == Framing::UntilClose || !head.keeps_alive() => Next::Close,
            _ => Next::KeepAlive,
        });
    }
}

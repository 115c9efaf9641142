//! A tiny HTTP/1.1 origin server for the tests: a few fixed routes, keep-alive, `100 Continue`
//! on request, a resumable-upload session that answers chunks with `308`, and a log of the
//! requests it read, so that tests can check what the proxy let through. Its HTTP handling is written apart from the proxy's, so that it checks the proxy
//! rather than agreeing with it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The body of `GET /fixed`.
pub(crate) const FIXED: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// The head of `GET /fixed` and `HEAD /fixed`.
pub(crate) const FIXED_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Length: 36\r\nETag: \"fixed\"\r\n\r\n";
/// The head of `GET /chunked`.
pub(crate) const CHUNKED_HEAD: &str = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
/// The chunks of `GET /chunked`, one write each.
pub(crate) const CHUNKS: [&str; 4] = ["hello", ", ", "chunked", " world"];
/// The trailer section that ends `GET /chunked`.
pub(crate) const TRAILERS: &str = "0\r\nx-checksum: abc\r\n\r\n";
/// The length of `GET /large`, large enough to take many reads and writes on the way.
pub(crate) const LARGE: usize = 4 << 20;

/// Byte `i` of `GET /large`: a pattern that shifts against any power-of-two buffer size.
pub(crate) fn large_byte(i: usize) -> u8 {
    (i % 251) as u8
}

#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Upstream {
    pub(crate) async fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = Upstream {
            addr: listener.local_addr().unwrap(),
            connections: Arc::default(),
            log: Arc::default(),
        };
        let server = upstream.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                server.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, Arc::clone(&server.log)));
            }
        });
        upstream
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections the server has accepted.
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// One line per request read: `METHOD target`, then for bodies the byte count, or
    /// `broken after N` when the body stopped short.
    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The log once it has `lines` lines: the server may still be reading what the proxy sent
    /// when the client has seen the outcome.
    pub(crate) async fn log_when(&self, lines: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if log.len() >= lines || Instant::now() > deadline {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn serve(stream: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let Some(head) = read_head(&mut stream).await else {
            return;
        };
        let mut start = head[0].split(' ');
        let method = start.next().unwrap_or("").to_owned();
        let target = start.next().unwrap_or("").to_owned();
        let header = |name: &str| {
            head[1..].iter().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
        };
        if method == "PUT" || method == "POST" {
            if header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
                stream
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await
                    .unwrap();
            }
            let chunked = header("transfer-encoding").is_some_and(|te| te.contains("chunked"));
            let length = header("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let (read, whole) = read_body(&mut stream, chunked, length).await;
            if !whole {
                log.lock()
                    .unwrap()
                    .push(format!("{method} {target} broken after {read}"));
                return;
            }
            log.lock()
                .unwrap()
                .push(format!("{method} {target} {read}"));
            let body = read.to_string();
            let answer = if target.starts_with("/session") {
                session_answer(header("content-range").as_deref(), read)
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            };
            if stream.write_all(answer.as_bytes()).await.is_err() {
                return;
            }
            continue;
        }
        log.lock().unwrap().push(format!("{method} {target}"));
        let path = target.split('?').next().unwrap_or("");
        let written = match (method.as_str(), path) {
            ("GET", "/fixed") => write_all(&mut stream, &[FIXED_HEAD.as_bytes(), FIXED]).await,
            ("HEAD", "/fixed") => write_all(&mut stream, &[FIXED_HEAD.as_bytes()]).await,
            ("GET", "/chunked") => chunked(&mut stream).await,
            ("GET", "/large") => large(&mut stream).await,
            ("GET", "/empty") => {
                write_all(&mut stream, &[b"HTTP/1.1 204 No Content\r\n\r\n"]).await
            }
            ("GET", "/close") => {
                let answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close";
                let _ = write_all(&mut stream, &[answer]).await;
                return;
            }
            ("GET", "/garbage") => {
                let _ = write_all(&mut stream, &[b"NOT HTTP AT ALL\r\n\r\n"]).await;
                return;
            }
            _ => {
                write_all(
                    &mut stream,
                    &[b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"],
                )
                .await
            }
        };
        if !written {
            return;
        }
    }
}

/// The answer to a chunk `PUT /session` of a resumable upload, as GCS gives it: `308` with
/// the bytes persisted so far (everything up to the end of this chunk, which starts where its
/// `Content-Range: bytes A-B/...` says), no `Range` when there are none.
fn session_answer(content_range: Option<&str>, read: u64) -> String {
    let start: u64 = content_range
        .and_then(|range| range.strip_prefix("bytes "))
        .and_then(|range| range.split('-').next())
        .and_then(|first| first.parse().ok())
        .unwrap_or(0);
    let range = match start + read {
        0 => String::new(),
        persisted => format!("Range: bytes=0-{}\r\n", persisted - 1),
    };
    format!("HTTP/1.1 308 Resume Incomplete\r\n{range}Content-Length: 0\r\n\r\n")
}

/// The head's lines, or `None` at the end of the connection (or of its sanity).
async fn read_head(stream: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return Some(lines);
        }
        lines.push(line.to_owned());
    }
}

/// Reads a request body; returns the data bytes read and whether the body was whole.
async fn read_body(stream: &mut BufReader<TcpStream>, chunked: bool, length: u64) -> (u64, bool) {
    if !chunked {
        let read = discard(stream, length).await;
        return (read, read == length);
    }
    let mut total = 0;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return (total, false);
        }
        let hex = line.trim_end().split(';').next().unwrap_or("");
        let Ok(size) = u64::from_str_radix(hex, 16) else {
            return (total, false);
        };
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                let mut trailer = String::new();
                if stream.read_line(&mut trailer).await.unwrap_or(0) == 0 {
                    return (total, false);
                }
                if trailer.trim_end().is_empty() {
                    return (total, true);
                }
            }
        }
        let read = discard(stream, size).await;
        total += read;
        let mut end = String::new();
        if read < size || stream.read_line(&mut end).await.unwrap_or(0) == 0 {
            return (total, false);
        }
    }
}

/// Reads and drops up to `length` bytes; returns how many arrived.
async fn discard(stream: &mut BufReader<TcpStream>, length: u64) -> u64 {
    let mut scratch = vec![0; 64 * 1024];
    let mut read = 0;
    while read < length {
        let want = scratch.len().min((length - read) as usize);
        match stream.read(&mut scratch[..want]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n as u64,
        }
    }
    read
}

async fn write_all(stream: &mut BufReader<TcpStream>, parts: &[&[u8]]) -> bool {
    for part in parts {
        if stream.write_all(part).await.is_err() {
            return false;
        }
    }
    true
}

async fn chunked(stream: &mut BufReader<TcpStream>) -> bool {
    if !write_all(stream, &[CHUNKED_HEAD.as_bytes()]).await {
        return false;
    }
    for chunk in CHUNKS {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if !write_all(stream, &[framed.as_bytes()]).await {
            return false;
        }
    }
    write_all(stream, &[TRAILERS.as_bytes()]).await
}

async fn large(stream: &mut BufReader<TcpStream>) -> bool {
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {LARGE}\r\n\r\n");
    if !write_all(stream, &[head.as_bytes()]).await {
        return false;
    }
    let body: Vec<u8> = (0..LARGE).map(large_byte).collect();
    write_all(stream, &[&body]).await
}

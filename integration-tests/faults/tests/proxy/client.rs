//! A raw HTTP/1.1 client for the tests: it writes requests as bytes and reads responses byte
//! for byte, so that tests see exactly what the proxy sent, resets included.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Longer than any test should take; a hung proxy fails the test instead of hanging it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

async fn patiently<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

#[derive(Debug)]
pub(crate) struct Client {
    stream: BufReader<TcpStream>,
}

/// One response as read: status, headers (names lower-cased) and the body with any chunk
/// framing removed.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// How a connection ended for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// A clean end of stream.
    Eof,
    /// A reset (ECONNRESET).
    Reset,
    Other(io::ErrorKind),
}

impl Client {
    pub(crate) async fn connect(addr: SocketAddr) -> Client {
        let stream = patiently("connect", TcpStream::connect(addr))
            .await
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream: BufReader::new(stream),
        }
    }

    pub(crate) async fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.try_send(bytes).await.unwrap();
    }

    pub(crate) async fn try_send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        patiently("send", self.stream.get_mut().write_all(bytes.as_ref())).await
    }

    /// Sends `GET path` and reads the response.
    pub(crate) async fn get(&mut self, path: &str) -> Response {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n"))
            .await;
        self.response(false).await
    }

    /// Reads one response, interim or final; `head_request` says there is no body to read.
    pub(crate) async fn response(&mut self, head_request: bool) -> Response {
        patiently("response", self.read_response(head_request)).await
    }

    async fn read_response(&mut self, head_request: bool) -> Response {
        let status_line = self.line().await;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.line().await;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if head_request || status < 200 || status == 204 || status == 304 {
            return response;
        }
        if response.header("transfer-encoding") == Some("chunked") {
            loop {
                let size = self.line().await;
                let size = usize::from_str_radix(size.split(';').next().unwrap(), 16).unwrap();
                if size == 0 {
                    while !self.line().await.is_empty() {}
                    break;
                }
                let start = response.body.len();
                response.body.resize(start + size, 0);
                self.stream
                    .read_exact(&mut response.body[start..])
                    .await
                    .unwrap();
                assert_eq!(self.line().await, "");
            }
        } else if let Some(length) = response.header("content-length") {
            response.body = vec![0; length.parse().unwrap()];
            self.stream.read_exact(&mut response.body).await.unwrap();
        } else {
            self.stream.read_to_end(&mut response.body).await.unwrap();
        }
        response
    }

    async fn line(&mut self) -> String {
        let mut line = String::new();
        let read = self.stream.read_line(&mut line).await.unwrap();
        assert!(read > 0, "the connection closed before a whole head");
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    /// Everything until the connection ends, and how it ended.
    pub(crate) async fn rest(&mut self) -> (Vec<u8>, End) {
        patiently("the end of the connection", self.read_rest()).await
    }

    /// Like [`rest`](Self::rest), but gives up after `wait` and returns `None`.
    pub(crate) async fn rest_within(&mut self, wait: Duration) -> Option<(Vec<u8>, End)> {
        tokio::time::timeout(wait, self.read_rest()).await.ok()
    }

    async fn read_rest(&mut self) -> (Vec<u8>, End) {
        let mut bytes = Vec::new();
        let mut scratch = [0; 8192];
        loop {
            match self.stream.read(&mut scratch).await {
                Ok(0) => return (bytes, End::Eof),
                Ok(n) => bytes.extend_from_slice(&scratch[..n]),
                Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {
                    return (bytes, End::Reset);
                }
                Err(error) => return (bytes, End::Other(error.kind())),
            }
        }
    }
}

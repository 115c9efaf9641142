//! The server: it answers the OAuth client-credentials request
//! (`POST /{tenant}/oauth2/v2.0/token`) with a JWT shaped like Entra ID's for its audience, and
//! every other request as Blob Storage answers a missing blob (404 `BlobNotFound`). It records
//! each request, so a test can check what the credential sent and what reached the blob
//! endpoint.

use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::{GOOD_SECRET, STORAGE_AUDIENCE, jwt, tls_dir};

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path and query, as sent.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Seen {
    /// A header's value (names in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A field of a form-encoded body.
    pub fn form(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Whether it asked the token endpoint for a token.
    pub fn is_token_request(&self) -> bool {
        self.path.ends_with("/oauth2/v2.0/token")
    }
}

/// A running server: its port and what it has seen.
#[derive(Debug, Clone)]
pub struct TokenServer {
    /// The loopback port it listens on.
    pub port: u16,
    /// Every request it has answered, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl TokenServer {
    /// Starts the server on a free loopback port, on the current tokio runtime; its tokens are
    /// for Azure Storage.
    pub async fn start() -> TokenServer {
        TokenServer::start_for(STORAGE_AUDIENCE).await
    }

    /// Starts a server whose tokens are for `audience` (a token for another service, which
    /// Blob Storage must refuse).
    pub async fn start_for(audience: &str) -> TokenServer {
        let audience: Arc<str> = Arc::from(audience);
        let certs = CertificateDer::pem_file_iter(tls_dir().join("server.pem"))
            .expect("the test certificate")
            .collect::<Result<Vec<_>, _>>()
            .expect("the test certificate");
        let key = PrivateKeyDer::from_pem_file(tls_dir().join("server.key")).expect("its key");
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("a TLS configuration");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("its address").port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let record = Arc::clone(&record);
                let audience = Arc::clone(&audience);
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(tcp).await
                        && let Some(request) = read_request(&mut tls).await
                    {
                        let response = answer(&request, &audience);
                        record.lock().expect("not poisoned").push(request);
                        let _ = tls.write_all(response.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    }
                });
            }
        });
        TokenServer { port, seen }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    /// How many token requests it has answered.
    pub fn token_requests(&self) -> usize {
        self.seen().iter().filter(|s| s.is_token_request()).count()
    }
}

/// Reads one HTTP/1.1 request (headers, then a body of `content-length` bytes).
async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A token for `audience` for the right secret, Entra ID's error for a wrong one, and
/// `BlobNotFound` for any other request.
fn answer(request: &Seen, audience: &str) -> String {
    let (status, content_type, extra, body) = if request.is_token_request() {
        let tenant = request.path.split('/').nth(1).unwrap_or_default();
        if request.form("client_secret").as_deref() == Some(GOOD_SECRET) {
            let token = jwt(tenant, audience);
            let body = format!(
                r#"{{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"{token}"}}"#
            );
            ("200 OK", "application/json", "", body)
        } else {
            let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#;
            ("401 Unauthorized", "application/json", "", body.to_owned())
        }
    } else {
        (
            "404 The specified blob does not exist.",
            "application/xml",
            "x-ms-error-code: BlobNotFound\r\n",
            String::new(),
        )
    };
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

//! A small HTTPS server for the Entra ID tests: it answers the OAuth client-credentials request
//! (`POST /{tenant}/oauth2/v2.0/token`) with a JWT shaped like Entra ID's, and every other
//! request as Blob Storage answers a missing blob (404 `BlobNotFound`). It records each request,
//! so a test can check what the credential sent and what reached the blob endpoint. The
//! certificate is the test one in `tests/tls` (127.0.0.1, signed by `tests/tls/ca.pem`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The only client secret the token endpoint accepts.
pub(crate) const GOOD_SECRET: &str = "test-client-secret-value";

/// One request as the server read it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A field of a form-encoded body.
    pub(crate) fn form(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// The directory of the test certificates.
pub(crate) fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tls")
}

/// A JWT with the claims Entra ID puts in a storage token (unsigned: Azurite checks lifetime,
/// issuer and audience, not the signature).
pub(crate) fn jwt(tenant: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = r#"{"alg":"RS256","typ":"JWT"}"#;
    let claims = format!(
        r#"{{"aud":"https://storage.azure.com","iss":"https://sts.windows.net/{tenant}/","iat":{},"nbf":{},"exp":{},"tid":"{tenant}","oid":"00000000-0000-0000-0000-000000000001"}}"#,
        now - 60,
        now - 60,
        now + 3600
    );
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode("not-a-signature")
    )
}

/// A running server: its port and what it has seen.
#[derive(Debug, Clone)]
pub(crate) struct TokenServer {
    pub(crate) port: u16,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
}

impl TokenServer {
    /// Starts the server on a free loopback port, on the current tokio runtime.
    pub(crate) async fn start() -> TokenServer {
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
                tokio::spawn(async move {
                    if let Ok(mut tls) = acceptor.accept(tcp).await
                        && let Some(request) = read_request(&mut tls).await
                    {
                        let response = answer(&request);
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
    pub(crate) fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
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

/// A token for the right secret, Entra ID's error for a wrong one, and `BlobNotFound` for any
/// other request.
fn answer(request: &Seen) -> String {
    let (status, content_type, extra, body) = if request.path.ends_with("/oauth2/v2.0/token") {
        let tenant = request.path.split('/').nth(1).unwrap_or_default();
        if request.form("client_secret").as_deref() == Some(GOOD_SECRET) {
            let token = jwt(tenant);
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

//! The backends under the matrix: how to build a store that talks through the proxy, which
//! request of an operation a fault strikes, and each service's own throttling answers.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use storage_azblob::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY};
use storage_faults::{Fault, Rule, TunnelFault};
use storage_gcs::GcsBuilder;
use storage_s3::S3Builder;
use storage_types::{ErrorKind, Storage};

use crate::plan::{FaultKind, Op, Scenario};

/// Each request attempt's limit, as the matrix configures every store: a stalled request must
/// end in a typed error within about `attempts x TIMEOUT`.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(3);
/// Retries after the first attempt.
pub(crate) const RETRIES: u32 = 2;

/// A service the matrix runs against, read from the environment `cargo xtask faults` sets (the
/// same variables as the conformance suite's).
pub(crate) enum Target {
    S3 {
        endpoint: String,
        bucket: String,
        access_key: String,
        secret_key: String,
    },
    Azure {
        endpoint: String,
        container: String,
    },
    Gcs {
        endpoint: String,
        bucket: String,
        credentials: String,
    },
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .map_err(|_| format!("{name} is not set: run the matrix through `cargo xtask faults`"))
}

impl Target {
    pub(crate) fn from_env(service: &str) -> Result<Target, String> {
        Ok(match service {
            "s3" => Target::S3 {
                endpoint: env("RS_STORAGE_S3_ENDPOINT")?,
                bucket: env("RS_STORAGE_S3_BUCKET")?,
                access_key: env("RS_STORAGE_S3_ACCESS_KEY")?,
                secret_key: env("RS_STORAGE_S3_SECRET_KEY")?,
            },
            "azblob" => Target::Azure {
                endpoint: env("RS_STORAGE_AZBLOB_ENDPOINT")?,
                container: env("RS_STORAGE_AZBLOB_CONTAINER")?,
            },
            "gcs" => Target::Gcs {
                endpoint: env("RS_STORAGE_GCS_ENDPOINT")?,
                bucket: env("RS_STORAGE_GCS_BUCKET")?,
                credentials: env("RS_STORAGE_GCS_CREDENTIALS")?,
            },
            other => return Err(format!("unknown service `{other}`; known: s3, azblob, gcs")),
        })
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Target::S3 { .. } => "s3",
            Target::Azure { .. } => "azblob",
            Target::Gcs { .. } => "gcs",
        }
    }

    /// The server the proxy relays to.
    pub(crate) fn upstream(&self) -> Result<SocketAddr, String> {
        let endpoint = self.endpoint();
        let authority = endpoint
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("the matrix needs an http:// endpoint, not {endpoint}"))?;
        authority
            .to_socket_addrs()
            .map_err(|err| format!("cannot resolve {authority}: {err}"))?
            .next()
            .ok_or_else(|| format!("{authority} resolves to nothing"))
    }

    fn endpoint(&self) -> &str {
        match self {
            Target::S3 { endpoint, .. }
            | Target::Azure { endpoint, .. }
            | Target::Gcs { endpoint, .. } => endpoint,
        }
    }

    /// The endpoint with its host and port replaced by the proxy's.
    fn through(&self, proxy: SocketAddr) -> String {
        let endpoint = self.endpoint();
        let rest = endpoint.trim_start_matches("http://");
        let path = rest.find('/').map_or("", |at| &rest[at..]);
        format!("http://{proxy}{path}")
    }

    /// A store that talks to the server through `proxy`, with the matrix's timeout and retries.
    pub(crate) async fn store(&self, proxy: SocketAddr) -> Result<Arc<dyn Storage>, String> {
        let endpoint = self.through(proxy);
        let store: Arc<dyn Storage> = match self {
            Target::S3 {
                bucket,
                access_key,
                secret_key,
                ..
            } => Arc::new(
                S3Builder::new(bucket)
                    .endpoint(&endpoint)
                    .region("us-east-1")
                    .force_path_style(true)
                    .credentials(access_key, secret_key, None)
                    .max_attempts(RETRIES + 1)
                    .attempt_timeout(TIMEOUT)
                    .timeout(TIMEOUT * (RETRIES + 1))
                    .build()
                    .await
                    .map_err(|err| err.to_string())?,
            ),
            Target::Azure { container, .. } => Arc::new(
                AzBlobBuilder::new(container)
                    .endpoint(&endpoint)
                    .account(DEV_ACCOUNT)
                    .account_key(DEV_ACCOUNT_KEY)
                    .max_retries(RETRIES)
                    .timeout(TIMEOUT)
                    .build()
                    .map_err(|err| err.to_string())?,
            ),
            Target::Gcs {
                bucket,
                credentials,
                ..
            } => Arc::new(
                GcsBuilder::new(bucket)
                    .endpoint(&endpoint)
                    .credentials_file(credentials)
                    .project_id("test-project")
                    .max_retries(RETRIES)
                    .timeout(TIMEOUT)
                    // Small enough that an 11 MiB write is a resumable upload of several chunks.
                    .single_upload_limit(1 << 20)
                    .chunk_size(2 << 20)
                    .build()
                    .await
                    .map_err(|err| err.to_string())?,
            ),
        };
        Ok(store)
    }

    /// Creates the bucket or container the matrix writes into, if it is missing.
    pub(crate) async fn prepare(&self, store: &dyn Storage) -> Result<(), String> {
        let name = match self {
            Target::S3 { bucket, .. } | Target::Gcs { bucket, .. } => bucket,
            Target::Azure { container, .. } => container,
        };
        match store.create_bucket(name).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(err) => Err(format!("cannot create bucket {name}: {err}")),
        }
    }

    /// Whether `op` goes over gRPC (HTTP/2) here, where the proxy sees a connection, not
    /// requests: only connection faults (reset, stall, latency) reach it.
    pub(crate) fn over_grpc(&self, op: Op) -> bool {
        matches!(
            (self, op),
            (
                Target::Gcs { .. },
                Op::Stat | Op::List | Op::Copy | Op::Delete | Op::Append
            )
        )
    }

    /// The connection fault that stands for `kind` on a gRPC connection, if one does.
    pub(crate) fn tunnel_fault(kind: FaultKind) -> Option<TunnelFault> {
        match kind {
            FaultKind::ResetBeforeResponse => Some(TunnelFault::Reset),
            FaultKind::Stall => Some(TunnelFault::Stall),
            FaultKind::Latency => Some(TunnelFault::Latency(Duration::from_millis(300))),
            _ => None,
        }
    }

    /// Why a fault that could strike `op` is left out on this service, if it is: corruption
    /// that the protocol gives no means to detect over plain HTTP.
    pub(crate) fn undetectable(&self, op: Op, fault: FaultKind) -> Option<&'static str> {
        if self.over_grpc(op) && Self::tunnel_fault(fault).is_none() {
            return Some(
                "GCS stat, list, copy, delete and append go over gRPC (HTTP/2), where the proxy \
                 sees one connection carrying many requests: it resets, stalls or delays the \
                 connection, but cannot answer one request with a status or cut one body",
            );
        }
        match (self, op, fault) {
            (_, Op::List, FaultKind::FlipByte) => Some(
                "a flipped byte in a listing: no service sends a checksum of a listing, so over \
                 plain HTTP a changed name is indistinguishable from a real one (TLS, on by \
                 default on every cloud endpoint, is what guards it)",
            ),
            (Target::S3 { .. } | Target::Gcs { .. }, Op::RangedRead, FaultKind::FlipByte) => Some(
                "a flipped byte in a ranged read on S3 and GCS: neither sends a checksum of a \
                 range (only of whole objects), so over plain HTTP it cannot be detected (TLS \
                 guards it); Azure hashes ranges of up to 4 MiB, which rs-storage checks over \
                 plain HTTP",
            ),
            _ => None,
        }
    }

    /// The rule that strikes the request of `op` that the scenario is about. Every scenario runs
    /// on a proxy of its own, armed after the setup, so a method and a mark of the request
    /// are enough.
    pub(crate) fn rule(&self, scenario: &Scenario, body_len: u64) -> Rule {
        let fault = self.fault(scenario.fault, scenario.draw % body_len.max(1));
        let rule = Rule::new(fault);
        match (self, scenario.op) {
            (_, Op::Stat) => rule.method("HEAD"),
            (_, Op::Read | Op::ReadReplaced | Op::List) => rule.method("GET"),
            (_, Op::RangedRead) => rule.method("GET").header_present("range"),
            (Target::Gcs { .. }, Op::SmallWrite) => rule.method("POST"),
            (_, Op::SmallWrite) => rule.method("PUT"),
            (Target::S3 { .. }, Op::MultipartWrite) => {
                rule.method("PUT").query_contains("partNumber=2")
            }
            (Target::Azure { .. }, Op::MultipartWrite) => {
                rule.method("PUT").query_contains("blockid=")
            }
            // The resumable upload (the test server takes its data with the start request).
            (Target::Gcs { .. }, Op::MultipartWrite) => {
                rule.method("POST").query_contains("uploadType=resumable")
            }
            (Target::S3 { .. }, Op::Copy) => rule.method("PUT").header_present("x-amz-copy-source"),
            (_, Op::Copy) => rule.method("PUT").header_present("x-ms-copy-source"),
            (_, Op::Delete) => rule.method("DELETE"),
            (_, Op::Append) => rule.method("PUT").query_contains("comp=appendblock"),
        }
    }

    fn fault(&self, kind: FaultKind, offset: u64) -> Fault {
        match kind {
            FaultKind::ResetBeforeResponse => Fault::ResetBeforeResponse,
            FaultKind::ResetDuringUpload => Fault::ResetDuringRequestBody { after: offset },
            FaultKind::ResetDuringDownload => Fault::ResetDuringResponseBody { after: offset },
            FaultKind::Status500 => self.status(500, "InternalError", &[]),
            FaultKind::Throttle503 => match self {
                Target::S3 { .. } => self.status(503, "SlowDown", &[]),
                Target::Azure { .. } => self.status(503, "ServerBusy", &[]),
                Target::Gcs { .. } => self.status(503, "backendError", &[]),
            },
            FaultKind::Throttle429 => match self {
                Target::S3 { .. } => self.status(429, "SlowDown", &[("Retry-After", "1")]),
                Target::Azure { .. } => self.status(429, "ServerBusy", &[("Retry-After", "1")]),
                Target::Gcs { .. } => {
                    self.status(429, "rateLimitExceeded", &[("Retry-After", "1")])
                }
            },
            FaultKind::Stall => Fault::Stall,
            FaultKind::Truncate => Fault::Truncate { keep: offset },
            FaultKind::FlipByte => Fault::FlipByte { at: offset },
            FaultKind::Latency => Fault::Latency(Duration::from_millis(300)),
        }
    }

    /// An error answer spelled the way the service spells it.
    fn status(&self, code: u16, error: &str, extra: &[(&str, &str)]) -> Fault {
        let (mut headers, body) = match self {
            Target::S3 { .. } => (
                vec![("Content-Type".to_owned(), "application/xml".to_owned())],
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{error}</Code>\
                     <Message>injected by the fault matrix</Message></Error>"
                ),
            ),
            Target::Azure { .. } => (
                vec![
                    ("Content-Type".to_owned(), "application/xml".to_owned()),
                    ("x-ms-error-code".to_owned(), error.to_owned()),
                ],
                format!(
                    "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{error}</Code>\
                     <Message>injected by the fault matrix</Message></Error>"
                ),
            ),
            Target::Gcs { .. } => (
                vec![("Content-Type".to_owned(), "application/json".to_owned())],
                format!(
                    "{{\"error\":{{\"code\":{code},\"message\":\"injected by the fault matrix\",\
                     \"errors\":[{{\"reason\":\"{error}\"}}]}}}}"
                ),
            ),
        };
        headers.extend(
            extra
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        Fault::Status {
            code,
            headers,
            body,
        }
    }
}

//! The backends under the matrix: how to build a store that talks through the proxy, which
//! request of an operation a fault strikes, and each service's own throttling answers.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use storage_azblob::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY};
use storage_faults::{Fault, Rule, TunnelFault};
use storage_gcs::GcsBuilder;
use storage_s3::S3Builder;
use storage_types::{ErrorKind, Storage, StorageExt};

use crate::plan::{FaultKind, Op, Scenario};

/// Each request attempt's limit, as the matrix configures every store: a stalled request must
/// end in a typed error within about `attempts x TIMEOUT`.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(3);
/// Retries after the first attempt.
pub(crate) const RETRIES: u32 = 2;
/// The longest a call with the store's default settings may take to fail when nothing answers
/// at the endpoint (a refused connection, an unknown host): the documented defaults end it in
/// a few seconds on every backend (S3: 3 attempts; Azure: its retries' backoff; GCS:
/// `DEFAULT_CONNECT_TIMEOUT`, 5 s), so this leaves room for a loaded machine only.
pub(crate) const FAIL_FAST: Duration = Duration::from_secs(15);
/// The host name of the unknown-host cells: `.invalid` never resolves (RFC 2606).
const UNKNOWN_HOST: &str = "nothing.invalid";
/// Where the GCS backend stages part objects, below the store's root.
const GCS_STAGING: &str = ".stor-multipart/";

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

    /// The endpoint with its host and port replaced by `authority`.
    fn at(&self, authority: &str) -> String {
        let endpoint = self.endpoint();
        let rest = endpoint.trim_start_matches("http://");
        let path = rest.find('/').map_or("", |at| &rest[at..]);
        format!("http://{authority}{path}")
    }

    /// A store below `root` that talks to the server through `proxy`, with the matrix's
    /// timeout and retries.
    pub(crate) async fn store(
        &self,
        proxy: SocketAddr,
        root: &str,
    ) -> Result<Arc<dyn Storage>, String> {
        self.build(&self.at(&proxy.to_string()), root, true).await
    }

    /// A store with every default setting at an endpoint where nothing answers: a port where
    /// nothing listens, or a host name that does not resolve.
    pub(crate) async fn unreachable(&self, kind: FaultKind) -> Result<Arc<dyn Storage>, String> {
        let authority = match kind {
            FaultKind::UnknownHost => format!("{UNKNOWN_HOST}:80"),
            _ => {
                // A port that was free a moment ago, and that nothing took since.
                let listener = std::net::TcpListener::bind("127.0.0.1:0")
                    .map_err(|err| format!("no free port: {err}"))?;
                let addr = listener.local_addr().map_err(|err| err.to_string())?;
                drop(listener);
                addr.to_string()
            }
        };
        self.build(&self.at(&authority), "", false).await
    }

    /// A store at `endpoint` below `root`: with the matrix's timeout and retries when `tuned`,
    /// else with the backend's defaults.
    async fn build(
        &self,
        endpoint: &str,
        root: &str,
        tuned: bool,
    ) -> Result<Arc<dyn Storage>, String> {
        let store: Arc<dyn Storage> = match self {
            Target::S3 {
                bucket,
                access_key,
                secret_key,
                ..
            } => {
                let mut builder = S3Builder::new(bucket)
                    .root(root)
                    .endpoint(endpoint)
                    .region("us-east-1")
                    .force_path_style(true)
                    .credentials(access_key, secret_key, None);
                if tuned {
                    builder = builder
                        .max_attempts(RETRIES + 1)
                        .attempt_timeout(TIMEOUT)
                        .timeout(TIMEOUT * (RETRIES + 1));
                }
                Arc::new(builder.build().await.map_err(|err| err.to_string())?)
            }
            Target::Azure { container, .. } => {
                let mut builder = AzBlobBuilder::new(container)
                    .root(root)
                    .endpoint(endpoint)
                    .account(DEV_ACCOUNT)
                    .account_key(DEV_ACCOUNT_KEY);
                if tuned {
                    builder = builder.max_retries(RETRIES).timeout(TIMEOUT);
                }
                Arc::new(builder.build().map_err(|err| err.to_string())?)
            }
            Target::Gcs {
                bucket,
                credentials,
                ..
            } => {
                let mut builder = GcsBuilder::new(bucket)
                    .root(root)
                    .endpoint(endpoint)
                    .credentials_file(credentials)
                    .project_id("test-project");
                if tuned {
                    builder = builder
                        .max_retries(RETRIES)
                        .attempt_timeout(TIMEOUT)
                        .timeout(TIMEOUT * (RETRIES + 1))
                        // Small enough that an 11 MiB write is a resumable upload of several
                        // chunks, and a composite write's parts single-shot uploads.
                        .single_upload_limit(1 << 20)
                        .chunk_size(2 << 20);
                }
                Arc::new(builder.build().await.map_err(|err| err.to_string())?)
            }
        };
        Ok(store)
    }

    /// What uploads staged below `root` and left there, read past the proxy: GCS's staged
    /// objects (composite parts, appended pieces), which a store hides from its listings, are
    /// listed by a store rooted at their directory. S3 lists its open uploads itself
    /// (`list_multipart_uploads`).
    pub(crate) async fn staged(&self, root: &str) -> Result<Vec<String>, String> {
        let Target::Gcs { .. } = self else {
            return Ok(Vec::new());
        };
        let staging = self
            .build(self.endpoint(), &format!("{root}{GCS_STAGING}"), true)
            .await?;
        // A write that was dropped (by its timeout) removes its staged parts in the background:
        // give that a few seconds.
        let mut left = Vec::new();
        for _ in 0..10 {
            let entries = staging
                .list_all("")
                .await
                .map_err(|err| format!("check staged objects: {err}"))?;
            left = entries
                .into_iter()
                .map(|entry| entry.path.as_str().to_owned())
                .collect();
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok(left)
    }

    /// Whether the matrix runs `op` here: a parallel composite upload and a streamed upload
    /// in chunks are modes of their own on GCS only (on S3 and Azure, a large write is the
    /// multipart write, streamed part by part, parts in parallel).
    pub(crate) fn runs(&self, op: Op) -> bool {
        !matches!(op, Op::CompositeWrite | Op::StreamedWrite) || matches!(self, Target::Gcs { .. })
    }

    /// The reason `op` may fail after `fault` struck once, if there is one. Every such reason
    /// is shown under the service's matrix in docs/reliability.md.
    pub(crate) fn contract(&self, op: Op, fault: FaultKind) -> Option<&'static str> {
        match (self, op, fault) {
            (
                Target::Gcs { .. },
                Op::MultipartWrite | Op::StreamedWrite,
                FaultKind::ResetBeforeResponse | FaultKind::ResetDuringUpload | FaultKind::Stall,
            ) => Some(
                "NOT a service contract but a client defect: after a chunk request that gets no \
                 answer, google-cloud-storage 1.21 sends the next chunk at the failed one's \
                 offset instead of asking GCS where to resume (googleapis/google-cloud-rust#6685, \
                 open), so rs-storage ends such a chunked upload with a temporary error rather \
                 than let it write wrong bytes (every write above the single-upload limit is \
                 chunked: its body is streamed past the store's progress watchdog)",
            ),
            (Target::Gcs { .. }, _, FaultKind::Stall) => Some(
                "NOT a service contract but a client gap, open work: google-cloud-storage's JSON \
                 client gives an attempt no deadline of its own, so one stalled request uses up \
                 the call's whole timeout; over gRPC the retry after a timed-out attempt stalls \
                 too (it seems to reuse the stalled HTTP/2 connection). The call ends in a typed \
                 TimedOut error within the store's timeout and never hangs",
            ),
            _ => None,
        }
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
        if fault.unreachable() {
            return None;
        }
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
            // The first data chunk of the resumable upload (the start request carries only the
            // object's metadata).
            (Target::Gcs { .. }, Op::MultipartWrite) => {
                rule.method("PUT").query_contains("upload_id=")
            }
            // The first chunk of the resumable upload.
            (Target::Gcs { .. }, Op::StreamedWrite) => {
                rule.method("PUT").query_contains("upload_id=")
            }
            (_, Op::StreamedWrite) => rule.method("PUT"),
            // The first staged part, a single-shot upload of its own.
            (Target::Gcs { .. }, Op::CompositeWrite) => {
                rule.method("POST").query_contains("uploadType=multipart")
            }
            (_, Op::CompositeWrite) => rule.method("PUT"),
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
            // Never armed on a proxy: these cells run without one.
            FaultKind::Refused | FaultKind::UnknownHost => Fault::ResetBeforeResponse,
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

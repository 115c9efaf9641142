//! The backends under the matrix: how to build a store that talks through the proxy, which
//! request of an operation a fault strikes, and each service's own throttling answers.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use azure_storage_blob::models::{
    BlobContainerClientListBlobsOptions, BlobType, BlockListType, BlockLookupList,
    ListBlobsIncludeItem,
};
use futures_util::TryStreamExt;
use storage_azblob::{AzBlobBuilder, AzBlobStorage, DEV_ACCOUNT, DEV_ACCOUNT_KEY};
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
/// The quantum GCS takes a resumable upload's chunks in: a chunk received in part keeps a
/// multiple of it, so that the offset the client sends again from stays on it.
const RESUME_QUANTUM: u64 = 256 << 10;

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
    /// listed by a store rooted at their directory; Azure's uncommitted blocks are listed blob
    /// by blob. S3 lists its open uploads itself (`list_multipart_uploads`).
    pub(crate) async fn staged(&self, root: &str) -> Result<Vec<String>, String> {
        match self {
            Target::Gcs { .. } => self.staged_objects(root).await,
            Target::Azure { container, .. } => self.uncommitted_blocks(container, root).await,
            Target::S3 { .. } => Ok(Vec::new()),
        }
    }

    /// Why blocks that a failed write staged may stay behind on this service, if they may:
    /// such leftovers are then noted with the cell's error, not failed as a partial upload.
    pub(crate) fn keeps_staged_after_failure(&self) -> Option<&'static str> {
        matches!(self, Target::Azure { .. }).then_some(
            "Azure's contract: blocks stay uncommitted until the blob's next commit or the \
             service's clean-up a week later, and no call removes them short of committing or \
             deleting the blob, which would change or lose the old one",
        )
    }

    /// Every blob below `root`, committed or not (a write that never committed leaves an
    /// "uncommitted blob" holding its blocks), that holds uncommitted blocks, read past the
    /// proxy with Get Block List. A successful commit discards every block it did not name.
    async fn uncommitted_blocks(&self, container: &str, root: &str) -> Result<Vec<String>, String> {
        let store = self.azure_past_proxy(container)?;
        let client = store.client();
        let options = BlobContainerClientListBlobsOptions {
            include: Some(vec![ListBlobsIncludeItem::UncommittedBlobs]),
            prefix: Some(root.to_owned()),
            ..Default::default()
        };
        let mut blobs = client
            .list_blobs(Some(options))
            .map_err(|err| format!("check uncommitted blobs: {err}"))?;
        let mut left = Vec::new();
        while let Some(blob) = blobs
            .try_next()
            .await
            .map_err(|err| format!("check uncommitted blobs: {err}"))?
        {
            // Only block blobs have blocks (Get Block List on an append blob is a 409).
            let kind = blob.properties.as_ref().and_then(|p| p.blob_type);
            let Some(name) = blob
                .name
                .filter(|_| kind.is_none_or(|k| k == BlobType::BlockBlob))
            else {
                continue;
            };
            let blocks = client
                .blob_client(&name)
                .block_blob_client()
                .get_block_list(BlockListType::Uncommitted, None)
                .await
                .and_then(|list| list.into_model())
                .map_err(|err| format!("check uncommitted blocks of {name}: {err}"))?;
            let count = blocks.uncommitted_blocks.map_or(0, |blocks| blocks.len());
            if count > 0 {
                let path = name.strip_prefix(root).unwrap_or(&name);
                left.push(format!("{count} uncommitted block(s) on {path}"));
            }
        }
        Ok(left)
    }

    /// An Azure store at the server itself, for the SDK calls rs-storage does not make.
    fn azure_past_proxy(&self, container: &str) -> Result<AzBlobStorage, String> {
        AzBlobBuilder::new(container)
            .endpoint(self.endpoint())
            .account(DEV_ACCOUNT)
            .account_key(DEV_ACCOUNT_KEY)
            .max_retries(RETRIES)
            .timeout(TIMEOUT)
            .build()
            .map_err(|err| err.to_string())
    }

    /// Shows that [`staged`](Self::staged) finds what it looks for, before every cell counts on
    /// it finding nothing: on Azure, a block staged on a probe blob (never committed, so an
    /// "uncommitted blob") must be listed; the probe is removed after.
    pub(crate) async fn probe_staged(&self) -> Result<(), String> {
        let Target::Azure { container, .. } = self else {
            return Ok(());
        };
        let root = format!("faults/probe-{}/", std::process::id());
        let store = self.azure_past_proxy(container)?;
        let blob = store.client().blob_client(&format!("{root}blob"));
        let block = bytes::Bytes::from_static(b"probe");
        blob.block_blob_client()
            .stage_block(b"probe-000000", 5, block.into(), None)
            .await
            .map_err(|err| format!("probe: stage a block: {err}"))?;
        let left = self.staged(&root).await;
        // Committing no block discards the staged one; the empty blob is then deleted.
        let none = BlockLookupList::default()
            .try_into()
            .map_err(|err| format!("probe: block list: {err}"))?;
        blob.block_blob_client()
            .commit_block_list(none, None)
            .await
            .map_err(|err| format!("probe: commit: {err}"))?;
        blob.delete(None)
            .await
            .map_err(|err| format!("probe: delete: {err}"))?;
        match left?.as_slice() {
            [one] if one.starts_with("1 uncommitted block(s)") => Ok(()),
            other => Err(format!(
                "probe: a staged block was not found as one uncommitted block: {other:?}"
            )),
        }
    }

    /// GCS's staged part objects below `root`, listed by a store rooted at their directory.
    async fn staged_objects(&self, root: &str) -> Result<Vec<String>, String> {
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

    /// Whether `op` goes up here as a resumable upload in chunks, each answered with what the
    /// service kept (`308` with a `Range`, the last with the object): on GCS, every write
    /// above the single-upload limit.
    pub(crate) fn resumable(&self, op: Op) -> bool {
        matches!(self, Target::Gcs { .. }) && matches!(op, Op::MultipartWrite | Op::StreamedWrite)
    }

    /// The reason `op` may fail after `fault` struck once, if there is one: it must be the
    /// service's contract, and is shown under the service's matrix in docs/reliability.md.
    /// There is none today: every transient fault struck once is recovered from on every
    /// backend (the last excuses, GCS stalls and chunked-upload resets, were client gaps,
    /// closed by `storage-gcs`'s own attempt deadline and resumable uploads).
    pub(crate) fn contract(&self, _op: Op, _fault: FaultKind) -> Option<&'static str> {
        None
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
        // The answers to an upload's chunks are empty 308s but the last, which carries the
        // object; a chunk to cut short may come after a request without data (a status
        // query). The fault waits for the request or answer it can change.
        let rule = if scenario.fault.strikes_chunk_answers(scenario.op) {
            rule.until_struck()
        } else {
            rule
        };
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
            FaultKind::ShortResume => Fault::ShortChunk {
                quantum: RESUME_QUANTUM,
            },
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

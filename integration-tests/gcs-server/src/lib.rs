//! A local Google Cloud Storage server for tests: one in-memory store behind the JSON API, the
//! gRPC `google.storage.v2.Storage` API and V4 signed URLs, all on one TCP port (HTTP/1.1 and
//! h2c), so that the official `google-cloud-storage` clients can run against it.
//!
//! Like GCS with a private bucket, it answers the JSON and gRPC APIs only to callers with a
//! bearer token made from the service-account key it generates (see [`RunningServer`]), unless
//! started with `allow_anonymous` (as a public bucket would, for peers that send no
//! credentials).
//!
//! Embed it with [`start`]; the `gcs-test-server` binary wraps the same function.

mod auth;
mod csek;
mod errors;
mod grpc;
mod json;
mod routes;
mod signed;
mod store;

use anyhow::Context as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind, e.g. `127.0.0.1`.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Buckets to create at startup.
    pub buckets: Vec<String>,
    /// Where to write the generated service-account key, whose tokens and signed URLs the
    /// server accepts (it is also in [`RunningServer::service_account_key`]).
    pub service_account_file: Option<PathBuf>,
    /// Serve requests without credentials (or with any), as for a public bucket. Off by default:
    /// GCS refuses anonymous callers of a private bucket, and so does this server.
    pub allow_anonymous: bool,
    /// The most bytes one RewriteObject call copies, so that tests see multi-call rewrites.
    pub rewrite_step: u64,
    /// Log one line per request (method, path, status) to stderr.
    pub verbose: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_string(),
            port: 0,
            buckets: Vec::new(),
            service_account_file: None,
            allow_anonymous: false,
            rewrite_step: 1 << 20,
            verbose: false,
        }
    }
}

/// A started server. It runs until the process (or the embedding runtime) ends.
#[derive(Debug)]
pub struct RunningServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://HOST:PORT`, the endpoint for the clients.
    pub url: String,
    /// The generated service-account key (JSON): credentials built from it
    /// (google-cloud-auth's service-account builder) are the ones the server accepts.
    pub service_account_key: serde_json::Value,
}

/// State shared by all requests.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: store::Store,
    sessions: Mutex<HashMap<String, json::upload::Session>>,
    rewrites: Mutex<HashMap<String, grpc::rewrite::Progress>>,
    pub(crate) signing_key: signed::SigningKey,
    pub(crate) allow_anonymous: bool,
    pub(crate) rewrite_step: u64,
    /// The bound port, for URLs handed back to clients whose Host header omits it.
    pub(crate) port: u16,
    pub(crate) verbose: bool,
    /// Source of upload ids and rewrite tokens.
    pub(crate) next_id: AtomicU64,
}

impl AppState {
    /// Open resumable uploads. The lock is never held across an await.
    pub(crate) fn sessions(&self) -> MutexGuard<'_, HashMap<String, json::upload::Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rewrites in progress, by token.
    pub(crate) fn rewrites(&self) -> MutexGuard<'_, HashMap<String, grpc::rewrite::Progress>> {
        self.rewrites.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Binds, creates the configured buckets, writes the service-account file, and serves in a
/// background task. When this returns, the server accepts connections.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let store = store::Store::new();
    for bucket in &config.buckets {
        store
            .create_bucket(bucket, "")
            .map_err(|e| anyhow::anyhow!("cannot create bucket {bucket}: {}", e.message))?;
    }
    let signing_key = signed::SigningKey::generate()?;
    let service_account_key = signing_key.service_account_json();
    if let Some(path) = &config.service_account_file {
        let text = serde_json::to_string_pretty(&service_account_key)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
        .await
        .with_context(|| format!("cannot bind {}:{}", config.host, config.port))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        store,
        sessions: Mutex::default(),
        rewrites: Mutex::default(),
        signing_key,
        allow_anonymous: config.allow_anonymous,
        rewrite_step: config.rewrite_step.max(1),
        port: addr.port(),
        verbose: config.verbose,
        next_id: AtomicU64::new(1),
    });
    let app = axum::Router::new()
        .fallback(routes::dispatch)
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("gcs-test-server stopped: {e}");
        }
    });
    Ok(RunningServer {
        addr,
        url: format!("http://{addr}"),
        service_account_key,
    })
}

//! The control-plane (gRPC) client, and a new one after an attempt stalled: gRPC multiplexes
//! every request over one HTTP/2 connection, and once that connection stops answering (a
//! half-dead peer, a stalled proxy) the SDK sends each retry down it again, so a retry after a
//! stall stalled too. A client built afresh dials a new connection; requests already on the
//! old one finish or time out there.

use std::sync::RwLock;

use google_cloud_auth::credentials::Credentials;
use google_cloud_storage::client::StorageControl;
use storage_types::{Error, Result};

use crate::retry::Retry;

/// What a control client is built from.
pub(crate) struct Recipe {
    pub(crate) credentials: Credentials,
    pub(crate) endpoint: Option<String>,
    pub(crate) retry: Retry,
}

impl Recipe {
    async fn build(&self) -> Result<StorageControl> {
        let mut builder = StorageControl::builder()
            .with_credentials(self.credentials.clone())
            .with_retry_policy(self.retry.policy());
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint.clone());
        }
        builder.build().await.map_err(|err| {
            Error::invalid_input("cannot create the GCS client").with_source(err.to_string())
        })
    }
}

/// The store's control client: the current one and how to build the next.
pub(crate) struct Control {
    /// The client, and how many times it was replaced (which stall a caller saw).
    current: RwLock<(StorageControl, u64)>,
    recipe: Recipe,
}

impl Control {
    pub(crate) async fn new(recipe: Recipe) -> Result<Self> {
        let client = recipe.build().await?;
        Ok(Control {
            current: RwLock::new((client, 0)),
            recipe,
        })
    }

    /// The current client (cheap to clone: it shares the connection) and its generation.
    pub(crate) fn client(&self) -> (StorageControl, u64) {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the client of `generation` after one of its requests stalled, unless another
    /// caller has replaced it already. A client that cannot be built leaves the old one.
    pub(crate) async fn replace(&self, generation: u64) {
        if self.client().1 != generation {
            return;
        }
        match self.recipe.build().await {
            Ok(client) => {
                let mut current = match self.current.write() {
                    Ok(current) => current,
                    Err(poisoned) => poisoned.into_inner(),
                };
                if current.1 == generation {
                    *current = (client, generation + 1);
                    tracing::debug!("a gRPC request stalled: the next ones go on a new connection");
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot build a new GCS control client"),
        }
    }
}

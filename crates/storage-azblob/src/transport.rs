//! The HTTP client under the Azure SDK when a store sets a timeout: the client the SDK would
//! build for blob storage (no redirects, no automatic decompression, which would change the
//! bytes of a blob stored with a Content-Encoding), with the store's connect and read timeouts
//! in place of the SDK's 20 s and 60 s.

use std::sync::Arc;
use std::time::Duration;

use azure_core::http::Transport;
use storage_types::{Error, Result};

/// A transport whose attempts fail after `timeout` without connecting or without a byte.
pub(crate) fn with_timeout(timeout: Duration) -> Result<Transport> {
    let client = reqwest::Client::builder()
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .gzip(false)
        .deflate(false)
        .build()
        .map_err(|err| Error::invalid_input(format!("cannot build the HTTP client: {err}")))?;
    Ok(Transport::new(Arc::new(client)))
}

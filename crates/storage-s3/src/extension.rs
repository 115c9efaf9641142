//! S3-only options travel in the typed extension slot of any operation's options; the
//! [`S3Options`] data itself lives in `config.rs`, beside the builder that holds defaults.

use storage_types::Extension;

use crate::S3Options;

impl Extension for S3Options {
    fn service(&self) -> &'static str {
        crate::SCHEME
    }
}

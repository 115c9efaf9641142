//! `-v` / `-vv` / `-vvv`: a tracing subscriber on standard error for the storage layer's spans
//! and events (and at `-vvv` the vendor SDKs'). `RUST_LOG`, when set, chooses the levels
//! instead. Nothing is installed by default or with `-q`.
//!
//! The central layer (storage-types' `layer.rs`) opens one DEBUG span per operation, named
//! `storage`, with the fields `service`, `operation`, `path`, `bytes` and `outcome` (paths and
//! kinds, never credentials); retries and resumed downloads are DEBUG events of the backends.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::session::GlobalArgs;

/// The crates of this workspace: what `-v` and `-vv` show.
const OURS: [&str; 9] = [
    "storage",
    "storage_types",
    "storage_s3",
    "storage_azblob",
    "storage_gcs",
    "storage_fs",
    "storage_memory",
    "storage_io",
    "storage_cli",
];

/// What `-v` adds at DEBUG to its INFO: the operation spans (shown when they close, with their
/// outcome) and the events that say a request is tried again.
const OUTCOMES_AND_RETRIES: [&str; 4] = [
    "storage_types::layer",
    "storage_types::resume",
    "storage_gcs::attempt",
    "storage_gcs::resumable::transport",
];

/// The vendor SDKs `-vvv` adds at DEBUG. Left out on purpose: `aws_sigv4` (its DEBUG lines
/// carry canonical requests with session-token headers) and the credential crates
/// (`google_cloud_auth`, `azure_identity`), which handle tokens.
const VENDORS: [&str; 11] = [
    "aws_config",
    "aws_sdk_s3",
    "aws_sdk_sts",
    "aws_smithy_runtime",
    "aws_smithy_http_client",
    "azure_core",
    "azure_storage_blob",
    // Azure's HTTP pipeline: each request's URL with its query (a SAS) masked.
    "typespec_client_core",
    "google_cloud_storage",
    "google_cloud_gax",
    "google_cloud_gax_internal",
];

/// Installs the subscriber the flags (or `RUST_LOG`) ask for.
pub(crate) fn init(global: &GlobalArgs) {
    if global.quiet {
        return;
    }
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let filter = match from_env {
        Some(value) => match EnvFilter::try_new(&value) {
            Ok(filter) => filter,
            Err(err) => {
                eprintln!("stor: RUST_LOG ignored: {err}");
                match directives(global.verbose) {
                    Some(directives) => EnvFilter::new(directives),
                    None => return,
                }
            }
        },
        None => match directives(global.verbose) {
            Some(directives) => EnvFilter::new(directives),
            None => return,
        },
    };
    // `RUST_LOG` without `-v` gets the detail of `-vv`: whoever sets it wants to see.
    let verbose = if global.verbose == 0 {
        2
    } else {
        global.verbose
    };
    let layer = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter);
    // A second subscriber cannot be installed; that is not worth failing a command over.
    let _ = if verbose == 1 {
        // One line per operation when it ends (its outcome and bytes), without timestamps.
        layer
            .without_time()
            .with_target(false)
            .with_span_events(FmtSpan::CLOSE)
            .try_init()
    } else {
        // Each request's span when it opens and when it closes, with its busy and idle time.
        layer
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .try_init()
    };
}

/// The filter directives of `-v` x `verbose` (none for 0): warnings from anything, then the
/// levels named above.
fn directives(verbose: u8) -> Option<String> {
    let mut directives = vec!["warn".to_owned()];
    match verbose {
        0 => return None,
        1 => {
            directives.extend(OURS.iter().map(|name| format!("{name}=info")));
            directives.extend(OUTCOMES_AND_RETRIES.iter().map(|t| format!("{t}=debug")));
        }
        2 => directives.extend(OURS.iter().map(|name| format!("{name}=debug"))),
        _ => {
            directives.extend(OURS.iter().map(|name| format!("{name}=debug")));
            directives.extend(VENDORS.iter().map(|name| format!("{name}=debug")));
        }
    }
    Some(directives.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flag_no_subscriber() {
        assert_eq!(directives(0), None);
    }

    #[test]
    fn each_level_adds_to_the_one_before() {
        let one = directives(1).unwrap_or_default();
        assert!(one.contains("storage_s3=info"), "{one}");
        assert!(one.contains("storage_types::layer=debug"), "{one}");
        assert!(!one.contains("aws_"), "{one}");
        let two = directives(2).unwrap_or_default();
        assert!(two.contains("storage_types=debug"), "{two}");
        assert!(two.contains("storage_cli=debug"), "{two}");
        assert!(!two.contains("aws_"), "{two}");
        let three = directives(3).unwrap_or_default();
        assert!(three.contains("aws_smithy_runtime=debug"), "{three}");
        assert!(three.contains("azure_core=debug"), "{three}");
        assert_eq!(directives(7), directives(3));
    }

    #[test]
    fn no_signing_or_credential_crate_is_turned_up() {
        let all = directives(u8::MAX).unwrap_or_default();
        for secretive in ["aws_sigv4", "google_cloud_auth", "azure_identity"] {
            assert!(!all.contains(secretive), "{all}");
        }
    }

    #[test]
    fn every_directive_parses() {
        for verbose in 1..=3 {
            let text = directives(verbose).unwrap_or_default();
            assert!(EnvFilter::try_new(&text).is_ok(), "{text}");
        }
    }
}

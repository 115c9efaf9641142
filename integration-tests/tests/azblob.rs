//! The conformance suite against Azurite, which `cargo xtask test` started: once with shared-key
//! auth (`RS_STORAGE_AZBLOB_SERVICE=azblob`) and once with a container SAS only
//! (`azblob-sas`). It fails loudly when the server is missing: nothing passes by skipping.
//!
//! Environment: `RS_STORAGE_AZBLOB_SERVICE`, `RS_STORAGE_AZBLOB_ENDPOINT`
//! (`http://127.0.0.1:PORT/devstoreaccount1`), `RS_STORAGE_AZBLOB_CONTAINER`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use storage_azblob::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY, container_sas_token};
use storage_conformance::ServerGap;
use storage_types::{ErrorKind, Storage};

/// What Azurite does not do, so cannot judge.
const AZURITE_GAPS: &[ServerGap] = &[
    ServerGap {
        case: "encryption::kms_round_trip",
        reason: "reports a blob's encryption scope (Azurite takes x-ms-encryption-scope and \
                 never sends it back)",
    },
    ServerGap {
        case: "encryption::customer_key_round_trip",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_needed_to_read",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::other_customer_key_fails",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_stat",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_needed_to_stat",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_multipart",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_multipart_needs_key",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
    ServerGap {
        case: "encryption::customer_key_streamed_in_parts",
        reason: "accepts customer-provided keys over http (Azurite refuses them)",
    },
];

/// What Azurite does not do under a SAS, on top of the above.
const AZURITE_SAS_GAPS: &[ServerGap] = &[ServerGap {
    case: "append::twice_then_commit",
    reason: "seals append blobs under a SAS (Azurite answers 500 to Append Blob Seal)",
}];

fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!(
            "{name} is not set: run the Azure suite through `cargo xtask test --service azblob`"
        )
    })
}

fn main() -> ExitCode {
    let (service, endpoint, container) = match (
        required("RS_STORAGE_AZBLOB_SERVICE"),
        required("RS_STORAGE_AZBLOB_ENDPOINT"),
        required("RS_STORAGE_AZBLOB_CONTAINER"),
    ) {
        (Ok(s), Ok(e), Ok(c)) => (s, e, c),
        (s, e, c) => {
            for message in [s.err(), e.err(), c.err()].into_iter().flatten() {
                eprintln!("FAIL {message}");
            }
            return ExitCode::FAILURE;
        }
    };
    let sas_only = service.ends_with("sas");
    let label = service.clone();
    let gaps: Vec<ServerGap> = match sas_only {
        true => AZURITE_GAPS
            .iter()
            .chain(AZURITE_SAS_GAPS)
            .copied()
            .collect(),
        false => AZURITE_GAPS.to_vec(),
    };
    let expiry = SystemTime::now() + Duration::from_secs(3 * 3600);
    let token = container_sas_token(DEV_ACCOUNT, DEV_ACCOUNT_KEY, &container, "racwdl", expiry)
        .expect("a container SAS");
    let mut secrets = vec![DEV_ACCOUNT_KEY.to_owned()];
    secrets.extend(sas_signature(&token));
    if let Err(message) = storage_conformance::watch_secrets(secrets) {
        eprintln!("FAIL {message}");
        return ExitCode::FAILURE;
    }
    storage_conformance::main_for_server(&label, &gaps, move || async move {
        let keyed = AzBlobBuilder::new(&container)
            .endpoint(&endpoint)
            .account(DEV_ACCOUNT)
            .account_key(DEV_ACCOUNT_KEY)
            .build()
            .expect("the Azure store builds");
        // The container is created here, through our own API, so that the run needs no other
        // tool.
        match keyed.create_bucket(&container).await {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => panic!("cannot create container {container}: {err}"),
        }
        if !sas_only {
            let store: Arc<dyn Storage> = Arc::new(keyed);
            return store;
        }
        let store = AzBlobBuilder::new(&container)
            .endpoint(&endpoint)
            .account(DEV_ACCOUNT)
            .sas_token(token)
            .build()
            .expect("the SAS-only Azure store builds");
        let store: Arc<dyn Storage> = Arc::new(store);
        store
    })
}

/// The signature of a SAS token (its `sig` value, decoded), the part that is a secret.
fn sas_signature(token: &str) -> Option<String> {
    let sig = token
        .split('&')
        .find_map(|pair| pair.strip_prefix("sig="))?;
    Some(
        sig.replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=")
            .replace("%2b", "+")
            .replace("%2f", "/")
            .replace("%3d", "="),
    )
}

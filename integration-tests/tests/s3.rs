//! The conformance suite against an S3-compatible server that `cargo xtask test` started
//! (SeaweedFS or moto). It fails loudly when the server is missing: nothing passes by skipping.
//!
//! Environment: `RS_STORAGE_S3_ENDPOINT`, `RS_STORAGE_S3_SERVICE` (the name in the summary
//! line), `RS_STORAGE_S3_BUCKET`, `RS_STORAGE_S3_ACCESS_KEY`, `RS_STORAGE_S3_SECRET_KEY`, and
//! optionally `RS_STORAGE_S3_CHECKSUM` (`when-supported` or `when-required`) and
//! `RS_STORAGE_S3_PAYLOAD_SIGNING` (`true` or `false`).

use std::process::ExitCode;
use std::sync::Arc;

use storage_conformance::ServerGap;
use storage_s3::{ChecksumMode, S3Builder};
use storage_types::{ErrorKind, Storage};

/// What moto (a breadth check; SeaweedFS is the proof) does not enforce, so cannot judge.
const MOTO_GAPS: &[ServerGap] = &[
    ServerGap {
        case: "encryption::customer_key_needed_to_stat",
        reason: "refuses a HEAD of an SSE-C object without the key (moto answers it)",
    },
    ServerGap {
        case: "encryption::customer_key_needed_to_read",
        reason: "refuses reads of SSE-C objects without the key (moto serves them)",
    },
    ServerGap {
        case: "encryption::other_customer_key_fails",
        reason: "refuses reads of SSE-C objects with the wrong key (moto serves them)",
    },
    ServerGap {
        case: "encryption::customer_key_multipart_needs_key",
        reason: "refuses reads of SSE-C objects without the key (moto serves them)",
    },
    ServerGap {
        case: "encryption::customer_key_streamed_in_parts",
        reason: "refuses reads of SSE-C objects without the key (moto serves them)",
    },
    ServerGap {
        case: "encryption::customer_key_copy",
        reason: "refuses reads of SSE-C objects with the wrong key (moto serves them)",
    },
    ServerGap {
        case: "integrity::wrong_crc32c_is_refused",
        reason: "checks x-amz-checksum-crc32c against the body (moto does not)",
    },
    ServerGap {
        case: "integrity::wrong_md5_is_refused",
        reason: "checks Content-MD5 against the body (moto does not)",
    },
    ServerGap {
        case: "presign::tampered_signature_is_refused",
        reason: "checks signatures (moto does not)",
    },
    ServerGap {
        case: "copy::create_only_when_present_fails",
        reason: "honours If-None-Match on CopyObject (moto ignores it)",
    },
    ServerGap {
        case: "rename::create_only_when_present_fails",
        reason: "honours If-None-Match on CopyObject (moto ignores it)",
    },
    ServerGap {
        case: "multipart::complete_unknown_upload_is_not_found",
        reason: "answers NoSuchUpload for an unknown upload (moto answers 500 without a body)",
    },
];

fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!("{name} is not set: run the S3 suite through `cargo xtask test --service s3`")
    })
}

struct Settings {
    service: String,
    endpoint: String,
    bucket: String,
    access_key: String,
    secret_key: String,
    checksum: ChecksumMode,
    payload_signing: Option<bool>,
}

fn settings() -> Result<Settings, String> {
    let checksum = match std::env::var("RS_STORAGE_S3_CHECKSUM").as_deref() {
        Ok("when-required") => ChecksumMode::WhenRequired,
        _ => ChecksumMode::WhenSupported,
    };
    Ok(Settings {
        service: required("RS_STORAGE_S3_SERVICE")?,
        endpoint: required("RS_STORAGE_S3_ENDPOINT")?,
        bucket: required("RS_STORAGE_S3_BUCKET")?,
        access_key: required("RS_STORAGE_S3_ACCESS_KEY")?,
        secret_key: required("RS_STORAGE_S3_SECRET_KEY")?,
        checksum,
        payload_signing: match std::env::var("RS_STORAGE_S3_PAYLOAD_SIGNING").as_deref() {
            Ok("false") => Some(false),
            Ok("true") => Some(true),
            _ => None,
        },
    })
}

fn main() -> ExitCode {
    let settings = match settings() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("FAIL {message}");
            return ExitCode::FAILURE;
        }
    };
    let service = settings.service.clone();
    if let Err(message) = storage_conformance::watch_secrets([settings.secret_key.clone()]) {
        eprintln!("FAIL {message}");
        return ExitCode::FAILURE;
    }
    let gaps = if service.ends_with("moto") {
        MOTO_GAPS
    } else {
        &[]
    };
    storage_conformance::main_for_server(&service, gaps, move || async move {
        let mut builder = S3Builder::new(&settings.bucket);
        if let Some(on) = settings.payload_signing {
            builder = builder.payload_signing(on);
        }
        let store = builder
            .endpoint(&settings.endpoint)
            .region("us-east-1")
            .force_path_style(true)
            .credentials(&settings.access_key, &settings.secret_key, None)
            .checksum(settings.checksum)
            .max_attempts(3)
            .build()
            .await
            .expect("the S3 store builds");
        // The bucket is created here, through our own API, so that the run needs no other tool.
        match store.create_bucket(&settings.bucket).await {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => panic!("cannot create bucket {}: {err}", settings.bucket),
        }
        let store: Arc<dyn Storage> = Arc::new(store);
        store
    })
}

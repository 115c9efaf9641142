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

/// What SeaweedFS (the proof) does not do, so cannot judge.
const SEAWEEDFS_GAPS: &[ServerGap] = &[ServerGap {
    case: "multipart::reupload_listed_once",
    reason: "lists a part's latest upload (SeaweedFS keeps both uploads of a part under one \
             timestamp and may list the older)",
}];

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
        // moto serves STS too: the role assumption is checked end to end before the suite.
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        match runtime.block_on(sts::role_goes_to_sts_only(&settings)) {
            Ok(()) => println!("ok   sts: role assumed at STS, never at the S3 endpoint"),
            Err(message) => {
                eprintln!("FAIL sts: {message}");
                return ExitCode::FAILURE;
            }
        }
        MOTO_GAPS
    } else {
        SEAWEEDFS_GAPS
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

/// Role assumption against moto's STS, with the S3 traffic sent through a recording proxy in
/// front of the same moto: the proxy must see the store's S3 requests, signed with the
/// assumed role's key, and never an AssumeRole.
mod sts {
    use std::sync::{Arc, Mutex};

    use storage_types::StorageExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use storage_types::Storage;

    use super::{ErrorKind, S3Builder, Settings};

    /// A loopback proxy to `target` that keeps every byte clients send.
    async fn recording_proxy(target: String) -> Result<(String, Arc<Mutex<Vec<u8>>>), String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (target, log) = (target.clone(), log.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    });
                    let mut buf = vec![0; 64 * 1024];
                    while let Ok(n) = client_read.read(&mut buf).await {
                        if n == 0 || server_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        if let Ok(mut log) = log.lock() {
                            log.extend_from_slice(&buf[..n]);
                        }
                    }
                });
            }
        });
        Ok((url, sent))
    }

    pub(super) async fn role_goes_to_sts_only(settings: &Settings) -> Result<(), String> {
        let moto = settings.endpoint.trim_start_matches("http://").to_owned();
        let (proxy, sent) = recording_proxy(moto).await?;
        let store = S3Builder::new(&settings.bucket)
            .endpoint(&proxy)
            .region("us-east-1")
            .credentials(&settings.access_key, &settings.secret_key, None)
            .role_arn("arn:aws:iam::123456789012:role/backup")
            .external_id("br-external-id")
            .sts_endpoint(&settings.endpoint)
            .build()
            .await
            .map_err(|e| format!("build: {e}"))?;
        match store.create_bucket(&settings.bucket).await {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => return Err(format!("create bucket: {err}")),
        }
        store
            .write_bytes("sts/role.txt", "assumed")
            .await
            .map_err(|e| format!("write: {e}"))?;
        let back = store
            .read_bytes("sts/role.txt")
            .await
            .map_err(|e| format!("read: {e}"))?;
        if back != "assumed" {
            return Err(format!("read back {back:?}"));
        }
        store
            .delete("sts/role.txt")
            .await
            .map_err(|e| format!("delete: {e}"))?;
        let sent = match sent.lock() {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => return Err("the proxy's record is poisoned".to_owned()),
        };
        if sent.contains("AssumeRole") {
            return Err("an AssumeRole went to the S3 endpoint".to_owned());
        }
        if !sent.contains("PUT ") || !sent.contains("Credential=ASIA") {
            return Err("the S3 requests were not signed with the assumed role's key".to_owned());
        }
        if sent.contains(&format!("Credential={}/", settings.access_key)) {
            return Err("an S3 request was signed with the base key, not the role's".to_owned());
        }
        Ok(())
    }
}

//! Azurite refuses customer-provided keys over http, so this proves the CPK wiring another way:
//! a transport that captures every outgoing request (and answers like the service would), and
//! checks that reads, writes, staged blocks, block lists, appends and properties calls all
//! carry the key, its SHA-256 and the algorithm, and that no key reaches `Debug` output.

// Test helpers outside #[test] functions may unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use azure_core::http::headers::Headers;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{AsyncRawResponse, Context, Method, Request, StatusCode, Transport};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use storage_azblob::{AzBlobBuilder, DEV_ACCOUNT, DEV_ACCOUNT_KEY};
use storage_types::{Body, CustomerKey, Encryption, PartOptions, Storage, WriteOptions};

/// One captured request: method, path and query, and its headers (lower-case names).
#[derive(Debug, Clone)]
struct Captured {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Records requests and answers each like Blob Storage would, with just enough headers.
#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<Captured>>,
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait]
impl Policy for Recorder {
    async fn send(
        &self,
        _ctx: &Context,
        request: &mut Request,
        _next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let captured = Captured {
            method: request.method(),
            url: request.url().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_str().to_owned()))
                .collect(),
        };
        self.seen.lock().unwrap().push(captured.clone());
        let mut headers = Headers::new();
        headers.insert("etag", "\"0x8D0000000000001\"");
        headers.insert("last-modified", "Thu, 26 Nov 2026 06:00:00 GMT");
        headers.insert("x-ms-request-id", "test");
        let response = match captured.method {
            Method::Head => {
                headers.insert("content-length", "5");
                headers.insert("x-ms-blob-type", "BlockBlob");
                AsyncRawResponse::from_bytes(StatusCode::Ok, headers, Vec::new())
            }
            Method::Get => {
                headers.insert("content-length", "5");
                headers.insert("content-range", "bytes 0-4/5");
                headers.insert("x-ms-blob-type", "BlockBlob");
                AsyncRawResponse::from_bytes(StatusCode::PartialContent, headers, b"hello".to_vec())
            }
            _ => {
                headers.insert("x-ms-blob-append-offset", "0");
                headers.insert("x-ms-request-server-encrypted", "true");
                AsyncRawResponse::from_bytes(StatusCode::Created, headers, Vec::new())
            }
        };
        Ok(response)
    }
}

fn key() -> CustomerKey {
    CustomerKey::new([5u8; 32])
}

#[tokio::test]
async fn every_data_request_carries_the_customer_key() {
    let recorder = Arc::new(Recorder::default());
    let store = AzBlobBuilder::new("container")
        .endpoint(format!("http://127.0.0.1:9/{DEV_ACCOUNT}"))
        .account(DEV_ACCOUNT)
        .account_key(DEV_ACCOUNT_KEY)
        .encryption(Encryption::CustomerKey(key()))
        .transport(Transport::with_policy(recorder.clone()))
        .build()
        .unwrap();

    store.stat("obj").await.unwrap();
    let read = store.read("obj").await.unwrap();
    assert_eq!(read.bytes().await.unwrap(), "hello");
    store.write("obj", Body::from("small")).await.unwrap();
    let blocks = WriteOptions::default().with_part_size(2u64);
    store
        .write_with("big", Body::from_stream(chunks(), None), blocks)
        .await
        .unwrap();
    store.create_append("log").await.unwrap();
    let per_request = PartOptions::default().with_encryption(Encryption::CustomerKey(key()));
    store
        .append_with("log", 0, Body::from("entry"), per_request)
        .await
        .unwrap();

    let seen = recorder.seen.lock().unwrap().clone();
    let expected_key = STANDARD.encode([5u8; 32]);
    let expected_sha = STANDARD.encode(Sha256::digest([5u8; 32]));
    let kinds = [
        (
            "properties (HEAD)",
            Box::new(|c: &Captured| c.method == Method::Head) as Box<dyn Fn(&Captured) -> bool>,
        ),
        (
            "read (GET)",
            Box::new(|c: &Captured| c.method == Method::Get),
        ),
        (
            "put blob",
            Box::new(|c: &Captured| {
                c.method == Method::Put
                    && !c.url.contains("comp=")
                    && c.header("x-ms-blob-type") == Some("BlockBlob")
            }),
        ),
        (
            "stage block",
            Box::new(|c: &Captured| c.url.contains("comp=block&") || c.url.ends_with("comp=block")),
        ),
        (
            "block list",
            Box::new(|c: &Captured| c.url.contains("comp=blocklist")),
        ),
        (
            "create append blob",
            Box::new(|c: &Captured| c.header("x-ms-blob-type") == Some("AppendBlob")),
        ),
        (
            "append block",
            Box::new(|c: &Captured| c.url.contains("comp=appendblock")),
        ),
    ];
    for (name, matches) in &kinds {
        let requests: Vec<&Captured> = seen.iter().filter(|c| matches(c)).collect();
        assert!(
            !requests.is_empty(),
            "no {name} request was sent: {seen:#?}"
        );
        for request in requests {
            assert_eq!(
                request.header("x-ms-encryption-key"),
                Some(expected_key.as_str()),
                "{name}"
            );
            assert_eq!(
                request.header("x-ms-encryption-key-sha256"),
                Some(expected_sha.as_str()),
                "{name}"
            );
            assert_eq!(
                request.header("x-ms-encryption-algorithm"),
                Some("AES256"),
                "{name}"
            );
            // Every request is signed with the account key, too.
            let auth = request.header("authorization").unwrap_or_default();
            assert!(
                auth.starts_with("SharedKey devstoreaccount1:"),
                "{name}: {auth}"
            );
        }
    }
    // The key never shows in the store's Debug output.
    assert!(!format!("{store:?}").contains(&expected_key));
}

fn chunks()
-> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::iter(vec![Ok(bytes::Bytes::from_static(b"abcde"))])
}

//! Unit tests of what goes on the wire, against the loopback stub: Content-MD5 for vendors and
//! object lock, the bucket-region redirect followed once, a role assumed at STS's endpoint and
//! never at the S3 one, and the error a store without credentials gives.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use storage_types::{ErrorKind, ObjectPath, Storage, StorageExt};

use crate::stub::{Reply, Seen, serve};
use crate::{Provider, S3Builder, S3Storage};

fn ok(seen: &Seen) -> Reply {
    if seen.method == "POST" {
        return (200, vec![], "<DeleteResult></DeleteResult>".to_owned());
    }
    (200, vec![("etag", "\"e\"".to_owned())], String::new())
}

fn store(endpoint: &str) -> S3Builder {
    S3Builder::new("bkt")
        .endpoint(endpoint)
        .region("us-east-1")
        .credentials("AKID", "SECRET", None)
}

fn has_checksum_header(seen: &Seen) -> bool {
    seen.headers
        .iter()
        .any(|(n, _)| n.starts_with("x-amz-checksum-") || n == "x-amz-sdk-checksum-algorithm")
}

#[tokio::test]
async fn a_vendor_gets_content_md5_instead_of_checksum_headers() {
    let stub = serve(ok).await;
    let s = store(&stub.url)
        .provider(Provider::Minio)
        .build()
        .await
        .unwrap();
    s.write_bytes("a.txt", "hello").await.unwrap();
    let paths = [
        ObjectPath::parse("a").unwrap(),
        ObjectPath::parse("b").unwrap(),
    ];
    storage_types::backend::Backend::delete_many(&s, &paths)
        .await
        .unwrap();
    let seen = stub.seen();
    let put = seen.iter().find(|r| r.method == "PUT").unwrap();
    assert!(
        put.target.starts_with("/bkt/a.txt"),
        "path style by default"
    );
    assert_eq!(
        put.header("content-md5"),
        Some(STANDARD.encode(Md5::digest(b"hello")).as_str())
    );
    let delete = seen.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        delete.header("content-md5"),
        Some(STANDARD.encode(Md5::digest(&delete.body)).as_str())
    );
    for request in [put, delete] {
        assert!(!has_checksum_header(request), "{}", request.text());
    }
}

#[tokio::test]
async fn object_lock_adds_content_md5_to_the_sdk_checksums() {
    let stub = serve(ok).await;
    let s = store(&stub.url)
        .object_lock_enabled(true)
        .build()
        .await
        .unwrap();
    s.write_bytes("a.txt", "locked").await.unwrap();
    let put = stub.seen().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.header("content-md5"),
        Some(STANDARD.encode(Md5::digest(b"locked")).as_str())
    );
    assert!(
        put.header("x-amz-checksum-crc32").is_some(),
        "{}",
        put.text()
    );

    let plain = serve(ok).await;
    let s = store(&plain.url).build().await.unwrap();
    s.write_bytes("a.txt", "free").await.unwrap();
    let put = plain
        .seen()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(put.header("content-md5"), None);
}

#[tokio::test]
async fn sse_kms_without_a_key_names_none() {
    let stub = serve(ok).await;
    let query = [("sse", "aws:kms")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let b = S3Builder::from_query("bkt", "", &query).unwrap();
    let s = S3Builder {
        ..b.endpoint(&stub.url)
            .region("us-east-1")
            .credentials("AKID", "SECRET", None)
    }
    .build()
    .await
    .unwrap();
    s.write_bytes("k", "x").await.unwrap();
    let put = stub.seen().into_iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        put.header("x-amz-server-side-encryption-aws-kms-key-id"),
        None
    );
}

/// The region a request was signed for, from its Authorization header.
fn signed_region(seen: &Seen) -> String {
    let auth = seen.header("authorization").unwrap_or_default();
    auth.split('/').nth(2).unwrap_or_default().to_owned()
}

fn redirecting(seen: &Seen) -> Reply {
    if signed_region(seen) == "eu-west-3" {
        return (200, vec![], String::new());
    }
    let region = vec![("x-amz-bucket-region", "eu-west-3".to_owned())];
    (
        301,
        region,
        "<Error><Code>PermanentRedirect</Code></Error>".to_owned(),
    )
}

#[tokio::test]
async fn a_bucket_in_another_region_is_followed_once() {
    let stub = serve(redirecting).await;
    let client = crate::client::sdk_client(&store(&stub.url)).await.client;
    // As `build` leaves a store that nothing gave a region.
    let s = S3Builder {
        detect_region: true,
        ..S3Builder::new("bkt-far")
    }
    .build_with_client(client)
    .unwrap();
    s.stat("k").await.unwrap();
    s.stat("k").await.unwrap();
    let seen = stub.seen();
    let trail: Vec<_> = seen
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.target.split('?').next().unwrap(),
                signed_region(r),
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            ("HEAD", "/bkt-far/", "us-east-1".to_owned()),
            ("HEAD", "/bkt-far/k", "eu-west-3".to_owned()),
            ("HEAD", "/bkt-far/k", "eu-west-3".to_owned()),
        ]
    );
    assert_eq!(s.client().config().region().unwrap().as_ref(), "eu-west-3");
}

#[tokio::test]
async fn a_region_given_is_not_second_guessed_but_a_redirect_says_where() {
    let stub = serve(redirecting).await;
    let s = store(&stub.url).build().await.unwrap();
    let err = s.stat("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("region=eu-west-3"), "{err}");
    assert_eq!(stub.seen().len(), 1);
}

fn sts(seen: &Seen) -> Reply {
    assert!(seen.text().contains("AssumeRole"), "{}", seen.text());
    let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
        <AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey>\
        <SessionToken>roletoken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
        </Credentials><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>\
        <AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>\
        </AssumeRoleResponse>";
    (
        200,
        vec![("content-type", "text/xml".to_owned())],
        xml.to_owned(),
    )
}

#[tokio::test]
async fn a_role_is_assumed_at_sts_never_at_the_s3_endpoint() {
    let (s3, sts) = (serve(ok).await, serve(sts).await);
    let s = store(&s3.url)
        .role_arn("arn:aws:iam::123456789012:role/backup")
        .external_id("ext-42")
        .sts_endpoint(&sts.url)
        .build()
        .await
        .unwrap();
    s.write_bytes("k", "x").await.unwrap();
    let asked = sts.seen();
    assert_eq!(asked.len(), 1);
    let body = String::from_utf8_lossy(&asked[0].body).into_owned();
    assert!(
        body.contains("ExternalId=ext-42") && body.contains("role%2Fbackup"),
        "{body}"
    );
    assert!(
        asked[0]
            .header("authorization")
            .unwrap()
            .contains("Credential=AKID/")
    );
    let sent = s3.seen();
    assert!(sent.iter().all(|r| !r.text().contains("AssumeRole")));
    let put = sent.iter().find(|r| r.method == "PUT").unwrap();
    assert!(
        put.header("authorization")
            .unwrap()
            .contains("Credential=ASIAROLE/")
    );
    assert_eq!(put.header("x-amz-security-token"), Some("roletoken"));
}

#[tokio::test]
async fn missing_credentials_name_the_ways_to_give_them() {
    let provider = aws_credential_types::provider::SharedCredentialsProvider::new(NoCredentials);
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(provider)
        .build();
    let s = S3Storage::from_client(aws_sdk_s3::Client::from_conf(conf), "bkt").unwrap();
    let err = s.stat("k").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(err.message(), crate::error::NO_CREDENTIALS);
}

#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded("none here"),
        ))
    }
}

/// Marks the copy of this test binary that runs in an empty environment.
const CHILD: &str = "RS_STORAGE_S3_EMPTY_ENV_CHILD";

/// The default chain in an empty environment (no keys, no profile files, IMDS off or
/// unreachable) ends in the one-line error, quickly. The environment cannot be emptied inside
/// a running test, so the test runs itself again as a child process with none.
#[tokio::test]
async fn an_empty_environment_is_unauthenticated_quickly() {
    if let Ok(imds) = std::env::var(CHILD) {
        assert!(!imds.is_empty());
        let s = S3Builder::new("bkt")
            .endpoint("http://127.0.0.1:9")
            .region("us-east-1")
            .build()
            .await
            .unwrap();
        let err = s.stat("k").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
        assert_eq!(err.message(), crate::error::NO_CREDENTIALS);
        return;
    }
    let name = "wire_tests::an_empty_environment_is_unauthenticated_quickly";
    for imds in [
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"),
    ] {
        let started = Instant::now();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture"])
            .env_clear()
            .env("HOME", "/nonexistent-rs-storage-home")
            .env(CHILD, imds.0)
            .env(imds.0, imds.1)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "{imds:?}: {text}"
        );
        assert!(started.elapsed() < Duration::from_secs(30), "{imds:?}");
    }
}

//! S3 rows of the BR compatibility table (owner: the S3 work). How to add a row:
//!
//! - one `Row` per BR URL key of `s3://` (pingcap/tidb `br/pkg/storage/s3.go`, `parse.go`:
//!   `endpoint`, `region`, `storage-class`, `sse`, `sse-kms-key-id`, `acl`, `access-key`,
//!   `secret-access-key`, `session-token`, `provider`, `force-path-style`,
//!   `use-accelerate-endpoint`, `role-arn`, `external-id`, `object-lock-enabled`, ...) and per
//!   field of kvproto's `S3` message (`S3.endpoint`, `S3.force_path_style`, ...: the names
//!   `storage::kvproto::S3` uses);
//! - `br`: what BR / TiKV does with it; `ours`: what rs-storage does (one sentence each);
//! - `check`: `Check::Server(|ctx| check(async move { ... }))` when SeaweedFS can judge it (a
//!   write it stores or refuses), else `Check::Config(...)` on the parsed builder or opened
//!   store. The server's environment: `ctx.var("RS_STORAGE_S3_ENDPOINT")`, `..._BUCKET`,
//!   `..._ACCESS_KEY`, `..._SECRET_KEY`; put objects under `ctx.prefix("row-name")`;
//! - run: `cargo xtask test --service s3-seaweedfs --skip-unit` (prints
//!   `br-compat s3-seaweedfs: N passed, M failed`); then `cargo xtask docs` refreshes the table
//!   in docs/urls.md.

use std::collections::BTreeMap;
use std::sync::Arc;

use storage::kvproto::{S3, StorageBackend};
use storage_s3::S3Builder;
use storage_types::{ErrorKind, Storage, StorageExt};

use super::{Check, CheckResult, Ctx, Row, Source, check};

const SERVICE: &str = "s3";

fn url_key(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new(SERVICE, Source::UrlKey, name, br, ours, check)
}

fn field(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new(SERVICE, Source::Kvproto, name, br, ours, check)
}

/// The server's endpoint, bucket and keys.
struct Server {
    endpoint: String,
    bucket: String,
    access_key: String,
    secret_key: String,
}

fn server(ctx: &Ctx) -> Result<Server, String> {
    Ok(Server {
        endpoint: ctx.var("RS_STORAGE_S3_ENDPOINT")?,
        bucket: ctx.var("RS_STORAGE_S3_BUCKET")?,
        access_key: ctx.var("RS_STORAGE_S3_ACCESS_KEY")?,
        secret_key: ctx.var("RS_STORAGE_S3_SECRET_KEY")?,
    })
}

/// A store opened from a BR URL on the server, below the row's prefix, with `extra` keys
/// (`&key=value...`); the bucket is made if missing.
async fn open_url(ctx: &Ctx, row: &str, extra: &str) -> Result<Arc<dyn Storage>, String> {
    let s = server(ctx)?;
    ensure_bucket(&s).await?;
    let url = format!(
        "s3://{}/{}?endpoint={}&access-key={}&secret-access-key={}&region=us-east-1{extra}",
        s.bucket,
        ctx.prefix(row),
        s.endpoint,
        s.access_key,
        s.secret_key
    );
    storage::open(&url).await.map_err(|e| format!("open: {e}"))
}

/// A store opened from a kvproto `S3` message on the server (endpoint, bucket, keys and
/// region filled in), below the row's prefix.
async fn open_message(ctx: &Ctx, row: &str, mut s3: S3) -> Result<Arc<dyn Storage>, String> {
    let s = server(ctx)?;
    ensure_bucket(&s).await?;
    s3.endpoint = s.endpoint;
    s3.bucket = s.bucket;
    s3.prefix = ctx.prefix(row);
    s3.access_key = s.access_key;
    s3.secret_access_key = s.secret_key;
    if s3.region.is_empty() {
        s3.region = "us-east-1".to_owned();
    }
    storage::kvproto::open_backend(&StorageBackend::S3(s3))
        .await
        .map_err(|e| format!("open: {e}"))
}

async fn ensure_bucket(s: &Server) -> Result<(), String> {
    let store = S3Builder::new(&s.bucket)
        .endpoint(&s.endpoint)
        .region("us-east-1")
        .credentials(&s.access_key, &s.secret_key, None)
        .build()
        .await
        .map_err(|e| e.to_string())?;
    match store.create_bucket(&s.bucket).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(format!("create bucket: {e}")),
    }
}

/// Writes (one PutObject, and a multipart upload of two parts) and reads back.
async fn round_trip(store: Arc<dyn Storage>) -> CheckResult {
    store
        .write_bytes("small", "hello")
        .await
        .map_err(|e| format!("write: {e}"))?;
    let big = vec![7u8; 6 << 20];
    let opts = storage_types::WriteOptions::default().with_part_size(5 << 20);
    store
        .write_with("big", big.clone().into(), opts)
        .await
        .map_err(|e| format!("multipart write: {e}"))?;
    let back = store
        .read_bytes("small")
        .await
        .map_err(|e| format!("read: {e}"))?;
    if back != "hello" {
        return Err(format!("read back {back:?}"));
    }
    let size = store
        .stat("big")
        .await
        .map_err(|e| format!("stat: {e}"))?
        .size;
    if size != big.len() as u64 {
        return Err(format!("multipart object is {size} bytes"));
    }
    store
        .delete_many(&["small".to_owned(), "big".to_owned()])
        .await
        .map_err(|e| format!("delete: {e}"))
}

/// The builder a BR query makes.
fn parsed(pairs: &[(&str, &str)]) -> Result<S3Builder, String> {
    let query: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    S3Builder::from_query("bucket", "prefix", &query).map_err(|e| e.to_string())
}

fn expect(ok: bool, what: &str) -> CheckResult {
    if ok { Ok(()) } else { Err(what.to_owned()) }
}

/// The S3 rows.
pub fn rows() -> Vec<Row> {
    let mut rows = url_rows();
    rows.extend(kvproto::rows());
    rows
}

/// A URL row checked by a round trip on the server with `extra` keys.
macro_rules! server_url {
    ($row:literal, $extra:literal) => {
        Check::Server(|ctx| {
            check(async move { round_trip(open_url(&ctx, $row, $extra).await?).await })
        })
    };
}

/// A kvproto row checked by a round trip on the server with the message `$s3`.
macro_rules! server_message {
    ($row:literal, $s3:expr) => {
        Check::Server(|ctx| {
            check(async move { round_trip(open_message(&ctx, $row, $s3).await?).await })
        })
    };
}

/// A row checked on the builder a BR query makes.
macro_rules! config {
    ($body:expr) => {
        Check::Config(|_ctx| check(async move { $body }))
    };
}

fn url_rows() -> Vec<Row> {
    vec![
        Row {
            service: SERVICE,
            source: Source::Scheme,
            name: "ks3://",
            br: "S3 with provider ks3 (Kingsoft KS3 through its own SDK): a region is required, role-arn refused.",
            ours: "The s3 backend with provider=ks3: a region is required, role-arn refused, Content-MD5 instead of the newer checksum headers.",
            check: config!({
                let url = storage::StorageUrl::parse("ks3://bkt/p?region=BEIJING")
                    .map_err(|e| e.to_string())?;
                expect(
                    url.scheme() == "s3" && url.query()["provider"] == "ks3",
                    "ks3:// is not s3 with provider=ks3",
                )?;
                let no_region =
                    storage::StorageUrl::parse("ks3://bkt/p").map_err(|e| e.to_string())?;
                expect(
                    S3Builder::from_query("bkt", "p", no_region.query()).is_err(),
                    "ks3 without a region was accepted",
                )
            }),
        },
        url_key(
            "endpoint",
            "The S3 endpoint URL (scheme and host required); a trailing / is dropped.",
            "The SDK's endpoint URL; the store talks to it (and never sends STS there).",
            server_url!("endpoint", ""),
        ),
        url_key(
            "region",
            "The region (us-east-1 when empty); for Amazon S3 without provider BR asks the bucket and refuses a mismatch.",
            "The region; when nothing gives one the store asks the bucket once (x-amz-bucket-region, 301) and follows it; a mismatch is an error naming the bucket's region.",
            config!({
                let b = parsed(&[("region", "eu-west-1")])?;
                expect(
                    format!("{b:?}").contains("region: Some(\"eu-west-1\")"),
                    "region not kept",
                )
            }),
        ),
        url_key(
            "storage-class",
            "The storage class of every PUT and multipart upload.",
            "The default storage class of writes (x-amz-storage-class).",
            server_url!("storage-class", "&storage-class=STANDARD"),
        ),
        url_key(
            "sse",
            "Server-side encryption: AES256 or aws:kms (aws:kms with no key id is the AWS-managed key).",
            "SSE-S3 for AES256, SSE-KMS for aws:kms; aws:kms without sse-kms-key-id sends no key id (the AWS-managed key).",
            server_url!("sse", "&sse=AES256"),
        ),
        url_key(
            "sse-kms-key-id",
            "The KMS key of SSE-KMS.",
            "The KMS key id of SSE-KMS (x-amz-server-side-encryption-aws-kms-key-id).",
            server_url!(
                "sse-kms-key-id",
                "&sse=aws:kms&sse-kms-key-id=alias/seaweedfs-default"
            ),
        ),
        url_key(
            "acl",
            "A canned ACL on every PUT and multipart upload.",
            "The default canned ACL of writes and copies.",
            server_url!("acl", "&acl=private"),
        ),
        url_key(
            "access-key",
            "The access key id (with secret-access-key; one without the other is refused).",
            "Static credentials with secret-access-key; one without the other is refused.",
            server_url!("access-key", ""),
        ),
        url_key(
            "secret-access-key",
            "The secret key (with access-key).",
            "The secret key; a wrong one is Unauthenticated.",
            Check::Server(|ctx| {
                check(async move {
                    let store =
                        open_url(&ctx, "secret-access-key", "&secret-access-key=wrong").await;
                    // The URL gives the key twice: the open itself refuses that.
                    expect(store.is_err(), "a key given twice was accepted")?;
                    let s = server(&ctx)?;
                    let url = format!(
                        "s3://{}/x?endpoint={}&access-key={}&secret-access-key=wrong&region=us-east-1",
                        s.bucket, s.endpoint, s.access_key
                    );
                    let store = storage::open(&url).await.map_err(|e| e.to_string())?;
                    match store.write_bytes("k", "x").await {
                        Err(e) if e.kind() == ErrorKind::Unauthenticated => Ok(()),
                        other => Err(format!("a wrong secret gave {other:?}")),
                    }
                })
            }),
        ),
        url_key(
            "session-token",
            "The session token of temporary credentials.",
            "The session token of the static credentials; without access-key it is refused.",
            config!({
                parsed(&[
                    ("access-key", "AK"),
                    ("secret-access-key", "SK"),
                    ("session-token", "T"),
                ])?;
                expect(
                    parsed(&[("session-token", "T")]).is_err(),
                    "a lone session token was accepted",
                )
            }),
        ),
        url_key(
            "provider",
            "The vendor (aws, alibaba, ks3, tencent, netease, minio, ceph ...): any but aws gets Content-MD5 on parts and batch deletes and no region lookup; alibaba, netease, tencent turn path style off.",
            "Honoured: any vendor but aws gets Content-MD5 on every upload and batch delete instead of the newer checksum headers, and no region lookup; alibaba, netease, tencent are virtual-hosted style.",
            Check::Server(|ctx| {
                check(async move {
                    round_trip(open_url(&ctx, "provider", "&provider=minio").await?).await?;
                    let b = parsed(&[("provider", "alibaba"), ("force-path-style", "true")])?;
                    expect(!b.uses_path_style(), "alibaba addressed path-style")
                })
            }),
        ),
        url_key(
            "force-path-style",
            "Path style; true by default, turned off for alibaba, netease, tencent, the accelerate endpoint and (unless given) for Amazon (provider aws, amazonaws.com endpoints, role-arn).",
            "The same rules: path style unless a vendor or accelerate forbids it, or (unless given) the store is Amazon's; one difference: with neither endpoint nor provider (Amazon itself) we use virtual-hosted style, which Amazon's SDKs use, where BR takes path style (Amazon serves both).",
            Check::Server(|ctx| {
                check(async move {
                    round_trip(open_url(&ctx, "force-path-style", "").await?).await?;
                    let custom = parsed(&[("endpoint", "http://127.0.0.1:9000")])?;
                    expect(
                        custom.uses_path_style(),
                        "no path style on a custom endpoint",
                    )?;
                    expect(
                        !parsed(&[])?.uses_path_style(),
                        "path style without an endpoint",
                    )?;
                    let aws = parsed(&[("endpoint", "https://s3.eu-west-1.amazonaws.com")])?;
                    expect(!aws.uses_path_style(), "path style on amazonaws.com")
                })
            }),
        ),
        url_key(
            "use-accelerate-endpoint",
            "S3 Transfer Acceleration; turns path style off.",
            "S3 Transfer Acceleration (the SDK's accelerate endpoint); virtual-hosted style.",
            config!({
                let b = parsed(&[
                    ("use-accelerate-endpoint", "true"),
                    ("force-path-style", "true"),
                ])?;
                expect(
                    !b.uses_path_style() && format!("{b:?}").contains("accelerate: true"),
                    "accelerate not honoured",
                )
            }),
        ),
        url_key(
            "role-arn",
            "A role assumed through STS over the base credentials; turns path style off unless given.",
            "A role assumed through STS at STS's own endpoint (sts-endpoint, AWS_ENDPOINT_URL_STS or AWS's), never the custom S3 endpoint.",
            config!({
                let b = parsed(&[
                    ("role-arn", "arn:aws:iam::1:role/r"),
                    ("sts-endpoint", "http://127.0.0.1:1"),
                ])?;
                expect(
                    !b.uses_path_style() && format!("{b:?}").contains("sts_endpoint: Some"),
                    "role-arn not kept",
                )
            }),
        ),
        url_key(
            "external-id",
            "The external id of the role assumption.",
            "The external id sent with AssumeRole.",
            config!({
                let b = parsed(&[("role-arn", "arn:aws:iam::1:role/r"), ("external-id", "x")])?;
                expect(
                    format!("{b:?}").contains("role_arn: Some"),
                    "external-id refused",
                )
            }),
        ),
        url_key(
            "profile",
            "The shared-config profile (keys then optional).",
            "The shared-config profile of the default credential chain.",
            config!({
                let b = parsed(&[("profile", "backup")])?;
                expect(
                    format!("{b:?}").contains("profile: Some(\"backup\")"),
                    "profile not kept",
                )
            }),
        ),
        url_key(
            "object-lock-enabled",
            "The bucket has object lock: Content-MD5 on every PUT and part.",
            "Content-MD5 on every PutObject and UploadPart (besides the SDK's checksums).",
            server_url!("object-lock-enabled", "&object-lock-enabled=true"),
        ),
    ]
}

mod kvproto;

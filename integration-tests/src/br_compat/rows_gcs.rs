//! GCS rows of the BR compatibility table. How to add a row:
//!
//! - one `Row` per BR URL key of `gcs://` / `gs://` (pingcap/tidb `br/pkg/storage/gcs.go`,
//!   `parse.go`) and per field of kvproto's `GCS` message (the names `storage::kvproto::Gcs`
//!   uses, written `GCS.field` as in brpb.proto), and the `CloudDynamic` fields, checked here
//!   with the gcs provider;
//! - `br`: what BR / TiKV does with it; `ours`: what rs-storage does (one sentence each);
//! - `check`: `Check::Server(|ctx| check(async move { ... }))` when the repo's GCS test server
//!   can judge it, else `Check::Config(...)` on the parsed builder or opened store. The
//!   server's environment: `ctx.var("RS_STORAGE_GCS_ENDPOINT")`, `RS_STORAGE_GCS_BUCKET`,
//!   `RS_STORAGE_GCS_CREDENTIALS` (a service-account key file the server accepts); put objects
//!   under `ctx.prefix("row-name")`;
//! - run: `cargo xtask test --service gcs --skip-unit` (prints `br-compat gcs: N passed, M
//!   failed`); then `cargo xtask docs` refreshes the table in docs/urls.md.

use std::collections::BTreeMap;
use std::sync::Arc;

use storage::kvproto::{Bucket, CloudDynamic, Gcs, StorageBackend, open_backend};
use storage_types::{ErrorKind, Storage, StorageExt};

use super::{Check, CheckResult, Ctx, Row, Source, check};

fn url_key(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new("gcs", Source::UrlKey, name, br, ours, check)
}

fn field(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new("gcs", Source::Kvproto, name, br, ours, check)
}

/// The test server's endpoint, bucket and credentials file.
struct Server {
    endpoint: String,
    bucket: String,
    credentials: String,
}

fn server(ctx: &Ctx) -> Result<Server, String> {
    Ok(Server {
        endpoint: ctx.var("RS_STORAGE_GCS_ENDPOINT")?,
        bucket: ctx.var("RS_STORAGE_GCS_BUCKET")?,
        credentials: ctx.var("RS_STORAGE_GCS_CREDENTIALS")?,
    })
}

/// A store on the test server from BR's URL: `gcs://BUCKET/PREFIX?credentials-file=..&KEYS`.
async fn open_url(ctx: &Ctx, prefix: &str, keys: &str) -> Result<Arc<dyn Storage>, String> {
    let s = server(ctx)?;
    let url = format!(
        "gcs://{}/{prefix}?endpoint={}&credentials-file={}{keys}",
        s.bucket, s.endpoint, s.credentials
    );
    storage::open(&url).await.map_err(|e| format!("open: {e}"))
}

/// The GCS message for the test server, credentials as BR sends them (the key file's content).
fn message(ctx: &Ctx, prefix: &str) -> Result<Gcs, String> {
    let s = server(ctx)?;
    let blob = std::fs::read_to_string(&s.credentials).map_err(|e| e.to_string())?;
    Ok(Gcs {
        endpoint: s.endpoint,
        bucket: s.bucket,
        prefix: prefix.to_owned(),
        credentials_blob: blob,
        ..Gcs::default()
    })
}

async fn open_message(gcs: Gcs) -> Result<Arc<dyn Storage>, String> {
    open_backend(&StorageBackend::Gcs(gcs))
        .await
        .map_err(|e| format!("open_backend: {e}"))
}

/// Writes `path` and reads it back.
async fn round_trip(store: &dyn Storage, path: &str) -> CheckResult {
    store
        .write_bytes(path, "br-compat")
        .await
        .map_err(|e| format!("write: {e}"))?;
    match store.read_bytes(path).await {
        Ok(bytes) if bytes == "br-compat" => Ok(()),
        Ok(bytes) => Err(format!("read back {bytes:?}")),
        Err(e) => Err(format!("read: {e}")),
    }
}

/// The storage class the server recorded for a write through `store`.
async fn stored_class(store: &dyn Storage) -> CheckResult {
    store
        .write_bytes("classed", "x")
        .await
        .map_err(|e| format!("write: {e}"))?;
    let meta = store
        .stat("classed")
        .await
        .map_err(|e| format!("stat: {e}"))?;
    match meta.storage_class.as_deref() {
        Some("NEARLINE") => Ok(()),
        other => Err(format!("the server stored class {other:?}")),
    }
}

/// A valid ACL is accepted, a bogus one refused by the server: so the value reached it.
async fn acl_is_sent(good: Arc<dyn Storage>, bad: Arc<dyn Storage>) -> CheckResult {
    good.write_bytes("acl", "x")
        .await
        .map_err(|e| format!("write with a valid ACL: {e}"))?;
    match bad.write_bytes("acl", "x").await {
        Err(e) if e.kind() == ErrorKind::InvalidInput => Ok(()),
        Err(e) => Err(format!("a bogus ACL failed as {:?}: {e}", e.kind())),
        Ok(_) => Err("the server took a bogus predefined ACL: it was not sent".to_owned()),
    }
}

/// The GCS rows.
pub fn rows() -> Vec<Row> {
    vec![
        url_key(
            "endpoint",
            "The GCS endpoint, for the Go client's `option.WithEndpoint` (TiKV strips a \
             `/storage/v1/` or `/upload/storage/v1/` suffix).",
            "The endpoint of both the JSON and the gRPC API; a trailing `/storage/v1/` or \
             `/upload/storage/v1/` is dropped (the SDK adds the API path).",
            Check::Server(|ctx| {
                check(async move {
                    let s = server(&ctx)?;
                    let url = format!(
                        "gcs://{}/{}?endpoint={}/storage/v1/&credentials-file={}",
                        s.bucket,
                        ctx.prefix("endpoint"),
                        s.endpoint,
                        s.credentials
                    );
                    let store = storage::open(&url).await.map_err(|e| e.to_string())?;
                    round_trip(store.as_ref(), "backupmeta").await
                })
            }),
        ),
        url_key(
            "storage-class",
            "Storage class of the objects BR writes (`STANDARD`, `NEARLINE`, ...).",
            "Storage class of every write.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("storage-class");
                    let store = open_url(&ctx, &prefix, "&storage-class=NEARLINE").await?;
                    stored_class(store.as_ref()).await
                })
            }),
        ),
        url_key(
            "predefined-acl",
            "Predefined ACL of the objects BR writes (`private`, `bucketOwnerFullControl`, ...).",
            "Sent as `predefinedAcl` with every write and copy; GCS refuses an unknown value.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("predefined-acl");
                    let good = open_url(&ctx, &prefix, "&predefined-acl=bucketOwnerRead").await?;
                    let bad = open_url(&ctx, &prefix, "&predefined-acl=everyone").await?;
                    acl_is_sent(good, bad).await
                })
            }),
        ),
        url_key(
            "credentials-file",
            "A service-account key file; BR reads it and sends its content to TiKV as \
             `credentials_blob`. Without it, Application Default Credentials.",
            "Credentials from the key file (also the URL signer); without it, Application \
             Default Credentials, and `Unauthenticated` naming the ways to give credentials \
             when there are none.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("credentials-file");
                    let store = open_url(&ctx, &prefix, "").await?;
                    round_trip(store.as_ref(), "signed").await
                })
            }),
        ),
        field(
            "GCS.endpoint",
            "As the `endpoint` URL key; TiKV strips a `/storage/v1/` suffix.",
            "The `endpoint` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let mut gcs = message(&ctx, &ctx.prefix("GCS.endpoint"))?;
                    gcs.endpoint.push_str("/upload/storage/v1/");
                    round_trip(open_message(gcs).await?.as_ref(), "backupmeta").await
                })
            }),
        ),
        field(
            "GCS.bucket",
            "The bucket (required).",
            "The URL's bucket; empty is `InvalidInput` naming the field.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("GCS.bucket");
                    let store = open_message(message(&ctx, &prefix)?).await?;
                    round_trip(store.as_ref(), "f").await?;
                    let empty = Gcs {
                        bucket: String::new(),
                        ..message(&ctx, &prefix)?
                    };
                    match open_message(empty).await {
                        Err(e) if e.contains("GCS.bucket") => Ok(()),
                        other => Err(format!("an empty bucket gave {:?}", other.err())),
                    }
                })
            }),
        ),
        field(
            "GCS.prefix",
            "Key prefix of every object (TiKV joins it with `/`).",
            "The store's root: objects are named `PREFIX/path`.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("GCS.prefix");
                    let store = open_message(message(&ctx, &prefix)?).await?;
                    round_trip(store.as_ref(), "f").await?;
                    let bucket = open_url(&ctx, "", "").await?;
                    let name = format!("{prefix}f");
                    match bucket.read_bytes(&name).await {
                        Ok(bytes) if bytes == "br-compat" => Ok(()),
                        other => Err(format!("{name} in the bucket: {other:?}")),
                    }
                })
            }),
        ),
        field(
            "GCS.storage_class",
            "As the `storage-class` URL key.",
            "The `storage-class` URL key.",
            Check::Server(|ctx| {
                check(async move {
                    let gcs = Gcs {
                        storage_class: "NEARLINE".into(),
                        ..message(&ctx, &ctx.prefix("GCS.storage_class"))?
                    };
                    stored_class(open_message(gcs).await?.as_ref()).await
                })
            }),
        ),
        field(
            "GCS.predefined_acl",
            "As the `predefined-acl` URL key (TiKV refuses a value it does not know).",
            "The `predefined-acl` URL key; the service judges the value.",
            Check::Server(|ctx| {
                check(async move {
                    let prefix = ctx.prefix("GCS.predefined_acl");
                    let with = |acl: &str| -> Result<Gcs, String> {
                        Ok(Gcs {
                            predefined_acl: acl.to_owned(),
                            ..message(&ctx, &prefix)?
                        })
                    };
                    let good = open_message(with("private")?).await?;
                    let bad = open_message(with("everyone")?).await?;
                    acl_is_sent(good, bad).await
                })
            }),
        ),
        field(
            "GCS.credentials_blob",
            "The content of a credentials JSON file (a service-account key); empty means the \
             node's default credentials.",
            "Credentials from the document (the `credentials-base64` URL key, base64 of it); \
             empty means Application Default Credentials.",
            Check::Server(|ctx| {
                check(async move {
                    let gcs = message(&ctx, &ctx.prefix("GCS.credentials_blob"))?;
                    round_trip(open_message(gcs).await?.as_ref(), "f").await
                })
            }),
        ),
        field(
            "CloudDynamic.provider_name",
            "Which provider's message the attributes make: `s3`/`aws`, `gcs`/`gcp`, \
             `azure`/`azblob`; TiKV fails on others.",
            "The same names map to the S3, GCS and Azure messages; any other is `Unsupported`.",
            Check::Server(|ctx| {
                check(async move {
                    round_trip(open_dynamic(&ctx, "gcp", "provider").await?.as_ref(), "f").await?;
                    match open_dynamic(&ctx, "hdfs", "provider").await {
                        Err(e) if e.contains("not supported") => Ok(()),
                        other => Err(format!("provider hdfs gave {:?}", other.err())),
                    }
                })
            }),
        ),
        field(
            "CloudDynamic.bucket",
            "Endpoint, region, bucket, prefix and storage class of the provider (required).",
            "The provider message's fields of the same names; a region is refused for GCS and \
             Azure, which have none.",
            Check::Server(|ctx| {
                check(async move {
                    round_trip(open_dynamic(&ctx, "gcs", "bucket").await?.as_ref(), "f").await
                })
            }),
        ),
        field(
            "CloudDynamic.attrs",
            "The provider message's other fields by name (`credentials_blob`, \
             `predefined_acl`, `access_key` ...); TiKV ignores names it does not know.",
            "The same fields; an unknown name is `InvalidInput` naming it (never its value).",
            Check::Server(|ctx| {
                check(async move {
                    // The credentials travel in `attrs`: the write is signed with them.
                    round_trip(open_dynamic(&ctx, "gcs", "attrs").await?.as_ref(), "f").await?;
                    let mut backend = dynamic(&ctx, "gcs", "attrs")?;
                    backend.attrs.insert("credential_blob".into(), "{}".into());
                    match open_backend(&StorageBackend::CloudDynamic(backend)).await {
                        Err(e) if e.to_string().contains("credential_blob") => Ok(()),
                        other => Err(format!("a misspelt attribute gave {:?}", other.err())),
                    }
                })
            }),
        ),
    ]
}

/// A `CloudDynamic` backend for the test server under `provider`.
fn dynamic(ctx: &Ctx, provider: &str, label: &str) -> Result<CloudDynamic, String> {
    let gcs = message(ctx, &ctx.prefix(&format!("CloudDynamic.{label}")))?;
    Ok(CloudDynamic {
        bucket: Some(Bucket {
            endpoint: gcs.endpoint,
            bucket: gcs.bucket,
            prefix: gcs.prefix,
            ..Bucket::default()
        }),
        provider_name: provider.to_owned(),
        attrs: BTreeMap::from([("credentials_blob".to_owned(), gcs.credentials_blob)]),
    })
}

async fn open_dynamic(ctx: &Ctx, provider: &str, label: &str) -> Result<Arc<dyn Storage>, String> {
    let backend = StorageBackend::CloudDynamic(dynamic(ctx, provider, label)?);
    open_backend(&backend)
        .await
        .map_err(|e| format!("open_backend: {e}"))
}

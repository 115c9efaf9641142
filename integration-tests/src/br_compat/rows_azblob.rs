//! Azure Blob rows of the BR compatibility table (owner: the Azure work). How to add a row:
//!
//! - one `Row` per BR URL key of `azure://` / `azblob://` (pingcap/tidb
//!   `br/pkg/storage/azblob.go`, `parse.go`: `account-name`, `account-key`, `sas-token`,
//!   `endpoint`, `access-tier`, `encryption-scope`, `encryption-key`, ...) and per field of
//!   kvproto's `AzureBlobStorage` message (`AzureBlobStorage.endpoint`, `.bucket`, `.prefix`,
//!   `.storage_class`, `.account_name`, `.shared_key`, `.access_sig`, `.encryption_scope`,
//!   `.encryption_key`: the names `storage::kvproto::AzureBlobStorage` uses);
//! - `br`: what BR / TiKV does with it; `ours`: what rs-storage does (one sentence each);
//! - `check`: `Check::Server(|ctx| check(async move { ... }))` when Azurite can judge it, else
//!   `Check::Config(...)` on the parsed builder or opened store. The server's environment:
//!   `ctx.var("RS_STORAGE_AZBLOB_ENDPOINT")` (`http://127.0.0.1:PORT/devstoreaccount1`),
//!   `RS_STORAGE_AZBLOB_CONTAINER`; the account is Azurite's well-known `devstoreaccount1`; put
//!   objects under `ctx.prefix("row-name")`;
//! - run: `cargo xtask test --service azblob --skip-unit` (prints
//!   `br-compat azblob: N passed, M failed`); then `cargo xtask docs` refreshes the table in
//!   docs/urls.md.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use storage::kvproto::{AzureBlobStorage, StorageBackend, open_backend};
use storage_azblob::{DEV_ACCOUNT, DEV_ACCOUNT_KEY, container_sas_token};
use storage_types::{ErrorKind, Storage, StorageExt};

use super::{Check, CheckResult, Ctx, Row, Source, check};

mod kvproto;

/// A 32-byte key as BR's `encryption-key` takes it: the text is the key.
const RAW_KEY: &str = "0123456789abcdef0123456789abcdef";
/// The same key in base64, as kvproto's `AzureCustomerKey.encryption_key` carries it.
const RAW_KEY_BASE64: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// Its SHA-256, base64.
const RAW_KEY_SHA256: &str = "PrG9Q5lH63YpmOVmzMLgmceREYsvQFecxPfaK1Bht/k=";

/// Percent-encodes a query value (every byte but the unreserved ones).
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `azure://CONTAINER/PREFIX?endpoint=..&account-name=..` plus `extra`, on Azurite.
fn azure_url(ctx: &Ctx, label: &str, extra: &str) -> Result<String, String> {
    let endpoint = ctx.var("RS_STORAGE_AZBLOB_ENDPOINT")?;
    let container = ctx.var("RS_STORAGE_AZBLOB_CONTAINER")?;
    Ok(format!(
        "azure://{container}/{}?endpoint={}&account-name={DEV_ACCOUNT}{extra}",
        ctx.prefix(label),
        enc(&endpoint)
    ))
}

/// `&account-key=..` with Azurite's key.
fn key_param() -> String {
    format!("&account-key={}", enc(DEV_ACCOUNT_KEY))
}

async fn open(url: &str) -> Result<Arc<dyn Storage>, String> {
    storage::open(url).await.map_err(|e| e.to_string())
}

/// Creates Azurite's container if this run is the first to use it (BR's stores expect it).
async fn ensure_container(ctx: &Ctx) -> CheckResult {
    let container = ctx.var("RS_STORAGE_AZBLOB_CONTAINER")?;
    let store = open(&azure_url(ctx, "setup", &key_param())?).await?;
    match store.create_bucket(&container).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => Err(format!("create the container: {e}")),
        _ => Ok(()),
    }
}

/// Writes through `store` and reads it back through a store keyed on the same prefix: the
/// data went where the settings said.
async fn round_trip(ctx: &Ctx, label: &str, store: Arc<dyn Storage>) -> CheckResult {
    ensure_container(ctx).await?;
    store
        .write_bytes("backupmeta", label.to_owned())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let witness = open(&azure_url(ctx, label, &key_param())?).await?;
    let got = witness
        .read_bytes("backupmeta")
        .await
        .map_err(|e| format!("read back: {e}"))?;
    match got == label.as_bytes() {
        true => Ok(()),
        false => Err(format!("read back {got:?}")),
    }
}

/// Opening must fail with `kind`, the message containing `words`.
async fn refused(url: &str, kind: ErrorKind, words: &str) -> CheckResult {
    match storage::open(url).await {
        Ok(_) => Err(format!("{} opened", storage::redact_url(url))),
        Err(e) if e.kind() == kind && e.to_string().contains(words) => Ok(()),
        Err(e) => Err(format!("wanted {kind:?} naming `{words}`, got {e}")),
    }
}

/// The kvproto message on Azurite with the shared key, its prefix under `label`.
fn message(ctx: &Ctx, label: &str) -> Result<AzureBlobStorage, String> {
    Ok(AzureBlobStorage {
        endpoint: ctx.var("RS_STORAGE_AZBLOB_ENDPOINT")?,
        bucket: ctx.var("RS_STORAGE_AZBLOB_CONTAINER")?,
        prefix: ctx.prefix(label),
        account_name: DEV_ACCOUNT.to_owned(),
        shared_key: DEV_ACCOUNT_KEY.to_owned(),
        ..AzureBlobStorage::default()
    })
}

async fn open_message(azure: AzureBlobStorage) -> Result<Arc<dyn Storage>, String> {
    open_backend(&StorageBackend::AzureBlobStorage(azure))
        .await
        .map_err(|e| e.to_string())
}

fn sas(ctx: &Ctx) -> Result<String, String> {
    let container = ctx.var("RS_STORAGE_AZBLOB_CONTAINER")?;
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    container_sas_token(DEV_ACCOUNT, DEV_ACCOUNT_KEY, &container, "racwdl", expiry)
        .map_err(|e| e.to_string())
}

/// The store's access tier as Azurite reports it after a write.
async fn tier_after_write(ctx: &Ctx, store: Arc<dyn Storage>) -> Result<Option<String>, String> {
    ensure_container(ctx).await?;
    store
        .write_bytes("tiered", "x")
        .await
        .map_err(|e| format!("write: {e}"))?;
    let meta = store
        .stat("tiered")
        .await
        .map_err(|e| format!("stat: {e}"))?;
    Ok(meta.storage_class)
}

fn url_key(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new("azblob", Source::UrlKey, name, br, ours, check)
}

fn field(name: &'static str, br: &'static str, ours: &'static str, check: Check) -> Row {
    Row::new("azblob", Source::Kvproto, name, br, ours, check)
}

/// The Azure Blob rows.
pub fn rows() -> Vec<Row> {
    let mut rows = url_rows();
    rows.extend(kvproto::rows());
    rows
}

fn url_rows() -> Vec<Row> {
    vec![
        url_key(
            "account-name",
            "The storage account; without it, `AZURE_STORAGE_ACCOUNT`.",
            "The account (else `AZURE_STORAGE_ACCOUNT`, then object_store's \
             `AZURE_STORAGE_ACCOUNT_NAME`); it signs Shared Key requests.",
            Check::Server(|ctx| {
                check(async move {
                    let url = azure_url(&ctx, "account-name", &key_param())?;
                    round_trip(&ctx, "account-name", open(&url).await?).await
                })
            }),
        ),
        url_key(
            "account-key",
            "The account key: Shared Key auth (TiKV gets it sent along); without it \
             `AZURE_STORAGE_KEY`, after an Entra ID client secret from the environment.",
            "Shared Key signing of every request, and signed URLs; the same fallbacks in the \
             same order. A wrong key is refused by the server.",
            Check::Server(|ctx| {
                check(async move {
                    let url = azure_url(&ctx, "account-key", &key_param())?;
                    round_trip(&ctx, "account-key", open(&url).await?).await?;
                    let wrong = azure_url(&ctx, "account-key", "&account-key=d3Jvbmc=")?;
                    match open(&wrong).await?.write_bytes("x", "x").await {
                        Err(e) if e.kind() == ErrorKind::PermissionDenied => Ok(()),
                        other => Err(format!(
                            "a wrong key: wanted PermissionDenied, got {other:?}"
                        )),
                    }
                })
            }),
        ),
        url_key(
            "sas-token",
            "A SAS token appended to every URL (BR prefers it over a key given too).",
            "The token rides in every URL; with no key, the store signs nothing else.",
            Check::Server(|ctx| {
                check(async move {
                    let url = azure_url(
                        &ctx,
                        "sas-token",
                        &format!("&sas-token={}", enc(&sas(&ctx)?)),
                    )?;
                    round_trip(&ctx, "sas-token", open(&url).await?).await
                })
            }),
        ),
        url_key(
            "endpoint",
            "The blob service URL (default: the account's host under blob.core.windows.net, https).",
            "The same, trailing `/` dropped; an Entra ID token is only sent over https.",
            Check::Server(|ctx| {
                check(async move {
                    let url = azure_url(&ctx, "endpoint", &key_param())?;
                    round_trip(&ctx, "endpoint", open(&url).await?).await
                })
            }),
        ),
        url_key(
            "access-tier",
            "The tier of written blobs (Hot, Cool, Archive ...); refused with an encryption \
             scope or key.",
            "The tier of every write (Hot, Cool, Cold, Archive, any case); refused with an \
             encryption scope or customer key when the store is built, as TiKV's check_config.",
            Check::Server(|ctx| {
                check(async move {
                    let url = azure_url(
                        &ctx,
                        "access-tier",
                        &format!("{}&access-tier=Cool", key_param()),
                    )?;
                    let tier = tier_after_write(&ctx, open(&url).await?).await?;
                    if tier.as_deref() != Some("Cool") {
                        return Err(format!("the blob's tier is {tier:?}, not Cool"));
                    }
                    let both = format!("{url}&encryption-scope=scope1");
                    refused(&both, ErrorKind::InvalidInput, "access tier").await
                })
            }),
        ),
        url_key(
            "encryption-scope",
            "The encryption scope of writes; refused with a customer key or an access tier.",
            "The same (`x-ms-encryption-scope` on writes), with the same refusals.",
            Check::Config(|ctx| {
                check(async move {
                    let url = azure_url(
                        &ctx,
                        "scope",
                        &format!("{}&encryption-scope=scope1", key_param()),
                    )?;
                    open(&url).await?;
                    let both = format!("{url}&encryption-key={RAW_KEY}");
                    refused(&both, ErrorKind::InvalidInput, "not both").await
                })
            }),
        ),
        url_key(
            "encryption-key",
            "A customer-provided key given as its raw text (BR sends base64 of the text and of \
             its SHA-256); without it, `AZURE_ENCRYPTION_KEY`.",
            "The same: the text's 32 bytes are the key, else `AZURE_ENCRYPTION_KEY`; a base64 \
             key goes in `encryption-key-base64`. Azurite refuses customer keys over http; the \
             request headers are checked in storage-azblob's cpk_wiring test.",
            Check::Config(|ctx| {
                check(async move {
                    let url = azure_url(
                        &ctx,
                        "cpk",
                        &format!("{}&encryption-key={RAW_KEY}", key_param()),
                    )?;
                    open(&url).await?;
                    let b64 = format!("{}&encryption-key={}", key_param(), enc(RAW_KEY_BASE64));
                    refused(
                        &azure_url(&ctx, "cpk", &b64)?,
                        ErrorKind::InvalidInput,
                        "encryption-key-base64",
                    )
                    .await
                })
            }),
        ),
    ]
}

//! Encryption at rest: customer keys (the key is needed again to read, and no other key will
//! do), service-managed keys and KMS keys, for plain writes and multipart uploads.

use bytes::Bytes;
use storage_types::{
    CompleteOptions, CustomerKey, Encryption, ErrorKind, Feature, Operation, Pair, PartOptions,
    ReadOptions, StatOptions, StorageExt, WriteOptions,
};

use crate::check::{self, expect_error, expect_kind};
use crate::harness::{Case, Ctx, Need};

const WRITE_CK: Need = Need::Pair(Operation::Write, Pair::EncryptionCustomerKey);
const READ_CK: Need = Need::Pair(Operation::Read, Pair::EncryptionCustomerKey);

/// What every backend answers a read or stat of a customer-key object without the key: the
/// request lacks a parameter the object needs (S3 and GCS answer 400, Azure 409
/// `BlobUsesCustomerSpecifiedEncryption`).
const KEY_MISSING: ErrorKind = ErrorKind::InvalidInput;

/// The environment variable naming the KMS key the KMS case encrypts with (an S3 key id or
/// alias, a GCS key resource name, an Azure encryption scope).
pub const KMS_KEY_VARIABLE: &str = "STORAGE_CONFORMANCE_KMS_KEY";

/// The KMS key used when the variable is not set: the key S3 manages for every account.
const DEFAULT_KMS_KEY: &str = "alias/aws/s3";

pub(super) fn cases() -> Vec<Case> {
    cases!("encryption";
        customer_key_round_trip [WRITE_CK, READ_CK],
        customer_key_needed_to_read [WRITE_CK, READ_CK],
        other_customer_key_fails [WRITE_CK, READ_CK],
        customer_key_stat [WRITE_CK, Need::Pair(Operation::Stat, Pair::EncryptionCustomerKey)],
        customer_key_needed_to_stat [
            WRITE_CK,
            Need::Pair(Operation::Stat, Pair::EncryptionCustomerKey),
        ],
        customer_key_multipart [
            Need::Feature(Feature::Multipart),
            Need::Pair(Operation::CreateMultipart, Pair::EncryptionCustomerKey),
            Need::Pair(Operation::UploadPart, Pair::EncryptionCustomerKey),
            Need::Pair(Operation::CompleteMultipart, Pair::EncryptionCustomerKey),
            READ_CK,
        ],
        customer_key_multipart_needs_key [
            Need::Feature(Feature::Multipart),
            Need::Pair(Operation::CreateMultipart, Pair::EncryptionCustomerKey),
            Need::Pair(Operation::UploadPart, Pair::EncryptionCustomerKey),
            Need::Pair(Operation::CompleteMultipart, Pair::EncryptionCustomerKey),
            READ_CK,
        ],
        customer_key_streamed_in_parts [
            WRITE_CK,
            READ_CK,
            Need::Pair(Operation::Write, Pair::PartSize),
        ],
        customer_key_copy [
            WRITE_CK,
            READ_CK,
            Need::Feature(Feature::Copy),
            Need::Pair(Operation::Copy, Pair::EncryptionCustomerKey),
        ],
        service_managed_round_trip [Need::Pair(Operation::Write, Pair::EncryptionServiceManaged)],
        kms_round_trip [Need::Pair(Operation::Write, Pair::EncryptionKms)],
    )
}

/// Customer key number `which` (0 to 9) of the suite.
fn key(which: u8) -> Encryption {
    Encryption::CustomerKey(CustomerKey::new(crate::secrets::customer_key(which)))
}

async fn write_encrypted(ctx: &Ctx, data: &Bytes, encryption: Encryption) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_encryption(encryption);
    ctx.store
        .write_with(&ctx.path("secret"), data.clone().into(), opts)
        .await?;
    Ok(())
}

async fn read_with(ctx: &Ctx, opts: ReadOptions) -> storage_types::Result<Bytes> {
    ctx.store
        .read_with(&ctx.path("secret"), opts)
        .await?
        .bytes()
        .await
}

async fn customer_key_round_trip(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(10_000, 21);
    write_encrypted(ctx, &data, key(7)).await?;
    let bytes = read_with(ctx, ReadOptions::default().with_encryption(key(7))).await?;
    check::ensure_bytes(&bytes, &data, "content read with the customer key")?;
    let ranged = ReadOptions::default()
        .with_encryption(key(7))
        .with_range(100..200);
    check::ensure_bytes(
        &read_with(ctx, ranged).await?,
        &data[100..200],
        "range 100..200",
    )
}

// The service does not keep the key: without it there is nothing it can decrypt.
async fn customer_key_needed_to_read(ctx: &Ctx) -> anyhow::Result<()> {
    write_encrypted(ctx, &check::pattern(1000, 22), key(7)).await?;
    expect_kind(read_with(ctx, ReadOptions::default()).await, KEY_MISSING)
        .map_err(|e| e.context("reading a customer-key object without the key"))?;
    Ok(())
}

async fn other_customer_key_fails(ctx: &Ctx) -> anyhow::Result<()> {
    write_encrypted(ctx, &check::pattern(1000, 23), key(7)).await?;
    expect_error(read_with(ctx, ReadOptions::default().with_encryption(key(9))).await)
        .map_err(|e| e.context("reading a customer-key object with another key"))?;
    Ok(())
}

// Metadata is no more open than content: a stat without the key, or with another, fails too.
async fn customer_key_needed_to_stat(ctx: &Ctx) -> anyhow::Result<()> {
    write_encrypted(ctx, &check::pattern(300, 25), key(7)).await?;
    let path = ctx.path("secret");
    expect_kind(ctx.store.stat(&path).await, KEY_MISSING)
        .map_err(|e| e.context("a stat of a customer-key object without the key"))?;
    let other = StatOptions::default().with_encryption(key(9));
    expect_error(ctx.store.stat_with(&path, other).await)
        .map_err(|e| e.context("a stat of a customer-key object with another key"))?;
    Ok(())
}

async fn customer_key_stat(ctx: &Ctx) -> anyhow::Result<()> {
    write_encrypted(ctx, &check::pattern(1234, 24), key(7)).await?;
    let opts = StatOptions::default().with_encryption(key(7));
    let meta = ctx.store.stat_with(&ctx.path("secret"), opts).await?;
    ensure_eq!(meta.size, 1234, "size from a stat with the customer key");
    Ok(())
}

async fn customer_key_multipart(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_encryption(key(7));
    let up = ctx
        .store
        .create_multipart_with(&ctx.path("secret"), opts)
        .await?;
    let (one, two) = (
        check::pattern(ctx.part_size() as usize, 25),
        check::pattern(999, 26),
    );
    let mut parts = Vec::new();
    for (number, data) in [(1, &one), (2, &two)] {
        let opts = PartOptions::default().with_encryption(key(7));
        parts.push(
            ctx.store
                .upload_part_with(&up, number, data.clone().into(), opts)
                .await?,
        );
    }
    let done = CompleteOptions::default().with_encryption(key(7));
    ctx.store.complete_multipart_with(&up, &parts, done).await?;
    let bytes = read_with(ctx, ReadOptions::default().with_encryption(key(7))).await?;
    let expected: Vec<u8> = one.iter().chain(two.iter()).copied().collect();
    check::ensure_bytes(
        &bytes,
        &expected,
        "content of a customer-key multipart upload",
    )
}

// The service decrypts transparently: a plain read returns the data.
async fn service_managed_round_trip(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(5000, 27);
    write_encrypted(ctx, &data, Encryption::ServiceManaged).await?;
    let bytes = ctx.store.read_bytes(&ctx.path("secret")).await?;
    check::ensure_bytes(&bytes, &data, "content of a service-encrypted object")
}

// The key is named back by `stat`, so a caller can check that the object is under it. Services
// resolve aliases to full names (an S3 alias becomes a key ARN, a GCS key gains its version), so
// the name must contain the requested key unless the request used an alias.
async fn kms_round_trip(ctx: &Ctx) -> anyhow::Result<()> {
    let key_id = std::env::var(KMS_KEY_VARIABLE).unwrap_or_else(|_| DEFAULT_KMS_KEY.to_owned());
    let data = check::pattern(5000, 28);
    write_encrypted(ctx, &data, Encryption::kms(key_id.clone())).await?;
    let bytes = ctx.store.read_bytes(&ctx.path("secret")).await?;
    check::ensure_bytes(&bytes, &data, "content of a KMS-encrypted object")?;
    let meta = ctx.store.stat(&ctx.path("secret")).await?;
    let reported = meta.kms_key_id.ok_or_else(|| {
        anyhow::anyhow!("stat names no KMS key for an object written under {key_id}")
    })?;
    anyhow::ensure!(
        reported.contains(&key_id) || key_id.starts_with("alias/"),
        "stat names KMS key {reported}, the object was written under {key_id}"
    );
    Ok(())
}

// A multipart object written with a customer key needs that key to be read, like any other.
async fn customer_key_multipart_needs_key(ctx: &Ctx) -> anyhow::Result<()> {
    let up = ctx
        .store
        .create_multipart_with(
            &ctx.path("secret"),
            WriteOptions::default().with_encryption(key(7)),
        )
        .await?;
    let data = check::pattern(ctx.part_size() as usize, 27);
    let opts = PartOptions::default().with_encryption(key(7));
    let part = ctx
        .store
        .upload_part_with(&up, 1, data.clone().into(), opts)
        .await?;
    let done = CompleteOptions::default().with_encryption(key(7));
    ctx.store
        .complete_multipart_with(&up, &[part], done)
        .await?;
    expect_kind(ctx.store.read_bytes(&ctx.path("secret")).await, KEY_MISSING)
        .map_err(|e| e.context("reading a customer-key multipart object without the key"))?;
    let bytes = read_with(ctx, ReadOptions::default().with_encryption(key(7))).await?;
    check::ensure_bytes(&bytes, &data, "content of a customer-key multipart object")
}

// A write larger than one part goes up in parts: each part must carry the key, and the object
// must need it.
async fn customer_key_streamed_in_parts(ctx: &Ctx) -> anyhow::Result<()> {
    let part_size = ctx.part_size();
    let data = check::pattern(part_size as usize * 2 + 1000, 28);
    let opts = WriteOptions::default()
        .with_encryption(key(9))
        .with_part_size(part_size);
    let body = check::chunked_body(data.clone(), 256 * 1024, None);
    ctx.store
        .write_with(&ctx.path("secret"), body, opts)
        .await?;
    expect_kind(ctx.store.read_bytes(&ctx.path("secret")).await, KEY_MISSING)
        .map_err(|e| e.context("reading a streamed customer-key object without the key"))?;
    let bytes = read_with(ctx, ReadOptions::default().with_encryption(key(9))).await?;
    check::ensure_bytes(&bytes, &data, "content of a streamed customer-key object")
}

// A copy reads the source with its key and writes the copy with the destination's key.
async fn customer_key_copy(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_encryption(key(3));
    ctx.store
        .write_with(
            &ctx.path("source"),
            Bytes::from_static(b"copied secret").into(),
            opts,
        )
        .await?;
    let copy = storage_types::CopyOptions::default()
        .with_source_encryption(key(3))
        .with_encryption(key(4));
    ctx.store
        .copy_with(&ctx.path("source"), &ctx.path("secret"), copy)
        .await?;
    let bytes = read_with(ctx, ReadOptions::default().with_encryption(key(4))).await?;
    check::ensure_bytes(
        &bytes,
        b"copied secret",
        "content of a copied customer-key object",
    )?;
    expect_error(read_with(ctx, ReadOptions::default().with_encryption(key(3))).await)
        .map_err(|e| e.context("reading the copy with the source's key"))?;
    Ok(())
}

//! What Azure Blob Storage can do (the [`Capability`] every store declares) and its limits,
//! with the one name of each default this crate uses.

use storage_types::{Capability, Feature, Limits, Operation, Pair};

/// Default part (block) size of streamed writes, and the largest write sent as one Put Blob.
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
/// Default number of parts (blocks) of one write uploaded at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The largest block (service version 2019-12-12 and later).
pub(crate) const MAX_BLOCK_SIZE: u64 = 4000 << 20;
/// The most blocks of one blob.
pub(crate) const MAX_BLOCKS: u32 = 50_000;
/// The largest blob one Put Blob writes.
const MAX_PUT_BLOB: u64 = 5000 << 20;
/// The most entries of one List Blobs page.
pub(crate) const MAX_PAGE_SIZE: u32 = 5000;

/// What a store declares. Signed URLs need the account key (`has_key`); bucket (container)
/// management is off under any SAS token (`not_sas_only`), which rarely grants it.
pub(crate) fn capability(has_key: bool, not_sas_only: bool) -> Capability {
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    let stored = [
        Pair::ContentType,
        Pair::ContentEncoding,
        Pair::CacheControl,
        Pair::ContentDisposition,
        Pair::UserMetadata,
        Pair::StorageClass,
    ];
    let encryption = [
        Pair::EncryptionServiceManaged,
        Pair::EncryptionKms,
        Pair::EncryptionCustomerKey,
    ];
    let customer_key = [Pair::EncryptionCustomerKey];
    let limits = Limits::none()
        .with_parts(None, Some(MAX_BLOCK_SIZE), MAX_BLOCKS)
        .with_object_sizes(
            Some(MAX_PUT_BLOB),
            Some(MAX_BLOCK_SIZE * u64::from(MAX_BLOCKS)),
        )
        .with_max_page_size(MAX_PAGE_SIZE);
    let mut cap = Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::Append)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
        .with_feature(Feature::CreateDir)
        .with_pairs(Operation::Stat, &conditional)
        .with_pairs(Operation::Stat, &customer_key)
        .with_pairs(Operation::Read, &conditional)
        .with_pairs(Operation::Read, &[Pair::Range])
        .with_pairs(Operation::Read, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Read, &customer_key)
        .with_pairs(Operation::Write, &stored)
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &encryption)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Write, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(
            Operation::List,
            &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
        )
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CreateMultipart, &encryption)
        .with_pairs(Operation::UploadPart, &customer_key)
        .with_pairs(Operation::UploadPart, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CompleteMultipart, &customer_key)
        // Append blobs have no access tier: every stored header but the storage class.
        .with_pairs(Operation::CreateAppend, &stored[..5])
        .with_pairs(Operation::CreateAppend, &encryption)
        .with_pairs(Operation::Append, &customer_key)
        .with_pairs(Operation::Append, &[Pair::ContentMd5, Pair::Crc32c])
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
        .with_limits(limits);
    if has_key {
        cap = cap
            .with_feature(Feature::Presign)
            .with_pairs(Operation::Presign, &[Pair::ContentType]);
    }
    if not_sas_only {
        cap = cap.with_feature(Feature::Buckets);
    }
    cap
}

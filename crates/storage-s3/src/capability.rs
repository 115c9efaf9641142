//! What S3 can do (the [`Capability`] every store declares) and its limits, with the one
//! name of each default this crate uses.

use storage_types::{Capability, Feature, Limits, Operation, Pair};

/// Default part size of streamed writes, and the largest write sent as one PutObject.
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
/// Default number of parts of one write uploaded at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The smallest part S3 takes (all but the last part of an upload).
pub(crate) const MIN_PART_SIZE: u64 = 5 << 20;
/// The largest part, and the largest object one PutObject or CopyObject writes.
pub(crate) const MAX_PART_SIZE: u64 = 5 << 30;
/// The most parts of one multipart upload.
pub(crate) const MAX_PARTS: u32 = 10_000;

/// What every S3 store declares, under any credentials.
pub(crate) fn capability() -> Capability {
    let conditional = [Pair::IfMatch, Pair::IfNoneMatch];
    let stored = [
        Pair::ContentType,
        Pair::ContentEncoding,
        Pair::CacheControl,
        Pair::ContentDisposition,
        Pair::UserMetadata,
        Pair::StorageClass,
    ];
    let every_encryption = [
        Pair::EncryptionServiceManaged,
        Pair::EncryptionKms,
        Pair::EncryptionCustomerKey,
    ];
    let customer_key = [Pair::EncryptionCustomerKey];
    let checksums = [Pair::ContentMd5, Pair::Crc32c];
    let limits = Limits::none()
        .with_parts(Some(MIN_PART_SIZE), Some(MAX_PART_SIZE), MAX_PARTS)
        .with_object_sizes(Some(MAX_PART_SIZE), Some(5 << 40))
        .with_max_page_size(1000);
    Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::UploadListing)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
        .with_feature(Feature::Presign)
        .with_feature(Feature::CreateDir)
        .with_feature(Feature::Buckets)
        .with_pairs(Operation::Stat, &conditional)
        .with_pairs(Operation::Stat, &[Pair::Version])
        .with_pairs(Operation::Stat, &customer_key)
        .with_pairs(Operation::Read, &conditional)
        .with_pairs(Operation::Read, &[Pair::Range, Pair::Version])
        .with_pairs(Operation::Read, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Read, &customer_key)
        .with_pairs(Operation::Write, &stored)
        .with_pairs(Operation::Write, &conditional)
        .with_pairs(Operation::Write, &every_encryption)
        .with_pairs(Operation::Write, &checksums)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Delete, &[Pair::Version])
        .with_pairs(
            Operation::List,
            &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
        )
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CreateMultipart, &every_encryption)
        .with_pairs(Operation::UploadPart, &customer_key)
        .with_pairs(Operation::UploadPart, &checksums)
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CompleteMultipart, &customer_key)
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Copy, &every_encryption)
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &every_encryption)
        .with_pairs(Operation::Presign, &[Pair::ContentType])
        .with_limits(limits)
}

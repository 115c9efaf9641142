//! What the GCS backend declares: every feature (signed URLs only with a signer), the options
//! each operation honours, and GCS's limits.

use storage_types::{Capability, Feature, Limits, Operation, Pair};

use crate::lister::MAX_PAGE_SIZE;
use crate::multipart::MAX_PARTS;

/// GCS's largest object (5 TiB).
pub(crate) const MAX_OBJECT_SIZE: u64 = 5 << 40;

pub(crate) fn capability(can_sign: bool) -> Capability {
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
    let checksums = [Pair::ContentMd5, Pair::Crc32c];
    let limits = Limits::none()
        .with_parts(None, Some(MAX_OBJECT_SIZE), MAX_PARTS)
        .with_object_sizes(Some(MAX_OBJECT_SIZE), Some(MAX_OBJECT_SIZE))
        .with_max_page_size(MAX_PAGE_SIZE);
    let mut cap = Capability::new()
        .with_feature(Feature::Multipart)
        .with_feature(Feature::UploadListing)
        .with_feature(Feature::Append)
        .with_feature(Feature::Copy)
        .with_feature(Feature::Rename)
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
        .with_pairs(Operation::Write, &encryption)
        .with_pairs(Operation::Write, &checksums)
        .with_pairs(Operation::Write, &[Pair::PartSize, Pair::Concurrency])
        .with_pairs(Operation::Delete, &[Pair::Version])
        .with_pairs(Operation::List, &[Pair::PageSize, Pair::StartAfter])
        .with_pairs(Operation::CreateMultipart, &stored)
        .with_pairs(Operation::CreateMultipart, &encryption)
        .with_pairs(Operation::UploadPart, &customer_key)
        .with_pairs(Operation::UploadPart, &checksums)
        .with_pairs(Operation::CompleteMultipart, &[Pair::IfNoneMatch])
        .with_pairs(Operation::CompleteMultipart, &customer_key)
        .with_pairs(Operation::CreateAppend, &stored)
        .with_pairs(Operation::CreateAppend, &encryption)
        .with_pairs(Operation::Append, &customer_key)
        .with_pairs(Operation::Append, &checksums)
        .with_pairs(Operation::Copy, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Copy, &encryption)
        .with_pairs(Operation::Rename, &[Pair::IfNoneMatch])
        .with_pairs(Operation::Rename, &encryption)
        .with_limits(limits);
    if can_sign {
        cap = cap
            .with_feature(Feature::Presign)
            .with_pairs(Operation::Presign, &[Pair::ContentType]);
    }
    cap
}

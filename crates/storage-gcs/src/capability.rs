//! What the GCS backend declares: every feature (signed URLs only with a signer), the options
//! each operation honours, GCS's limits, and the store's defaults (one name each).

use std::time::Duration;

use storage_types::{Capability, Feature, Limits, Operation, Pair};

/// Default part size of a write: the chunk of a resumable upload (what one streamed write
/// holds in memory) and the part of a parallel composite upload. It is what the builder's
/// `chunk_size` (URL key `chunk-size`) sets, and a write's `part_size` overrides.
pub const DEFAULT_PART_SIZE: u64 = 8 << 20;
/// Default number of parts of one write in flight at once: one, a resumable upload. A write
/// asking for more `concurrency` becomes a parallel composite upload.
pub const DEFAULT_CONCURRENCY: usize = 1;
/// Default largest body sent as one single-shot upload; larger ones are resumable.
pub const DEFAULT_SINGLE_UPLOAD_LIMIT: u64 = 16 << 20;
/// Default time a call keeps trying to reach a service it cannot connect to at all (refused,
/// or a host name that does not resolve) before it fails: what the builder's `connect_timeout`
/// (URL key `connect-timeout`) sets. A few seconds ride out a restart of the endpoint; the
/// SDK's own policy kept trying for 300 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// GCS's largest object (5 TiB).
pub(crate) const MAX_OBJECT_SIZE: u64 = 5 << 40;
/// GCS has no part limit of its own; this keeps staged part names fixed-width and their
/// listings short.
pub(crate) const MAX_PARTS: u32 = 10_000;
/// GCS's largest listing page.
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;
/// The most sources one ComposeObject takes.
pub(crate) const MAX_COMPOSE_SOURCES: usize = 32;
/// Resumable chunks are multiples of this (a GCS rule).
pub(crate) const CHUNK_QUANTUM: u64 = 256 << 10;
/// GCS's longest V4 signature.
pub(crate) const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

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
        .with_pairs(
            Operation::List,
            &[Pair::PageSize, Pair::StartAfter, Pair::NamePrefix],
        )
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

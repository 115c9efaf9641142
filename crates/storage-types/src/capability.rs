//! What a backend supports: its features, the options ("pairs") each operation honours, and
//! its limits. The central layer checks every call against it.

use crate::named::named_enum;
use std::fmt;

use crate::operation::{Feature, Operation, operation_index};

named_enum! {
    /// One optional argument of an operation, after go-storage's "pairs".
    ///
    /// Each options struct reports which pairs a call sets; a pair the backend's [`Capability`]
    /// does not list for that operation is refused with
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), naming it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum Pair {
        /// A byte range of the object.
        Range => "range",
        /// Act only if the object's ETag matches.
        IfMatch => "if_match",
        /// Act only if the object's ETag does not match (`*`: only if the object does not exist).
        IfNoneMatch => "if_none_match",
        /// A specific version (generation) of the object.
        Version => "version",
        /// The `Content-Type` stored with the object.
        ContentType => "content_type",
        /// The `Content-Encoding` stored with the object.
        ContentEncoding => "content_encoding",
        /// The `Cache-Control` stored with the object.
        CacheControl => "cache_control",
        /// The `Content-Disposition` stored with the object.
        ContentDisposition => "content_disposition",
        /// User-defined metadata (name/value pairs) stored with the object.
        UserMetadata => "user_metadata",
        /// An MD5 of the content, checked by the service.
        ContentMd5 => "content_md5",
        /// A CRC32C of the content, checked by the service.
        Crc32c => "crc32c",
        /// The storage class (tier) of the object.
        StorageClass => "storage_class",
        /// Encryption with keys the service manages (S3 SSE-S3).
        EncryptionServiceManaged => "encryption (service-managed)",
        /// Encryption with a key of the cloud's key management service.
        EncryptionKms => "encryption (KMS key)",
        /// Encryption with a 256-bit key the caller supplies.
        EncryptionCustomerKey => "encryption (customer key)",
        /// The part size of a write that the backend splits into parts.
        PartSize => "part_size",
        /// How many parts of a write go up at once.
        Concurrency => "concurrency",
        /// How many entries one list request asks for.
        PageSize => "page_size",
        /// List only entries after this path.
        StartAfter => "start_after",
        /// List only entries whose name in the listed directory starts with this string: a
        /// listing by raw key prefix.
        NamePrefix => "name_prefix",
        /// A callback that sees every chunk of the body. Handled centrally for every backend.
        Progress => "progress",
    }
}

impl Pair {
    fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

/// A set of [`Pair`]s.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PairSet(u64);

impl PairSet {
    /// The empty set.
    pub const EMPTY: PairSet = PairSet(0);

    /// A set holding `pairs`.
    pub fn of(pairs: &[Pair]) -> Self {
        PairSet(pairs.iter().fold(0, |bits, p| bits | p.bit()))
    }

    /// Whether `pair` is in the set.
    pub fn contains(self, pair: Pair) -> bool {
        self.0 & pair.bit() != 0
    }

    /// Adds `pair`.
    pub fn insert(&mut self, pair: Pair) {
        self.0 |= pair.bit();
    }

    /// The pairs in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Pair> {
        Pair::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl fmt::Debug for PairSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Size limits of a backend. `None` means no limit of the backend's own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Smallest size of a multipart part other than the last one.
    pub min_part_size: Option<u64>,
    /// Largest size of one multipart part.
    pub max_part_size: Option<u64>,
    /// Highest part number (and so most parts) of a multipart upload.
    pub max_parts: Option<u32>,
    /// Largest object a single write request may create.
    pub max_single_write_size: Option<u64>,
    /// Largest object the service stores.
    pub max_object_size: Option<u64>,
    /// Most entries one list request may return.
    pub max_page_size: Option<u32>,
}

impl Limits {
    /// No limits.
    pub fn none() -> Self {
        Limits::default()
    }

    /// Sets the multipart part limits.
    pub fn with_parts(mut self, min_size: Option<u64>, max_size: Option<u64>, max: u32) -> Self {
        self.min_part_size = min_size;
        self.max_part_size = max_size;
        self.max_parts = Some(max);
        self
    }

    /// Sets the largest single write and the largest object.
    pub fn with_object_sizes(mut self, single_write: Option<u64>, object: Option<u64>) -> Self {
        self.max_single_write_size = single_write;
        self.max_object_size = object;
        self
    }

    /// Sets the largest page of a list request.
    pub fn with_max_page_size(mut self, max: u32) -> Self {
        self.max_page_size = Some(max);
        self
    }
}

/// What a backend supports, declared once by the backend and checked centrally.
///
/// The core operations (stat, read, write, delete, list) are always present; the optional
/// [`Feature`]s and the [`Pair`]s of each operation are declared.
///
/// ```
/// use storage_types::{Capability, Feature, Operation, Pair};
///
/// let cap = Capability::new()
///     .with_feature(Feature::Copy)
///     .with_pairs(Operation::Read, &[Pair::Range]);
/// assert!(cap.has_feature(Feature::Copy));
/// assert!(cap.supports(Operation::Copy));
/// assert!(!cap.supports(Operation::Presign));
/// assert!(cap.supports_pair(Operation::Read, Pair::Range));
/// assert!(cap.supports_pair(Operation::Read, Pair::Progress));
/// assert!(!cap.supports_pair(Operation::Write, Pair::Range));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    features: u32,
    pairs: [PairSet; Operation::ALL.len()],
    limits: Limits,
}

impl Default for Capability {
    fn default() -> Self {
        Capability::new()
    }
}

impl Capability {
    /// Only the core operations, with no pairs but the centrally handled progress callback.
    pub fn new() -> Self {
        let mut cap = Capability {
            features: 0,
            pairs: [PairSet::EMPTY; Operation::ALL.len()],
            limits: Limits::none(),
        };
        for op in [
            Operation::Read,
            Operation::Write,
            Operation::UploadPart,
            Operation::Append,
        ] {
            cap.pairs[operation_index(op)].insert(Pair::Progress);
        }
        cap
    }

    /// Declares a feature.
    pub fn with_feature(mut self, feature: Feature) -> Self {
        self.features |= 1 << (feature as u32);
        self
    }

    /// Declares that `operation` honours `pairs`.
    pub fn with_pairs(mut self, operation: Operation, pairs: &[Pair]) -> Self {
        for pair in pairs {
            self.pairs[operation_index(operation)].insert(*pair);
        }
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether the feature is declared.
    pub fn has_feature(&self, feature: Feature) -> bool {
        self.features & (1 << (feature as u32)) != 0
    }

    /// Whether the operation is available: a core operation, or one of a declared feature.
    pub fn supports(&self, operation: Operation) -> bool {
        operation.feature().is_none_or(|f| self.has_feature(f))
    }

    /// Whether `operation` is available and honours `pair`.
    pub fn supports_pair(&self, operation: Operation, pair: Pair) -> bool {
        self.supports(operation) && self.pairs[operation_index(operation)].contains(pair)
    }

    /// The pairs `operation` honours.
    pub fn pairs(&self, operation: Operation) -> PairSet {
        self.pairs[operation_index(operation)]
    }

    /// The declared features, in declaration order.
    pub fn features(&self) -> impl Iterator<Item = Feature> + '_ {
        Feature::ALL.into_iter().filter(|f| self.has_feature(*f))
    }

    /// The backend's limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

impl fmt::Debug for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Capability");
        s.field("features", &self.features().collect::<Vec<_>>());
        for op in Operation::ALL {
            if self.supports(op) && self.pairs(op) != PairSet::EMPTY {
                s.field(op.as_str(), &self.pairs(op));
            }
        }
        s.field("limits", &self.limits).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_fits_the_bitset() {
        assert!(Pair::ALL.len() <= 64);
        let all = PairSet::of(&Pair::ALL);
        assert_eq!(all.iter().count(), Pair::ALL.len());
    }

    #[test]
    fn pairs_of_an_undeclared_feature_are_unsupported() {
        let cap = Capability::new().with_pairs(Operation::Copy, &[Pair::IfMatch]);
        assert!(!cap.supports_pair(Operation::Copy, Pair::IfMatch));
        let cap = cap.with_feature(Feature::Copy);
        assert!(cap.supports_pair(Operation::Copy, Pair::IfMatch));
    }

    #[test]
    fn debug_lists_features_and_pairs() {
        let cap = Capability::new()
            .with_feature(Feature::Append)
            .with_pairs(Operation::Write, &[Pair::ContentType]);
        let shown = format!("{cap:?}");
        assert!(shown.contains("Append"), "{shown}");
        assert!(shown.contains("ContentType"), "{shown}");
    }
}

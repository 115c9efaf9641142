//! One options struct per operation ("pairs"): every optional argument of a call lives here,
//! set with `with_*` methods.

use std::collections::BTreeMap;

use crate::capability::{Pair, PairSet};
use crate::encryption::Encryption;
use crate::extension::{Extension, Extensions};
use crate::progress::Progress;
use crate::range::ByteRange;

/// A checksum of the content, for the service to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checksum {
    /// The MD5 digest (`Content-MD5`).
    Md5([u8; 16]),
    /// The CRC32C (Castagnoli) checksum.
    Crc32c(u32),
}

impl Checksum {
    /// The pair a backend must declare to verify this checksum.
    pub fn pair(&self) -> Pair {
        match self {
            Checksum::Md5(_) => Pair::ContentMd5,
            Checksum::Crc32c(_) => Pair::Crc32c,
        }
    }
}

/// What the central layer needs of every options struct: which pairs a call sets, and how to
/// drop one (loose mode).
pub(crate) trait OptionSet {
    fn pairs(&self) -> PairSet;
    fn clear(&mut self, pair: Pair);
    fn extensions_mut(&mut self) -> &mut Extensions;
}

/// Generates `with_*` setters for `Option` fields.
macro_rules! setters {
    ($ty:ident { $($(#[$doc:meta])* $setter:ident => $field:ident: $value:ty;)* }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $setter(mut self, value: impl Into<$value>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*

            /// Adds a service-only option; the central check refuses it on another service.
            pub fn with_extension(mut self, ext: impl Extension) -> Self {
                self.extensions.insert(ext);
                self
            }
        }
    };
}

/// Implements [`OptionSet`] from one list of the struct's pairs: `Option` fields with their
/// pair, map fields (a pair when not empty), and the encryption and checksum fields, whose
/// pair depends on their value. Stated once, so that `pairs` and `clear` cannot disagree.
macro_rules! option_set {
    ($ty:ident {
        option: [$($field:ident => $pair:ident),*],
        map: [$($map:ident => $map_pair:ident),*],
        encryption: [$($enc:ident),*],
        checksum: [$($sum:ident),*]$(,)?
    }) => {
        impl OptionSet for $ty {
            fn pairs(&self) -> PairSet {
                let mut set = PairSet::EMPTY;
                $(if self.$field.is_some() { set.insert(Pair::$pair); })*
                $(if !self.$map.is_empty() { set.insert(Pair::$map_pair); })*
                $(if let Some(e) = &self.$enc { set.insert(e.pair()); })*
                $(if let Some(c) = &self.$sum { set.insert(c.pair()); })*
                set
            }

            fn clear(&mut self, pair: Pair) {
                $(if pair == Pair::$pair { self.$field = None; })*
                $(if pair == Pair::$map_pair { self.$map.clear(); })*
                $(if self.$enc.as_ref().is_some_and(|e| e.pair() == pair) { self.$enc = None; })*
                $(if self.$sum.as_ref().is_some_and(|c| c.pair() == pair) { self.$sum = None; })*
            }

            fn extensions_mut(&mut self) -> &mut Extensions {
                &mut self.extensions
            }
        }
    };
}

/// Options of [`Storage::stat`](crate::Storage::stat).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StatOptions {
    /// Succeed only if the ETag matches.
    pub if_match: Option<String>,
    /// Succeed only if the ETag differs.
    pub if_none_match: Option<String>,
    /// A specific version.
    pub version: Option<String>,
    /// The customer key the object was written with.
    pub encryption: Option<Encryption>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(StatOptions {
    /// Succeed only if the object's ETag matches (else `ConditionNotMet`).
    with_if_match => if_match: String;
    /// Succeed only if the object's ETag differs (else `ConditionNotMet`).
    with_if_none_match => if_none_match: String;
    /// Stat a specific version.
    with_version => version: String;
    /// The encryption the object was written with (customer keys must be given again).
    with_encryption => encryption: Encryption;
});

option_set!(StatOptions {
    option: [if_match => IfMatch, if_none_match => IfNoneMatch, version => Version],
    map: [],
    encryption: [encryption],
    checksum: [],
});

/// Options of [`Storage::read`](crate::Storage::read).
///
/// ```
/// use storage_types::ReadOptions;
///
/// let opts = ReadOptions::default().with_range(100..200).with_if_match("\"abc\"");
/// assert_eq!(opts.range.unwrap().offset(), 100);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Read only these bytes.
    pub range: Option<ByteRange>,
    /// Succeed only if the ETag matches.
    pub if_match: Option<String>,
    /// Succeed only if the ETag differs.
    pub if_none_match: Option<String>,
    /// A specific version.
    pub version: Option<String>,
    /// The customer key the object was written with.
    pub encryption: Option<Encryption>,
    /// Called with every chunk read.
    pub progress: Option<Progress>,
    /// The size of each ranged request of a read in parts (see `concurrency`).
    pub part_size: Option<u64>,
    /// Above 1, a read in parts: the object (or range) is asked for as ranged requests of
    /// `part_size` bytes (8 MiB unless set), this many at once, handed on in order and pinned
    /// to the first part's ETag. Memory grows to about `concurrency + 1` parts.
    pub concurrency: Option<usize>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(ReadOptions {
    /// Read only a byte range.
    with_range => range: ByteRange;
    /// Succeed only if the object's ETag matches (else `ConditionNotMet`).
    with_if_match => if_match: String;
    /// Succeed only if the object's ETag differs (else `ConditionNotMet`).
    with_if_none_match => if_none_match: String;
    /// Read a specific version.
    with_version => version: String;
    /// The encryption the object was written with (customer keys must be given again).
    with_encryption => encryption: Encryption;
    /// A callback that sees every chunk read.
    with_progress => progress: Progress;
});

impl ReadOptions {
    /// Part size in bytes of a read in parts.
    pub fn with_part_size(mut self, bytes: u64) -> Self {
        self.part_size = Some(bytes);
        self
    }

    /// How many parts of a read in parts are asked for at once; above 1, the read is made in
    /// parts.
    pub fn with_concurrency(mut self, parts: usize) -> Self {
        self.concurrency = Some(parts);
        self
    }
}

option_set!(ReadOptions {
    option: [range => Range, if_match => IfMatch, if_none_match => IfNoneMatch, version => Version,
        part_size => PartSize, concurrency => Concurrency, progress => Progress],
    map: [],
    encryption: [encryption],
    checksum: [],
});

/// Options of [`Storage::write`](crate::Storage::write), and of creating multipart uploads and
/// appendable objects.
///
/// ```
/// use storage_types::WriteOptions;
///
/// let opts = WriteOptions::default()
///     .with_content_type("text/plain")
///     .with_user_metadata("owner", "br")
///     .create_only();
/// assert_eq!(opts.if_none_match.as_deref(), Some("*"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Stored `Content-Type`.
    pub content_type: Option<String>,
    /// Stored `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// Stored `Cache-Control`.
    pub cache_control: Option<String>,
    /// Stored `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// User-defined metadata; empty means none.
    pub user_metadata: BTreeMap<String, String>,
    /// Replace only if the current ETag matches.
    pub if_match: Option<String>,
    /// `*`: create only, fail if the object exists.
    pub if_none_match: Option<String>,
    /// A checksum the service verifies.
    pub checksum: Option<Checksum>,
    /// Storage class (tier).
    pub storage_class: Option<String>,
    /// Encryption at rest; overrides the store's default.
    pub encryption: Option<Encryption>,
    /// Part size when the backend splits the write into parts.
    pub part_size: Option<u64>,
    /// How many parts go up at once.
    pub concurrency: Option<usize>,
    /// Called with every chunk written.
    pub progress: Option<Progress>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(WriteOptions {
    /// Stores a `Content-Type`.
    with_content_type => content_type: String;
    /// Stores a `Content-Encoding`.
    with_content_encoding => content_encoding: String;
    /// Stores a `Cache-Control`.
    with_cache_control => cache_control: String;
    /// Stores a `Content-Disposition`.
    with_content_disposition => content_disposition: String;
    /// Replaces the object only if its ETag matches (else `ConditionNotMet`).
    with_if_match => if_match: String;
    /// Writes only if the ETag differs; `*` writes only if the object does not exist.
    with_if_none_match => if_none_match: String;
    /// A checksum the service verifies (else `IntegrityMismatch`).
    with_checksum => checksum: Checksum;
    /// Sets the storage class.
    with_storage_class => storage_class: String;
    /// Encrypts with this mode instead of the store's default.
    with_encryption => encryption: Encryption;
    /// A callback that sees every chunk written.
    with_progress => progress: Progress;
});

impl WriteOptions {
    /// Part size in bytes for writes split into parts. (A plain `u64`, unlike the string
    /// setters, so that `with_part_size(8 << 20)` needs no suffix.)
    pub fn with_part_size(mut self, bytes: u64) -> Self {
        self.part_size = Some(bytes);
        self
    }

    /// How many parts go up at once.
    pub fn with_concurrency(mut self, parts: usize) -> Self {
        self.concurrency = Some(parts);
        self
    }

    /// Adds one user metadata entry.
    pub fn with_user_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.user_metadata.insert(key.into(), value.into());
        self
    }

    /// Writes only if no object exists at the path (`If-None-Match: *`); else `ConditionNotMet`.
    pub fn create_only(self) -> Self {
        self.with_if_none_match("*")
    }
}

option_set!(WriteOptions {
    option: [content_type => ContentType, content_encoding => ContentEncoding,
        cache_control => CacheControl, content_disposition => ContentDisposition,
        if_match => IfMatch, if_none_match => IfNoneMatch, storage_class => StorageClass,
        part_size => PartSize, concurrency => Concurrency, progress => Progress],
    map: [user_metadata => UserMetadata],
    encryption: [encryption],
    checksum: [checksum],
});

/// Options of [`Storage::delete`](crate::Storage::delete).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DeleteOptions {
    /// Delete a specific version.
    pub version: Option<String>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(DeleteOptions {
    /// Deletes a specific version.
    with_version => version: String;
});

option_set!(DeleteOptions {
    option: [version => Version],
    map: [],
    encryption: [],
    checksum: [],
});

/// Options of [`Storage::list`](crate::Storage::list) and
/// [`Storage::list_prefix`](crate::Storage::list_prefix).
///
/// ```
/// use storage_types::ListOptions;
///
/// let opts = ListOptions::default().recursive().with_page_size(500);
/// assert!(opts.recursive);
/// let opts = ListOptions::default().with_name_prefix("backupmeta");
/// assert_eq!(opts.name_prefix.as_deref(), Some("backupmeta"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListOptions {
    /// List every object below the directory instead of one level (no delimiter).
    pub recursive: bool,
    /// Entries per request to the service.
    pub page_size: Option<u32>,
    /// Only entries whose path sorts after this one (a path relative to the store root).
    pub start_after: Option<String>,
    /// Only entries whose name in the listed directory starts with this string (a name, with
    /// no `/`): the directory `v1/` with the name prefix `backupmeta` lists `v1/backupmeta.1`
    /// and, recursively, `v1/backupmeta_x/a`. [`Storage::list_prefix`](crate::Storage::list_prefix)
    /// sets it from a raw key prefix.
    pub name_prefix: Option<String>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(ListOptions {
    /// Only entries whose path sorts after this one.
    with_start_after => start_after: String;
    /// Only entries whose name in the listed directory starts with this string (no `/`).
    with_name_prefix => name_prefix: String;
});

impl ListOptions {
    /// Entries per request to the service.
    pub fn with_page_size(mut self, entries: u32) -> Self {
        self.page_size = Some(entries);
        self
    }

    /// Lists every object below the directory (no directories, no delimiter).
    pub fn recursive(mut self) -> Self {
        self.recursive = true;
        self
    }
}

option_set!(ListOptions {
    option: [page_size => PageSize, start_after => StartAfter, name_prefix => NamePrefix],
    map: [],
    encryption: [],
    checksum: [],
});

/// Options of [`Storage::copy`](crate::Storage::copy) and [`Storage::rename`](crate::Storage::rename).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CopyOptions {
    /// `*`: fail if the destination exists.
    pub if_none_match: Option<String>,
    /// The customer key the source was written with.
    pub source_encryption: Option<Encryption>,
    /// Encryption of the destination; overrides the store's default.
    pub encryption: Option<Encryption>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(CopyOptions {
    /// `*`: fail with `ConditionNotMet` if the destination exists.
    with_if_none_match => if_none_match: String;
    /// The encryption the source was written with.
    with_source_encryption => source_encryption: Encryption;
    /// Encryption of the destination.
    with_encryption => encryption: Encryption;
});

option_set!(CopyOptions {
    option: [if_none_match => IfNoneMatch],
    map: [],
    encryption: [source_encryption, encryption],
    checksum: [],
});

/// Options of [`Storage::upload_part`](crate::Storage::upload_part) and
/// [`Storage::append`](crate::Storage::append).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PartOptions {
    /// A checksum of this part, verified by the service.
    pub checksum: Option<Checksum>,
    /// The customer key of the upload (needed with every part).
    pub encryption: Option<Encryption>,
    /// Called with every chunk written.
    pub progress: Option<Progress>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(PartOptions {
    /// A checksum of this part.
    with_checksum => checksum: Checksum;
    /// The encryption the upload or object was created with.
    with_encryption => encryption: Encryption;
    /// A callback that sees every chunk written.
    with_progress => progress: Progress;
});

option_set!(PartOptions {
    option: [progress => Progress],
    map: [],
    encryption: [encryption],
    checksum: [checksum],
});

/// Options of [`Storage::complete_multipart`](crate::Storage::complete_multipart).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CompleteOptions {
    /// `*`: fail if the object exists.
    pub if_none_match: Option<String>,
    /// The customer key of the upload.
    pub encryption: Option<Encryption>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(CompleteOptions {
    /// `*`: fail with `ConditionNotMet` if the object exists.
    with_if_none_match => if_none_match: String;
    /// The encryption the upload was created with.
    with_encryption => encryption: Encryption;
});

option_set!(CompleteOptions {
    option: [if_none_match => IfNoneMatch],
    map: [],
    encryption: [encryption],
    checksum: [],
});

/// Options of [`Storage::presign`](crate::Storage::presign).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PresignOptions {
    /// The `Content-Type` a signed write must send.
    pub content_type: Option<String>,
    /// The encryption the signed request must use.
    pub encryption: Option<Encryption>,
    /// Service-only options.
    pub extensions: Extensions,
}

setters!(PresignOptions {
    /// The `Content-Type` a signed write must send.
    with_content_type => content_type: String;
    /// The encryption the signed request must use.
    with_encryption => encryption: Encryption;
});

option_set!(PresignOptions {
    option: [content_type => ContentType],
    map: [],
    encryption: [encryption],
    checksum: [],
});

/// Options of [`Storage::create_bucket`](crate::Storage::create_bucket).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BucketOptions {
    /// Service-only options (region, public access, ...).
    pub extensions: Extensions,
}

setters!(BucketOptions {});

// No pairs yet: bucket options are service-only extensions.
impl OptionSet for BucketOptions {
    fn pairs(&self) -> PairSet {
        PairSet::EMPTY
    }
    fn clear(&mut self, _pair: Pair) {}
    fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encryption::CustomerKey;

    #[test]
    fn write_pairs_reflect_what_is_set() {
        let opts = WriteOptions::default()
            .with_content_type("a/b")
            .with_user_metadata("k", "v")
            .with_encryption(Encryption::CustomerKey(CustomerKey::new([1; 32])))
            .with_checksum(Checksum::Crc32c(1));
        let pairs: Vec<Pair> = opts.pairs().iter().collect();
        assert_eq!(
            pairs,
            [
                Pair::ContentType,
                Pair::UserMetadata,
                Pair::Crc32c,
                Pair::EncryptionCustomerKey
            ]
        );
    }

    #[test]
    fn clear_drops_exactly_one_pair() {
        let mut opts = WriteOptions::default()
            .with_content_type("a/b")
            .with_user_metadata("k", "v")
            .with_encryption(Encryption::kms("key"));
        opts.clear(Pair::EncryptionKms);
        opts.clear(Pair::UserMetadata);
        assert!(opts.encryption.is_none());
        assert!(opts.user_metadata.is_empty());
        assert_eq!(opts.content_type.as_deref(), Some("a/b"));
        opts.clear(Pair::EncryptionCustomerKey);
        assert_eq!(opts.pairs().iter().collect::<Vec<_>>(), [Pair::ContentType]);
    }

    #[test]
    fn copy_counts_both_encryptions() {
        let opts = CopyOptions::default()
            .with_source_encryption(Encryption::CustomerKey(CustomerKey::new([1; 32])))
            .with_encryption(Encryption::ServiceManaged);
        let pairs: Vec<Pair> = opts.pairs().iter().collect();
        assert_eq!(
            pairs,
            [Pair::EncryptionServiceManaged, Pair::EncryptionCustomerKey]
        );
    }
}

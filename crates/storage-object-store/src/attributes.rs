//! object_store's `Attributes` and tags as rs-storage [`WriteOptions`].
//!
//! Each attribute goes into its typed option. One the backend does not declare for the
//! operation is `NotImplemented`, as object_store's own stores answer for attributes they
//! cannot keep, instead of being dropped (a store in loose mode drops it, as it drops any
//! option it cannot honour). Content-Language and tags have no rs-storage option at all.

use object_store::{Attribute, Attributes, Result, TagSet};
use storage_types::{Operation, Pair, StorageInfo, WriteOptions};

use crate::error::not_implemented;

/// The write options carrying `attributes`, for `operation` (a write or the creation of a
/// multipart upload).
pub(crate) fn write_options(
    info: &StorageInfo,
    operation: Operation,
    attributes: &Attributes,
    tags: &TagSet,
) -> Result<WriteOptions> {
    if !tags.is_empty() && !info.loose {
        return Err(not_implemented(
            format!("{operation} with object tags"),
            info.service,
        ));
    }
    let mut opts = WriteOptions::default();
    for (key, value) in attributes {
        let value = value.as_ref().to_owned();
        let pair = match key {
            Attribute::ContentType => {
                opts.content_type = Some(value);
                Pair::ContentType
            }
            Attribute::ContentEncoding => {
                opts.content_encoding = Some(value);
                Pair::ContentEncoding
            }
            Attribute::CacheControl => {
                opts.cache_control = Some(value);
                Pair::CacheControl
            }
            Attribute::ContentDisposition => {
                opts.content_disposition = Some(value);
                Pair::ContentDisposition
            }
            Attribute::StorageClass => {
                opts.storage_class = Some(value);
                Pair::StorageClass
            }
            Attribute::Metadata(name) => {
                opts.user_metadata.insert(name.to_string(), value);
                Pair::UserMetadata
            }
            other => {
                if info.loose {
                    continue;
                }
                return Err(not_implemented(
                    format!("{operation} with attribute {other:?}"),
                    info.service,
                ));
            }
        };
        if !info.loose && !info.capability.supports_pair(operation, pair) {
            return Err(not_implemented(
                format!("{operation} with attribute {key:?} (option `{pair}`)"),
                info.service,
            ));
        }
    }
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use storage_types::{Capability, Operation};

    use super::*;

    fn info(pairs: &[Pair]) -> StorageInfo {
        let cap = Capability::new().with_pairs(Operation::Write, pairs);
        StorageInfo::new("test", "t", cap)
    }

    #[test]
    fn attributes_fill_typed_options() {
        let attributes = Attributes::from_iter([
            (Attribute::ContentType, "text/csv"),
            (Attribute::Metadata("owner".into()), "br"),
        ]);
        let info = info(&[Pair::ContentType, Pair::UserMetadata]);
        let opts = write_options(&info, Operation::Write, &attributes, &TagSet::default()).unwrap();
        assert_eq!(opts.content_type.as_deref(), Some("text/csv"));
        assert_eq!(opts.user_metadata["owner"], "br");
    }

    #[test]
    fn undeclared_and_unknown_attributes_are_not_implemented() {
        let undeclared = Attributes::from_iter([(Attribute::CacheControl, "no-cache")]);
        let err = write_options(
            &info(&[]),
            Operation::Write,
            &undeclared,
            &TagSet::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, object_store::Error::NotImplemented { .. }),
            "{err}"
        );
        let language = Attributes::from_iter([(Attribute::ContentLanguage, "en")]);
        let all = info(&Pair::ALL);
        let err = write_options(&all, Operation::Write, &language, &TagSet::default()).unwrap_err();
        assert!(
            matches!(err, object_store::Error::NotImplemented { .. }),
            "{err}"
        );
        let mut tags = TagSet::default();
        tags.push("k", "v");
        let err = write_options(&all, Operation::Write, &Attributes::new(), &tags).unwrap_err();
        assert!(
            matches!(err, object_store::Error::NotImplemented { .. }),
            "{err}"
        );
    }
}

//! The typed extension slot of every options struct: service-only options, such as an S3 ACL or
//! an Azure access tier, live here as typed values, never as string maps.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A service-only option. The service name ties it to one backend: the central check refuses
/// an extension meant for another service.
///
/// ```
/// use storage_types::{Extension, WriteOptions};
///
/// #[derive(Debug)]
/// struct Tier(&'static str);
/// impl Extension for Tier {
///     fn service(&self) -> &'static str { "azblob" }
/// }
///
/// let opts = WriteOptions::default().with_extension(Tier("Cool"));
/// assert_eq!(opts.extensions.get::<Tier>().unwrap().0, "Cool");
/// ```
pub trait Extension: Any + Send + Sync + fmt::Debug {
    /// The scheme of the backend this option belongs to (`"s3"`, `"gcs"`, `"azblob"`, ...).
    fn service(&self) -> &'static str;
}

/// Typed service-only options, at most one value per type.
#[derive(Clone, Default)]
pub struct Extensions(Vec<Arc<dyn Extension>>);

impl Extensions {
    /// Adds `ext`, replacing a value of the same type.
    pub fn insert<E: Extension>(&mut self, ext: E) {
        self.0.retain(|e| !(e.as_ref() as &dyn Any).is::<E>());
        self.0.push(Arc::new(ext));
    }

    /// The value of type `E`, if set.
    pub fn get<E: Extension>(&self) -> Option<&E> {
        self.0
            .iter()
            .find_map(|e| (e.as_ref() as &dyn Any).downcast_ref::<E>())
    }

    /// Whether no extension is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every extension set.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Extension> {
        self.0.iter().map(|e| e.as_ref())
    }

    /// Drops the extensions that do not belong to `service` (loose mode).
    pub fn retain_service(&mut self, service: &str) {
        self.0.retain(|e| e.service() == service);
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Acl(&'static str);
    impl Extension for Acl {
        fn service(&self) -> &'static str {
            "s3"
        }
    }

    #[derive(Debug)]
    struct Tier;
    impl Extension for Tier {
        fn service(&self) -> &'static str {
            "azblob"
        }
    }

    #[test]
    fn insert_replaces_same_type_and_retain_filters_by_service() {
        let mut exts = Extensions::default();
        exts.insert(Acl("private"));
        exts.insert(Acl("public-read"));
        exts.insert(Tier);
        assert_eq!(exts.get::<Acl>(), Some(&Acl("public-read")));
        assert_eq!(exts.iter().count(), 2);
        exts.retain_service("s3");
        assert!(exts.get::<Tier>().is_none());
        assert!(!exts.is_empty());
    }
}

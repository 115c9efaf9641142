//! Attributes round-trip through the adapter where the backend stores headers; object_store's
//! own `put_get_attributes` cannot show it, since it also sets Content-Language, which no
//! rs-storage option carries.

use std::sync::Arc;

use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt};
use storage_memory::MemoryStorage;
use storage_object_store::StorageObjectStore;

fn attributes() -> Attributes {
    Attributes::from_iter([
        (Attribute::CacheControl, "max-age=604800"),
        (
            Attribute::ContentDisposition,
            r#"attachment; filename="test.html""#,
        ),
        (Attribute::ContentEncoding, "gzip"),
        (Attribute::ContentType, "text/html; charset=utf-8"),
        (Attribute::Metadata("test_key".into()), "test_value"),
    ])
}

#[tokio::test]
async fn put_and_multipart_keep_attributes() {
    let store = StorageObjectStore::new(Arc::new(MemoryStorage::new()));
    let path = Path::from("attributes");
    store
        .put_opts(&path, "foo".into(), attributes().into())
        .await
        .unwrap();
    assert_eq!(store.get(&path).await.unwrap().attributes, attributes());

    let mut upload = store
        .put_multipart_opts(&path, attributes().into())
        .await
        .unwrap();
    upload.put_part("bar".into()).await.unwrap();
    upload.complete().await.unwrap();
    let got = store.get(&path).await.unwrap();
    assert_eq!(got.attributes, attributes());
    assert_eq!(got.bytes().await.unwrap(), "bar");
}

#[tokio::test]
async fn content_language_is_refused_not_dropped() {
    let store = StorageObjectStore::new(Arc::new(MemoryStorage::new()));
    let attributes = Attributes::from_iter([(Attribute::ContentLanguage, "en-US")]);
    let err = store
        .put_opts(&Path::from("a"), "foo".into(), attributes.into())
        .await
        .unwrap_err();
    assert!(
        matches!(err, object_store::Error::NotImplemented { .. }),
        "{err}"
    );
    assert!(store.head(&Path::from("a")).await.is_err());
}

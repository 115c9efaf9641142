//! The gRPC half driven by the official `StorageControl` client: stat, paged delimiter
//! listing, compose, multi-call rewrite, delete and buckets.

use crate::support::{BUCKET_PATH, collect, fixture, fixture_with, pattern};
use bytes::Bytes;
use gcs_test_server::ServerConfig;
use google_cloud_gax::error::rpc::Code;
use google_cloud_storage::model::Object;
use google_cloud_storage::model::compose_object_request::SourceObject;

async fn put(f: &crate::support::Fixture, name: &str, data: impl Into<Bytes>) -> Object {
    f.storage
        .write_object(BUCKET_PATH, name, data.into())
        .send_buffered()
        .await
        .unwrap()
}

fn code(err: &google_cloud_storage::Error) -> Option<Code> {
    err.status().map(|s| s.code)
}

#[tokio::test]
async fn stat_and_delete() {
    let f = fixture().await;
    let written = put(&f, "a.txt", "hello").await;
    let object = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("a.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(object.size, 5);
    assert_eq!(object.generation, written.generation);
    assert_eq!(
        object.checksums.unwrap().crc32c,
        Some(crc32c::crc32c(b"hello"))
    );

    f.control
        .delete_object()
        .set_bucket(BUCKET_PATH)
        .set_object("a.txt")
        .send()
        .await
        .unwrap();
    let err = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(Code::NotFound), "{err:?}");
}

#[tokio::test]
async fn list_with_delimiter_over_several_pages() {
    let f = fixture().await;
    let names = ["a/1", "a/2", "b", "c/x/y", "c/z", "d", "e/1", "f"];
    for name in names {
        put(&f, name, "x").await;
    }
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = f
            .control
            .list_objects()
            .set_parent(BUCKET_PATH)
            .set_delimiter("/")
            .set_page_size(2)
            .set_page_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.objects.len() + page.prefixes.len() <= 2);
        objects.extend(page.objects.into_iter().map(|o| o.name));
        prefixes.extend(page.prefixes);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(objects, ["b", "d", "f"]);
    assert_eq!(prefixes, ["a/", "c/", "e/"]);
    assert_eq!(pages, 3);

    let page = f
        .control
        .list_objects()
        .set_parent(BUCKET_PATH)
        .set_prefix("c/")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = page.objects.into_iter().map(|o| o.name).collect();
    assert_eq!(names, ["c/x/y", "c/z"]);
}

#[tokio::test]
async fn compose_concatenates_sources() {
    let f = fixture().await;
    let first = put(&f, "p1", "hello ").await;
    put(&f, "p2", "world").await;
    let composed = f
        .control
        .compose_object()
        .set_destination(
            Object::new()
                .set_bucket(BUCKET_PATH)
                .set_name("both")
                .set_content_type("text/plain"),
        )
        .set_source_objects([
            SourceObject::new()
                .set_name("p1")
                .set_generation(first.generation),
            SourceObject::new().set_name("p2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(composed.size, 11);
    assert_eq!(composed.component_count, 2);
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "both")
        .send()
        .await
        .unwrap();
    assert_eq!(collect(reader).await.unwrap(), b"hello world");

    let too_many = (0..33).map(|_| SourceObject::new().set_name("p1"));
    let err = f
        .control
        .compose_object()
        .set_destination(Object::new().set_bucket(BUCKET_PATH).set_name("many"))
        .set_source_objects(too_many)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(Code::InvalidArgument), "{err:?}");
}

#[tokio::test]
async fn rewrite_takes_several_calls() {
    let f = fixture_with(ServerConfig {
        rewrite_step: 1000,
        ..ServerConfig::default()
    })
    .await;
    let data = pattern(3500);
    put(&f, "src", data.clone()).await;
    let mut token = String::new();
    let mut calls = 0;
    let object = loop {
        let reply = f
            .control
            .rewrite_object()
            .set_source_bucket(BUCKET_PATH)
            .set_source_object("src")
            .set_destination_bucket(BUCKET_PATH)
            .set_destination_name("dst")
            .set_rewrite_token(token.clone())
            .send()
            .await
            .unwrap();
        calls += 1;
        if reply.done {
            break reply.resource.unwrap();
        }
        assert_eq!(reply.object_size, 3500);
        // The destination appears only with the final call.
        let err = f
            .control
            .get_object()
            .set_bucket(BUCKET_PATH)
            .set_object("dst")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), Some(Code::NotFound));
        token = reply.rewrite_token;
    };
    assert_eq!(calls, 4);
    assert_eq!(object.size, 3500);
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "dst")
        .send()
        .await
        .unwrap();
    assert_eq!(collect(reader).await.unwrap(), data);
}

#[tokio::test]
async fn buckets_lifecycle() {
    let f = fixture().await;
    let bucket = f
        .control
        .create_bucket()
        .set_parent("projects/_")
        .set_bucket_id("other-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(bucket.name, "projects/_/buckets/other-bucket");
    let err = f
        .control
        .create_bucket()
        .set_parent("projects/_")
        .set_bucket_id("other-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(Code::AlreadyExists), "{err:?}");

    put(&f, "x", "1").await;
    let err = f
        .control
        .delete_bucket()
        .set_name(BUCKET_PATH)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(Code::FailedPrecondition), "{err:?}");
    f.control
        .delete_bucket()
        .set_name("projects/_/buckets/other-bucket")
        .send()
        .await
        .unwrap();
}

//! What the server refuses or answers as GCS does, each seen through the official clients:
//! callers without the server's credentials, a read whose not-match precondition fails (304),
//! composite objects without an MD5, compose sources of mixed storage classes (and the
//! destination's class), and resumable chunks that are not multiples of 256 KiB.

use crate::support::{BUCKET, BUCKET_PATH, clients, collect, credentials_of, fixture, pattern};
use bytes::Bytes;
use google_cloud_auth::credentials::anonymous::Builder as Anonymous;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use google_cloud_gax::error::rpc::Code;
use google_cloud_storage::model::compose_object_request::SourceObject;
use google_cloud_storage::model::{Bucket, Object};

const QUANTUM: usize = 256 * 1024;

fn code(err: &google_cloud_storage::Error) -> Option<Code> {
    err.status().map(|s| s.code)
}

/// The `Authorization` header the official client would send with these credentials.
async fn auth_header(credentials: &Credentials) -> String {
    match credentials.headers(http::Extensions::new()).await.unwrap() {
        CacheableResource::New { data, .. } => data
            .get(http::header::AUTHORIZATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned(),
        CacheableResource::NotModified => unreachable!("the first call has no cached value"),
    }
}

#[tokio::test]
async fn callers_without_the_servers_credentials_are_refused() {
    let f = fixture().await;
    f.storage
        .write_object(BUCKET_PATH, "private", Bytes::from_static(b"data"))
        .send_buffered()
        .await
        .unwrap();
    // Another server's key signs tokens this server did not issue: as bad as none at all.
    let other = fixture().await;
    let strangers = [
        ("anonymous", Anonymous::new().build()),
        ("another key", credentials_of(&other.server)),
    ];
    for (who, credentials) in strangers {
        let (storage, control) = clients(&f.server, credentials).await;
        let err = storage
            .read_object(BUCKET_PATH, "private")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.http_status_code(), Some(401), "{who} read: {err:?}");
        let err = storage
            .write_object(BUCKET_PATH, "intruder", Bytes::from_static(b"x"))
            .send_buffered()
            .await
            .unwrap_err();
        assert_eq!(err.http_status_code(), Some(401), "{who} write: {err:?}");
        let err = control
            .get_object()
            .set_bucket(BUCKET_PATH)
            .set_object("private")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            Some(Code::Unauthenticated),
            "{who} stat: {err:?}"
        );
        let err = control
            .list_objects()
            .set_parent(BUCKET_PATH)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            Some(Code::Unauthenticated),
            "{who} list: {err:?}"
        );
    }
    // Nothing the strangers sent was stored.
    let err = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("intruder")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(Code::NotFound), "{err:?}");
}

#[tokio::test]
async fn a_failed_not_match_precondition_on_a_read_answers_304() {
    let f = fixture().await;
    let object = f
        .storage
        .write_object(BUCKET_PATH, "cached", Bytes::from_static(b"data"))
        .send_buffered()
        .await
        .unwrap();
    let err = f
        .storage
        .read_object(BUCKET_PATH, "cached")
        .set_if_generation_not_match(object.generation)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status_code(), Some(304), "{err:?}");
    let err = f
        .storage
        .read_object(BUCKET_PATH, "cached")
        .set_if_metageneration_not_match(object.metageneration)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status_code(), Some(304), "{err:?}");
    // A match precondition that fails is still 412, and another generation reads.
    let err = f
        .storage
        .read_object(BUCKET_PATH, "cached")
        .set_if_generation_match(object.generation + 1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status_code(), Some(412), "{err:?}");
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "cached")
        .set_if_generation_not_match(object.generation + 1)
        .send()
        .await
        .unwrap();
    assert_eq!(collect(reader).await.unwrap(), b"data");

    // The JSON metadata GET (the official client reads metadata over gRPC) answers 304 too.
    let url = format!(
        "{}/storage/v1/b/{BUCKET}/o/cached?ifGenerationNotMatch={}",
        f.server.url, object.generation
    );
    let response = reqwest::Client::new()
        .get(&url)
        .header(
            "authorization",
            auth_header(&credentials_of(&f.server)).await,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);
}

#[tokio::test]
async fn composite_objects_have_a_crc32c_but_no_md5() {
    let f = fixture().await;
    let mut sources = Vec::new();
    for (name, data) in [("c1", "hello "), ("c2", "world")] {
        let object = f
            .storage
            .write_object(BUCKET_PATH, name, Bytes::from_static(data.as_bytes()))
            .send_buffered()
            .await
            .unwrap();
        // A plain upload has both hashes.
        let sums = object.checksums.unwrap();
        assert_eq!(sums.md5_hash.len(), 16, "{name}");
        sources.push(SourceObject::new().set_name(name));
    }
    let composed = f
        .control
        .compose_object()
        .set_destination(Object::new().set_bucket(BUCKET_PATH).set_name("composite"))
        .set_source_objects(sources)
        .send()
        .await
        .unwrap();
    let sums = composed.checksums.unwrap();
    assert!(sums.md5_hash.is_empty(), "{sums:?}");
    assert_eq!(sums.crc32c, Some(crc32c::crc32c(b"hello world")));
    let stat = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("composite")
        .send()
        .await
        .unwrap();
    assert!(stat.checksums.unwrap().md5_hash.is_empty());
    // The download's x-goog-hash carries the CRC32C alone, which the client checks.
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "composite")
        .send()
        .await
        .unwrap();
    assert_eq!(collect(reader).await.unwrap(), b"hello world");
}

#[tokio::test]
async fn compose_sources_share_a_class_and_the_result_takes_the_buckets() {
    let f = fixture().await;
    let bucket = "nearline-bucket";
    let bucket_path = format!("projects/_/buckets/{bucket}");
    let created = f
        .control
        .create_bucket()
        .set_parent("projects/_")
        .set_bucket_id(bucket)
        .set_bucket(Bucket::new().set_storage_class("NEARLINE"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.storage_class, "NEARLINE");
    let write = |name: &'static str, class: Option<&'static str>| {
        let mut req =
            f.storage
                .write_object(&bucket_path, name, Bytes::from_static(name.as_bytes()));
        if let Some(class) = class {
            req = req.set_storage_class(class);
        }
        req.send_buffered()
    };
    let default = write("default", None).await.unwrap();
    assert_eq!(default.storage_class, "NEARLINE", "the bucket's default");
    assert_eq!(
        write("cold1", Some("COLDLINE"))
            .await
            .unwrap()
            .storage_class,
        "COLDLINE"
    );
    write("cold2", Some("COLDLINE")).await.unwrap();
    let compose = |names: [&str; 2], class: Option<&str>| {
        let mut destination = Object::new().set_bucket(&bucket_path).set_name("out");
        if let Some(class) = class {
            destination = destination.set_storage_class(class);
        }
        f.control
            .compose_object()
            .set_destination(destination)
            .set_source_objects(names.map(|n| SourceObject::new().set_name(n)))
            .send()
    };
    let err = compose(["default", "cold1"], None).await.unwrap_err();
    assert_eq!(code(&err), Some(Code::InvalidArgument), "{err:?}");
    // Sources of one class, a destination that names none: the bucket's class, not theirs.
    let out = compose(["cold1", "cold2"], None).await.unwrap();
    assert_eq!(out.storage_class, "NEARLINE");
    let out = compose(["cold1", "cold2"], Some("COLDLINE")).await.unwrap();
    assert_eq!(out.storage_class, "COLDLINE");
    // An unknown class is refused, as GCS does.
    let err = write("odd", Some("SHINY")).await.unwrap_err();
    assert_eq!(err.http_status_code(), Some(400), "{err:?}");
}

#[tokio::test]
async fn resumable_chunks_other_than_the_last_are_multiples_of_256_kib() {
    let f = fixture().await;
    // The official client rounds its buffer up to 256 KiB, so its chunks are accepted.
    let data = Bytes::from(pattern(3 * QUANTUM + 1000));
    let object = f
        .storage
        .write_object(BUCKET_PATH, "rounded", data.clone())
        .with_resumable_upload_threshold(0usize)
        .with_resumable_upload_buffer_size(100_000usize)
        .send_buffered()
        .await
        .unwrap();
    assert_eq!(object.size as usize, data.len());

    // A session started with the client's credentials, then chunks sent by hand.
    let http = reqwest::Client::new();
    let start = http
        .post(format!(
            "{}/upload/storage/v1/b/{BUCKET}/o?uploadType=resumable&name=chunky",
            f.server.url
        ))
        .header(
            "authorization",
            auth_header(&credentials_of(&f.server)).await,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 200);
    let session = start.headers()["location"].to_str().unwrap().to_owned();
    // The session URL is the credential: chunks need no Authorization header.
    let put = |body: Vec<u8>, range: String| {
        http.put(&session)
            .header("content-range", range)
            .body(body)
            .send()
    };
    let short = put(pattern(1000), "bytes 0-999/*".into()).await.unwrap();
    assert_eq!(short.status(), 400);
    assert!(short.text().await.unwrap().contains("multiple of 262144"));
    let ragged = put(pattern(QUANTUM + 1), format!("bytes 0-{QUANTUM}/*"))
        .await
        .unwrap();
    assert_eq!(ragged.status(), 400);
    let whole = put(pattern(QUANTUM), format!("bytes 0-{}/*", QUANTUM - 1))
        .await
        .unwrap();
    assert_eq!(whole.status(), 308);
    // The last chunk may be of any size.
    let total = QUANTUM + 1000;
    let last = put(
        pattern(1000),
        format!("bytes {QUANTUM}-{}/{total}", total - 1),
    )
    .await
    .unwrap();
    assert_eq!(last.status(), 200);
    let stat = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("chunky")
        .send()
        .await
        .unwrap();
    assert_eq!(stat.size as usize, total);
}

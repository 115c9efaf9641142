//! The JSON half driven by the official `Storage` client: single-shot and resumable writes,
//! whole and ranged reads, a create-only precondition, and CSEK refusals.

use crate::support::{BUCKET_PATH, collect, fixture, pattern};
use bytes::Bytes;
use google_cloud_storage::model_ext::{KeyAes256, ReadRange};

#[tokio::test]
async fn single_shot_write_then_whole_and_ranged_reads() {
    let f = fixture().await;
    let data = Bytes::from(pattern(100_000));
    let object = f
        .storage
        .write_object(BUCKET_PATH, "dir/a b+c.txt", data.clone())
        .set_content_type("text/plain")
        .set_metadata([("k", "v")])
        .send_buffered()
        .await
        .unwrap();
    assert_eq!(object.size, 100_000);
    assert_eq!(object.content_type, "text/plain");
    assert!(object.generation > 0);

    let reader = f
        .storage
        .read_object(BUCKET_PATH, "dir/a b+c.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(reader.object().generation, object.generation);
    assert_eq!(
        reader.object().metadata.get("k").map(String::as_str),
        Some("v")
    );
    assert_eq!(collect(reader).await.unwrap(), data);

    let ranged = |range| {
        f.storage
            .read_object(BUCKET_PATH, "dir/a b+c.txt")
            .set_read_range(range)
            .send()
    };
    let got = collect(ranged(ReadRange::segment(10, 20)).await.unwrap()).await;
    assert_eq!(got.unwrap(), &data[10..30]);
    let got = collect(ranged(ReadRange::tail(5)).await.unwrap()).await;
    assert_eq!(got.unwrap(), &data[data.len() - 5..]);
    let got = collect(ranged(ReadRange::offset(99_990)).await.unwrap()).await;
    assert_eq!(got.unwrap(), &data[99_990..]);
    let err = ranged(ReadRange::offset(100_000)).await.unwrap_err();
    assert_eq!(err.http_status_code(), Some(416), "{err:?}");

    let missing = f.storage.read_object(BUCKET_PATH, "nope").send().await;
    assert_eq!(missing.unwrap_err().http_status_code(), Some(404));
}

#[tokio::test]
async fn resumable_multi_chunk_write() {
    let f = fixture().await;
    // Three and a half 256 KiB chunks, so the upload takes several PUTs and a final partial one.
    let data = Bytes::from(pattern(256 * 1024 * 3 + 1000));
    let object = f
        .storage
        .write_object(BUCKET_PATH, "big", data.clone())
        .with_resumable_upload_threshold(0usize)
        .with_resumable_upload_buffer_size(256 * 1024usize)
        .send_buffered()
        .await
        .unwrap();
    assert_eq!(object.size as usize, data.len());
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "big")
        .send()
        .await
        .unwrap();
    assert_eq!(collect(reader).await.unwrap(), data);

    // The unbuffered path sends the whole body in one PUT.
    let object = f
        .storage
        .write_object(BUCKET_PATH, "big2", data.clone())
        .with_resumable_upload_threshold(0usize)
        .send_unbuffered()
        .await
        .unwrap();
    assert_eq!(object.size as usize, data.len());

    // Empty objects go through `bytes */0`.
    let object = f
        .storage
        .write_object(BUCKET_PATH, "empty", Bytes::new())
        .with_resumable_upload_threshold(0usize)
        .send_buffered()
        .await
        .unwrap();
    assert_eq!(object.size, 0);
    let reader = f
        .storage
        .read_object(BUCKET_PATH, "empty")
        .send()
        .await
        .unwrap();
    assert!(collect(reader).await.unwrap().is_empty());
}

#[tokio::test]
async fn create_only_precondition_fails_when_the_object_exists() {
    let f = fixture().await;
    let write = |resumable: bool| {
        let threshold = if resumable { 0usize } else { 1usize << 20 };
        f.storage
            .write_object(BUCKET_PATH, "once", Bytes::from_static(b"data"))
            .set_if_generation_match(0)
            .with_resumable_upload_threshold(threshold)
            .send_buffered()
    };
    write(false).await.unwrap();
    for resumable in [false, true] {
        let err = write(resumable).await.unwrap_err();
        assert_eq!(err.http_status_code(), Some(412), "{err:?}");
    }
}

#[tokio::test]
async fn csek_objects_refuse_reads_without_the_right_key() {
    let f = fixture().await;
    let key = [7u8; 32];
    f.storage
        .write_object(BUCKET_PATH, "secret", Bytes::from_static(b"hidden"))
        .set_key(KeyAes256::new(&key).unwrap())
        .send_buffered()
        .await
        .unwrap();

    let with = |k: Option<[u8; 32]>| {
        let read = f.storage.read_object(BUCKET_PATH, "secret");
        match k {
            Some(k) => read.set_key(KeyAes256::new(&k).unwrap()).send(),
            None => read.send(),
        }
    };
    let err = with(None).await.unwrap_err();
    assert_eq!(err.http_status_code(), Some(400), "{err:?}");
    let err = with(Some([8u8; 32])).await.unwrap_err();
    assert_eq!(err.http_status_code(), Some(400), "{err:?}");
    let reader = with(Some(key)).await.unwrap();
    assert_eq!(collect(reader).await.unwrap(), b"hidden");

    // Metadata is readable without the key, but without hashes.
    let object = f
        .control
        .get_object()
        .set_bucket(BUCKET_PATH)
        .set_object("secret")
        .send()
        .await
        .unwrap();
    assert!(object.checksums.is_none());
    assert!(object.customer_encryption.is_some());
}

#[tokio::test]
async fn wrong_checksums_are_refused_and_nothing_is_stored() {
    let f = fixture().await;
    for threshold in [1usize << 20, 0] {
        let err = f
            .storage
            .write_object(BUCKET_PATH, "corrupt", Bytes::from_static(b"payload"))
            .with_known_crc32c(crc32c::crc32c(b"other"))
            .with_resumable_upload_threshold(threshold)
            .send_buffered()
            .await
            .unwrap_err();
        assert_eq!(err.http_status_code(), Some(400), "{err:?}");
        let missing = f.storage.read_object(BUCKET_PATH, "corrupt").send().await;
        assert_eq!(missing.unwrap_err().http_status_code(), Some(404));
    }
}

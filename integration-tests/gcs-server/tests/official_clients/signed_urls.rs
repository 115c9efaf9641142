//! V4 signed URLs: signed with the generated service-account key through google-cloud-auth's
//! signer and `SignedUrlBuilder`, accepted as signed and refused when tampered with.

use crate::support::{BUCKET_PATH, fixture_with};
use gcs_test_server::ServerConfig;
use google_cloud_auth::credentials::service_account::Builder as ServiceAccount;
use google_cloud_storage::builder::storage::SignedUrlBuilder;
use google_cloud_storage::http::Method;
use std::time::Duration;

#[tokio::test]
async fn signed_urls_are_verified() {
    let file = std::env::temp_dir().join(format!("gcs-test-sa-{}.json", std::process::id()));
    let f = fixture_with(ServerConfig {
        service_account_file: Some(file.clone()),
        ..ServerConfig::default()
    })
    .await;
    let key: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(key, f.server.service_account_key);
    let signer = ServiceAccount::new(key).build_signer().unwrap();
    let sign = |method: Method, object: &str| {
        SignedUrlBuilder::for_object(BUCKET_PATH, object)
            .with_method(method)
            .with_expiration(Duration::from_secs(600))
            .with_endpoint(f.server.url.clone())
            .sign_with(&signer)
    };
    let http = reqwest::Client::new();

    let put_url = sign(Method::PUT, "dir/signed file.txt").await.unwrap();
    let response = http
        .put(&put_url)
        .body("via signed url")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let get_url = sign(Method::GET, "dir/signed file.txt").await.unwrap();
    let response = http.get(&get_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "via signed url");
    let response = http
        .get(&get_url)
        .header("range", "bytes=4-9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.text().await.unwrap(), "signed");

    // A URL signed for one object does not open another, nor does a changed signature.
    let moved = get_url.replace("signed%20file", "other%20file");
    assert_eq!(http.get(&moved).send().await.unwrap().status(), 403);
    let (head, signature) = get_url.rsplit_once("X-Goog-Signature=").unwrap();
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    let tampered = format!("{head}X-Goog-Signature={flipped}{}", &signature[1..]);
    assert_eq!(http.get(&tampered).send().await.unwrap().status(), 403);
    // The method is part of the signature.
    assert_eq!(http.delete(&get_url).send().await.unwrap().status(), 403);
    let unsigned = get_url.split_once('?').unwrap().0;
    assert_eq!(http.get(unsigned).send().await.unwrap().status(), 403);

    let delete_url = sign(Method::DELETE, "dir/signed file.txt").await.unwrap();
    assert_eq!(http.delete(&delete_url).send().await.unwrap().status(), 204);
    assert_eq!(http.get(&get_url).send().await.unwrap().status(), 404);
}

//! Bucket region detection: a store whose region nobody gave asks the bucket once (HeadBucket;
//! S3 names the bucket's region in `x-amz-bucket-region`, on a 301 redirect as on a 200) and,
//! when it differs, goes on with a client for that region. The answer is kept per store and,
//! for stores built later on the same endpoint and bucket, per process.

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_sdk_s3::config::Region;

/// Regions learnt so far, by (endpoint, bucket).
static LEARNT: Mutex<BTreeMap<(String, String), String>> = Mutex::new(BTreeMap::new());

/// The header S3 names a bucket's region in.
pub(crate) const BUCKET_REGION: &str = "x-amz-bucket-region";

/// A client for `bucket`'s region: `client` itself when it is already there, or when the
/// region cannot be learnt (the request failed, or the answer names none). `endpoint` (empty
/// for Amazon's) is what learnt regions are kept under, with the bucket.
pub(crate) async fn client_for_bucket(
    client: &aws_sdk_s3::Client,
    endpoint: &str,
    bucket: &str,
) -> aws_sdk_s3::Client {
    let config = client.config();
    let key = (endpoint.to_owned(), bucket.to_owned());
    let known = LEARNT.lock().ok().and_then(|map| map.get(&key).cloned());
    let region = match known {
        Some(region) => Some(region),
        None => ask(client, bucket).await,
    };
    let Some(region) = region else {
        return client.clone();
    };
    if let Ok(mut map) = LEARNT.lock() {
        map.insert(key, region.clone());
    }
    if config.region().map(Region::as_ref) == Some(region.as_str()) {
        return client.clone();
    }
    tracing::debug!(bucket, region, "following the bucket to its region");
    let config = config.to_builder().region(Region::new(region)).build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The region a HeadBucket answer names, success or not.
async fn ask(client: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    match client.head_bucket().bucket(bucket).send().await {
        Ok(out) => out.bucket_region().map(str::to_owned),
        Err(err) => err
            .raw_response()
            .and_then(|r| r.headers().get(BUCKET_REGION))
            .map(str::to_owned),
    }
    .filter(|region| !region.is_empty())
}

//! Whether two locations are one store, so that `cp`/`mv` may copy or rename on the service
//! instead of streaming the bytes.
//!
//! A server-side copy runs on the source's client: it is right only when the destination is
//! the very store that client reaches. Two S3 endpoints, two Azure accounts or two GCS servers
//! can hold a bucket of the same name, so the bucket name alone proves nothing. The rule here
//! is deliberately conservative: one store only when the backend, the bucket and every URL key
//! (endpoint, region, account, credentials, profile, project, and the rest) are identical, and
//! the opened stores agree on service, bucket and root. Anything else streams, which is
//! always correct. Settings read from the environment are the same for both locations within
//! one process, so they cannot tell two stores apart and need no comparing.

use std::collections::BTreeMap;
use std::sync::Arc;

use storage::{Storage, StorageUrl};

/// What addresses and authenticates a location's store: its backend, its bucket (container,
/// store name) and all its URL keys, normalised as the backends read them. The path inside the
/// store is left out. No `Debug`: the keys hold secrets.
pub(crate) struct StoreAddress {
    scheme: String,
    bucket: String,
    keys: BTreeMap<String, String>,
}

impl StoreAddress {
    /// The address of the store `location` (a URL or local path) names.
    pub(crate) fn of(location: &str) -> storage::Result<StoreAddress> {
        let url = StorageUrl::parse(location)?;
        Ok(StoreAddress {
            scheme: url.scheme().to_owned(),
            bucket: url.bucket().to_owned(),
            keys: url.query().clone(),
        })
    }

    /// Whether both addresses name one store: every part equal. A key present on one side
    /// only (a region given here and left to a default there) counts as a difference, since
    /// the default may not be what the other side says.
    fn same_as(&self, other: &StoreAddress) -> bool {
        self.same_bucket_name(other) && self.keys == other.keys
    }

    /// Whether both name a bucket of the same name on the same backend: possibly one bucket
    /// reached two ways, possibly two stores' buckets.
    pub(crate) fn same_bucket_name(&self, other: &StoreAddress) -> bool {
        self.scheme == other.scheme && self.bucket == other.bucket
    }
}

/// Whether a copy from `(a, a_store)` to `(b, b_store)` may stay on the service: the same
/// address, and stores that agree on what they are (the copy call takes paths relative to the
/// source's root, so the roots must match too).
pub(crate) fn same_store(
    a: &StoreAddress,
    a_store: &Arc<dyn Storage>,
    b: &StoreAddress,
    b_store: &Arc<dyn Storage>,
) -> bool {
    let (a_info, b_info) = (a_store.info(), b_store.info());
    a.same_as(b)
        && a_info.service == b_info.service
        && a_info.name == b_info.name
        && a_info.root == b_info.root
}

/// Whether a streamed move from `from` to `to` (the same path in a bucket of the same name,
/// reached through differently written URLs) would write the source onto itself, so that
/// deleting "the source" afterwards would lose the object. Judged from both sides' metadata
/// before anything is written: a missing or different destination is another object; an
/// identical one (size, ETag, modification time and version) is taken to be the source itself.
pub(crate) async fn looks_like_itself(
    src: &Arc<dyn Storage>,
    from: &str,
    dst: &Arc<dyn Storage>,
    to: &str,
) -> storage::Result<bool> {
    let source = src.stat(from).await?;
    let target = match dst.stat(to).await {
        Ok(target) => target,
        Err(err) if err.kind() == storage::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    Ok(source.size == target.size
        && source.etag == target.etag
        && source.last_modified == target.last_modified
        && source.version == target.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        StoreAddress::of(a)
            .unwrap()
            .same_as(&StoreAddress::of(b).unwrap())
    }

    #[test]
    fn paths_inside_one_store_do_not_matter() {
        let q = "?endpoint=http%3A%2F%2Fh%3A9000&region=eu&access-key=a&secret-access-key=s";
        assert!(same(
            &format!("s3://b/x/a.txt{q}"),
            &format!("s3://b/y/{q}")
        ));
        assert!(same("/tmp/a", "/var/b/"));
        assert!(same("/tmp/a", "fs:///var/b"));
        assert!(same("memory://m/a", "memory://m/b/c"));
    }

    #[test]
    fn key_spellings_that_read_alike_are_alike() {
        assert!(same(
            "s3://b/x?region=eu&Force_Path_Style=true",
            "s3a://b/y?force-path-style=true&REGION=eu"
        ));
        assert!(same("gcs://b/x", "gs://b/y"));
    }

    #[test]
    fn anything_that_addresses_or_authenticates_differs() {
        let pairs = [
            // Two S3 servers with a bucket of the same name.
            (
                "s3://b/x?endpoint=http://h1:9000",
                "s3://b/x?endpoint=http://h2:9000",
            ),
            ("s3://b/x?region=eu-west-1", "s3://b/x?region=us-east-1"),
            ("s3://b/x?region=eu-west-1", "s3://b/x"),
            ("s3://b/x?profile=prod", "s3://b/x?profile=dev"),
            ("s3://b/x?access-key=a&secret-access-key=s", "s3://b/x"),
            ("s3://b/x?role-arn=arn:aws:iam::1:role/r", "s3://b/x"),
            // Two Azure accounts with a container of the same name.
            (
                "azblob://c/x?account-name=one",
                "azblob://c/x?account-name=two",
            ),
            (
                "abfs://c@one.dfs.core.windows.net/x",
                "abfs://c@two.dfs.core.windows.net/x",
            ),
            (
                "azblob://c/x?sas-token=sv%3D1",
                "azblob://c/x?sas-token=sv%3D2",
            ),
            // Two GCS projects or servers.
            ("gcs://b/x?project-id=p1", "gcs://b/x?project-id=p2"),
            (
                "gcs://b/x?endpoint=http://h1",
                "gcs://b/x?endpoint=http://h2",
            ),
            (
                "gcs://b/x?credentials-file=/k1",
                "gcs://b/x?credentials-file=/k2",
            ),
            // Other buckets, other backends.
            ("s3://b1/x", "s3://b2/x"),
            ("s3://b/x", "gcs://b/x"),
            ("memory://m1/x", "memory://m2/x"),
        ];
        for (a, b) in pairs {
            assert!(!same(a, b), "{a} and {b} should be two stores");
            assert!(!same(b, a), "{b} and {a} should be two stores");
        }
    }

    #[tokio::test]
    async fn an_object_is_itself_and_not_another() {
        use storage::StorageExt;
        let one = storage::open("memory://itself-one").await.unwrap();
        let two = storage::open("memory://itself-two").await.unwrap();
        one.write_bytes("x", "1").await.unwrap();
        assert!(looks_like_itself(&one, "x", &one, "x").await.unwrap());
        assert!(!looks_like_itself(&one, "x", &two, "x").await.unwrap());
        two.write_bytes("x", "22").await.unwrap();
        assert!(!looks_like_itself(&one, "x", &two, "x").await.unwrap());
    }

    #[tokio::test]
    async fn opened_stores_must_agree_too() {
        let address = StoreAddress::of("memory://agree/x").unwrap();
        let one = storage::open("memory://agree").await.unwrap();
        let other = storage::open("memory://disagree").await.unwrap();
        assert!(same_store(&address, &one, &address, &one));
        assert!(!same_store(&address, &one, &address, &other));
    }
}

//! Buckets (create, delete, list), directory markers, and `delete`.

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier,
};
use storage_types::{BucketOptions, DeleteOptions, Error, ObjectPath, Result};

use crate::S3Storage;
use crate::error::map_sdk_error;
use crate::sse::with_common;

/// Deletes an object (or a directory marker); S3 answers success for a missing key.
pub(crate) async fn delete(s: &S3Storage, path: &ObjectPath, opts: DeleteOptions) -> Result<()> {
    let s3 = s.s3_options(&opts.extensions);
    let req = s
        .client()
        .delete_object()
        .bucket(s.bucket())
        .key(s.key(path))
        .set_version_id(opts.version);
    Box::pin(with_common!(req, s3).send())
        .await
        .map_err(map_sdk_error)?;
    Ok(())
}

/// Deletes keys 1,000 at a time with DeleteObjects (quiet: only failures come back).
pub(crate) async fn delete_many(s: &S3Storage, paths: &[ObjectPath]) -> Result<()> {
    let mut failures = Vec::new();
    for chunk in paths.chunks(1000) {
        let objects = chunk
            .iter()
            .map(|p| ObjectIdentifier::builder().key(s.key(p)).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|err| {
                Error::invalid_input("cannot build the delete request").with_source(err)
            })?;
        let request = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|err| {
                Error::invalid_input("cannot build the delete request").with_source(err)
            })?;
        let req = s
            .client()
            .delete_objects()
            .bucket(s.bucket())
            .delete(request);
        // A batch that fails as a whole counts against each of its keys; the other batches
        // still go.
        let out = match with_common!(req, s.inner.defaults).send().await {
            Ok(out) => out,
            Err(err) => {
                let err = map_sdk_error(err);
                for path in chunk {
                    failures.push(
                        Error::new(err.kind(), err.message().to_owned()).with_path(path.as_str()),
                    );
                }
                continue;
            }
        };
        for failed in out.errors() {
            let (kind, temporary) = crate::error::classify(None, failed.code());
            let key = failed.key().unwrap_or_default();
            let message = failed
                .message()
                .unwrap_or("the service refused to delete the key");
            let err = Error::new(kind, message.to_owned()).with_temporary(temporary);
            failures.push(match s.path_of(key) {
                Some(path) => err.with_path(path.as_str()),
                None => err,
            });
        }
    }
    storage_types::backend::many_failed(failures, paths.len())
}

/// A directory is a zero-byte object whose key ends with `/`.
pub(crate) async fn create_dir(s: &S3Storage, dir: &ObjectPath) -> Result<()> {
    let req = s
        .client()
        .put_object()
        .bucket(s.bucket())
        .key(s.key(dir))
        .content_length(0)
        .body(bytes::Bytes::new().into());
    with_common!(req, s.inner.defaults)
        .send()
        .await
        .map_err(map_sdk_error)?;
    Ok(())
}

pub(crate) async fn create_bucket(s: &S3Storage, name: &str, _opts: BucketOptions) -> Result<()> {
    check_bucket_name(name)?;
    let region = s.client().config().region().map(|r| r.as_ref().to_owned());
    // us-east-1 is the one region that takes no location constraint.
    let configuration = region.filter(|r| r != "us-east-1").map(|r| {
        CreateBucketConfiguration::builder()
            .location_constraint(BucketLocationConstraint::from(r.as_str()))
            .build()
    });
    s.client()
        .create_bucket()
        .bucket(name)
        .set_create_bucket_configuration(configuration)
        .send()
        .await
        .map_err(map_sdk_error)?;
    Ok(())
}

pub(crate) async fn delete_bucket(s: &S3Storage, name: &str) -> Result<()> {
    check_bucket_name(name)?;
    s.client()
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .map_err(map_sdk_error)?;
    Ok(())
}

pub(crate) async fn list_buckets(s: &S3Storage) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = s
            .client()
            .list_buckets()
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(map_sdk_error)?;
        names.extend(
            page.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_owned)),
        );
        match page.continuation_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    names.sort();
    Ok(names)
}

/// S3's bucket naming rules, checked before a request is signed for a name that cannot work.
fn check_bucket_name(name: &str) -> Result<()> {
    let valid = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "`{name}` is not a valid bucket name (3-63 lower-case letters, digits, `-` and `.`)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        assert!(check_bucket_name("my-bucket.2024").is_ok());
        for bad in [
            "ab",
            "Upper",
            "-start",
            "end-",
            "under_score",
            &"x".repeat(64),
        ] {
            assert!(check_bucket_name(bad).is_err(), "{bad}");
        }
    }
}

//! Buckets (create, delete, list) and directory markers.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use storage_types::{BucketOptions, Error, ObjectPath, Result};

use crate::S3Storage;
use crate::encryption::with_common;
use crate::error::map_sdk_error;

impl S3Storage {
    /// A directory is a zero-byte object whose key ends with `/`.
    pub(crate) async fn create_dir_marker(&self, dir: &ObjectPath) -> Result<()> {
        let req = self
            .s3()
            .await
            .put_object()
            .bucket(self.bucket())
            .key(self.key(dir))
            .content_length(0)
            .body(bytes::Bytes::new().into());
        with_common!(req, self.inner.defaults)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(())
    }

    /// Creates bucket `name` in the client's region.
    pub(crate) async fn create_named_bucket(&self, name: &str, _opts: BucketOptions) -> Result<()> {
        check_bucket_name(name)?;
        let region = self
            .s3()
            .await
            .config()
            .region()
            .map(|r| r.as_ref().to_owned());
        // us-east-1 is the one region that takes no location constraint.
        let configuration = region.filter(|r| r != "us-east-1").map(|r| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(r.as_str()))
                .build()
        });
        self.s3()
            .await
            .create_bucket()
            .bucket(name)
            .set_create_bucket_configuration(configuration)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(())
    }

    /// Deletes bucket `name` (S3 refuses one that is not empty).
    pub(crate) async fn delete_named_bucket(&self, name: &str) -> Result<()> {
        check_bucket_name(name)?;
        self.s3()
            .await
            .delete_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(())
    }

    /// The names of the account's buckets, sorted.
    pub(crate) async fn list_bucket_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .s3()
                .await
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

//! [`Provider`]: the vendor behind an S3 endpoint, as BR's `provider` key names it, and the
//! rules BR (pingcap/tidb `S3BackendOptions.SetForcePathStyle`) derives from it: which
//! addressing style a store uses and whether the vendor wants Content-MD5 instead of the SDK's
//! newer checksum headers.

use std::fmt;

/// The vendor behind an S3 endpoint. Any name is accepted, as BR accepts any; the ones below
/// change behaviour, the rest count as a generic S3-compatible store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Provider {
    /// Amazon S3 itself (`aws`).
    Aws,
    /// Alibaba Cloud OSS (`alibaba`, `aliyun`, `oss`): virtual-hosted style only.
    Alibaba,
    /// Kingsoft Cloud KS3 (`ks3`, also the `ks3://` scheme): needs a region, has no STS.
    Ks3,
    /// Tencent Cloud COS (`tencent`, `cos`): virtual-hosted style only.
    Tencent,
    /// NetEase Cloud NOS (`netease`, `nos`): virtual-hosted style only.
    Netease,
    /// MinIO (`minio`).
    Minio,
    /// Ceph RADOS Gateway (`ceph`, `rgw`).
    Ceph,
    /// Cloudflare R2 (`r2`, `cloudflare`).
    R2,
    /// Backblaze B2 (`b2`, `backblaze`).
    B2,
    /// Any other S3-compatible store, by the name given.
    Other(String),
}

impl Provider {
    /// The provider a name (any case) stands for.
    pub fn parse(name: &str) -> Provider {
        match name.trim().to_ascii_lowercase().as_str() {
            "aws" | "amazon" => Provider::Aws,
            "alibaba" | "aliyun" | "oss" => Provider::Alibaba,
            "ks3" | "kingsoft" => Provider::Ks3,
            "tencent" | "cos" | "qcloud" => Provider::Tencent,
            "netease" | "nos" => Provider::Netease,
            "minio" => Provider::Minio,
            "ceph" | "rgw" => Provider::Ceph,
            "r2" | "cloudflare" => Provider::R2,
            "b2" | "backblaze" => Provider::B2,
            other => Provider::Other(other.to_owned()),
        }
    }

    /// The vendors that serve virtual-hosted style only, for which BR turns path style off
    /// even when the URL asks for it.
    pub(crate) fn virtual_hosted_only(&self) -> bool {
        matches!(
            self,
            Provider::Alibaba | Provider::Tencent | Provider::Netease
        )
    }

    /// Amazon S3 itself (BR's "official S3": no provider, or `aws`).
    pub(crate) fn is_aws(&self) -> bool {
        matches!(self, Provider::Aws)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Aws => "aws",
            Provider::Alibaba => "alibaba",
            Provider::Ks3 => "ks3",
            Provider::Tencent => "tencent",
            Provider::Netease => "netease",
            Provider::Minio => "minio",
            Provider::Ceph => "ceph",
            Provider::R2 => "r2",
            Provider::B2 => "b2",
            Provider::Other(name) => name,
        })
    }
}

/// What decides the addressing style, gathered from a builder.
pub(crate) struct StyleInputs<'a> {
    pub(crate) explicit: Option<bool>,
    pub(crate) provider: Option<&'a Provider>,
    pub(crate) accelerate: bool,
    pub(crate) endpoint: Option<&'a str>,
    pub(crate) role_arn: bool,
}

/// Whether a store uses path-style addressing, by BR's rules: path style unless the vendor
/// serves virtual-hosted style only or the accelerate endpoint is on (these win even over an
/// explicit `force-path-style=true`); otherwise an explicit setting wins; otherwise
/// virtual-hosted style for Amazon itself (provider `aws`, an `amazonaws.com` endpoint, no
/// endpoint and no vendor at all, or a role to assume), path style for everything else. BR
/// also takes path style for a store with neither endpoint nor provider; Amazon serves both
/// styles there, and virtual-hosted style is what its SDKs use, so we keep it.
pub(crate) fn path_style(inputs: &StyleInputs<'_>) -> bool {
    if inputs.accelerate || inputs.provider.is_some_and(Provider::virtual_hosted_only) {
        return false;
    }
    if let Some(explicit) = inputs.explicit {
        return explicit;
    }
    let amazon = inputs.provider.is_some_and(Provider::is_aws)
        || (inputs.provider.is_none() && inputs.endpoint.is_none())
        || inputs
            .endpoint
            .is_some_and(|e| e.to_ascii_lowercase().contains("amazonaws.com"))
        || inputs.role_arn;
    !amazon
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(
        explicit: Option<bool>,
        provider: Option<&str>,
        accelerate: bool,
        endpoint: Option<&str>,
        role_arn: bool,
    ) -> bool {
        let provider = provider.map(Provider::parse);
        path_style(&StyleInputs {
            explicit,
            provider: provider.as_ref(),
            accelerate,
            endpoint,
            role_arn,
        })
    }

    #[test]
    fn path_style_by_default_as_br() {
        assert!(style(
            None,
            None,
            false,
            Some("http://127.0.0.1:9000"),
            false
        ));
        assert!(style(
            None,
            Some("minio"),
            false,
            Some("http://m:9000"),
            false
        ));
        assert!(style(None, Some("ceph"), false, None, false));
    }

    #[test]
    fn virtual_hosted_for_the_vendors_br_names() {
        for vendor in ["alibaba", "netease", "tencent", "OSS", "cos"] {
            assert!(
                !style(Some(true), Some(vendor), false, None, false),
                "{vendor}"
            );
        }
        assert!(!style(Some(true), None, true, None, false), "accelerate");
    }

    #[test]
    fn virtual_hosted_for_amazon_unless_asked() {
        assert!(!style(None, Some("aws"), false, None, false));
        assert!(
            !style(None, None, false, None, false),
            "no endpoint: Amazon"
        );
        let aws = Some("https://s3.eu-west-1.amazonaws.com");
        assert!(!style(None, None, false, aws, false));
        assert!(!style(None, None, false, None, true), "role-arn");
        assert!(style(Some(true), Some("aws"), false, aws, true));
        assert!(!style(Some(false), Some("minio"), false, None, false));
    }

    #[test]
    fn names_and_spellings() {
        assert_eq!(Provider::parse("Aliyun"), Provider::Alibaba);
        assert_eq!(Provider::parse("KS3"), Provider::Ks3);
        assert_eq!(
            Provider::parse("wasabi"),
            Provider::Other("wasabi".to_owned())
        );
        assert_eq!(Provider::parse("tencent").to_string(), "tencent");
    }
}

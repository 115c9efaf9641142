//! How an [`S3Builder`] becomes an SDK client: the shared AWS configuration (region, profile,
//! endpoint, credentials, retries, timeouts), a role assumed through STS at STS's own endpoint
//! (never the custom S3 one, as TiKV keeps the bucket endpoint out of its STS configuration),
//! the addressing style and checksums BR's rules pick, and the interceptors S3-compatible
//! stores need.

use aws_config::BehaviorVersion;
use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation};

use crate::compat::{CollapseRepeatedHeaders, ContentMd5Headers};
use crate::config::{ChecksumMode, ContentMd5, S3Builder};

/// The region a store uses when nothing names one.
const FALLBACK_REGION: &str = "us-east-1";

/// An SDK client as `builder` describes it.
pub(crate) struct Built {
    pub(crate) client: aws_sdk_s3::Client,
    /// The endpoint is https (AWS's own endpoints are).
    pub(crate) over_tls: bool,
    /// Nothing named the region: ask the bucket for its own (Amazon only, as BR).
    pub(crate) detect_region: bool,
}

/// Loads the SDK configuration (the default chain, overridden by what the builder says) and
/// makes the client.
pub(crate) async fn sdk_client(b: &S3Builder) -> Built {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &b.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &b.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &b.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if b.anonymous {
        loader = loader.no_credentials();
    } else if let (Some(ak), Some(sk)) = (&b.access_key, &b.secret_key) {
        let creds = Credentials::new(ak, sk, b.session_token.clone(), None, "rs-storage");
        loader = loader.credentials_provider(creds);
    }
    if let Some(attempts) = b.max_attempts {
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts));
    }
    if b.timeout.is_some() || b.attempt_timeout.is_some() {
        let mut timeouts = TimeoutConfig::builder();
        timeouts
            .set_operation_timeout(b.timeout)
            .set_operation_attempt_timeout(b.attempt_timeout);
        loader = loader.timeout_config(timeouts.build());
    }
    let shared = loader.load().await;
    let over_tls = shared
        .endpoint_url()
        .is_none_or(|url| url.to_ascii_lowercase().starts_with("https://"));
    let detect_region = shared.region().is_none() && b.provider.as_ref().is_none_or(|p| p.is_aws());
    let mut config = aws_sdk_s3::config::Builder::from(&shared);
    if shared.region().is_none() {
        config = config.region(Region::new(FALLBACK_REGION));
    }
    if let Some(role_arn) = &b.role_arn {
        let mut role = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("rs-storage")
            .configure(&sts_config(b, &shared));
        if let Some(external_id) = &b.external_id {
            role = role.external_id(external_id);
        }
        config = config.credentials_provider(role.build().await);
    }
    let checksum = match b.checksum_mode() {
        ChecksumMode::WhenSupported => RequestChecksumCalculation::WhenSupported,
        ChecksumMode::WhenRequired => RequestChecksumCalculation::WhenRequired,
    };
    // Only S3-compatible stores need the fix for repeated headers; every interceptor costs
    // each request about 1% of its client CPU, so AWS itself goes without.
    if b.endpoint.is_some() {
        config = config.interceptor(CollapseRepeatedHeaders);
    }
    // A 429 without an error code (any answer to a HEAD) is throttling too.
    config = config.retry_classifier(crate::retry::TooManyRequests);
    let md5 = b.content_md5();
    if md5 != ContentMd5::Off {
        config = config.interceptor(ContentMd5Headers(md5));
    }
    let config = config
        .force_path_style(b.uses_path_style())
        .accelerate(b.accelerate)
        .request_checksum_calculation(checksum)
        .build();
    Built {
        client: aws_sdk_s3::Client::from_conf(config),
        over_tls,
        detect_region,
    }
}

/// The configuration STS is asked with: the shared one without the custom S3 endpoint (an
/// S3-compatible store serves no STS), at the STS endpoint given if any, else wherever the SDK
/// sends STS (`AWS_ENDPOINT_URL_STS`, else AWS's STS for the region).
fn sts_config(b: &S3Builder, shared: &SdkConfig) -> SdkConfig {
    let mut sts = shared.to_builder();
    if b.endpoint.is_some() || b.sts_endpoint.is_some() {
        sts.set_endpoint_url(b.sts_endpoint.clone());
    }
    if shared.region().is_none() {
        sts.set_region(Region::new(FALLBACK_REGION));
    }
    sts.build()
}

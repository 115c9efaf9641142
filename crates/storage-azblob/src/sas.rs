//! Service SAS tokens signed with the account key (the official crate cannot make them): for
//! presigned blob URLs and for SAS-only stores made in tests. String-to-sign as Microsoft
//! documents it for service SAS version 2020-12-06 and later. Hand-written like the Shared Key
//! signing it builds on (see `shared_key.rs`: no maintained crate does it for
//! `azure_storage_blob` 1.x); the expiry's ISO-8601 text comes from the `time` crate.

use std::time::SystemTime;

use storage_types::{Error, Result};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::shared_key::AccountKey;

/// The service version the tokens claim (`sv`): the one the official crate speaks.
pub(crate) const SAS_VERSION: &str = "2026-04-06";

/// What a token grants, on what, until when.
pub(crate) struct SasRequest<'a> {
    /// `r`, `a`, `c`, `w`, `d`, `l` ... in this order.
    pub(crate) permissions: &'a str,
    pub(crate) expiry: SystemTime,
    pub(crate) container: &'a str,
    /// The blob name (unencoded), or `None` for a container SAS.
    pub(crate) blob: Option<&'a str>,
    pub(crate) version: &'a str,
}

/// The token (query string without `?`), its values percent-encoded. The expiry must be
/// within the years 0 to 9999.
pub(crate) fn service_sas(key: &AccountKey, req: &SasRequest<'_>) -> Result<String> {
    let expiry = iso8601(req.expiry)?;
    let (resource, signed_resource) = match req.blob {
        Some(blob) => (
            format!("/blob/{}/{}/{blob}", key.account, req.container),
            "b",
        ),
        None => (format!("/blob/{}/{}", key.account, req.container), "c"),
    };
    // sp, st, se, resource, si, sip, spr, sv, sr, snapshot time, ses, rscc, rscd, rsce, rscl,
    // rsct: empty where unused.
    let fields = [
        req.permissions,
        "",
        &expiry,
        &resource,
        "",
        "",
        "",
        req.version,
        signed_resource,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ];
    let signature = key.sign(&fields.join("\n"));
    let pairs = [
        ("se", expiry.as_str()),
        ("sp", req.permissions),
        ("sv", req.version),
        ("sr", signed_resource),
        ("sig", signature.as_str()),
    ];
    Ok(url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish())
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC (RFC 3339, the ISO-8601 form a SAS takes), in whole seconds:
/// the signature covers the exact text, and a SAS time has no fraction.
fn iso8601(at: SystemTime) -> Result<String> {
    let seconds = match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        // Before 1970: rounded down to the whole second too.
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(before.subsec_nanos() > 0)
        }
    };
    let out_of_range =
        || Error::invalid_input("a SAS expiry must lie between the years 0 and 9999");
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|err| out_of_range().with_source(err))?
        .format(&Rfc3339)
        .map_err(|err| out_of_range().with_source(err))
}

/// A container SAS token (the query string, without `?`) signed with the account key, granting
/// `permissions` (`racwdl` and the like, in that order) until `expiry`. For handing a
/// SAS-only store to another program.
///
/// ```
/// use std::time::{Duration, SystemTime};
///
/// let token = storage_azblob::container_sas_token(
///     storage_azblob::DEV_ACCOUNT,
///     storage_azblob::DEV_ACCOUNT_KEY,
///     "backups",
///     "rl",
///     SystemTime::now() + Duration::from_secs(3600),
/// ).unwrap();
/// assert!(token.contains("sr=c") && token.contains("sig="));
/// ```
pub fn container_sas_token(
    account: &str,
    account_key: &str,
    container: &str,
    permissions: &str,
    expiry: SystemTime,
) -> Result<String> {
    let key = AccountKey::new(account, account_key)?;
    service_sas(
        &key,
        &SasRequest {
            permissions,
            expiry,
            container,
            blob: None,
            version: SAS_VERSION,
        },
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const DEV_KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    fn at_2026_11_26_0700() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_676_400)
    }

    #[test]
    fn dates_are_iso8601_utc() {
        let iso = |at| iso8601(at).unwrap();
        assert_eq!(iso(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(iso(at_2026_11_26_0700()), "2026-11-26T07:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso(leap), "2000-02-29T00:00:00Z");
        // Fractions of a second are dropped, not rounded.
        let late = at_2026_11_26_0700() + Duration::from_millis(999);
        assert_eq!(iso(late), "2026-11-26T07:00:00Z");
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(400 * 366 * 86_400 * 100);
        assert!(iso8601(far).is_err());
    }

    /// Tokens computed independently with Microsoft's Python SDK (`generate_blob_sas`,
    /// `generate_container_sas`) for the same inputs.
    #[test]
    fn tokens_match_the_reference_implementation() {
        let key = AccountKey::new("devstoreaccount1", DEV_KEY).unwrap();
        let blob = service_sas(
            &key,
            &SasRequest {
                permissions: "r",
                expiry: at_2026_11_26_0700(),
                container: "c",
                blob: Some("dir/a b.txt"),
                version: "2026-10-06",
            },
        )
        .unwrap();
        assert!(
            blob.contains("sig=%2Bh3Oua69TYWJujSVMk84YQoW8wVzspwGhZ%2B9VxguTAw%3D"),
            "{blob}"
        );
        assert!(
            blob.contains("se=2026-11-26T07%3A00%3A00Z") && blob.contains("sr=b"),
            "{blob}"
        );
        let container = service_sas(
            &key,
            &SasRequest {
                permissions: "racwdl",
                expiry: at_2026_11_26_0700(),
                container: "c",
                blob: None,
                version: "2026-10-06",
            },
        )
        .unwrap();
        assert!(
            container.contains("sig=zgg%2BmrgyrDQ391GevI%2Foj%2F25ZP6zM2iUCk9jSc4AwnE%3D"),
            "{container}"
        );
    }
}

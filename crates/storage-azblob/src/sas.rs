//! Service SAS tokens signed with the account key (the official crate cannot make them): for
//! presigned blob URLs and for SAS-only stores made in tests. String-to-sign as Microsoft
//! documents it for service SAS version 2020-12-06 and later.

use std::time::SystemTime;

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

/// The token (query string without `?`), its values percent-encoded.
pub(crate) fn service_sas(key: &AccountKey, req: &SasRequest<'_>) -> String {
    let expiry = iso8601(req.expiry);
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
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC.
fn iso8601(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
) -> storage_types::Result<String> {
    let key = AccountKey::new(account, account_key)?;
    Ok(service_sas(
        &key,
        &SasRequest {
            permissions,
            expiry,
            container,
            blob: None,
            version: SAS_VERSION,
        },
    ))
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
        assert_eq!(iso8601(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(at_2026_11_26_0700()), "2026-11-26T07:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso8601(leap), "2000-02-29T00:00:00Z");
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
        );
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
        );
        assert!(
            container.contains("sig=zgg%2BmrgyrDQ391GevI%2Foj%2F25ZP6zM2iUCk9jSc4AwnE%3D"),
            "{container}"
        );
    }
}

//! V4 signed URLs (the XML API, path style `/{bucket}/{object}`): the generated service-account
//! key behind them, signature verification exactly as `SignedUrlBuilder` in google-cloud-storage
//! signs, and the GET/HEAD/PUT/DELETE operations a signed URL grants.

use crate::AppState;
use crate::csek::check_data_access;
use crate::errors::{ApiError, ApiResult, Kind};
use crate::json::{ENCODED, request_csek};
use crate::store::{NewObject, ObjectAttrs, Preconditions};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::KeyPair as _;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderMap, Method, Request, StatusCode};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub(crate) const CLIENT_EMAIL: &str = "tester@test-project.iam.gserviceaccount.com";
const ALGORITHM: &str = "GOOG4-RSA-SHA256";
/// GCS refuses signed URLs valid for longer than seven days.
const MAX_EXPIRES: i64 = 7 * 24 * 60 * 60;

/// The public half of the generated key, plus the service-account file built around it.
pub(crate) struct SigningKey {
    public_key: Vec<u8>,
    service_account: serde_json::Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The service-account JSON holds the private key: never print it.
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh RSA-2048 key and the service-account JSON google-cloud-auth reads
    /// (`credentials::service_account::Builder`), with the key as PKCS#8 PEM.
    pub(crate) fn generate() -> anyhow::Result<Self> {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
        let pkcs8 = pair
            .as_der()
            .map_err(|_| anyhow::anyhow!("cannot encode the RSA key as PKCS#8"))?;
        let public_key = pair.public_key().as_ref().to_vec();
        let key_id = hex::encode(&Sha256::digest(&public_key)[..20]);
        let service_account = serde_json::json!({
            "type": "service_account",
            "project_id": "test-project",
            "private_key_id": key_id,
            "private_key": pem("PRIVATE KEY", pkcs8.as_ref()),
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!(
                "https://www.googleapis.com/robot/v1/metadata/x509/{CLIENT_EMAIL}"
            ),
            "universe_domain": "googleapis.com",
        });
        Ok(Self {
            public_key,
            service_account,
        })
    }

    pub(crate) fn service_account_json(&self) -> serde_json::Value {
        self.service_account.clone()
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.public_key,
        )
        .verify(message, signature)
        .is_ok()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Serves the XML API, which here only exists for signed URLs: everything that is neither gRPC
/// nor the JSON API lands here, and is refused unless correctly signed.
pub(crate) async fn dispatch(state: std::sync::Arc<AppState>, request: Request<Body>) -> Response {
    serve(&state, request)
        .await
        .unwrap_or_else(ApiError::into_xml_response)
}

async fn serve(state: &AppState, request: Request<Body>) -> ApiResult<Response> {
    let (parts, body) = request.into_parts();
    let (bucket, object) = split_path(parts.uri.path())?;
    verify_request(
        &state.signing_key,
        &parts.method,
        &bucket,
        &object,
        parts.uri.query(),
        &parts.headers,
    )?;
    if object.is_empty() {
        return Err(ApiError::new(
            Kind::Unimplemented,
            "notImplemented",
            "bucket-level signed URLs are not supported",
        ));
    }
    let csek = request_csek(&parts.headers)?;
    let range = parts
        .headers
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok());
    match parts.method {
        Method::GET | Method::HEAD => {
            let stored = state.store.get_object(&bucket, &object, 0)?;
            check_data_access(&stored, csek.as_ref())?;
            crate::json::download::media_response(&stored, range, parts.method == Method::GET)
        }
        Method::PUT => {
            let data = axum::body::to_bytes(body, usize::MAX)
                .await
                .map_err(|e| ApiError::bad_request(format!("cannot read the body: {e}")))?;
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let metadata = parts
                .headers
                .iter()
                .filter_map(|(k, v)| {
                    let key = k.as_str().strip_prefix("x-goog-meta-")?;
                    Some((key.to_string(), v.to_str().ok()?.to_string()))
                })
                .collect();
            let attrs = ObjectAttrs {
                content_type: header("content-type"),
                content_encoding: header("content-encoding"),
                content_disposition: header("content-disposition"),
                content_language: header("content-language"),
                cache_control: header("cache-control"),
                storage_class: header("x-goog-storage-class"),
                metadata,
                kms_key_name: header("x-goog-encryption-kms-key-name"),
            };
            let pre = Preconditions {
                if_generation_match: header("x-goog-if-generation-match").parse().ok(),
                if_metageneration_match: header("x-goog-if-metageneration-match").parse().ok(),
                ..Preconditions::default()
            };
            let stored = state.store.put_object(
                &bucket,
                &object,
                NewObject {
                    data,
                    attrs,
                    csek,
                    component_count: 0,
                },
                &pre,
            )?;
            let mut response = StatusCode::OK.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = stored.http_etag().parse() {
                headers.insert(http::header::ETAG, v);
            }
            if let Ok(v) = stored.generation.to_string().parse() {
                headers.insert("x-goog-generation", v);
            }
            Ok(response)
        }
        Method::DELETE => {
            state
                .store
                .delete_object(&bucket, &object, 0, &Preconditions::default())?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        other => Err(ApiError::bad_request(format!(
            "{other} is not supported on signed URLs"
        ))),
    }
}

/// `/{bucket}/{object...}`, decoded.
fn split_path(path: &str) -> ApiResult<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| ApiError::bad_request("the path is not UTF-8"))
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let (bucket, object) = path.split_once('/').unwrap_or((path, ""));
    if bucket.is_empty() {
        return Err(ApiError::not_found("no bucket in the path"));
    }
    Ok((decode(bucket)?, decode(object)?))
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(Kind::Forbidden, "forbidden", message)
}

/// Rebuilds the canonical request and string-to-sign the way `SignedUrlBuilder` does and checks
/// the RSA-SHA256 signature and the expiry.
fn verify_request(
    key: &SigningKey,
    method: &Method,
    bucket: &str,
    object: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult<()> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| forbidden(format!("the signed URL has no {name}")))
    };
    if param("X-Goog-Algorithm")? != ALGORITHM {
        return Err(forbidden("only GOOG4-RSA-SHA256 signed URLs are supported"));
    }
    let signature = hex::decode(param("X-Goog-Signature")?)
        .map_err(|_| forbidden("X-Goog-Signature is not hex"))?;
    let credential = param("X-Goog-Credential")?;
    let (email, scope) = credential
        .split_once('/')
        .ok_or_else(|| forbidden("malformed X-Goog-Credential"))?;
    if email != CLIENT_EMAIL {
        return Err(forbidden(format!("unknown signer {email}")));
    }
    let date = param("X-Goog-Date")?;
    check_expiry(date, param("X-Goog-Expires")?)?;
    let signed_headers = param("X-Goog-SignedHeaders")?;

    let encoded_object = percent_encoding::utf8_percent_encode(object, &PATH_ENCODED).to_string();
    let canonical_uri = if object.is_empty() {
        format!("/{bucket}")
    } else {
        format!("/{bucket}/{encoded_object}")
    };
    let mut sorted: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "X-Goog-Signature")
        .collect();
    sorted.sort();
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in sorted {
        serializer.append_pair(k, v);
    }
    let canonical_query = serializer.finish().replace("%7E", "~").replace('+', "%20");

    // The signer puts the host without its port into the canonical headers; a client sends
    // `Host: 127.0.0.1:PORT`. Accept either form so both that signer and others verify.
    let host = header_value(headers, "host").unwrap_or_default();
    let host_without_port = host
        .rsplit_once(':')
        .map_or(host.clone(), |(h, _)| h.to_string());
    for host in [host.clone(), host_without_port] {
        let mut canonical_headers = String::new();
        let mut values = BTreeMap::new();
        for name in signed_headers.split(';') {
            let value = if name == "host" {
                Some(host.clone())
            } else {
                header_value(headers, name)
            };
            let value = value.ok_or_else(|| forbidden(format!("signed header {name} missing")))?;
            canonical_headers.push_str(&format!("{name}:{}\n", canonical_value(&value)));
            values.insert(name, value);
        }
        let payload = values
            .get("x-goog-content-sha256")
            .cloned()
            .unwrap_or_else(|| "UNSIGNED-PAYLOAD".to_string());
        let canonical_request = [
            method.as_str(),
            &canonical_uri,
            &canonical_query,
            &canonical_headers,
            signed_headers,
            &payload,
        ]
        .join("\n");
        let string_to_sign = [
            ALGORITHM,
            date,
            scope,
            &hex::encode(Sha256::digest(canonical_request.as_bytes())),
        ]
        .join("\n");
        if key.verify(string_to_sign.as_bytes(), &signature) {
            return Ok(());
        }
    }
    Err(ApiError::new(
        Kind::Forbidden,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    ))
}

/// What `SignedUrlBuilder` percent-encodes in object names: everything but unreserved and `/`.
const PATH_ENCODED: percent_encoding::AsciiSet = ENCODED.remove(b'/');

fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_expiry(date: &str, expires: &str) -> ApiResult<()> {
    let signed_at = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", date)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_second())
        .ok_or_else(|| forbidden("malformed X-Goog-Date"))?;
    let expires: i64 = expires
        .parse()
        .map_err(|_| forbidden("malformed X-Goog-Expires"))?;
    if !(1..=MAX_EXPIRES).contains(&expires) {
        return Err(forbidden(
            "X-Goog-Expires must be between 1 and 604800 seconds",
        ));
    }
    let now = jiff::Timestamp::now().as_second();
    if now > signed_at + expires {
        return Err(forbidden("Request has expired"));
    }
    // A little clock skew is tolerated, as GCS does, but not URLs from the future.
    if signed_at > now + 15 * 60 {
        return Err(forbidden("X-Goog-Date is in the future"));
    }
    Ok(())
}

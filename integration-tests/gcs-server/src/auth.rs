//! Who may call the JSON and gRPC APIs: like GCS for a private bucket, a request needs an
//! `Authorization: Bearer` token, and the only tokens accepted are the self-signed JWTs that
//! google-cloud-auth makes from the server's generated service-account key (valid signature,
//! that account as issuer, not expired). A missing token and a bad one are both 401
//! (UNAUTHENTICATED in gRPC). Tokens are never logged or echoed.

use crate::errors::{ApiError, ApiResult, Kind};
use crate::signed::{CLIENT_EMAIL, SigningKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;

/// Refuses a request whose bearer token the server did not issue.
pub(crate) fn check(key: &SigningKey, headers: &HeaderMap) -> ApiResult<()> {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Err(ApiError::new(
            Kind::Unauthenticated,
            "required",
            "Anonymous caller does not have storage access to the Google Cloud Storage bucket. \
             Permission denied on resource (or it may not exist).",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match token {
        Some(token) if valid_jwt(key, token, now_seconds()) => Ok(()),
        _ => Err(ApiError::new(
            Kind::Unauthenticated,
            "authError",
            "Invalid Credentials",
        )),
    }
}

fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// An RS256 JWT signed by `key`, issued by its service account, not expired at `now`.
fn valid_jwt(key: &SigningKey, token: &str, now: i64) -> bool {
    let mut pieces = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return false;
    };
    let decode = |part: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let (Some(header_json), Some(claims_json), Ok(signature)) = (
        decode(header),
        decode(claims),
        URL_SAFE_NO_PAD.decode(signature),
    ) else {
        return false;
    };
    let signed = &token[..header.len() + 1 + claims.len()];
    header_json["alg"] == "RS256"
        && claims_json["iss"] == CLIENT_EMAIL
        && claims_json["exp"].as_i64().is_some_and(|exp| exp > now)
        && key.verify(signed.as_bytes(), &signature)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Signs with the private key of the generated service-account file, as
    /// google-cloud-auth does.
    fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
        let account = key.service_account_json();
        let pem = account["private_key"].as_str().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message,
            &mut signature,
        )
        .unwrap();
        signature
    }

    fn jwt(key: &SigningKey, claims: &serde_json::Value) -> String {
        let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let head = format!(
            "{}.{}",
            encode(&serde_json::json!({"alg": "RS256", "typ": "JWT"})),
            encode(claims)
        );
        let signature = sign(key, head.as_bytes());
        format!("{head}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn only_live_tokens_of_the_server_account_pass() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let claims = |iss: &str, exp: i64| serde_json::json!({"iss": iss, "exp": exp});
        let good = jwt(&key, &claims(CLIENT_EMAIL, 2000));
        assert!(valid_jwt(&key, &good, 1000));
        assert!(!valid_jwt(&key, &good, 3000), "expired");
        assert!(!valid_jwt(&other, &good, 1000), "another key");
        let stranger = jwt(&key, &claims("someone@else.example", 2000));
        assert!(!valid_jwt(&key, &stranger, 1000), "another issuer");
        let (head, _) = good.rsplit_once('.').unwrap();
        assert!(
            !valid_jwt(&key, &format!("{head}.AAAA"), 1000),
            "bad signature"
        );
        assert!(!valid_jwt(&key, "not-a-jwt", 1000));
    }
}

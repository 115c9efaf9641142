//! Shared-key (account key) authentication, which the official crate lacks: a per-try policy
//! that dates and signs every request following Microsoft's published rules ("Authorize with
//! Shared Key", Blob service, version 2009-09-19 and later).
//!
//! Hand-written on purpose: no maintained crate signs Shared Key requests for the
//! `azure_storage_blob` 1.x pipeline (the SDK supports only Entra ID tokens and SAS, and the
//! older `azure_storage` crate that had it is retired and built on another `azure_core`).
//! The HMAC and the base64 come from `hmac`/`sha2`/`base64`; only the string to sign is ours,
//! checked against Microsoft's Python SDK in the tests below.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// An account name and its decoded key. `Debug` never shows the key.
#[derive(Clone)]
pub(crate) struct AccountKey {
    pub(crate) account: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountKey")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl AccountKey {
    /// From the account name and the base64 key the portal shows.
    pub(crate) fn new(account: &str, key_base64: &str) -> storage_types::Result<Self> {
        let key = STANDARD.decode(key_base64.trim()).map_err(|_| {
            storage_types::Error::invalid_input(
                "the account key must be base64 (as the portal shows it)",
            )
        })?;
        Ok(AccountKey {
            account: account.to_owned(),
            key,
        })
    }

    /// Base64 of HMAC-SHA256 of `text` under the key.
    pub(crate) fn sign(&self, text: &str) -> String {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(text.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// The policy: sets `x-ms-date` (fresh on every try) and `Authorization: SharedKey ...`.
#[derive(Debug)]
pub(crate) struct SharedKeyPolicy {
    pub(crate) key: Arc<AccountKey>,
}

// The trait's own signature elides Context's lifetime; async_trait needs the same here.
#[allow(elided_lifetimes_in_paths)]
#[async_trait]
impl Policy for SharedKeyPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        request.insert_header("x-ms-date", httpdate::fmt_http_date(SystemTime::now()));
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.as_str().to_owned()))
            .collect();
        // The HTTP client adds Content-Length after the pipeline when no one set it; it is part
        // of what the service checks, so sign the length the body will have.
        let has_length = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
        if !has_length && let Some(length) = request.body().len() {
            headers.push(("content-length".to_owned(), length.to_string()));
        }
        let url = request.url();
        let query: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let text = string_to_sign(
            request.method().as_ref(),
            &headers,
            &self.key.account,
            url.path(),
            &query,
        );
        let authorization = format!("SharedKey {}:{}", self.key.account, self.key.sign(&text));
        request.insert_header("authorization", authorization);
        next[0].send(ctx, request, &next[1..]).await
    }
}

/// The string to sign: the verb, twelve standard headers, the canonicalized `x-ms-` headers and
/// the canonicalized resource. `path` is the request path as sent (still percent-encoded).
pub(crate) fn string_to_sign(
    method: &str,
    headers: &[(String, String)],
    account: &str,
    path: &str,
    query: &[(String, String)],
) -> String {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    // Since version 2015-02-21 a zero Content-Length signs as empty.
    let content_length = match header("content-length") {
        "0" => "",
        other => other,
    };
    let mut text = String::new();
    for part in [
        method,
        header("content-encoding"),
        header("content-language"),
        content_length,
        header("content-md5"),
        header("content-type"),
        header("date"),
        header("if-modified-since"),
        header("if-match"),
        header("if-none-match"),
        header("if-unmodified-since"),
        header("range"),
    ] {
        text.push_str(part);
        text.push('\n');
    }
    let mut ms: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), fold_whitespace(v)))
        .collect();
    ms.sort();
    for (name, value) in ms {
        text.push_str(&format!("{name}:{value}\n"));
    }
    text.push('/');
    text.push_str(account);
    text.push_str(path);
    let mut params: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in query {
        params
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    for (name, mut values) in params {
        values.sort();
        text.push_str(&format!("\n{name}:{}", values.join(",")));
    }
    text
}

/// A header value with runs of whitespace folded to one space and the ends trimmed.
fn fold_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The well-known development account key (Azurite's, published by Microsoft).
    const DEV_KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    #[test]
    fn string_to_sign_follows_the_published_layout() {
        let headers = owned(&[
            ("x-ms-version", "2026-04-06"),
            ("x-ms-date", "Thu, 26 Nov 2026 06:00:00 GMT"),
            ("Content-Length", "0"),
            ("range", "bytes=0-99"),
            ("x-ms-meta-Two", "  b   c "),
        ]);
        let query = owned(&[
            ("restype", "container"),
            ("comp", "list"),
            ("prefix", "a/b"),
        ]);
        let text = string_to_sign(
            "GET",
            &headers,
            "devstoreaccount1",
            "/devstoreaccount1/c%20x",
            &query,
        );
        let expected = "GET\n\n\n\n\n\n\n\n\n\n\nbytes=0-99\n\
            x-ms-date:Thu, 26 Nov 2026 06:00:00 GMT\nx-ms-meta-two:b c\nx-ms-version:2026-04-06\n\
            /devstoreaccount1/devstoreaccount1/c%20x\ncomp:list\nprefix:a/b\nrestype:container";
        assert_eq!(text, expected);
    }

    /// A signature computed independently with Microsoft's Python SDK
    /// (azure-storage-blob 12.x, `SharedKeyCredentialPolicy`) for the same request.
    #[test]
    fn signature_matches_the_reference_implementation() {
        let key = AccountKey::new("devstoreaccount1", DEV_KEY).unwrap();
        let headers = owned(&[
            ("x-ms-version", "2021-08-06"),
            ("x-ms-date", "Thu, 26 Nov 2026 06:00:00 GMT"),
            ("Content-Type", "text/plain"),
            ("Content-Length", "5"),
            ("x-ms-blob-type", "BlockBlob"),
        ]);
        let text = string_to_sign(
            "PUT",
            &headers,
            "devstoreaccount1",
            "/devstoreaccount1/c/a.txt",
            &[],
        );
        assert_eq!(key.sign(&text), REFERENCE_SIGNATURE);
    }

    const REFERENCE_SIGNATURE: &str = "rIuKl76FY1DfIdCbCgvLzlNSSXxFqB6DPfPw58zTxtg=";

    #[test]
    fn debug_hides_the_key() {
        let key = AccountKey::new("acct", DEV_KEY).unwrap();
        assert!(!format!("{key:?}").contains("Eby8"));
        assert!(AccountKey::new("acct", "not base64!").is_err());
    }
}

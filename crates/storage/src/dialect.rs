//! URL dialects: the scheme spellings of other tools (`s3a`, `gs`, `az`, `abfs`, `local` ...)
//! and go-storage's connection-string keys (`credential=hmac:AK:SK`, `endpoint=https:host:port`,
//! `name`, `work_dir`, `location`), turned into rs-storage's canonical form.

use std::collections::BTreeMap;

use storage_types::{Error, Result};

/// Every scheme spelling `parse` accepts, and the backend each names.
pub(crate) const SCHEME_ALIASES: &[(&str, &str)] = &[
    ("fs", "fs"),
    ("file", "fs"),
    ("local", "fs"),
    ("memory", "memory"),
    ("noop", "noop"),
    ("s3", "s3"),
    ("s3a", "s3"),
    ("ks3", "s3"),
    ("azblob", "azblob"),
    ("azure", "azblob"),
    ("az", "azblob"),
    ("abfs", "azblob"),
    ("abfss", "azblob"),
    ("gcs", "gcs"),
    ("gs", "gcs"),
];

/// The backend a scheme spelling names.
pub(crate) fn canonical_scheme(scheme: &str) -> Option<&'static str> {
    SCHEME_ALIASES
        .iter()
        .find(|(alias, _)| *alias == scheme)
        .map(|(_, canonical)| *canonical)
}

/// The keys a scheme spelling implies: `ks3://` is S3 with `provider=ks3`, as BR reads it. A
/// URL that names another provider with it is refused.
pub(crate) fn spelling_keys(spelled: &str, query: &mut BTreeMap<String, String>) -> Result<()> {
    if spelled != "ks3" {
        return Ok(());
    }
    match query.get("provider").map(|p| p.to_ascii_lowercase()) {
        None => {
            query.insert("provider".to_owned(), "ks3".to_owned());
            Ok(())
        }
        Some(provider) if provider == "ks3" => Ok(()),
        Some(other) => Err(Error::invalid_input(format!(
            "a ks3:// URL is provider ks3, not `{other}`"
        ))),
    }
}

/// Sets `key` unless the URL already gives it: an explicit key wins over a translated one.
fn set(query: &mut BTreeMap<String, String>, key: &str, value: String) {
    query.entry(key.to_owned()).or_insert(value);
}

/// Rewrites go-storage's keys into the backend's own, in place. `bucket` and `root` take
/// go-storage's `name` and `work_dir` when the URL leaves them empty.
pub(crate) fn translate_go_storage(
    scheme: &str,
    query: &mut BTreeMap<String, String>,
    bucket: &mut String,
    root: &mut String,
) -> Result<()> {
    if let Some(credential) = query.remove("credential") {
        credential_keys(scheme, &credential, query)?;
    }
    if let Some(endpoint) = query.get("endpoint").cloned() {
        query.insert("endpoint".to_owned(), endpoint_url(&endpoint));
    }
    if let Some(name) = query.remove("name") {
        if bucket.is_empty() {
            *bucket = name;
        } else if *bucket != name {
            return Err(Error::invalid_input(
                "the URL names two buckets: its host and `name`",
            ));
        }
    }
    if let Some(work_dir) = query.remove("work-dir") {
        let work_dir = work_dir.trim_matches('/');
        if !work_dir.is_empty() {
            *root = format!("/{work_dir}/{}", root.trim_start_matches('/'));
        }
    }
    if scheme == "s3"
        && let Some(location) = query.remove("location")
    {
        set(query, "region", location);
    }
    Ok(())
}

/// `credential=hmac:AK:SK | file:PATH | base64:DATA | env`, as the backend's keys.
fn credential_keys(
    scheme: &str,
    credential: &str,
    query: &mut BTreeMap<String, String>,
) -> Result<()> {
    let (protocol, rest) = credential.split_once(':').unwrap_or((credential, ""));
    match (scheme, protocol) {
        (_, "env") => Ok(()),
        ("s3", "hmac") => {
            let (id, secret) = hmac_pair(rest)?;
            set(query, "access-key", id);
            set(query, "secret-access-key", secret);
            Ok(())
        }
        ("azblob", "hmac") => {
            let (account, key) = hmac_pair(rest)?;
            set(query, "account-name", account);
            set(query, "account-key", key);
            Ok(())
        }
        ("gcs", "file") => {
            set(query, "credentials-file", rest.to_owned());
            Ok(())
        }
        ("gcs", "base64") => {
            set(query, "credentials-base64", rest.to_owned());
            Ok(())
        }
        _ => Err(Error::invalid_input(format!(
            "`credential={protocol}:...` does not apply to {scheme}; it takes {}",
            match scheme {
                "s3" => "hmac:ACCESS_KEY:SECRET or env",
                "azblob" => "hmac:ACCOUNT:KEY or env",
                "gcs" => "file:PATH, base64:JSON or env",
                _ => "no credential",
            }
        ))),
    }
}

fn hmac_pair(rest: &str) -> Result<(String, String)> {
    match rest.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok((id.to_owned(), secret.to_owned()))
        }
        _ => Err(Error::invalid_input(
            "`credential=hmac:...` takes two parts: hmac:ID:SECRET",
        )),
    }
}

/// go-storage's `https:host:port` (or `http:host`) as a URL; a URL stays as it is.
fn endpoint_url(endpoint: &str) -> String {
    if endpoint.contains("://") {
        return endpoint.to_owned();
    }
    match endpoint.split_once(':') {
        Some((protocol @ ("http" | "https"), rest)) => format!("{protocol}://{rest}"),
        _ => endpoint.to_owned(),
    }
}

/// `abfs://container@account.dfs.core.windows.net/path` (as Hadoop and object_store spell
/// Azure): the container is the user part, the account the host's first label.
pub(crate) fn abfs_parts(user: &str, host: &str) -> Result<(String, String)> {
    let account = host.split('.').next().unwrap_or_default();
    if user.is_empty() || account.is_empty() {
        return Err(Error::invalid_input(
            "an abfs URL names container@account.dfs.core.windows.net",
        ));
    }
    Ok((user.to_owned(), account.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(scheme: &str, pairs: &[(&str, &str)]) -> Result<BTreeMap<String, String>> {
        let mut query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (mut bucket, mut root) = (String::new(), String::new());
        translate_go_storage(scheme, &mut query, &mut bucket, &mut root)?;
        Ok(query)
    }

    #[test]
    fn go_storage_credentials() {
        let q = translated("s3", &[("credential", "hmac:AK:SK"), ("location", "eu")]).unwrap();
        assert_eq!(q["access-key"], "AK");
        assert_eq!(q["secret-access-key"], "SK");
        assert_eq!(q["region"], "eu");
        let q = translated("azblob", &[("credential", "hmac:acct:a2V5")]).unwrap();
        assert_eq!(q["account-name"], "acct");
        let q = translated("gcs", &[("credential", "file:/k.json")]).unwrap();
        assert_eq!(q["credentials-file"], "/k.json");
        assert!(translated("gcs", &[("credential", "hmac:a:b")]).is_err());
        assert!(translated("s3", &[("credential", "hmac:only")]).is_err());
    }

    #[test]
    fn ks3_is_s3_with_its_provider() {
        assert_eq!(canonical_scheme("ks3"), Some("s3"));
        let mut query = BTreeMap::new();
        spelling_keys("ks3", &mut query).unwrap();
        assert_eq!(query["provider"], "ks3");
        let mut query = BTreeMap::from([("provider".to_owned(), "minio".to_owned())]);
        assert!(spelling_keys("ks3", &mut query).is_err());
        let mut query = BTreeMap::new();
        spelling_keys("s3", &mut query).unwrap();
        assert!(query.is_empty());
    }

    #[test]
    fn go_storage_endpoints() {
        let q = translated("s3", &[("endpoint", "https:minio.local:9000")]).unwrap();
        assert_eq!(q["endpoint"], "https://minio.local:9000");
        let q = translated("s3", &[("endpoint", "http://127.0.0.1:9000")]).unwrap();
        assert_eq!(q["endpoint"], "http://127.0.0.1:9000");
    }
}

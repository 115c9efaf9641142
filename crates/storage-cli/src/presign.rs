//! `stor presign`: a signed URL for one request on an object.

use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use storage::types::{PresignMethod, PresignedRequest};

use crate::session::{Located, Session};

#[derive(Debug, Args)]
pub(crate) struct PresignArgs {
    /// How long the URL is good for (`15m`, `1h`, `7days`).
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub(crate) expires: std::time::Duration,
    /// The request it allows.
    #[arg(long, value_enum, default_value_t = MethodArg::Get, ignore_case = true)]
    pub(crate) method: MethodArg,
    /// The object.
    pub(crate) location: String,
}

/// The request a signed URL allows (`--method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MethodArg {
    /// GET: read the object.
    Get,
    /// PUT: write the object.
    Put,
    /// HEAD: read its metadata.
    Head,
    /// DELETE: delete it.
    Delete,
}

pub(crate) async fn presign(session: &Session, args: PresignArgs) -> Result<()> {
    let method = match args.method {
        MethodArg::Get => PresignMethod::Get,
        MethodArg::Put => PresignMethod::Put,
        MethodArg::Head => PresignMethod::Head,
        MethodArg::Delete => PresignMethod::Delete,
    };
    let Located { loc, shown, .. } = session.locate(&args.location).await?;
    let signed = loc
        .store
        .presign(method, &loc.path, args.expires)
        .await
        .with_context(|| shown.clone())?;
    if session.global.json {
        println!("{}", json_line(&signed, args.expires));
        return Ok(());
    }
    // The URL alone on standard output, for scripts; headers the request must carry after it.
    println!("{}", signed.url);
    for (name, value) in &signed.headers {
        println!("{name}: {value}");
    }
    Ok(())
}

/// `--json`: `{"url", "method", "expires_in_seconds", "headers": {name: value}}` on one line.
/// The lifetime is the signature's own (a store may cap what was asked), else what was asked.
fn json_line(signed: &PresignedRequest, asked: Duration) -> serde_json::Value {
    let left = signed
        .expires_at
        .duration_since(SystemTime::now())
        .unwrap_or(asked);
    let headers: serde_json::Map<String, serde_json::Value> = signed
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), json!(value)))
        .collect();
    json!({
        "url": signed.url,
        "method": signed.method.as_str(),
        // Signing took a moment: 3599.98 s left of an hour is an hour.
        "expires_in_seconds": left.as_secs_f64().round() as u64,
        "headers": headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_url_method_lifetime_and_headers() {
        let signed = PresignedRequest {
            method: PresignMethod::Put,
            url: "https://b.example/x?sig=1".to_owned(),
            headers: vec![("x-ms-blob-type".to_owned(), "BlockBlob".to_owned())],
            expires_at: SystemTime::now() + Duration::from_secs(600),
        };
        let line = json_line(&signed, Duration::from_secs(600));
        assert_eq!(line["url"], "https://b.example/x?sig=1");
        assert_eq!(line["method"], "PUT");
        assert_eq!(line["expires_in_seconds"], 600);
        assert_eq!(line["headers"]["x-ms-blob-type"], "BlockBlob");
    }
}

//! `stor presign`: a signed URL for one request on an object.

use anyhow::{Context, Result, bail};
use storage::types::{PresignMethod, PresignOptions};
use storage::{locate, redact_url};

use crate::cli::PresignArgs;

pub(crate) async fn presign(args: PresignArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let expires = humantime::parse_duration(&args.expires).with_context(|| {
        format!(
            "--expires takes a duration like 15m or 1h, not `{}`",
            args.expires
        )
    })?;
    let method = match args.method.to_ascii_lowercase().as_str() {
        "get" => PresignMethod::Get,
        "put" => PresignMethod::Put,
        "head" => PresignMethod::Head,
        "delete" => PresignMethod::Delete,
        other => bail!("--method takes get, put, head or delete, not `{other}`"),
    };
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    let signed = loc
        .store
        .presign(method, &loc.path, expires)
        .await
        .with_context(|| shown.clone())?;
    // The URL alone on standard output, for scripts; headers the request must carry after it.
    println!("{}", signed.url);
    for (name, value) in &signed.headers {
        println!("{name}: {value}");
    }
    Ok(())
}

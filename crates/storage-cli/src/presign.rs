//! `stor presign`: a signed URL for one request on an object.

use anyhow::{Context, Result};
use storage::types::PresignMethod;
use storage::{locate, redact_url};

use crate::cli::{MethodArg, PresignArgs};

pub(crate) async fn presign(args: PresignArgs) -> Result<()> {
    let shown = redact_url(&args.location);
    let method = match args.method {
        MethodArg::Get => PresignMethod::Get,
        MethodArg::Put => PresignMethod::Put,
        MethodArg::Head => PresignMethod::Head,
        MethodArg::Delete => PresignMethod::Delete,
    };
    let loc = locate(&args.location)
        .await
        .with_context(|| shown.clone())?;
    let signed = loc
        .store
        .presign(method, &loc.path, args.expires)
        .await
        .with_context(|| shown.clone())?;
    // The URL alone on standard output, for scripts; headers the request must carry after it.
    println!("{}", signed.url);
    for (name, value) in &signed.headers {
        println!("{name}: {value}");
    }
    Ok(())
}

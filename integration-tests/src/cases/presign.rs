//! `presign`: signed requests carry the method asked for, a URL and an expiry in the future;
//! a zero expiry is refused.

use std::time::{Duration, SystemTime};

use storage_types::{ErrorKind, Feature, PresignMethod, PresignOptions, PresignedRequest};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const PRESIGN: Need = Need::Feature(Feature::Presign);

pub(super) fn cases() -> Vec<Case> {
    cases!("presign";
        get_has_method_and_url [PRESIGN],
        put_has_method_and_url [PRESIGN],
        zero_expiry_is_invalid [PRESIGN],
    )
}

async fn sign(
    ctx: &Ctx,
    method: PresignMethod,
    expires: Duration,
) -> storage_types::Result<PresignedRequest> {
    ctx.store
        .presign(
            method,
            &ctx.path("signed"),
            expires,
            PresignOptions::default(),
        )
        .await
}

fn check_request(req: &PresignedRequest, method: PresignMethod) -> anyhow::Result<()> {
    ensure_eq!(req.method, method, "method of the signed request");
    anyhow::ensure!(
        req.url.starts_with("https://") || req.url.starts_with("http://"),
        "the signed URL is not an http(s) URL: {req:?}"
    );
    anyhow::ensure!(
        req.expires_at > SystemTime::now(),
        "the signature has already expired: {req:?}"
    );
    Ok(())
}

async fn get_has_method_and_url(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("signed", "content").await?;
    let req = sign(ctx, PresignMethod::Get, Duration::from_secs(300)).await?;
    check_request(&req, PresignMethod::Get)
}

async fn put_has_method_and_url(ctx: &Ctx) -> anyhow::Result<()> {
    let req = sign(ctx, PresignMethod::Put, Duration::from_secs(300)).await?;
    check_request(&req, PresignMethod::Put)?;
    // Signing writes nothing by itself.
    ctx.ensure_absent("signed").await
}

async fn zero_expiry_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    expect_kind(
        sign(ctx, PresignMethod::Get, Duration::ZERO).await,
        ErrorKind::InvalidInput,
    )?;
    Ok(())
}

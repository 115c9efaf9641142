//! `presign`: signed requests carry the method asked for, a URL and an expiry in the future;
//! a zero expiry is refused; and the signed GET, PUT, HEAD and DELETE work when sent by a plain
//! HTTP client with no credentials, while an unsigned or tampered request is refused.

use std::time::{Duration, SystemTime};

use storage_types::{ErrorKind, Feature, PresignMethod, PresignedRequest};

use crate::check::expect_kind;
use crate::harness::{Case, Ctx, Need};

const PRESIGN: Need = Need::Feature(Feature::Presign);

pub(super) fn cases() -> Vec<Case> {
    cases!("presign";
        get_has_method_and_url [PRESIGN],
        put_has_method_and_url [PRESIGN],
        zero_expiry_is_invalid [PRESIGN],
        signed_get_reads_over_plain_http [PRESIGN],
        signed_put_writes_over_plain_http [PRESIGN],
        signed_head_and_delete_over_plain_http [PRESIGN],
        tampered_signature_is_refused [PRESIGN],
    )
}

async fn sign(
    ctx: &Ctx,
    method: PresignMethod,
    expires: Duration,
) -> storage_types::Result<PresignedRequest> {
    ctx.store
        .presign(method, &ctx.path("signed"), expires)
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

async fn sent(req: &PresignedRequest, body: &[u8]) -> anyhow::Result<crate::http::HttpResponse> {
    crate::http::send(req.method.as_str(), &req.url, &req.headers, body).await
}

async fn signed_get_reads_over_plain_http(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("signed", "signed content").await?;
    let req = sign(ctx, PresignMethod::Get, Duration::from_secs(300)).await?;
    let response = sent(&req, b"").await?;
    ensure_eq!(response.status, 200, "status of the signed GET");
    crate::check::ensure_bytes(&response.body, b"signed content", "body of the signed GET")
}

async fn signed_put_writes_over_plain_http(ctx: &Ctx) -> anyhow::Result<()> {
    let req = sign(ctx, PresignMethod::Put, Duration::from_secs(300)).await?;
    let response = sent(&req, b"uploaded without credentials").await?;
    let status = response.status;
    anyhow::ensure!((200..300).contains(&status), "signed PUT answered {status}");
    ctx.ensure_content("signed", b"uploaded without credentials")
        .await
}

async fn signed_head_and_delete_over_plain_http(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("signed", "to be deleted").await?;
    let head = sign(ctx, PresignMethod::Head, Duration::from_secs(300)).await?;
    ensure_eq!(
        sent(&head, b"").await?.status,
        200,
        "status of the signed HEAD"
    );
    let delete = sign(ctx, PresignMethod::Delete, Duration::from_secs(300)).await?;
    let status = sent(&delete, b"").await?.status;
    anyhow::ensure!(
        (200..300).contains(&status),
        "signed DELETE answered {status}"
    );
    ctx.ensure_absent("signed").await
}

// A signature is only good for the request it signs: changing the URL breaks it.
async fn tampered_signature_is_refused(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("signed", "secret").await?;
    ctx.write("other", "other").await?;
    let mut req = sign(ctx, PresignMethod::Get, Duration::from_secs(300)).await?;
    // The object's name ends the path (after `/`, or `%2F` where a service encodes it).
    anyhow::ensure!(
        req.url.contains("signed?"),
        "unexpected signed URL shape: {req:?}"
    );
    req.url = req.url.replacen("signed?", "other?", 1);
    let response = sent(&req, b"").await?;
    anyhow::ensure!(
        (400..500).contains(&response.status),
        "a GET with a signature for another key answered {}",
        response.status
    );
    Ok(())
}

//! Unusual object names, one case each: every one is written, read back, stat'ed and found by
//! listing its parent, under exactly its own name (no escaping leaks into paths).

use storage_types::ListOptions;

use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("names";
        space,
        unicode,
        plus,
        percent,
        percent_twenty_is_literal,
        hash,
        question_mark,
        ampersand_and_equals,
        tilde,
        quotes,
        long_name,
        deep_path,
    )
}

/// Writes `rel`, reads it back, stats it and finds it exactly once in its parent's listing.
async fn round_trip(ctx: &Ctx, rel: &str) -> anyhow::Result<()> {
    let content = format!("content of {rel}");
    ctx.write(rel, content.clone()).await?;
    ctx.ensure_content(rel, content.as_bytes()).await?;
    ensure_eq!(
        ctx.stat(rel).await?.size,
        content.len() as u64,
        "size of {rel:?}"
    );
    let parent = rel.rfind('/').map_or("", |at| &rel[..=at]);
    let names = ctx.list_names(parent, ListOptions::default()).await?;
    ensure_eq!(
        names,
        vec![rel.to_owned()],
        "entries of the parent of {rel:?}"
    );
    Ok(())
}

async fn space(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "dir with space/file name.txt").await
}

async fn unicode(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "日本語/ü.txt").await
}

async fn plus(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/a+b.txt").await
}

async fn percent(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/100%.txt").await
}

// `%20` is three characters, not an escaped space: `a b.txt` must not appear.
async fn percent_twenty_is_literal(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/a%20b.txt").await?;
    ctx.ensure_absent("p/a b.txt").await
}

async fn hash(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/a#b.txt").await
}

async fn question_mark(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/what?.txt").await
}

async fn ampersand_and_equals(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/a&b=c.txt").await
}

async fn tilde(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/~tilde~.txt").await
}

async fn quotes(ctx: &Ctx) -> anyhow::Result<()> {
    round_trip(ctx, "p/it's \"quoted\".txt").await
}

// 200 bytes: below the 255-byte name limit of common file systems, above what naive buffers hold.
async fn long_name(ctx: &Ctx) -> anyhow::Result<()> {
    let name = format!("p/{}.txt", "n".repeat(196));
    round_trip(ctx, &name).await
}

async fn deep_path(ctx: &Ctx) -> anyhow::Result<()> {
    let dirs: Vec<String> = (1..=15).map(|i| format!("l{i}")).collect();
    round_trip(ctx, &format!("{}/leaf.txt", dirs.join("/"))).await
}

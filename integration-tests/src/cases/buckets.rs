//! Buckets (containers): a created bucket is listed until it is deleted.

use storage_types::Feature;

use crate::harness::{Case, Ctx, Need};

pub(super) fn cases() -> Vec<Case> {
    cases!("buckets"; create_list_delete [Need::Feature(Feature::Buckets)])
}

// Buckets live outside the store's root, so the name carries the run id to stay unique (and
// is lower-case letters, digits and dashes, valid on every cloud).
async fn create_list_delete(ctx: &Ctx) -> anyhow::Result<()> {
    let name = format!("conformance-{}", ctx.run_id());
    ctx.store.create_bucket(&name).await?;
    let listed = ctx.store.list_buckets().await;
    let deleted = ctx.store.delete_bucket(&name).await;
    let listed = listed?;
    anyhow::ensure!(
        listed.contains(&name),
        "bucket {name} is not listed after creation: {listed:?}"
    );
    deleted?;
    let after = ctx.store.list_buckets().await?;
    anyhow::ensure!(
        !after.contains(&name),
        "bucket {name} is still listed after deletion"
    );
    Ok(())
}

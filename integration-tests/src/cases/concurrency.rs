//! Concurrent calls on one store: racing writers to one key leave one writer's whole body,
//! writers to distinct keys all land, readers of one object all see it whole.

use std::sync::Arc;

use bytes::Bytes;
use storage_types::{ListOptions, Storage, StorageExt};
use tokio::task::JoinSet;

use crate::check;
use crate::harness::{Case, Ctx};

pub(super) fn cases() -> Vec<Case> {
    cases!("concurrency";
        writers_to_one_key,
        writers_to_distinct_keys,
        readers_of_one_object,
    )
}

/// Runs every task, failing on the first error or panic.
async fn join_all<T: 'static>(mut tasks: JoinSet<anyhow::Result<T>>) -> anyhow::Result<Vec<T>> {
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined??);
    }
    Ok(results)
}

// Whatever the order, the result is one writer's complete body: never a mix, never a prefix.
async fn writers_to_one_key(ctx: &Ctx) -> anyhow::Result<()> {
    const WRITERS: u8 = 8;
    let path = ctx.path("contended");
    let bodies: Vec<Bytes> = (0..WRITERS)
        .map(|w| check::pattern(256 * 1024, w * 31))
        .collect();
    let mut tasks = JoinSet::new();
    for body in bodies.iter().cloned() {
        let (store, path): (Arc<dyn Storage>, String) = (Arc::clone(&ctx.store), path.clone());
        tasks.spawn(async move {
            // Streamed in chunks, so that the writes really interleave.
            let body = check::chunked_body(body, 16 * 1024, None);
            store.write(&path, body).await?;
            Ok(())
        });
    }
    join_all(tasks).await?;
    let content = ctx.read("contended").await?;
    let winner = bodies.iter().position(|b| *b == content);
    anyhow::ensure!(
        winner.is_some(),
        "after {WRITERS} concurrent writes the object ({} bytes) is none of the bodies written",
        content.len()
    );
    Ok(())
}

async fn writers_to_distinct_keys(ctx: &Ctx) -> anyhow::Result<()> {
    const WRITERS: u8 = 32;
    let mut tasks = JoinSet::new();
    for w in 0..WRITERS {
        let (store, path) = (Arc::clone(&ctx.store), ctx.path(&format!("k/{w:02}")));
        tasks.spawn(async move {
            store.write_bytes(&path, check::pattern(10_000, w)).await?;
            Ok(())
        });
    }
    join_all(tasks).await?;
    for w in 0..WRITERS {
        ctx.ensure_content(&format!("k/{w:02}"), &check::pattern(10_000, w))
            .await?;
    }
    let names = ctx.list_names("k/", ListOptions::default()).await?;
    ensure_eq!(
        names.len(),
        usize::from(WRITERS),
        "objects listed after concurrent writes"
    );
    Ok(())
}

async fn readers_of_one_object(ctx: &Ctx) -> anyhow::Result<()> {
    let data = check::pattern(512 * 1024, 40);
    ctx.write("shared", data.clone()).await?;
    let mut tasks = JoinSet::new();
    for _ in 0..16 {
        let (store, path) = (Arc::clone(&ctx.store), ctx.path("shared"));
        tasks.spawn(async move { Ok(store.read_bytes(&path).await?) });
    }
    for (i, bytes) in join_all(tasks).await?.iter().enumerate() {
        check::ensure_bytes(bytes, &data, &format!("content seen by reader {i}"))?;
    }
    Ok(())
}

//! Multipart uploads: distinct ids, parts in any order and concurrently, replacing a part,
//! listing parts and uploads, completion (and its refusals), abort, and invisibility until
//! completion. Parts other than the last have the backend's minimum part size.

use std::sync::Arc;

use bytes::Bytes;
use storage_types::{
    CompleteOptions, ErrorKind, Feature, ListOptions, MultipartUpload, Operation, Pair, Part,
    PartOptions, WriteOptions,
};
use tokio::task::JoinSet;

use crate::check::{self, expect_kind};
use crate::harness::{Case, Ctx, Need};

const MULTIPART: Need = Need::Feature(Feature::Multipart);

pub(super) fn cases() -> Vec<Case> {
    cases!("multipart";
        create_twice_gives_distinct_ids [MULTIPART],
        parts_out_of_order [MULTIPART],
        three_parts [MULTIPART],
        parts_concurrently [MULTIPART],
        single_small_part [MULTIPART],
        not_visible_before_complete [MULTIPART],
        reupload_replaces_part [MULTIPART],
        reupload_listed_once [MULTIPART],
        list_uploads_in_progress [MULTIPART, Need::Feature(Feature::UploadListing)],
        abort_discards_upload [MULTIPART],
        abort_unknown_succeeds [MULTIPART],
        complete_unknown_upload_is_not_found [MULTIPART],
        complete_with_unknown_part_is_invalid [MULTIPART],
        complete_with_no_parts_is_invalid [MULTIPART],
        complete_unordered_is_invalid [MULTIPART],
        complete_replaces_existing [MULTIPART],
        part_progress_totals_size [MULTIPART],
        stored_metadata [MULTIPART, Need::Pair(Operation::CreateMultipart, Pair::ContentType)],
        complete_create_only_when_present_fails [
            MULTIPART,
            Need::Pair(Operation::CompleteMultipart, Pair::IfNoneMatch),
        ],
    )
}

async fn create(ctx: &Ctx, rel: &str) -> anyhow::Result<MultipartUpload> {
    Ok(ctx.store.create_multipart(&ctx.path(rel)).await?)
}

async fn upload(ctx: &Ctx, up: &MultipartUpload, number: u32, data: Bytes) -> anyhow::Result<Part> {
    let size = data.len() as u64;
    let part = ctx.store.upload_part(up, number, data.into()).await?;
    ensure_eq!(part.number, number, "number of the uploaded part");
    ensure_eq!(part.size, size, "size of uploaded part {number}");
    Ok(part)
}

async fn complete(ctx: &Ctx, up: &MultipartUpload, parts: &[Part]) -> storage_types::Result<()> {
    ctx.store.complete_multipart(up, parts).await.map(drop)
}

/// A full-size (non-last) part and a short last part.
fn two_parts(ctx: &Ctx) -> (Bytes, Bytes) {
    (
        check::pattern(ctx.part_size() as usize, 1),
        check::pattern(1000, 2),
    )
}

fn concat(parts: &[&Bytes]) -> Vec<u8> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

async fn create_twice_gives_distinct_ids(ctx: &Ctx) -> anyhow::Result<()> {
    let first = create(ctx, "m").await?;
    let second = create(ctx, "m").await?;
    anyhow::ensure!(
        first.upload_id != second.upload_id,
        "two uploads share the id {}",
        first.upload_id
    );
    ensure_eq!(first.path.as_str(), ctx.path("m"), "path of the upload");
    ctx.store.abort_multipart(&first).await?;
    ctx.store.abort_multipart(&second).await?;
    Ok(())
}

async fn parts_out_of_order(ctx: &Ctx) -> anyhow::Result<()> {
    let (one, two) = two_parts(ctx);
    let up = create(ctx, "m").await?;
    let p2 = upload(ctx, &up, 2, two.clone()).await?;
    let p1 = upload(ctx, &up, 1, one.clone()).await?;
    let listed = ctx.store.list_parts(&up).await?;
    let numbers: Vec<u32> = listed.iter().map(|p| p.number).collect();
    ensure_eq!(numbers, vec![1, 2], "numbers of the listed parts");
    let sizes: Vec<u64> = listed.iter().map(|p| p.size).collect();
    ensure_eq!(
        sizes,
        vec![one.len() as u64, two.len() as u64],
        "sizes of the listed parts"
    );
    complete(ctx, &up, &[p1, p2]).await?;
    ensure_eq!(
        ctx.stat("m").await?.size,
        (one.len() + two.len()) as u64,
        "size of the object"
    );
    ctx.ensure_content("m", &concat(&[&one, &two])).await
}

async fn three_parts(ctx: &Ctx) -> anyhow::Result<()> {
    let full = ctx.part_size() as usize;
    let data = [
        check::pattern(full, 3),
        check::pattern(full, 4),
        check::pattern(777, 5),
    ];
    let up = create(ctx, "m").await?;
    let mut parts = Vec::new();
    for (number, part) in (1u32..).zip(&data) {
        parts.push(upload(ctx, &up, number, part.clone()).await?);
    }
    complete(ctx, &up, &parts).await?;
    ensure_eq!(
        ctx.stat("m").await?.size,
        (2 * full + 777) as u64,
        "size of the object"
    );
    ctx.ensure_content("m", &concat(&[&data[0], &data[1], &data[2]]))
        .await
}

async fn parts_concurrently(ctx: &Ctx) -> anyhow::Result<()> {
    let up = Arc::new(create(ctx, "m").await?);
    let datas: Vec<Bytes> = (0..4u8)
        .map(|i| check::pattern(ctx.part_size() as usize, i))
        .collect();
    let mut tasks = JoinSet::new();
    for (i, data) in datas.iter().cloned().enumerate() {
        let (store, up) = (Arc::clone(&ctx.store), Arc::clone(&up));
        tasks.spawn(async move { store.upload_part(&up, i as u32 + 1, data.into()).await });
    }
    let mut parts = Vec::new();
    while let Some(part) = tasks.join_next().await {
        parts.push(part??);
    }
    parts.sort_by_key(|p| p.number);
    complete(ctx, &up, &parts).await?;
    ctx.ensure_content("m", &concat(&datas.iter().collect::<Vec<_>>()))
        .await
}

// The last part may be smaller than the minimum, so a single small part is a whole upload.
async fn single_small_part(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    let part = upload(ctx, &up, 1, Bytes::from_static(b"tiny")).await?;
    complete(ctx, &up, &[part]).await?;
    ctx.ensure_content("m", b"tiny").await
}

async fn not_visible_before_complete(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    let part = upload(ctx, &up, 1, Bytes::from_static(b"pending")).await?;
    ctx.ensure_absent("m").await?;
    let names = ctx
        .list_names("", ListOptions::default().recursive())
        .await?;
    anyhow::ensure!(
        names.is_empty(),
        "an upload in progress is listed: {names:?}"
    );
    complete(ctx, &up, &[part]).await?;
    ctx.ensure_content("m", b"pending").await
}

async fn reupload_replaces_part(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    upload(ctx, &up, 1, Bytes::from_static(b"first version")).await?;
    let second = upload(ctx, &up, 1, Bytes::from_static(b"second")).await?;
    complete(ctx, &up, &[second]).await?;
    ctx.ensure_content("m", b"second").await
}

// The listing is what a resumed upload trusts to skip parts already sent: it must show the
// part's latest upload, never an older one.
async fn reupload_listed_once(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    let first = upload(ctx, &up, 1, Bytes::from_static(b"first version")).await?;
    let second = upload(ctx, &up, 1, Bytes::from_static(b"second")).await?;
    let listed = ctx.store.list_parts(&up).await?;
    ensure_eq!(listed.len(), 1, "parts listed after uploading part 1 twice");
    anyhow::ensure!(
        listed[0].etag == second.etag,
        "listed part {:?} is not the latest upload of part 1 ({:?}; the first was {:?})",
        listed[0],
        second.etag,
        first.etag
    );
    ctx.store.abort_multipart(&up).await?;
    Ok(())
}

async fn list_uploads_in_progress(ctx: &Ctx) -> anyhow::Result<()> {
    let a = create(ctx, "a").await?;
    let b = create(ctx, "sub/b").await?;
    let found = ctx.store.list_multipart_uploads(ctx.base()).await?;
    for up in [&a, &b] {
        let matching = found
            .iter()
            .filter(|f| f.upload_id == up.upload_id)
            .collect::<Vec<_>>();
        ensure_eq!(
            matching.len(),
            1,
            "listings of upload {} among {found:?}",
            up.upload_id
        );
        ensure_eq!(matching[0].path, up.path, "path of the listed upload");
    }
    let sub = ctx.store.list_multipart_uploads(&ctx.path("sub/")).await?;
    let ids: Vec<&str> = sub.iter().map(|u| u.upload_id.as_str()).collect();
    ensure_eq!(ids, vec![b.upload_id.as_str()], "uploads below sub/");
    let part = upload(ctx, &a, 1, Bytes::from_static(b"a")).await?;
    complete(ctx, &a, &[part]).await?;
    ctx.store.abort_multipart(&b).await?;
    let left = ctx.store.list_multipart_uploads(ctx.base()).await?;
    anyhow::ensure!(
        left.is_empty(),
        "completed and aborted uploads are still listed: {left:?}"
    );
    Ok(())
}

async fn abort_discards_upload(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    upload(ctx, &up, 1, Bytes::from_static(b"discarded")).await?;
    ctx.store.abort_multipart(&up).await?;
    let found = ctx.uploads_in_progress().await?;
    anyhow::ensure!(
        found.iter().all(|u| u.upload_id != up.upload_id),
        "aborted upload listed: {found:?}"
    );
    ctx.ensure_absent("m").await?;
    // Aborting is idempotent, like delete: a second abort succeeds and changes nothing.
    ctx.store
        .abort_multipart(&up)
        .await
        .map_err(|e| anyhow::anyhow!("aborting the upload a second time: {e}"))?;
    ctx.ensure_absent("m").await
}

async fn abort_unknown_succeeds(ctx: &Ctx) -> anyhow::Result<()> {
    let unknown = MultipartUpload::new(&ctx.path("m"), "conformance-no-such-upload")?;
    ctx.store.abort_multipart(&unknown).await?;
    ctx.ensure_absent("m").await
}

async fn complete_unknown_upload_is_not_found(ctx: &Ctx) -> anyhow::Result<()> {
    let unknown = MultipartUpload::new(&ctx.path("m"), "conformance-no-such-upload")?;
    let parts = [Part {
        number: 1,
        etag: "\"e\"".into(),
        size: 1,
    }];
    expect_kind(complete(ctx, &unknown, &parts).await, ErrorKind::NotFound)?;
    ctx.ensure_absent("m").await
}

async fn complete_with_unknown_part_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    let one = upload(ctx, &up, 1, check::pattern(ctx.part_size() as usize, 3)).await?;
    let never = Part {
        number: 2,
        ..one.clone()
    };
    expect_kind(
        complete(ctx, &up, &[one, never]).await,
        ErrorKind::InvalidInput,
    )?;
    ctx.ensure_absent("m").await?;
    ctx.store.abort_multipart(&up).await?;
    Ok(())
}

async fn complete_with_no_parts_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    expect_kind(complete(ctx, &up, &[]).await, ErrorKind::InvalidInput)?;
    ctx.ensure_absent("m").await?;
    ctx.store.abort_multipart(&up).await?;
    Ok(())
}

async fn complete_unordered_is_invalid(ctx: &Ctx) -> anyhow::Result<()> {
    let (one, two) = two_parts(ctx);
    let up = create(ctx, "m").await?;
    let p1 = upload(ctx, &up, 1, one).await?;
    let p2 = upload(ctx, &up, 2, two).await?;
    expect_kind(complete(ctx, &up, &[p2, p1]).await, ErrorKind::InvalidInput)?;
    ctx.ensure_absent("m").await?;
    ctx.store.abort_multipart(&up).await?;
    Ok(())
}

async fn complete_replaces_existing(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.write("m", "an older, longer object").await?;
    let up = create(ctx, "m").await?;
    // Still the old object while the upload is in progress.
    ctx.ensure_content("m", b"an older, longer object").await?;
    let part = upload(ctx, &up, 1, Bytes::from_static(b"new")).await?;
    complete(ctx, &up, &[part]).await?;
    ctx.ensure_content("m", b"new").await
}

async fn part_progress_totals_size(ctx: &Ctx) -> anyhow::Result<()> {
    let (progress, counter) = check::progress_counter();
    let up = create(ctx, "m").await?;
    let data = check::pattern(50_000, 4);
    let body = check::chunked_body(data.clone(), 4096, Some(50_000));
    let opts = PartOptions::default().with_progress(progress);
    let part = ctx.store.upload_part_with(&up, 1, body, opts).await?;
    ensure_eq!(check::total(&counter), 50_000, "bytes reported for a part");
    complete(ctx, &up, &[part]).await?;
    ctx.ensure_content("m", &data).await
}

async fn stored_metadata(ctx: &Ctx) -> anyhow::Result<()> {
    let opts = WriteOptions::default().with_content_type("application/x-conformance");
    let up = ctx
        .store
        .create_multipart_with(&ctx.path("m"), opts)
        .await?;
    let part = upload(ctx, &up, 1, Bytes::from_static(b"typed")).await?;
    complete(ctx, &up, &[part]).await?;
    let meta = ctx.stat("m").await?;
    ensure_eq!(
        meta.content_type.as_deref(),
        Some("application/x-conformance"),
        "content type"
    );
    Ok(())
}

async fn complete_create_only_when_present_fails(ctx: &Ctx) -> anyhow::Result<()> {
    let up = create(ctx, "m").await?;
    let part = upload(ctx, &up, 1, Bytes::from_static(b"late")).await?;
    ctx.write("m", "first").await?;
    let opts = CompleteOptions::default().with_if_none_match("*");
    let done = ctx.store.complete_multipart_with(&up, &[part], opts).await;
    expect_kind(done, ErrorKind::ConditionNotMet)?;
    ctx.ensure_content("m", b"first").await?;
    // The upload may or may not survive a failed completion; abort it if it did.
    let _ = ctx.store.abort_multipart(&up).await;
    Ok(())
}

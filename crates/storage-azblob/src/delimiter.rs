//! Hierarchical listing, which the official crate lacks: a per-call policy that adds
//! `delimiter` to a List Blobs request when the call's context asks for it. The prefixes are
//! then read from each page's XML (see `lister.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Method, Request};

/// Put into a call's context to list with this delimiter.
#[derive(Debug, Clone)]
pub(crate) struct ListDelimiter(pub(crate) String);

#[derive(Debug)]
pub(crate) struct DelimiterPolicy;

// The trait's own signature elides Context's lifetime; async_trait needs the same here.
#[allow(elided_lifetimes_in_paths)]
#[async_trait]
impl Policy for DelimiterPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        if let Some(ListDelimiter(delimiter)) = ctx.value::<ListDelimiter>() {
            let url = request.url();
            let is_list_blobs = request.method() == Method::Get
                && url.query_pairs().any(|(k, v)| k == "comp" && v == "list")
                && url
                    .query_pairs()
                    .any(|(k, v)| k == "restype" && v == "container");
            if is_list_blobs && !url.query_pairs().any(|(k, _)| k == "delimiter") {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair("delimiter", delimiter);
            }
        }
        next[0].send(ctx, request, &next[1..]).await
    }
}

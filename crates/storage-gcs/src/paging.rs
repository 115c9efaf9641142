//! The SDK's page iterators as streams of mapped results.

use futures_util::Stream;
use google_cloud_gax::paginator::Paginator;
use google_cloud_gax::paginator::internal::PageableResponse;
use storage_types::Result;

use crate::error::map_error;

/// Each page of `pages` as it arrives; errors mapped.
pub(crate) fn pages<P, T>(pages: P) -> impl Stream<Item = Result<T>> + Send + 'static
where
    P: Paginator<T, google_cloud_storage::Error> + 'static,
    T: PageableResponse + Send + 'static,
{
    futures_util::stream::unfold(pages, |mut pages| async move {
        let page = pages.next().await?;
        Some((page.map_err(map_error), pages))
    })
}

//! Listings page by page, each page's request attempted on its own (see `attempt`): the
//! SDK's page iterators hold one client, which after a stall is the wrong one.

use std::future::Future;
use std::sync::Arc;

use futures_util::Stream;
use google_cloud_gax::paginator::internal::PageableResponse;
use google_cloud_storage::client::StorageControl;
use storage_types::Result;

use crate::GcsStorage;

/// Each page as it arrives: `send(client, token)` asks for the page after `token` (empty: the
/// first), until a page names no next one.
pub(crate) fn pages<T, F, Fut>(
    store: &GcsStorage,
    send: F,
) -> impl Stream<Item = Result<T>> + Send + use<T, F, Fut>
where
    T: PageableResponse + Send + 'static,
    F: Fn(StorageControl, String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send,
{
    let context = Arc::new((store.clone(), send));
    futures_util::stream::try_unfold(Some(String::new()), move |token| {
        let context = Arc::clone(&context);
        async move {
            let Some(token) = token else {
                return Ok(None);
            };
            let (store, send) = &*context;
            let page = store
                .with_control(|control| send(control, token.clone()))
                .await?;
            let next = page.next_page_token();
            Ok(Some((page, (!next.is_empty()).then_some(next))))
        }
    })
}

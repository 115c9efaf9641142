//! `list`: gRPC ListObjects page by page (flat, or with the `/` delimiter), each page's
//! objects and prefixes merged into sorted entries. The multipart staging area is hidden.

use futures_util::TryStreamExt;
use google_cloud_storage::model::{ListObjectsRequest, ListObjectsResponse};
use storage_types::{Entry, ListOptions, Lister, Metadata, ObjectPath, Result};

use crate::GcsStorage;
use crate::capability::MAX_PAGE_SIZE;
use crate::error::map_error;
use crate::multipart::STAGING;
use crate::object::metadata;

impl GcsStorage {
    /// The entries below `dir`; with `with_markers`, directory marker objects (`dir/x/`) are
    /// kept as directory entries even in a recursive listing (to tell whether a directory
    /// exists).
    pub(crate) fn list_entries(
        &self,
        dir: &ObjectPath,
        opts: ListOptions,
        with_markers: bool,
    ) -> Lister {
        list(self.clone(), dir, opts, with_markers)
    }
}

fn list(store: GcsStorage, dir: &ObjectPath, opts: ListOptions, with_markers: bool) -> Lister {
    // The directory's own marker is not an entry of it; the request prefix adds the name
    // prefix, so the service lists by raw key prefix itself.
    let dir_name = store.object_name(dir);
    let prefix = format!(
        "{dir_name}{}",
        opts.name_prefix.as_deref().unwrap_or_default()
    );
    let mut request = ListObjectsRequest::new()
        .set_parent(store.bucket_path())
        .set_prefix(prefix)
        .set_page_size(
            opts.page_size
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE) as i32,
        );
    if !opts.recursive {
        request = request.set_delimiter("/");
    }
    let start_after = opts.start_after.clone();
    if let Some(after) = &start_after {
        // Inclusive; the entry itself is dropped below.
        request = request.set_lexicographic_start(format!("{}{after}", store.inner.root));
    }
    let pages = crate::paging::pages(&store, move |control, token| {
        let call = control
            .list_objects()
            .with_request(request.clone().set_page_token(token));
        async move { Box::pin(call.send()).await.map_err(map_error) }
    });
    let recursive = opts.recursive;
    let entries = pages.map_ok(move |page| {
        let items: Vec<Result<Entry>> =
            entries_of(&store, &dir_name, recursive, with_markers, page)
                .into_iter()
                .filter(|e| {
                    start_after
                        .as_deref()
                        .is_none_or(|after| e.path.as_str() > after)
                })
                .map(Ok)
                .collect();
        futures_util::stream::iter(items)
    });
    Lister::new(entries.try_flatten())
}

fn entries_of(
    s: &GcsStorage,
    dir: &str,
    recursive: bool,
    with_markers: bool,
    page: ListObjectsResponse,
) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(page.objects.len() + page.prefixes.len());
    let hidden = |path: &ObjectPath| path.as_str().starts_with(STAGING);
    for name in &page.prefixes {
        if let Some(path) = s.path_of(name).filter(|p| !hidden(p)) {
            entries.push(Entry::new(path, Metadata::dir()));
        }
    }
    for object in &page.objects {
        let is_marker = object.name.ends_with('/');
        // The directory's own marker is not an entry of it; recursive listings name objects.
        if object.name == dir || (recursive && is_marker && !with_markers) {
            continue;
        }
        if let Some(path) = s.path_of(&object.name).filter(|p| !hidden(p)) {
            let meta = if path.is_dir() {
                Metadata::dir()
            } else {
                metadata(object)
            };
            entries.push(Entry::new(path, meta));
        }
    }
    // Objects and prefixes of one page cover a contiguous range of names; sorting within the
    // page gives the global order.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

//! `list`: List Blobs page by page (flat, or with the `/` delimiter our policy adds), each
//! page's raw XML read into sorted entries.

use azure_core::http::Context;
use azure_core::http::pager::PagerOptions;
use azure_storage_blob::models::BlobContainerClientListBlobsOptions;
use futures_util::TryStreamExt;
use storage_types::{Entry, ListOptions, Lister, Metadata, ObjectPath, Result};

use crate::AzBlobStorage;
use crate::capability::MAX_PAGE_SIZE;
use crate::delimiter::ListDelimiter;
use crate::error::map_error;

impl AzBlobStorage {
    /// `list`: the entries below `dir`.
    pub(crate) fn list_objects(&self, dir: &ObjectPath, opts: ListOptions) -> Lister {
        self.list_blobs(dir, opts, false)
    }

    /// The entries below `dir`; with `with_markers`, directory marker blobs (`dir/x/`) are
    /// kept as directory entries even in a recursive listing (to tell whether a directory
    /// exists).
    pub(crate) fn list_blobs(
        &self,
        dir: &ObjectPath,
        opts: ListOptions,
        with_markers: bool,
    ) -> Lister {
        let store = self.clone();
        // The directory's own marker is not an entry of it; the request prefix adds the name
        // prefix, so the service lists by raw key prefix itself.
        let dir_name = store.blob_name(dir);
        let prefix = format!(
            "{dir_name}{}",
            opts.name_prefix.as_deref().unwrap_or_default()
        );
        let mut context = Context::new();
        if !opts.recursive {
            context = context.with_value(ListDelimiter("/".to_owned()));
        }
        let start_after = opts.start_after.clone();
        let options = BlobContainerClientListBlobsOptions {
            prefix: (!prefix.is_empty()).then_some(prefix),
            // `startFrom` is inclusive and not every server honours it; entries up to and including
            // `start_after` are also dropped below, so the result is right either way.
            start_from: start_after
                .as_ref()
                .map(|after| format!("{}{after}", store.inner.root)),
            maxresults: opts.page_size.map(|n| n.min(MAX_PAGE_SIZE) as i32),
            method_options: PagerOptions {
                context,
                ..Default::default()
            },
            ..Default::default()
        };
        let pages = match store.inner.container.list_blobs(Some(options)) {
            Ok(pager) => pager.into_pages(),
            Err(err) => return Lister::new(futures_util::stream::iter(vec![Err(map_error(err))])),
        };
        let recursive = opts.recursive;
        let entries = pages.map_err(map_error).and_then(move |page| {
            let xml = String::from_utf8_lossy(page.body());
            let items =
                entries_of(&store, &dir_name, recursive, with_markers, &xml).map(|entries| {
                    let kept = entries.into_iter().filter(|e| {
                        start_after
                            .as_deref()
                            .is_none_or(|after| e.path.as_str() > after)
                    });
                    futures_util::stream::iter(kept.map(Ok).collect::<Vec<Result<Entry>>>())
                });
            std::future::ready(items)
        });
        Lister::new(entries.try_flatten())
    }
}

/// The entries of one List Blobs page below the directory `dir`; an error if the page is not
/// XML.
pub(crate) fn entries_of(
    s: &AzBlobStorage,
    dir: &str,
    recursive: bool,
    with_markers: bool,
    xml: &str,
) -> Result<Vec<Entry>> {
    const BLOB: &str = "EnumerationResults/Blobs/Blob/";
    const PREFIX_NAME: &str = "EnumerationResults/Blobs/BlobPrefix/Name";
    let mut entries = Vec::new();
    let mut current: Option<(String, Metadata)> = None;
    let push = |entry: Option<(String, Metadata)>, entries: &mut Vec<Entry>| {
        let Some((name, meta)) = entry else { return };
        let is_marker = name.ends_with('/');
        // The directory's own marker is not an entry of it; recursive listings name objects.
        if name == dir || (recursive && is_marker && !with_markers) {
            return;
        }
        if let Some(path) = s.path_of(&name) {
            let meta = if path.is_dir() { Metadata::dir() } else { meta };
            entries.push(Entry::new(path, meta));
        }
    };
    for (path, text) in crate::xml::leaves(xml)? {
        if path == PREFIX_NAME {
            push(current.take(), &mut entries);
            push(Some((text, Metadata::dir())), &mut entries);
            continue;
        }
        let Some(field) = path.strip_prefix(BLOB) else {
            continue;
        };
        match field {
            "Name" => {
                push(current.take(), &mut entries);
                current = Some((text, Metadata::file(0)));
            }
            "Properties/Content-Length" => {
                if let Some((_, meta)) = current.as_mut() {
                    meta.size = text.parse().unwrap_or_default();
                }
            }
            "Properties/Etag" => {
                if let Some((_, meta)) = current.as_mut() {
                    meta.etag = Some(text);
                }
            }
            "Properties/Last-Modified" => {
                if let Some((_, meta)) = current.as_mut() {
                    meta.last_modified = httpdate::parse_http_date(&text).ok();
                }
            }
            "Properties/Content-Type" => {
                if let Some((_, meta)) = current.as_mut() {
                    meta.content_type = Some(text);
                }
            }
            "Properties/AccessTier" => {
                if let Some((_, meta)) = current.as_mut() {
                    meta.storage_class = Some(text);
                }
            }
            _ => {}
        }
    }
    push(current.take(), &mut entries);
    // Blobs and prefixes of one page cover a contiguous range of names; sorting within the
    // page gives the global order.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

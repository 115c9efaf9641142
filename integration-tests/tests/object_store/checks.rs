//! The checks: each public function of `object_store::integration`, called the way object_store
//! calls it for its own stores, with the parameters the backend's semantics ask for.

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use object_store::list::PaginatedListStore;
use object_store::multipart::MultipartStore;
use object_store::{Error, ObjectStore, integration};
use storage_types::{Feature, Operation, Pair, Storage};

/// What a check runs against.
pub(crate) struct Subject<'a> {
    pub(crate) store: &'a dyn ObjectStore,
    /// The same adapter as a `PaginatedListStore` (raw key-prefix pages with a token).
    pub(crate) paginated: &'a dyn PaginatedListStore,
    /// The `MultipartStore` view, where the backend has multipart uploads.
    pub(crate) multipart: Option<&'a dyn MultipartStore>,
    /// Whether conditional updates (`PutMode::Update`) are supported.
    pub(crate) supports_update: bool,
    /// Whether, of two multipart uploads to one path, the last completed wins (else the second
    /// completion fails, as on Azure, where a commit discards every uncommitted block).
    pub(crate) last_writer_wins: bool,
}

/// How a check runs: a call of the object_store function (which panics on failure), or not
/// at all, for the reason given.
pub(crate) enum Run {
    Call(for<'a> fn(&'a Subject<'a>) -> LocalBoxFuture<'a, ()>),
    NotApplicable(&'static str),
}

/// What a check needs of the backend beyond the core operations.
#[derive(Clone, Copy)]
pub(crate) enum Needs {
    Nothing,
    /// The `MultipartStore` view (the backend declares multipart uploads).
    MultipartStore,
    /// The `MultipartStore` view, and user metadata stored with multipart uploads.
    MultipartMetadata,
}

impl Needs {
    /// Why the check cannot apply to `store`, if it cannot.
    pub(crate) fn missing(self, store: &dyn Storage) -> Option<&'static str> {
        let cap = &store.info().capability;
        let multipart = cap.has_feature(Feature::Multipart);
        let metadata = cap.supports_pair(Operation::CreateMultipart, Pair::UserMetadata);
        match self {
            Needs::Nothing => None,
            Needs::MultipartStore | Needs::MultipartMetadata if !multipart => {
                Some("the backend declares no multipart uploads")
            }
            Needs::MultipartMetadata if !metadata => Some(
                "the backend keeps no user metadata (Attribute::Metadata) with an object, \
                 which this function writes and reads back",
            ),
            _ => None,
        }
    }
}

/// One object_store conformance function.
pub(crate) struct Check {
    pub(crate) name: &'static str,
    pub(crate) run: Run,
    pub(crate) needs: Needs,
}

const fn call(
    name: &'static str,
    run: for<'a> fn(&'a Subject<'a>) -> LocalBoxFuture<'a, ()>,
) -> Check {
    Check {
        name,
        run: Run::Call(run),
        needs: Needs::Nothing,
    }
}

const fn needing(
    needs: Needs,
    name: &'static str,
    run: for<'a> fn(&'a Subject<'a>) -> LocalBoxFuture<'a, ()>,
) -> Check {
    Check {
        name,
        run: Run::Call(run),
        needs,
    }
}

/// The `MultipartStore` view; checks that need it only run where it exists.
fn mp<'a>(s: &Subject<'a>) -> &'a dyn MultipartStore {
    s.multipart.expect("checked by Needs::missing")
}

/// Every public function of `object_store::integration`, in the order object_store runs them.
pub(crate) const CHECKS: &[Check] = &[
    call("put_get_delete_list", |s| {
        integration::put_get_delete_list(s.store).boxed_local()
    }),
    call("list_with_offset_exclusivity", |s| {
        integration::list_with_offset_exclusivity(s.store).boxed_local()
    }),
    call("get_opts", |s| integration::get_opts(s.store).boxed_local()),
    call("list_uses_directories_correctly", |s| {
        integration::list_uses_directories_correctly(s.store).boxed_local()
    }),
    call("list_with_delimiter", |s| {
        integration::list_with_delimiter(s.store).boxed_local()
    }),
    call("rename_and_copy", |s| {
        integration::rename_and_copy(s.store).boxed_local()
    }),
    call("copy_if_not_exists", |s| {
        integration::copy_if_not_exists(s.store).boxed_local()
    }),
    call("copy_rename_nonexistent_object", |s| {
        integration::copy_rename_nonexistent_object(s.store).boxed_local()
    }),
    call("get_nonexistent_object", |s| {
        async move {
            match integration::get_nonexistent_object(s.store, None).await {
                Err(Error::NotFound { .. }) => {}
                other => panic!("expected NotFound, got {other:?}"),
            }
        }
        .boxed_local()
    }),
    call("stream_get", |s| {
        integration::stream_get(s.store).boxed_local()
    }),
    call("put_opts", |s| {
        integration::put_opts(s.store, s.supports_update).boxed_local()
    }),
    needing(Needs::MultipartStore, "multipart", |s| {
        integration::multipart(s.store, mp(s)).boxed_local()
    }),
    needing(Needs::MultipartMetadata, "multipart_with_opts", |s| {
        integration::multipart_with_opts(s.store, mp(s)).boxed_local()
    }),
    needing(
        Needs::MultipartStore,
        "multipart_put_part_out_of_order",
        |s| integration::multipart_put_part_out_of_order(s.store, mp(s)).boxed_local(),
    ),
    call("multipart_race_condition", |s| {
        integration::multipart_race_condition(s.store, s.last_writer_wins).boxed_local()
    }),
    call("multipart_out_of_order", |s| {
        integration::multipart_out_of_order(s.store).boxed_local()
    }),
    call("put_get_attributes", |s| {
        integration::put_get_attributes(s.store).boxed_local()
    }),
    call("list_paginated", |s| {
        integration::list_paginated(s.store, s.paginated).boxed_local()
    }),
    Check {
        name: "response_extensions",
        run: Run::NotApplicable(
            "checks that HTTP response extensions of object_store's own HTTP client reach the \
             results; the adapter makes no HTTP requests of its own (and the function exists \
             only with object_store's reqwest feature)",
        ),
        needs: Needs::Nothing,
    },
];

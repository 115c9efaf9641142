//! Every conformance case, one file per topic; [`all_cases`] lists them in a stable order.

mod append;
mod buckets;
mod concurrency;
mod conditional;
mod copy;
mod delete;
mod dirs;
mod encryption;
mod ext;
mod features;
mod integrity;
mod list;
mod metadata;
mod multipart;
mod names;
mod options;
mod parts_read;
mod paths;
mod prefix;
mod presign;
mod read;
mod rename;
mod stat;
mod streaming;
mod write;

pub use encryption::KMS_KEY_VARIABLE;

use crate::harness::Case;

/// Every case of the suite, topic by topic, in a stable order.
pub fn all_cases() -> Vec<Case> {
    [
        stat::cases(),
        read::cases(),
        parts_read::cases(),
        write::cases(),
        delete::cases(),
        list::cases(),
        prefix::cases(),
        paths::cases(),
        names::cases(),
        dirs::cases(),
        streaming::cases(),
        concurrency::cases(),
        conditional::cases(),
        metadata::cases(),
        options::cases(),
        features::cases(),
        multipart::cases(),
        append::cases(),
        copy::cases(),
        rename::cases(),
        integrity::cases(),
        encryption::cases(),
        presign::cases(),
        buckets::cases(),
        ext::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

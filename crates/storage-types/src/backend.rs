//! What a backend's implementor needs and a program using a store does not (OpenDAL's `raw`):
//! the [`Backend`] trait, which the central layer turns into a [`Storage`](crate::Storage), and
//! the loops every backend shares: URL-key parsing, part uploads, reads in parts, resumed
//! reads, checksum and precondition checks. Re-exports only: each piece lives in its own module.

pub use crate::body::collect_stream;
pub use crate::conditions::{check_preconditions, etag_matches};
pub use crate::part_uploads::{PartPlan, UploadedParts, upload_parts};
pub use crate::parts::PartReader;
pub use crate::parts_read::{
    DEFAULT_READ_PART_SIZE, read_in_parts, read_in_parts_of, reads_in_parts,
};
pub use crate::resume::{RESUME_ATTEMPTS, Reopen, resume_on_break, resume_pinned};
pub use crate::service::{Backend, delete_each, many_failed, unique_token};
pub use crate::url_keys::{
    BOOL_SPELLINGS, UrlKeys, normal_key, parse_bool, parse_duration, parse_size,
};
pub use crate::verify::verify_checksum;

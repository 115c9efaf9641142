//! Names of the operations and of the optional features, shared by errors, spans and capabilities.

use crate::named::named_enum;

named_enum! {
    /// Every operation the [`Storage`](crate::Storage) trait offers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum Operation {
        /// Read an object's metadata.
        Stat => "stat",
        /// Read an object's content.
        Read => "read",
        /// Write (create or replace) an object.
        Write => "write",
        /// Delete an object.
        Delete => "delete",
        /// Delete many objects at once.
        DeleteMany => "delete_many",
        /// List a directory.
        List => "list",
        /// Start a multipart upload.
        CreateMultipart => "create_multipart",
        /// Upload one part of a multipart upload.
        UploadPart => "upload_part",
        /// Assemble the uploaded parts into the object.
        CompleteMultipart => "complete_multipart",
        /// Abandon a multipart upload and its parts.
        AbortMultipart => "abort_multipart",
        /// List the parts of a multipart upload.
        ListParts => "list_parts",
        /// List the multipart uploads in progress.
        ListMultipartUploads => "list_multipart_uploads",
        /// Create (or reset) an appendable object.
        CreateAppend => "create_append",
        /// Append to an appendable object.
        Append => "append",
        /// Finish an appendable object.
        CommitAppend => "commit_append",
        /// Copy an object on the server.
        Copy => "copy",
        /// Move an object.
        Rename => "rename",
        /// Produce a signed URL.
        Presign => "presign",
        /// Create a directory.
        CreateDir => "create_dir",
        /// Create a bucket (container).
        CreateBucket => "create_bucket",
        /// Delete a bucket (container).
        DeleteBucket => "delete_bucket",
        /// List buckets (containers).
        ListBuckets => "list_buckets",
    }
}

impl Operation {
    /// The optional feature this operation belongs to; `None` for the core operations that
    /// every backend has.
    pub fn feature(self) -> Option<Feature> {
        match self {
            Operation::Stat
            | Operation::Read
            | Operation::Write
            | Operation::Delete
            | Operation::DeleteMany
            | Operation::List => None,
            Operation::CreateMultipart
            | Operation::UploadPart
            | Operation::CompleteMultipart
            | Operation::AbortMultipart
            | Operation::ListParts => Some(Feature::Multipart),
            Operation::ListMultipartUploads => Some(Feature::UploadListing),
            Operation::CreateAppend | Operation::Append | Operation::CommitAppend => {
                Some(Feature::Append)
            }
            Operation::Copy => Some(Feature::Copy),
            Operation::Rename => Some(Feature::Rename),
            Operation::Presign => Some(Feature::Presign),
            Operation::CreateDir => Some(Feature::CreateDir),
            Operation::CreateBucket | Operation::DeleteBucket | Operation::ListBuckets => {
                Some(Feature::Buckets)
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

named_enum! {

    /// An optional capability: a group of operations a backend may or may not offer.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum Feature {
        /// Multipart uploads: parts uploaded separately (in any order), then assembled.
        Multipart => "multipart",
        /// Listing the multipart uploads in progress (some services cannot: Azure's uncommitted
        /// blocks are not listable by upload).
        UploadListing => "upload_listing",
        /// Appendable objects.
        Append => "append",
        /// Server-side copy.
        Copy => "copy",
        /// Move (rename) of an object.
        Rename => "rename",
        /// Signed URLs.
        Presign => "presign",
        /// Explicit directories.
        CreateDir => "create_dir",
        /// Bucket (container) management.
        Buckets => "buckets",
    }
}

pub(crate) fn operation_index(operation: Operation) -> usize {
    operation.index()
}

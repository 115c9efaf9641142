//! Names of the operations and of the optional features, shared by errors, spans and capabilities.

use std::fmt;

/// Every operation the [`Storage`](crate::Storage) trait offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// Read an object's metadata.
    Stat,
    /// Read an object's content.
    Read,
    /// Write (create or replace) an object.
    Write,
    /// Delete an object.
    Delete,
    /// Delete many objects at once.
    DeleteMany,
    /// List a directory.
    List,
    /// Start a multipart upload.
    CreateMultipart,
    /// Upload one part of a multipart upload.
    UploadPart,
    /// Assemble the uploaded parts into the object.
    CompleteMultipart,
    /// Abandon a multipart upload and its parts.
    AbortMultipart,
    /// List the parts of a multipart upload.
    ListParts,
    /// List the multipart uploads in progress.
    ListMultipartUploads,
    /// Create (or reset) an appendable object.
    CreateAppend,
    /// Append to an appendable object.
    Append,
    /// Finish an appendable object.
    CommitAppend,
    /// Copy an object on the server.
    Copy,
    /// Move an object.
    Rename,
    /// Produce a signed URL.
    Presign,
    /// Create a directory.
    CreateDir,
    /// Create a bucket (container).
    CreateBucket,
    /// Delete a bucket (container).
    DeleteBucket,
    /// List buckets (containers).
    ListBuckets,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: [Operation; 22] = [
        Operation::Stat,
        Operation::Read,
        Operation::Write,
        Operation::Delete,
        Operation::DeleteMany,
        Operation::List,
        Operation::CreateMultipart,
        Operation::UploadPart,
        Operation::CompleteMultipart,
        Operation::AbortMultipart,
        Operation::ListParts,
        Operation::ListMultipartUploads,
        Operation::CreateAppend,
        Operation::Append,
        Operation::CommitAppend,
        Operation::Copy,
        Operation::Rename,
        Operation::Presign,
        Operation::CreateDir,
        Operation::CreateBucket,
        Operation::DeleteBucket,
        Operation::ListBuckets,
    ];

    /// The snake_case name used in messages and spans.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Stat => "stat",
            Operation::Read => "read",
            Operation::Write => "write",
            Operation::Delete => "delete",
            Operation::DeleteMany => "delete_many",
            Operation::List => "list",
            Operation::CreateMultipart => "create_multipart",
            Operation::UploadPart => "upload_part",
            Operation::CompleteMultipart => "complete_multipart",
            Operation::AbortMultipart => "abort_multipart",
            Operation::ListParts => "list_parts",
            Operation::ListMultipartUploads => "list_multipart_uploads",
            Operation::CreateAppend => "create_append",
            Operation::Append => "append",
            Operation::CommitAppend => "commit_append",
            Operation::Copy => "copy",
            Operation::Rename => "rename",
            Operation::Presign => "presign",
            Operation::CreateDir => "create_dir",
            Operation::CreateBucket => "create_bucket",
            Operation::DeleteBucket => "delete_bucket",
            Operation::ListBuckets => "list_buckets",
        }
    }

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

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An optional capability: a group of operations a backend may or may not offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Feature {
    /// Multipart uploads: parts uploaded separately (in any order), then assembled.
    Multipart,
    /// Listing the multipart uploads in progress (some services cannot: Azure's uncommitted
    /// blocks are not listable by upload).
    UploadListing,
    /// Appendable objects.
    Append,
    /// Server-side copy.
    Copy,
    /// Move (rename) of an object.
    Rename,
    /// Signed URLs.
    Presign,
    /// Explicit directories.
    CreateDir,
    /// Bucket (container) management.
    Buckets,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: [Feature; 8] = [
        Feature::Multipart,
        Feature::UploadListing,
        Feature::Append,
        Feature::Copy,
        Feature::Rename,
        Feature::Presign,
        Feature::CreateDir,
        Feature::Buckets,
    ];

    /// The snake_case name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Multipart => "multipart",
            Feature::UploadListing => "upload_listing",
            Feature::Append => "append",
            Feature::Copy => "copy",
            Feature::Rename => "rename",
            Feature::Presign => "presign",
            Feature::CreateDir => "create_dir",
            Feature::Buckets => "buckets",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn operation_index(operation: Operation) -> usize {
    operation.index()
}

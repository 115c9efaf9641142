//! What operations hand back besides metadata: a [`Reader`] for reads, a [`Lister`] for lists,
//! multipart handles, signed requests and the store's [`StorageInfo`].

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use futures_core::Stream;

use crate::body::{BoxStream, ByteStream, collect_stream};
use crate::capability::Capability;
use crate::error::Result;
use crate::metadata::{Entry, Metadata};
use crate::path::ObjectPath;

/// A listing: entries fetched page by page as they are walked.
///
/// Walk it with [`next`](Lister::next), no trait import needed, or use it as a
/// `futures::Stream`.
///
/// ```
/// # futures_executor::block_on(async {
/// use storage_types::{Entry, Lister, Metadata, ObjectPath};
///
/// let entries = vec![Ok(Entry::new(ObjectPath::parse("a.txt")?, Metadata::file(1)))];
/// let mut lister = Lister::new(futures_util::stream::iter(entries));
/// while let Some(entry) = lister.next().await {
///     println!("{}", entry?.path);
/// }
/// # Ok::<(), storage_types::Error>(())
/// # }).unwrap();
/// ```
pub struct Lister(BoxStream<Result<Entry>>);

impl Lister {
    /// A listing of the entries `stream` yields.
    pub fn new(stream: impl Stream<Item = Result<Entry>> + Send + 'static) -> Self {
        Lister(Box::pin(stream))
    }

    /// The next entry, or `None` at the end of the listing.
    pub async fn next(&mut self) -> Option<Result<Entry>> {
        std::future::poll_fn(|cx| self.0.as_mut().poll_next(cx)).await
    }

    /// Every entry left, or the first error.
    pub async fn collect(mut self) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        while let Some(entry) = self.next().await {
            entries.push(entry?);
        }
        Ok(entries)
    }

    /// The stream underneath.
    pub fn into_stream(self) -> BoxStream<Result<Entry>> {
        self.0
    }
}

impl Stream for Lister {
    type Item = Result<Entry>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl fmt::Debug for Lister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lister").finish_non_exhaustive()
    }
}

/// An open read: the object's metadata and a stream of its bytes (or of the requested range).
///
/// ```
/// # futures_executor::block_on(async {
/// use storage_types::{Metadata, Reader};
///
/// let reader = Reader::from_bytes(Metadata::file(5), "hello".into());
/// assert_eq!(reader.content_length(), 5);
/// assert_eq!(reader.bytes().await.unwrap(), "hello");
/// # });
/// ```
pub struct Reader {
    metadata: Metadata,
    content_length: u64,
    stream: ByteStream,
}

impl Reader {
    /// A reader over `stream`, which yields `content_length` bytes of the object `metadata`
    /// describes.
    pub fn new(metadata: Metadata, content_length: u64, stream: ByteStream) -> Self {
        Reader {
            metadata,
            content_length,
            stream,
        }
    }

    /// A reader over bytes in memory.
    pub fn from_bytes(metadata: Metadata, bytes: Bytes) -> Self {
        let len = bytes.len() as u64;
        let stream: ByteStream = if bytes.is_empty() {
            Box::pin(futures_util::stream::empty())
        } else {
            Box::pin(futures_util::stream::once(async move { Ok(bytes) }))
        };
        Reader::new(metadata, len, stream)
    }

    /// The object's metadata (its full size, not the range's).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// How many bytes this read yields.
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// The byte stream.
    pub fn into_stream(self) -> ByteStream {
        self.stream
    }

    /// Splits into metadata and stream.
    pub fn into_parts(self) -> (Metadata, u64, ByteStream) {
        (self.metadata, self.content_length, self.stream)
    }

    /// Reads everything into memory.
    pub async fn bytes(self) -> Result<Bytes> {
        collect_stream(self.stream, Some(self.content_length)).await
    }

    pub(crate) fn map_stream(self, f: impl FnOnce(ByteStream, u64) -> ByteStream) -> Self {
        let stream = f(self.stream, self.content_length);
        Reader { stream, ..self }
    }
}

impl Stream for Reader {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("metadata", &self.metadata)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// A multipart upload in progress: the object it will become and the service's upload id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartUpload {
    /// The object the upload completes into.
    pub path: ObjectPath,
    /// The service's identifier of the upload.
    pub upload_id: String,
    /// When the upload started, if the service says.
    pub initiated: Option<SystemTime>,
}

impl MultipartUpload {
    /// A handle to an upload known by path and id (for example, one resumed after a restart).
    pub fn new(path: &str, upload_id: impl Into<String>) -> Result<Self> {
        Ok(MultipartUpload {
            path: ObjectPath::parse(path)?,
            upload_id: upload_id.into(),
            initiated: None,
        })
    }
}

/// One uploaded part of a multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part number, from 1.
    pub number: u32,
    /// The part's ETag; completion checks it.
    pub etag: String,
    /// The part's size in bytes.
    pub size: u64,
}

/// The HTTP method a signed URL allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PresignMethod {
    /// Download the object.
    Get,
    /// Upload the object.
    Put,
    /// Read the object's metadata.
    Head,
    /// Delete the object.
    Delete,
}

impl PresignMethod {
    /// The HTTP method name.
    pub fn as_str(self) -> &'static str {
        match self {
            PresignMethod::Get => "GET",
            PresignMethod::Put => "PUT",
            PresignMethod::Head => "HEAD",
            PresignMethod::Delete => "DELETE",
        }
    }
}

/// A signed request anyone holding it may send, without credentials, until it expires.
/// `Debug` hides the URL's query, which carries the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    /// The HTTP method.
    pub method: PresignMethod,
    /// The signed URL.
    pub url: String,
    /// Headers the request must carry exactly.
    pub headers: Vec<(String, String)>,
    /// When the signature stops working.
    pub expires_at: SystemTime,
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self.url.split_once('?') {
            Some((base, _)) => format!("{base}?<signature redacted>"),
            None => self.url.clone(),
        };
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("url", &shown)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a store is: its service, where it points, what it supports.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StorageInfo {
    /// The backend's scheme: `"fs"`, `"memory"`, `"s3"`, `"gcs"`, `"azblob"`, ...
    pub service: &'static str,
    /// The bucket or container, or the root directory for local stores.
    pub name: String,
    /// The prefix inside `name` that paths are relative to (empty for none).
    pub root: String,
    /// What the backend supports.
    pub capability: Capability,
    /// Loose mode: options the backend cannot honour are dropped instead of refused.
    pub loose: bool,
}

impl StorageInfo {
    /// Info for a backend; not loose.
    pub fn new(service: &'static str, name: impl Into<String>, capability: Capability) -> Self {
        StorageInfo {
            service,
            name: name.into(),
            root: String::new(),
            capability,
            loose: false,
        }
    }

    /// Sets the root prefix.
    pub fn with_root(mut self, root: impl Into<String>) -> Self {
        self.root = root.into();
        self
    }

    /// Turns loose mode on or off.
    pub fn with_loose(mut self, loose: bool) -> Self {
        self.loose = loose;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_debug_hides_the_signature() {
        let req = PresignedRequest {
            method: PresignMethod::Get,
            url: "https://b.example/k?X-Amz-Signature=secret".into(),
            headers: vec![(
                "x-amz-server-side-encryption-customer-key".into(),
                "secret".into(),
            )],
            expires_at: SystemTime::UNIX_EPOCH,
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("b.example/k"), "{shown}");
    }

    #[test]
    fn multipart_handle_normalises_its_path() {
        let up = MultipartUpload::new("a//b", "id").unwrap();
        assert_eq!(up.path.as_str(), "a/b");
        assert!(MultipartUpload::new("../b", "id").is_err());
    }
}

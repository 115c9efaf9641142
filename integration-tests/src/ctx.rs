//! [`Ctx`]: what a case works with, the store under test and a directory prefix of its own,
//! plus the few calls nearly every case makes, with errors that name the path.

use std::sync::Arc;

use anyhow::Context as _;
use bytes::Bytes;
use storage_types::{Capability, Entry, ErrorKind, ListOptions, Metadata, Storage, StorageExt};

use crate::check;

/// The part size of multipart cases where the backend sets no minimum: small, so that cases stay
/// fast on memory and local files.
const DEFAULT_PART_SIZE: u64 = 64 * 1024;

/// The context of one case: the store under test and a directory prefix that no other case
/// touches (`conformance-<run id>/<case name>/`).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The store under test.
    pub store: Arc<dyn Storage>,
    base: String,
    run_id: String,
}

impl Ctx {
    /// The context of the case `case_name` in the run `run_id`.
    pub fn new(store: Arc<dyn Storage>, run_id: &str, case_name: &str) -> Self {
        // `::` would be an odd (and on Windows, invalid) file name; a dot reads as well.
        let base = format!("conformance-{run_id}/{}/", case_name.replace("::", "."));
        Ctx {
            store,
            base,
            run_id: run_id.to_owned(),
        }
    }

    /// `rel` below the case's own directory: `ctx.path("x/y")` is `<base>x/y`.
    pub fn path(&self, rel: &str) -> String {
        format!("{}{rel}", self.base)
    }

    /// The case's own directory, ending with `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The identifier of this run, shared by all its cases: lower-case letters and digits.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// What the store declares.
    pub fn capability(&self) -> &Capability {
        &self.store.info().capability
    }

    /// A part size every multipart part but the last may have: the backend's minimum, or a
    /// small default where it has none.
    pub fn part_size(&self) -> u64 {
        self.capability()
            .limits()
            .min_part_size
            .unwrap_or(DEFAULT_PART_SIZE)
            .max(1)
    }

    /// A path relative to the store root, made relative to the case's directory (unchanged if
    /// it lies elsewhere).
    pub fn relative<'a>(&self, path: &'a str) -> &'a str {
        path.strip_prefix(self.base.as_str()).unwrap_or(path)
    }

    /// Writes `data` to `rel`.
    pub async fn write(&self, rel: &str, data: impl Into<Bytes>) -> anyhow::Result<Metadata> {
        let path = self.path(rel);
        let data: Bytes = data.into();
        self.store
            .write_bytes(&path, data)
            .await
            .with_context(|| format!("writing {path}"))
    }

    /// Reads the whole object at `rel`.
    pub async fn read(&self, rel: &str) -> anyhow::Result<Bytes> {
        let path = self.path(rel);
        self.store
            .read_bytes(&path)
            .await
            .with_context(|| format!("reading {path}"))
    }

    /// Stats `rel`.
    pub async fn stat(&self, rel: &str) -> anyhow::Result<Metadata> {
        let path = self.path(rel);
        let stat = self.store.stat(&path).await;
        stat.with_context(|| format!("stat of {path}"))
    }

    /// Lists the directory `rel` completely.
    pub async fn list_with(&self, rel: &str, opts: ListOptions) -> anyhow::Result<Vec<Entry>> {
        let path = self.path(rel);
        self.store
            .list_all_with(&path, opts)
            .await
            .with_context(|| format!("listing {path}"))
    }

    /// Lists the directory `rel` (one level) completely.
    pub async fn list(&self, rel: &str) -> anyhow::Result<Vec<Entry>> {
        self.list_with(rel, ListOptions::default()).await
    }

    /// Lists the directory `rel` completely and returns the entries' paths relative to the
    /// case's directory, in the order listed (directories end with `/`).
    pub async fn list_names(&self, rel: &str, opts: ListOptions) -> anyhow::Result<Vec<String>> {
        let entries = self.list_with(rel, opts).await?;
        Ok(entries
            .iter()
            .map(|e| self.relative(e.path.as_str()).to_owned())
            .collect())
    }

    /// Fails unless the object at `rel` holds exactly `expected`.
    pub async fn ensure_content(&self, rel: &str, expected: &[u8]) -> anyhow::Result<()> {
        let actual = self.read(rel).await?;
        check::ensure_bytes(&actual, expected, &format!("content of {}", self.path(rel)))
    }

    /// Fails unless `stat` of `rel` is `NotFound`.
    pub async fn ensure_absent(&self, rel: &str) -> anyhow::Result<()> {
        let path = self.path(rel);
        let stat = self.store.stat(&path).await;
        check::expect_kind(stat, ErrorKind::NotFound)
            .with_context(|| format!("{path} should not exist"))?;
        Ok(())
    }

    /// The multipart uploads in progress below this case's directory; none where the backend
    /// cannot list them (its uploads leave nothing visible behind).
    pub async fn uploads_in_progress(&self) -> anyhow::Result<Vec<storage_types::MultipartUpload>> {
        if !self
            .capability()
            .has_feature(storage_types::Feature::UploadListing)
        {
            return Ok(Vec::new());
        }
        Ok(self.store.list_multipart_uploads(self.base()).await?)
    }

    /// Fails unless nothing at all lies below the case's directory.
    pub async fn ensure_nothing_written(&self) -> anyhow::Result<()> {
        let names = self
            .list_names("", ListOptions::default().recursive())
            .await?;
        anyhow::ensure!(
            names.is_empty(),
            "expected no objects below {}, found {names:?}",
            self.base
        );
        Ok(())
    }
}

//! Multipart uploads in memory: parts are kept per upload and assembled on completion.

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use storage_types::backend::etag_matches;
use storage_types::{Error, ErrorKind, MultipartUpload, ObjectPath, Part, Result, WriteOptions};

/// An upload in progress.
#[derive(Debug)]
pub(crate) struct Upload {
    pub(crate) path: ObjectPath,
    pub(crate) opts: WriteOptions,
    pub(crate) initiated: SystemTime,
    pub(crate) parts: BTreeMap<u32, (Bytes, String)>,
}

impl Upload {
    pub(crate) fn handle(&self, id: &str) -> MultipartUpload {
        MultipartUpload {
            path: self.path.clone(),
            upload_id: id.to_owned(),
            initiated: Some(self.initiated),
        }
    }

    pub(crate) fn parts(&self) -> Vec<Part> {
        self.parts
            .iter()
            .map(|(number, (data, etag))| Part {
                number: *number,
                etag: etag.clone(),
                size: data.len() as u64,
            })
            .collect()
    }

    /// Concatenates the listed parts, checking each against what was uploaded.
    pub(crate) fn assemble(&self, parts: &[Part]) -> Result<Bytes> {
        let mut total = 0;
        let mut chosen = Vec::with_capacity(parts.len());
        for part in parts {
            let (data, etag) = self.parts.get(&part.number).ok_or_else(|| {
                Error::invalid_input(format!("part {} was never uploaded", part.number))
            })?;
            if !etag_matches(etag, &part.etag) {
                return Err(Error::invalid_input(format!(
                    "part {} has ETag {etag}, not {}",
                    part.number, part.etag
                )));
            }
            total += data.len();
            chosen.push(data);
        }
        let mut out = BytesMut::with_capacity(total);
        for data in chosen {
            out.extend_from_slice(data);
        }
        Ok(out.freeze())
    }
}

/// The error for an upload id this store does not know.
pub(crate) fn no_such_upload(upload: &MultipartUpload) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("no multipart upload {:?}", upload.upload_id),
    )
}

/// Finds the upload, checking it belongs to the handle's path.
pub(crate) fn find<'a>(
    uploads: &'a mut std::collections::HashMap<String, Upload>,
    upload: &MultipartUpload,
) -> Result<&'a mut Upload> {
    match uploads.get_mut(&upload.upload_id) {
        Some(found) if found.path == upload.path => Ok(found),
        _ => Err(no_such_upload(upload)),
    }
}

//! Multipart uploads on blocks: an upload is a nonce; part `n` is the block `<nonce>-<n>`,
//! staged on the target blob; completion commits the listed blocks. The headers given when the
//! upload was created travel inside the upload id (Azure keeps no per-upload state), so an
//! upload can be completed by another process. Uncommitted blocks are invisible, and the
//! service drops them after a week: aborting needs no request.

use std::time::SystemTime;

use azure_storage_blob::models::BlockListType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use storage_types::backend::verify_checksum;
use storage_types::{
    Body, CompleteOptions, Error, ErrorKind, Metadata, MultipartUpload, ObjectPath, Part,
    PartOptions, Result, WriteOptions,
};

use crate::AzBlobStorage;
use crate::error::map_error;
use crate::writer::block_id;

/// A fresh nonce for an upload.
fn nonce() -> String {
    storage_types::backend::unique_token()
}

/// Packs the headers of a write into an upload id: `<nonce>` or `<nonce>.<base64url>`.
fn encode_upload(nonce: &str, opts: &WriteOptions) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("ct", &opts.content_type),
        ("ce", &opts.content_encoding),
        ("cc", &opts.cache_control),
        ("cd", &opts.content_disposition),
        ("sc", &opts.storage_class),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            form.append_pair(key, value);
        }
    }
    for (key, value) in &opts.user_metadata {
        form.append_pair(&format!("m.{key}"), value);
    }
    // An encryption scope is a name, not a secret; a customer key is never put in the id.
    if let Some(storage_types::Encryption::Kms { key_id }) = &opts.encryption {
        form.append_pair("es", key_id);
    }
    let packed = form.finish();
    if packed.is_empty() {
        nonce.to_owned()
    } else {
        format!("{nonce}.{}", URL_SAFE_NO_PAD.encode(packed))
    }
}

/// The nonce and write headers of an upload id.
fn decode_upload(upload: &MultipartUpload) -> Result<(String, WriteOptions)> {
    let bad = || {
        Error::new(
            ErrorKind::NotFound,
            format!("no block upload {:?}", upload.upload_id),
        )
    };
    let (nonce, packed) = match upload.upload_id.split_once('.') {
        Some((nonce, packed)) => (nonce, Some(packed)),
        None => (upload.upload_id.as_str(), None),
    };
    if nonce.len() != 16 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut opts = WriteOptions::default();
    if let Some(packed) = packed {
        let text = URL_SAFE_NO_PAD.decode(packed).map_err(|_| bad())?;
        for (key, value) in url::form_urlencoded::parse(&text) {
            let value = value.into_owned();
            match key.as_ref() {
                "ct" => opts.content_type = Some(value),
                "ce" => opts.content_encoding = Some(value),
                "cc" => opts.cache_control = Some(value),
                "cd" => opts.content_disposition = Some(value),
                "sc" => opts.storage_class = Some(value),
                "es" => opts.encryption = Some(storage_types::Encryption::kms(value)),
                other => {
                    if let Some(name) = other.strip_prefix("m.") {
                        opts.user_metadata.insert(name.to_owned(), value);
                    }
                }
            }
        }
    }
    Ok((nonce.to_owned(), opts))
}

impl AzBlobStorage {
    /// `create_multipart`: a new upload id (no request is made).
    pub(crate) fn create_upload(
        &self,
        path: &ObjectPath,
        opts: &WriteOptions,
    ) -> Result<MultipartUpload> {
        create(path, opts)
    }

    /// `upload_part`: stages part `number` as a block of the target blob.
    pub(crate) async fn upload_block(
        &self,
        upload: &MultipartUpload,
        number: u32,
        body: Body,
        opts: PartOptions,
    ) -> Result<Part> {
        let (nonce, created) = decode_upload(upload)?;
        let data = verify_checksum(body, opts.checksum).collect().await?;
        let size = data.len() as u64;
        let mut encryption =
            self.encryption(opts.encryption.as_ref().or(created.encryption.as_ref()));
        if encryption.scope.is_none() {
            encryption.scope = self.encryption(created.encryption.as_ref()).scope;
        }
        let name = self.blob_name(&upload.path);
        self.stage_block(&name, block_id(&nonce, number), data, &encryption)
            .await?;
        Ok(Part {
            number,
            etag: format!("\"{nonce}-{number:06}-{size}\""),
            size,
        })
    }

    /// `list_parts`: the blocks staged for an upload so far.
    pub(crate) async fn list_upload_parts(&self, upload: &MultipartUpload) -> Result<Vec<Part>> {
        let (nonce, _) = decode_upload(upload)?;
        match staged(self, upload, &nonce).await {
            // A blob with no blocks at all does not exist yet: no parts.
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(Vec::new()),
            other => other,
        }
    }

    /// `complete_multipart`: commits the listed parts' blocks, with the headers the upload
    /// was created with.
    pub(crate) async fn complete_upload(
        &self,
        upload: &MultipartUpload,
        parts: &[Part],
        opts: CompleteOptions,
    ) -> Result<Metadata> {
        let (nonce, mut write) = decode_upload(upload)?;
        let staged = staged(self, upload, &nonce).await?;
        if staged.is_empty() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("no block upload {:?}", upload.upload_id),
            ));
        }
        for part in parts {
            if !staged.iter().any(|p| {
                p.number == part.number && storage_types::backend::etag_matches(&p.etag, &part.etag)
            }) {
                return Err(Error::invalid_input(format!(
                    "part {} was never uploaded",
                    part.number
                )));
            }
        }
        write.if_none_match = opts.if_none_match;
        if let Some(encryption) = opts.encryption {
            write.encryption = Some(encryption);
        }
        let ids = parts.iter().map(|p| block_id(&nonce, p.number)).collect();
        let size = parts.iter().map(|p| p.size).sum();
        self.commit_blocks(&self.blob_name(&upload.path), ids, size, &write)
            .await
    }
}

fn create(path: &ObjectPath, opts: &WriteOptions) -> Result<MultipartUpload> {
    if opts.if_match.is_some() || opts.if_none_match.is_some() {
        return Err(Error::invalid_input(
            "give conditions when completing an upload, not creating it",
        ));
    }
    Ok(MultipartUpload {
        path: path.clone(),
        upload_id: encode_upload(&nonce(), opts),
        initiated: Some(SystemTime::now()),
    })
}

/// The staged blocks of an upload, by part number, with their sizes.
async fn staged(s: &AzBlobStorage, upload: &MultipartUpload, nonce: &str) -> Result<Vec<Part>> {
    let client = s
        .inner
        .container
        .blob_client(&s.blob_name(&upload.path))
        .block_blob_client();
    let list = client
        .get_block_list(BlockListType::Uncommitted, None)
        .await
        .map_err(map_error)?
        .into_model()
        .map_err(map_error)?;
    let prefix = format!("{nonce}-");
    let mut parts: Vec<Part> = list
        .uncommitted_blocks
        .unwrap_or_default()
        .into_iter()
        .filter_map(|block| {
            let name = String::from_utf8(block.name?).ok()?;
            let number: u32 = name.strip_prefix(&prefix)?.parse().ok()?;
            let size = block.size.unwrap_or_default().max(0) as u64;
            Some(Part {
                number,
                etag: format!("\"{nonce}-{number:06}-{size}\""),
                size,
            })
        })
        .collect();
    parts.sort_by_key(|p| p.number);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_carry_the_headers_but_never_a_key() {
        let opts = WriteOptions::default()
            .with_content_type("text/csv")
            .with_user_metadata("owner", "br & co")
            .with_encryption(storage_types::Encryption::CustomerKey(
                storage_types::CustomerKey::new([7; 32]),
            ));
        let up = create(&ObjectPath::parse("a/b").unwrap(), &opts).unwrap();
        let (nonce, back) = decode_upload(&up).unwrap();
        assert_eq!(nonce.len(), 16);
        assert_eq!(back.content_type.as_deref(), Some("text/csv"));
        assert_eq!(
            back.user_metadata.get("owner").map(String::as_str),
            Some("br & co")
        );
        assert!(back.encryption.is_none());
        let plain = create(&ObjectPath::parse("x").unwrap(), &WriteOptions::default()).unwrap();
        assert!(!plain.upload_id.contains('.'));
        assert_ne!(
            plain.upload_id,
            create(&ObjectPath::parse("x").unwrap(), &WriteOptions::default())
                .unwrap()
                .upload_id
        );
        let bogus = MultipartUpload::new("x", "not-an-id").unwrap();
        assert_eq!(
            decode_upload(&bogus).unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }
}

//! Appends by composition: the new bytes go up as a temporary object, then the object is
//! composed onto itself with them, on the condition that it is still the generation whose
//! length was checked. A concurrent append or write makes the compose fail (`ConditionNotMet`)
//! instead of losing data; the temporary object is removed either way. The temporary object is
//! written in the object's storage class: GCS composes only sources of one class.

use storage_types::{
    Body, Error, ErrorKind, Metadata, ObjectPath, PartOptions, Result, WriteOptions,
};

use crate::GcsStorage;
use crate::compose::{compose_once, source};
use crate::conditions::{Generations, generation_of};
use crate::multipart::STAGING;
use crate::object::{headers_of, key_sha256, metadata};

impl GcsStorage {
    pub(crate) async fn create_appendable(
        &self,
        path: &ObjectPath,
        opts: WriteOptions,
    ) -> Result<Metadata> {
        self.write_object(&self.object_name(path), Body::empty(), opts)
            .await
    }

    pub(crate) async fn append_at(
        &self,
        path: &ObjectPath,
        offset: u64,
        body: Body,
        opts: PartOptions,
    ) -> Result<u64> {
        append(self, path, offset, body, opts).await
    }

    /// The appendable object's metadata: every append is already committed.
    pub(crate) async fn commit_appended(&self, path: &ObjectPath) -> Result<Metadata> {
        // Appends may carry a customer key this call cannot take: metadata needs none.
        let object = self
            .object_of(&self.object_name(path))
            .await?
            .ok_or_else(|| Error::not_found("no object to commit"))?;
        Ok(metadata(&object))
    }
}

async fn append(
    s: &GcsStorage,
    path: &ObjectPath,
    offset: u64,
    body: Body,
    opts: PartOptions,
) -> Result<u64> {
    let name = s.object_name(path);
    let encryption = s.encryption(opts.encryption.as_ref())?;
    let current = s
        .object_of(&name)
        .await?
        .ok_or_else(|| Error::not_found("no object to append to; create it first"))?;
    encryption.check_object(key_sha256(&current))?;
    let length = u64::try_from(current.size).unwrap_or_default();
    if length != offset {
        return Err(Error::new(
            ErrorKind::ConditionNotMet,
            format!("append at offset {offset}, but the object holds {length} bytes"),
        ));
    }
    let temporary = format!(
        "{}{STAGING}append-{}",
        s.inner.root,
        storage_types::backend::unique_token()
    );
    let mut part_opts = WriteOptions::default();
    part_opts.checksum = opts.checksum;
    part_opts.encryption = opts.encryption;
    part_opts.storage_class = Some(current.storage_class.clone()).filter(|c| !c.is_empty());
    let added = s.write_object(&temporary, body, part_opts).await?;
    let added_generation = added
        .etag
        .as_deref()
        .and_then(generation_of)
        .unwrap_or_default();
    // Compose keeps only what the destination resource says: carry the object's headers over.
    let destination = headers_of(&current);
    let sources = vec![
        source(&name, current.generation),
        source(&temporary, added_generation),
    ];
    let conditions = Generations {
        if_match: Some(current.generation),
        ..Generations::default()
    };
    let mut composed_encryption = encryption;
    if composed_encryption.kms_key.is_none() && !current.kms_key.is_empty() {
        // GCS records the key version it used; writes name the key itself.
        let key = current.kms_key.split("/cryptoKeyVersions/").next();
        composed_encryption.kms_key = key.map(str::to_owned);
    }
    let composed = compose_once(s, sources, destination, conditions, &composed_encryption).await;
    let removed = s
        .delete_generation(&temporary, Some(added_generation))
        .await;
    let object = composed?;
    // The append happened; a temporary object left behind is litter, not a failed append.
    if let Err(err) = removed {
        tracing::warn!(error = %err, "cannot remove an append's temporary object");
    }
    Ok(u64::try_from(object.size).unwrap_or_default())
}

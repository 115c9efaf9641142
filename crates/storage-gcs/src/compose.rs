//! ComposeObject over any number of sources: GCS composes at most 32 at once, so longer lists
//! are composed in groups into temporary objects first, level by level (a cascade).

use google_cloud_storage::model::compose_object_request::SourceObject;
use google_cloud_storage::model::compose_object_request::source_object::ObjectPreconditions;
use google_cloud_storage::model::{ComposeObjectRequest, Object};
use storage_types::Result;

use crate::GcsStorage;
use crate::capability::MAX_COMPOSE_SOURCES;
use crate::conditions::Generations;
use crate::encryption::GcsEncryption;
use crate::error::map_error;

/// A source object pinned to the generation it had when it was chosen.
pub(crate) fn source(name: &str, generation: i64) -> SourceObject {
    SourceObject::new()
        .set_name(name)
        .set_generation(generation)
        .set_object_preconditions(ObjectPreconditions::new().set_if_generation_match(generation))
}

/// Composes `sources` (in order) into `destination`, cascading through temporary objects
/// named `<scratch>-<level>-<n>` when there are more than 32. Returns the new object and the
/// names of the temporaries it made (the caller removes them).
pub(crate) async fn compose(
    s: &GcsStorage,
    mut sources: Vec<SourceObject>,
    destination: Object,
    conditions: Generations,
    encryption: &GcsEncryption,
    scratch: &str,
) -> Result<(Object, Vec<String>)> {
    let mut temporaries = Vec::new();
    let mut level = 0;
    while sources.len() > MAX_COMPOSE_SOURCES {
        level += 1;
        let mut next = Vec::with_capacity(sources.len().div_ceil(MAX_COMPOSE_SOURCES));
        for (n, group) in sources.chunks(MAX_COMPOSE_SOURCES).enumerate() {
            let name = format!("{scratch}-{level}-{n:05}");
            let object = Object::new()
                .set_name(name.clone())
                .set_bucket(s.bucket_path());
            temporaries.push(name.clone());
            let made = compose_once(
                s,
                group.to_vec(),
                object,
                Generations::default(),
                encryption,
            )
            .await?;
            next.push(source(&name, made.generation));
        }
        sources = next;
    }
    let conditions = pin_not_match(s, &destination.name, conditions).await?;
    let object = compose_once(s, sources, destination, conditions, encryption).await?;
    Ok((object, temporaries))
}

/// ComposeObject has no `ifGenerationNotMatch`: read the current generation, fail if it is the
/// one named, else require exactly it (or no object), which is stricter and race-free.
async fn pin_not_match(s: &GcsStorage, name: &str, mut g: Generations) -> Result<Generations> {
    let Some(unwanted) = g.if_not_match.take() else {
        return Ok(g);
    };
    let current = s.object_of(name).await?;
    let generation = current.map_or(0, |o| o.generation);
    if generation == unwanted {
        return Err(storage_types::Error::new(
            storage_types::ErrorKind::ConditionNotMet,
            "the object's generation matches if_none_match",
        ));
    }
    g.if_match = g.if_match.or(Some(generation));
    Ok(g)
}

/// One ComposeObject of at most 32 sources.
pub(crate) async fn compose_once(
    s: &GcsStorage,
    sources: Vec<SourceObject>,
    destination: Object,
    conditions: Generations,
    encryption: &GcsEncryption,
) -> Result<Object> {
    let mut request = ComposeObjectRequest::new()
        .set_destination(destination)
        .set_source_objects(sources)
        .set_or_clear_if_generation_match(conditions.if_match);
    if let Some(acl) = &s.inner.predefined_acl {
        request = request.set_destination_predefined_acl(acl.clone());
    }
    if let Some(kms) = &encryption.kms_key {
        request = request.set_kms_key(kms.clone());
    }
    if let Some(params) = encryption.params() {
        request = request.set_common_object_request_params(params);
    }
    s.with_control(|control| {
        let call = control.compose_object().with_request(request.clone());
        async move { Box::pin(call.send()).await.map_err(map_error) }
    })
    .await
}

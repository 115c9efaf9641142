//! Fixes for S3-compatible stores whose responses trip the SDK: an interceptor that collapses a
//! header sent twice with the same value (SeaweedFS repeats the SSE-C key MD5, which the SDK
//! then refuses to parse as one value).

use aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};

/// Collapses repeated identical response headers into one.
#[derive(Debug)]
pub(crate) struct CollapseRepeatedHeaders;

impl Intercept for CollapseRepeatedHeaders {
    fn name(&self) -> &'static str {
        "CollapseRepeatedHeaders"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let headers = context.response_mut().headers_mut();
        let repeated: Vec<(String, String)> = headers
            .iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("x-amz-"))
            .filter_map(|name| {
                let mut values = headers.get_all(name);
                let first = values.next()?;
                let mut rest = values.peekable();
                let all_same = rest.peek().is_some() && rest.all(|v| v == first);
                all_same.then(|| (name.to_owned(), first.to_owned()))
            })
            .collect();
        for (name, value) in repeated {
            headers.remove(&name);
            headers.try_insert(name, value)?;
        }
        Ok(())
    }
}

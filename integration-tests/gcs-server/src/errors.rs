//! One error type for both APIs, rendered as GCS renders it: JSON API errors, gRPC statuses, and
//! the XML bodies of the signed-URL (XML API) half.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The failure classes GCS distinguishes; each maps to one HTTP status and one gRPC code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 400 / INVALID_ARGUMENT.
    BadRequest,
    /// 401 / UNAUTHENTICATED: no credentials, or credentials the server did not issue.
    Unauthenticated,
    /// 403 / PERMISSION_DENIED.
    Forbidden,
    /// 404 / NOT_FOUND.
    NotFound,
    /// 409 / ALREADY_EXISTS.
    Conflict,
    /// 409 in JSON but FAILED_PRECONDITION in gRPC: deleting a bucket that still holds objects.
    NotEmpty,
    /// 412 / FAILED_PRECONDITION.
    PreconditionFailed,
    /// 304 (with no body) in JSON: a read's `ifGenerationNotMatch` or
    /// `ifMetagenerationNotMatch` did not hold. FAILED_PRECONDITION in gRPC.
    NotModified,
    /// 416 / OUT_OF_RANGE.
    RangeNotSatisfiable,
    /// 499 / CANCELLED: a resumable upload that was cancelled.
    Cancelled,
    /// 501 / UNIMPLEMENTED.
    Unimplemented,
}

/// An error with the machine-readable `reason` GCS puts in `errors[].reason`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) kind: Kind,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
}

/// The result type of every store and API operation.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(kind: Kind, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            reason,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, "invalid", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, "notFound", message)
    }

    pub(crate) fn precondition(message: impl Into<String>) -> Self {
        Self::new(Kind::PreconditionFailed, "conditionNotMet", message)
    }

    pub(crate) fn no_such_object(bucket: &str, name: &str) -> Self {
        Self::not_found(format!("No such object: {bucket}/{name}"))
    }

    pub(crate) fn no_such_bucket(bucket: &str) -> Self {
        Self::not_found(format!("The specified bucket does not exist: {bucket}"))
    }

    pub(crate) fn http_status(&self) -> StatusCode {
        match self.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict | Kind::NotEmpty => StatusCode::CONFLICT,
            Kind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Kind::NotModified => StatusCode::NOT_MODIFIED,
            Kind::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
            Kind::Cancelled => {
                StatusCode::from_u16(499).expect("499 is a valid status code number")
            }
            Kind::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        }
    }

    fn grpc_code(&self) -> tonic::Code {
        match self.kind {
            Kind::BadRequest => tonic::Code::InvalidArgument,
            Kind::Unauthenticated => tonic::Code::Unauthenticated,
            Kind::Forbidden => tonic::Code::PermissionDenied,
            Kind::NotFound => tonic::Code::NotFound,
            Kind::Conflict => tonic::Code::AlreadyExists,
            Kind::NotEmpty | Kind::PreconditionFailed | Kind::NotModified => {
                tonic::Code::FailedPrecondition
            }
            Kind::RangeNotSatisfiable => tonic::Code::OutOfRange,
            Kind::Cancelled => tonic::Code::Cancelled,
            Kind::Unimplemented => tonic::Code::Unimplemented,
        }
    }

    pub(crate) fn to_status(&self) -> tonic::Status {
        tonic::Status::new(self.grpc_code(), self.message.clone())
    }

    /// The XML API's error document, used by the signed-URL endpoints.
    pub(crate) fn into_xml_response(self) -> Response {
        let code = match self.kind {
            Kind::Forbidden => "SignatureDoesNotMatch",
            Kind::NotFound => "NoSuchKey",
            Kind::PreconditionFailed => "PreconditionFailed",
            Kind::Unauthenticated => "AuthenticationRequired",
            Kind::RangeNotSatisfiable => "InvalidRange",
            _ => "InvalidArgument",
        };
        let body = format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>\
             <Message>{}</Message></Error>",
            xml_escape(&self.message)
        );
        (
            self.http_status(),
            [(
                axum::http::header::CONTENT_TYPE,
                "application/xml; charset=UTF-8",
            )],
            body,
        )
            .into_response()
    }
}

impl IntoResponse for ApiError {
    /// The JSON API's error document. `status` is not always sent by GCS, but the official
    /// client reads it to pick the error code, so including it keeps codes exact.
    fn into_response(self) -> Response {
        let code = self.http_status();
        if self.kind == Kind::NotModified {
            // A 304 has no body.
            return code.into_response();
        }
        let body = serde_json::json!({
            "error": {
                "code": code.as_u16(),
                "message": self.message,
                "status": grpc_code_name(self.grpc_code()),
                "errors": [{
                    "domain": "global",
                    "reason": self.reason,
                    "message": self.message,
                }],
            }
        });
        (
            code,
            [(
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=UTF-8",
            )],
            body.to_string(),
        )
            .into_response()
    }
}

fn grpc_code_name(code: tonic::Code) -> &'static str {
    match code {
        tonic::Code::InvalidArgument => "INVALID_ARGUMENT",
        tonic::Code::Unauthenticated => "UNAUTHENTICATED",
        tonic::Code::PermissionDenied => "PERMISSION_DENIED",
        tonic::Code::NotFound => "NOT_FOUND",
        tonic::Code::AlreadyExists => "ALREADY_EXISTS",
        tonic::Code::FailedPrecondition => "FAILED_PRECONDITION",
        tonic::Code::OutOfRange => "OUT_OF_RANGE",
        tonic::Code::Cancelled => "CANCELLED",
        tonic::Code::Unimplemented => "UNIMPLEMENTED",
        _ => "UNKNOWN",
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

//! RFC 9457 problem details: every API error leaves here, mapped once from the use-case
//! error, with a stable `code` and, for invalid input, the field errors. Internal causes
//! are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_domain::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` plus `code` for now).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable machine code, e.g. `validation_failed`, `ticket_not_found`.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

/// An API error: converts into a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                detail: "one or more fields are invalid".into(),
                errors: errors.0,
            },
            AppError::Rule(rule) => ApiError::new(StatusCode::CONFLICT, rule.code(), rule.to_string()),
            AppError::NotFound { what, code } => ApiError::new(StatusCode::NOT_FOUND, code, format!("{what} not found")),
            AppError::Unauthorized => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid API token is required (Authorization: Bearer TOKEN)",
            ),
            AppError::Forbidden(why) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", why),
            AppError::Conflict { code, message } => {
                // A reused idempotency key is a bad request in the contract: 422.
                let status = if code == "idempotency_key_reused" {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                ApiError::new(status, code, message)
            }
            AppError::RateLimited { code, retry_after } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                code,
                format!(
                    "too many attempts; try again in {} minutes",
                    retry_after.as_secs().div_ceil(60).max(1)
                ),
            ),
            AppError::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable; nothing was changed, try again",
                )
            }
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code,
            errors: self.errors,
        };
        let mut response = (self.status, Json(problem)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

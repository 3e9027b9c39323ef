//! The use-case layer's error: what a front end needs to answer (each variant maps to one
//! HTTP status and a stable code), with internal causes kept for the log only.

use kefu_domain::{DomainError, FieldError, FieldErrors};
use kefu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// One or more fields are invalid; nothing was written.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A domain rule refused the change.
    #[error(transparent)]
    Rule(DomainError),
    #[error("{what} not found")]
    NotFound { what: &'static str, code: &'static str },
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request conflicts with the current state (a taken e-mail, a reused key).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Too many attempts (sign-ins, public forms): try again after `retry_after`.
    #[error("too many attempts")]
    RateLimited {
        code: &'static str,
        retry_after: std::time::Duration,
    },
    /// The database cannot be reached or did not commit; safe to retry.
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The stable machine code of this error (the `code` of an API problem).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "validation_failed",
            AppError::Rule(rule) => rule.code(),
            AppError::NotFound { code, .. } | AppError::Conflict { code, .. } | AppError::RateLimited { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(FieldErrors(vec![FieldError::new(field, code, message)]))
    }

    pub fn ticket_not_found() -> Self {
        AppError::NotFound {
            what: "ticket",
            code: "ticket_not_found",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::WriterGone | StoreError::ShuttingDown | StoreError::TransactionFailed(_) | StoreError::Database(_) => {
                AppError::Unavailable(error)
            }
            StoreError::Conflict(what) => AppError::Conflict {
                code: "conflict",
                message: format!("already exists: {what}"),
            },
            StoreError::MissingReference(what) => AppError::Conflict {
                code: "missing_reference",
                message: format!("refers to something that does not exist: {what}"),
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => AppError::Invalid(errors),
            rule => AppError::Rule(rule),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;

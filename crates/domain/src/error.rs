//! Errors of the domain: field validation (collected, so a client learns every problem
//! at once) and rule violations (one at a time, with a stable code).

use serde::Serialize;

/// One invalid field: where, a stable machine code, and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error reported under a parent field, e.g. `email` → `customer.email`.
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// Every field error of one request, collected before anything is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value of a parse, or records its error and returns `None`.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

/// A request the domain refuses. Each variant has a stable code used by every front end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("a ticket cannot go from {from} to {to}")]
    InvalidTransition { from: &'static str, to: &'static str },
    #[error("a ticket can be resolved only after a public reply or with a resolution note")]
    ResolveNeedsReply,
}

impl DomainError {
    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "validation_failed",
            DomainError::InvalidTransition { .. } => "invalid_status_transition",
            DomainError::ResolveNeedsReply => "resolve_needs_reply",
        }
    }

    /// A single-field validation error.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid(FieldErrors(vec![FieldError::new(field, code, message)]))
    }
}

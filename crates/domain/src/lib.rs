//! Kefu's domain: the vocabulary of a customer-service department as types, and the rules
//! that hold whatever front end or database is in use. Pure: no I/O, no async, no SQL.
//!
//! Values are parsed at the edge ("parse, don't validate"): once code holds a
//! [`text::TicketSubject`] or an [`contact::Email`], it is valid.

pub mod analytics;
pub mod attachment;
pub mod audit;
pub mod automation;
pub mod branding;
pub mod calendar;
pub mod calendar_spec;
pub mod calendar_text;
pub mod category;
pub mod conditions;
pub mod contact;
pub mod custom_field;
pub mod entities;
pub mod enums;
pub mod error;
pub mod event;
pub mod hot;
pub mod ics;
pub mod inbox;
pub mod knowledge;
pub mod query;
pub mod relations;
pub mod routing;
pub mod service;
pub mod sla;
pub mod staffing;
pub mod status;
pub mod survey;
pub mod text;

pub use error::{DomainError, FieldError, FieldErrors};

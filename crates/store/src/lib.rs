//! Kefu's storage: the schema, its migrations and every SQL statement, for SQLite and
//! PostgreSQL in one code path. Nothing above this crate sees SQL or a row type: it gets
//! domain values, and writes through [`Db::write`] (one writer, group commit).

pub mod analytics;
pub mod attachments;
pub mod audit_log;
mod backend;
pub mod branding;
pub mod bulk;
pub mod calendars;
pub mod callbacks;
pub mod categories;
mod checkpoint;
pub mod commitments;
mod convert;
pub mod custom_fields;
pub mod customer_sessions;
pub mod customers;
mod db;
mod error;
pub mod hot_issues;
pub mod inbox_counts;
pub mod knowledge;
pub mod macros;
pub mod mail_outbox;
pub mod notifications;
pub mod password_links;
pub mod people;
pub mod portal_links;
pub mod portal_visits;
pub mod rules;
pub mod saved_views;
pub mod sla_policies;
pub mod survey_rollups;
pub mod surveys;
pub mod ticket_relations;
pub mod tickets;
pub mod timeline;
pub mod timers;
pub mod web_sessions;
mod writer;

pub use backend::Exec;
pub use db::{Db, Location};
pub use error::{StoreError, StoreResult};
pub use sea_query::SimpleExpr;
pub use writer::Tx;

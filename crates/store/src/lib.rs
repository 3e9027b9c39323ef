//! Kefu's storage: the schema, its migrations and every SQL statement, for SQLite and
//! PostgreSQL in one code path. Nothing above this crate sees SQL or a row type: it gets
//! domain values, and writes through [`Db::write`] (one writer, group commit).

mod backend;
pub mod bulk;
pub mod categories;
mod convert;
pub mod customers;
mod db;
mod error;
pub mod people;
pub mod tickets;
pub mod timeline;
mod writer;

pub use backend::Exec;
pub use db::{Db, Location};
pub use error::{StoreError, StoreResult};
pub use sea_query::SimpleExpr;
pub use writer::Tx;

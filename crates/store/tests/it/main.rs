//! The storage conformance suite: every repository function of `kefu-store` and the
//! write path's promises, checked on SQLite always and on PostgreSQL when
//! `KEFU_TEST_POSTGRES_URL` is set (a fresh database per test on both).
//!
//! One test binary (each extra one costs a link). Each test is an `async fn(Db)` in a
//! module below; `backend_tests!` turns it into `<module>::<test>::sqlite` and
//! `<module>::<test>::postgres`, so `cargo test sqlite` or `cargo test postgres` picks a
//! backend.

/// Declares, for each named `async fn(Db)` in the calling module, a module of the same
/// name holding one `#[tokio::test]` per backend. (A module and a function may share a
/// name: they live in different namespaces.) `with_location:` passes the test the
/// `Location` too, for tests that reopen the database. `postgres_ignored("why"):` marks
/// the PostgreSQL variant `#[ignore]`: a known store bug, reported, not yet fixed.
macro_rules! backend_tests {
    (with_location: $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::on_sqlite(super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::support::on_postgres(module_path!(), super::$name).await
            }
        }
    )+};
    (postgres_ignored($reason:literal): $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::on_sqlite(|db, _| super::$name(db)).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = $reason]
            async fn postgres() {
                crate::support::on_postgres(module_path!(), |db, _| super::$name(db)).await
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::on_sqlite(|db, _| super::$name(db)).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::support::on_postgres(module_path!(), |db, _| super::$name(db)).await
            }
        }
    )+};
}

mod support;

mod analytics;
mod attachments;
mod bulk;
mod categories;
mod customers;
mod db;
mod hot_issues;
mod inbox_counts;
mod knowledge;
mod listing;
mod mail;
mod pagination;
mod people;
mod service;
mod surveys;
mod tickets;
mod timeline;
mod web_sessions;
mod writer;

//! One code path for two databases: a value that is either the SQLite or the PostgreSQL
//! flavour of something (pool, connection), and a macro that runs the same code on
//! whichever it is. The body is compiled once per backend, so a statement that one of
//! them cannot take fails to compile, not at run time.

use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};

/// Either backend's flavour of a thing.
#[derive(Clone)]
pub enum Backend<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// Runs `$body` with `$name` bound to the inner value of a [`Backend`].
macro_rules! both {
    ($value:expr, $name:ident => $body:expr) => {
        match $value {
            $crate::backend::Backend::Sqlite($name) => $body,
            $crate::backend::Backend::Postgres($name) => $body,
        }
    };
}
pub(crate) use both;

/// Where a statement runs: a pool (outside any transaction) or the writer's connection
/// (inside the current write transaction), on either backend. Repository functions take
/// this, so one function serves reads from the API and reads inside a command.
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    SqliteConn(&'a mut SqliteConnection),
    PgPool(&'a PgPool),
    PgConn(&'a mut PgConnection),
}

impl<'a> Exec<'a> {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Exec::PgPool(_) | Exec::PgConn(_))
    }

    /// The pool behind this executor (a handle to it), to run reads side by side, each
    /// on a connection and a task of its own; `None` on a single connection (a
    /// transaction), whose statements run one at a time.
    pub fn pool(&self) -> Option<Pool> {
        match self {
            Exec::SqlitePool(p) => Some(Pool::Sqlite((*p).clone())),
            Exec::PgPool(p) => Some(Pool::Pg((*p).clone())),
            Exec::SqliteConn(_) | Exec::PgConn(_) => None,
        }
    }

    /// A shorter-lived copy, so one executor serves several statements in a row.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::SqlitePool(p) => Exec::SqlitePool(p),
            Exec::SqliteConn(c) => Exec::SqliteConn(c),
            Exec::PgPool(p) => Exec::PgPool(p),
            Exec::PgConn(c) => Exec::PgConn(c),
        }
    }
}

/// A handle to a pool that can move into a task of its own.
#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Pool {
    pub fn exec(&self) -> Exec<'_> {
        match self {
            Pool::Sqlite(p) => Exec::SqlitePool(p),
            Pool::Pg(p) => Exec::PgPool(p),
        }
    }
}

/// Runs `$body` with `$name` bound to the executor inside an [`Exec`]; the body is
/// compiled for each of the four.
macro_rules! exec {
    ($value:expr, $name:ident => $body:expr) => {
        match $value {
            $crate::backend::Exec::SqlitePool($name) => $body,
            $crate::backend::Exec::SqliteConn($name) => $body,
            $crate::backend::Exec::PgPool($name) => $body,
            $crate::backend::Exec::PgConn($name) => $body,
        }
    };
}
pub(crate) use exec;

/// [`exec!`] for a sea-query statement: builds it for the backend at hand first.
macro_rules! exec_built {
    ($value:expr, $stmt:expr, |$name:ident, $sql:ident, $values:ident| $body:expr) => {{
        use sea_query_sqlx::SqlxBinder as _;
        match $value {
            $crate::backend::Exec::SqlitePool($name) => {
                let ($sql, $values) = $stmt.build_sqlx(sea_query::SqliteQueryBuilder);
                let $sql = sqlx::AssertSqlSafe($sql);
                $body
            }
            $crate::backend::Exec::SqliteConn($name) => {
                let ($sql, $values) = $stmt.build_sqlx(sea_query::SqliteQueryBuilder);
                let $sql = sqlx::AssertSqlSafe($sql);
                $body
            }
            $crate::backend::Exec::PgPool($name) => {
                let ($sql, $values) = $stmt.build_sqlx(sea_query::PostgresQueryBuilder);
                let $sql = sqlx::AssertSqlSafe($sql);
                $body
            }
            $crate::backend::Exec::PgConn($name) => {
                let ($sql, $values) = $stmt.build_sqlx(sea_query::PostgresQueryBuilder);
                let $sql = sqlx::AssertSqlSafe($sql);
                $body
            }
        }
    }};
}
pub(crate) use exec_built;

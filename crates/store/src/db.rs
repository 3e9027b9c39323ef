//! Opening the database: SQLite file or PostgreSQL URL, migrations, reference data, the
//! read pool, the single writer and (SQLite) the WAL checkpointer.

use crate::backend::{Backend, Exec};
use crate::checkpoint::{Checkpointer, JOURNAL_SIZE_LIMIT_BYTES, WRITER_AUTOCHECKPOINT_PAGES};
use crate::error::{StoreError, StoreResult};
use crate::writer::{Reconnect, Tx, WriterHandle};
use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, SqliteConnection, SqlitePool};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite database file (created if missing).
    SqliteFile(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL, or an `sqlite:` path.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Location::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Ok(Location::SqliteFile(PathBuf::from(path)))
        } else {
            Err("KEFU_DATABASE_URL must start with postgres://, postgresql:// or sqlite:".into())
        }
    }

    /// For logs: the URL without its password.
    pub fn redacted(&self) -> String {
        match self {
            Location::SqliteFile(path) => format!("sqlite:{}", path.display()),
            Location::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    parsed.to_string()
                }
                Err(_) => "postgres://(unparsable url)".into(),
            },
        }
    }
}

/// The database: a read pool and the single writer. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    read: Backend<SqlitePool, PgPool>,
    writer: WriterHandle,
    /// SQLite only: copies the WAL into the database file beside the writer.
    checkpointer: Option<Arc<Checkpointer>>,
}

impl Db {
    /// Opens (and creates) the database, runs migrations and seeds reference data.
    pub async fn open(location: &Location) -> StoreResult<Db> {
        let (read, writer_conn, reconnect, checkpointer) = match location {
            Location::SqliteFile(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit acknowledged to a client survives a power cut, not
                    // only a crash of the process.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("temp_store", "memory")
                    .disable_statement_logging();
                // The writer keeps the hot index pages of a large ticket table cached
                // (32 MiB); readers keep SQLite's default. It also keeps more prepared
                // statements than sqlx's default 100: the intake's multi-row inserts are
                // one statement per batch size (three tables, up to 64 rows each), and
                // re-preparing a statement of hundreds of values costs more than running
                // it.
                let writer_options = options
                    .clone()
                    .pragma("cache_size", "-32768")
                    .statement_cache_capacity(512)
                    .pragma("wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)
                    .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT_BYTES);
                let mut writer = SqliteConnection::connect_with(&writer_options).await?;
                sqlx::migrate!("migrations/sqlite").run(&mut writer).await?;
                let reconnect: Reconnect = Box::new(move || {
                    let options = writer_options.clone();
                    Box::pin(async move { Ok(Backend::Sqlite(SqliteConnection::connect_with(&options).await?)) })
                });
                let read = SqlitePoolOptions::new()
                    .max_connections(4)
                    .min_connections(1)
                    .connect_with(options.clone().read_only(true))
                    .await?;
                let checkpointer = Checkpointer::start(&options).await?;
                (
                    Backend::Sqlite(read),
                    Backend::Sqlite(writer),
                    reconnect,
                    Some(Arc::new(checkpointer)),
                )
            }
            Location::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.disable_statement_logging();
                let mut writer = PgConnection::connect_with(&options).await?;
                sqlx::migrate!("migrations/postgres").run(&mut writer).await?;
                let read = PgPoolOptions::new().max_connections(8).connect_with(options.clone()).await?;
                let reconnect: Reconnect = Box::new(move || {
                    let options = options.clone();
                    Box::pin(async move { Ok(Backend::Postgres(PgConnection::connect_with(&options).await?)) })
                });
                (Backend::Postgres(read), Backend::Postgres(writer), reconnect, None)
            }
        };
        let db = Db {
            read,
            writer: WriterHandle::spawn(writer_conn, reconnect),
            checkpointer,
        };
        db.write(|tx| {
            Box::pin(async move {
                crate::categories::seed(tx).await?;
                crate::surveys::seed(tx).await
            })
        })
        .await?;
        Ok(db)
    }

    /// Runs `command` in a write transaction (shared with other commands that arrive at
    /// the same moment) and returns its result once the transaction has committed. An
    /// error from `command` undoes only its own changes.
    pub async fn write<T, E, F>(&self, command: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + 'static,
    {
        self.writer.write(command).await
    }

    /// The executor for reads outside a transaction.
    pub fn read(&self) -> Exec<'_> {
        match &self.read {
            Backend::Sqlite(pool) => Exec::SqlitePool(pool),
            Backend::Postgres(pool) => Exec::PgPool(pool),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.read, Backend::Postgres(_))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        crate::backend::both!(&self.read, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Lets queued writes finish, then closes every connection. The checkpointer and the
    /// readers close first, so that on SQLite the writer is the last connection and folds
    /// the WAL back into the database file as it closes.
    pub async fn close(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.stop().await;
        }
        crate::backend::both!(&self.read, pool => pool.close().await);
        self.writer.close().await;
    }
}

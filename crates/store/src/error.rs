//! Errors of the storage layer. Callers see what they can act on (not found, a conflict
//! on a unique value, the database being unavailable); the cause is kept for the log.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is already taken (which constraint, as the database named it).
    #[error("unique value already exists: {0}")]
    Conflict(String),
    /// A referenced row (team, agent, category, ...) does not exist.
    #[error("referenced row does not exist: {0}")]
    MissingReference(String),
    /// A stored value could not be read back into the domain (a bug or a bad migration).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The write was not carried out: the writer is stopping, or the transaction that
    /// held the command broke before it ran.
    #[error("the write was not carried out (database writer unavailable)")]
    WriterGone,
    /// The command ran, but the transaction holding it did not commit.
    #[error("the write transaction did not commit: {0}")]
    TransactionFailed(String),
    /// A read's task was cancelled: only a runtime shutting down does that.
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            let name = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
            if db.is_unique_violation() {
                return StoreError::Conflict(name);
            }
            if db.is_foreign_key_violation() {
                return StoreError::MissingReference(name);
            }
        }
        StoreError::Database(error)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A stored text that should parse as a domain value.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

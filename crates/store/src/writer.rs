//! The single writer: every change goes through one connection, and commands that arrive
//! together share one transaction (group commit). Each command runs inside its own
//! savepoint, so one failing command is rolled back alone; each caller is answered only
//! after the transaction that holds its change has committed.
//!
//! Why: on SQLite one writer is the ceiling anyway, and committing a batch at once turns
//! thousands of fsyncs into a few (see STACK.md, write-path facts). On PostgreSQL the
//! same shape keeps ticket numbering gap-free and serial without a hot row lock per
//! request.

use crate::backend::{Backend, Exec};
use crate::error::{StoreError, StoreResult};
use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::panic::AssertUnwindSafe;
use tokio::sync::{mpsc, oneshot};

/// The most commands one transaction takes.
const MAX_BATCH: usize = 256;

/// The write transaction a command runs in. Repository functions take [`Tx::exec`].
pub struct Tx {
    conn: Backend<SqliteConnection, PgConnection>,
}

impl Tx {
    /// The executor for statements inside this transaction.
    pub fn exec(&mut self) -> Exec<'_> {
        match &mut self.conn {
            Backend::Sqlite(c) => Exec::SqliteConn(c),
            Backend::Postgres(c) => Exec::PgConn(c),
        }
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.conn, Backend::Postgres(_))
    }

    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        crate::backend::both!(&mut self.conn, c => sqlx::raw_sql(sql).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }
}

/// What a finished command hands back: whether it succeeded, and how to answer its caller
/// once the fate of the transaction is known (`None`: committed).
struct Outcome {
    ok: bool,
    answer: Answer,
}

/// Delivers a command's result to its caller, given the transaction's failure if any.
type Answer = Box<dyn FnOnce(Option<&StoreError>) + Send>;

type Job = Box<dyn for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Outcome> + Send>;

/// Opens a new writer connection, for when the old one is lost (a PostgreSQL restart, a
/// dropped network connection).
pub(crate) type Reconnect = Box<dyn Fn() -> BoxFuture<'static, StoreResult<Backend<SqliteConnection, PgConnection>>> + Send + Sync>;

enum Msg {
    Job(Job),
    Close(oneshot::Sender<()>),
}

/// The sending side, held by [`crate::Db`].
#[derive(Clone)]
pub(crate) struct WriterHandle {
    sender: mpsc::Sender<Msg>,
}

impl WriterHandle {
    /// Starts the writer task on `conn`.
    pub(crate) fn spawn(conn: Backend<SqliteConnection, PgConnection>, reconnect: Reconnect) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run_writer(Tx { conn }, receiver, reconnect));
        WriterHandle { sender }
    }

    /// Runs `command` inside a write transaction and returns its result after commit.
    pub(crate) async fn write<T, E, F>(&self, command: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let name = command_name::<F>();
        let job: Job = Box::new(move |tx| {
            Box::pin(async move {
                let started = std::time::Instant::now();
                let result = command(tx).await;
                // How long each kind of command holds the one writer: what to look at
                // when writes queue.
                metrics::histogram!("kefu_write_command_seconds", "command" => name).record(started.elapsed());
                Outcome {
                    ok: result.is_ok(),
                    answer: Box::new(move |failure| {
                        let result = match failure {
                            None => result,
                            Some(error) => Err(E::from(StoreError::TransactionFailed(error.to_string()))),
                        };
                        let _ = reply.send(result);
                    }),
                }
            })
        });
        self.sender.send(Msg::Job(job)).await.map_err(|_| E::from(StoreError::WriterGone))?;
        answer.await.map_err(|_| E::from(StoreError::WriterGone))?
    }

    /// Finishes the commands already queued, then closes the connection.
    pub(crate) async fn close(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Msg::Close(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// A command's name for the metrics: the function that wrote the closure (its type name
/// without the closure suffixes), e.g. `kefu_app::intake::write_batch`.
fn command_name<F>() -> &'static str {
    let mut name = std::any::type_name::<F>();
    while let Some(outer) = name.strip_suffix("::{{closure}}") {
        name = outer;
    }
    name
}

async fn run_writer(mut tx: Tx, mut receiver: mpsc::Receiver<Msg>, reconnect: Reconnect) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut closing = None;
    while closing.is_none() {
        match receiver.recv().await {
            None => break,
            Some(Msg::Close(done)) => closing = Some(done),
            Some(Msg::Job(job)) => batch.push(job),
        }
        while batch.len() < MAX_BATCH && closing.is_none() {
            match receiver.try_recv() {
                Ok(Msg::Job(job)) => batch.push(job),
                Ok(Msg::Close(done)) => closing = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() && !run_batch(&mut tx, &mut batch).await {
            restore_connection(&mut tx, &reconnect).await;
        }
    }
    if let Backend::Sqlite(conn) = &mut tx.conn {
        // (busy, frames, copied): busy when another connection was still using the WAL.
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await
        {
            Ok((0, _, _)) => {}
            Ok(_) => tracing::warn!("the WAL was in use and stays beside the database file; it is read at the next start"),
            Err(error) => tracing::warn!(%error, "could not checkpoint the WAL on close"),
        }
    }
    let Tx { conn } = tx;
    let _ = crate::backend::both!(conn, c => c.close().await);
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

/// After a batch whose transaction failed: if the connection no longer answers, replace
/// it, so the writer recovers once the database is back instead of failing forever.
async fn restore_connection(tx: &mut Tx, reconnect: &Reconnect) {
    if tx.run("SELECT 1").await.is_ok() {
        return;
    }
    match reconnect().await {
        Ok(conn) => {
            tracing::warn!("the writer's database connection was lost; reconnected");
            tx.conn = conn;
        }
        Err(error) => tracing::error!(%error, "the writer's database connection was lost and reconnecting failed; will retry"),
    }
}

/// Runs one batch in one transaction and answers every command in it. Returns whether the
/// transaction itself went through (false: it could not begin or commit).
///
/// Savepoint statements are sent together (`RELEASE ...; SAVEPOINT ...`), one round trip
/// per command: on SQLite every statement crosses to sqlx's connection thread and back,
/// and those hand-offs, not SQLite, are the writer's main cost.
async fn run_batch(tx: &mut Tx, batch: &mut Vec<Job>) -> bool {
    metrics::histogram!("kefu_write_batch_size").record(batch.len() as f64);
    let begin = if tx.is_postgres() {
        "BEGIN; SAVEPOINT command"
    } else {
        "BEGIN IMMEDIATE; SAVEPOINT command"
    };
    if let Err(error) = tx.run(begin).await {
        tracing::error!(%error, "could not begin the write transaction");
        let _ = tx.run("ROLLBACK").await;
        fail_all(batch.drain(..));
        return false;
    }
    let count = batch.len();
    // Each finished command, and the error that overrides its own result, if any.
    let mut answers: Vec<(Outcome, Option<StoreError>)> = Vec::with_capacity(count);
    let mut broken: Option<StoreError> = None;
    for (index, job) in batch.drain(..).enumerate() {
        if broken.is_some() {
            answers.push((abandoned(job), None));
            continue;
        }
        let outcome = match AssertUnwindSafe(job(tx)).catch_unwind().await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::error!("a write command panicked; its savepoint is rolled back");
                Outcome {
                    ok: false,
                    answer: Box::new(|_| {}),
                }
            }
        };
        let last = index + 1 == count;
        let boundary = match (outcome.ok, last) {
            (true, false) => "RELEASE SAVEPOINT command; SAVEPOINT command",
            (true, true) => "RELEASE SAVEPOINT command",
            (false, false) => "ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command; SAVEPOINT command",
            (false, true) => "ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command",
        };
        match tx.run(boundary).await {
            Ok(()) => answers.push((outcome, None)),
            Err(error) => {
                // The command carried on after a failed statement (PostgreSQL then refuses
                // everything until the savepoint is rolled back): undo it alone, refuse it,
                // and go on with the batch.
                let recover = if last {
                    "ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command"
                } else {
                    "ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command; SAVEPOINT command"
                };
                match tx.run(recover).await {
                    Ok(()) => answers.push((Outcome { ok: true, ..outcome }, Some(error))),
                    Err(fatal) => {
                        answers.push((outcome, None));
                        broken = Some(fatal);
                    }
                }
            }
        }
    }
    let failure = match broken {
        Some(error) => {
            let _ = tx.run("ROLLBACK").await;
            Some(error)
        }
        None => match timed_commit(tx).await {
            Ok(()) => None,
            Err(error) => {
                let _ = tx.run("ROLLBACK").await;
                Some(error)
            }
        },
    };
    if let Some(error) = &failure {
        tracing::error!(%error, commands = answers.len(), "write transaction failed; every command in it is refused");
    }
    for (outcome, own_failure) in answers {
        // A command that failed on its own keeps its own error; its savepoint was undone.
        match (outcome.ok, own_failure) {
            (true, Some(error)) => (outcome.answer)(Some(&error)),
            (true, None) => (outcome.answer)(failure.as_ref()),
            (false, _) => (outcome.answer)(None),
        }
    }
    failure.is_none()
}

/// Commits, recording how long it took (on SQLite mostly the WAL's fsync).
async fn timed_commit(tx: &mut Tx) -> StoreResult<()> {
    let started = std::time::Instant::now();
    let result = tx.run("COMMIT").await;
    metrics::histogram!("kefu_write_commit_seconds").record(started.elapsed());
    result
}

/// A command that never ran because its transaction broke first.
fn abandoned(job: Job) -> Outcome {
    drop(job);
    Outcome {
        ok: false,
        answer: Box::new(|_| {}),
    }
}

fn fail_all(jobs: impl Iterator<Item = Job>) {
    // Dropping a job drops its reply sender; the caller sees `WriterGone`.
    for job in jobs {
        drop(job);
    }
}

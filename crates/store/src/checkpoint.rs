//! SQLite's WAL copied into the database file off the writer's path.
//!
//! SQLite checkpoints automatically inside the commit that pushes the WAL past its
//! threshold (1,000 pages by default): under a create load every tenth to twentieth batch
//! paid for copying the WAL into the database file and syncing it, while every other
//! command queued behind the one writer (the slow tail of `kefu_write_commit_seconds`).
//! Here a connection of its own checkpoints twice a second instead. PASSIVE: it copies
//! what no reader still needs and never waits for the writer or a reader, so it runs
//! beside them. Copying less often also copies less: a page the writer changed many times
//! since the last checkpoint (an index's last page, say) is copied once.
//!
//! Only the writer can start the WAL over from its beginning, and only when it begins a
//! transaction with everything already copied; under a steady load that moment rarely
//! comes, so the WAL grows until the writer's own automatic checkpoint (threshold below)
//! catches it, by then with little left to copy.

use crate::error::StoreResult;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the background connection checkpoints.
const INTERVAL: Duration = Duration::from_millis(500);

/// How long to wait after a failed checkpoint before trying again.
const AFTER_FAILURE: Duration = Duration::from_secs(5);

/// The writer's own automatic checkpoint threshold, in pages (~80 MB of 4 KiB pages): what
/// bounds the WAL under a steady load (see the module's comment). High, so the writer's
/// commits rarely checkpoint; measured under the create load, a WAL of this size costs
/// readers nothing noticeable, and it is cut back after the load (below).
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: &str = "20000";

/// The size the WAL file is cut back to when SQLite starts it over (64 MiB), so one burst
/// does not leave a large file behind.
pub(crate) const JOURNAL_SIZE_LIMIT_BYTES: &str = "67108864";

/// The background checkpoint task.
pub(crate) struct Checkpointer {
    stop: watch::Sender<bool>,
    task: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(task) = self.task.get_mut().take() {
            task.abort();
        }
    }
}

impl Checkpointer {
    /// Opens the checkpoint connection and starts checkpointing.
    pub(crate) async fn start(options: &SqliteConnectOptions) -> StoreResult<Checkpointer> {
        let conn = SqliteConnection::connect_with(options).await?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(conn, stopped));
        Ok(Checkpointer {
            stop,
            task: tokio::sync::Mutex::new(Some(task)),
        })
    }

    /// Stops checkpointing and closes the connection (before the writer's last checkpoint
    /// at close, which must not find this one in its way).
    pub(crate) async fn stop(&self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

async fn run(mut conn: SqliteConnection, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut previous = (0, 0);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => break,
        }
        let started = Instant::now();
        // (busy, frames in the WAL, frames of it now in the database file); busy 1: a
        // checkpoint of another connection (the writer's own) was running.
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await
        {
            Ok((0, frames, copied)) if (frames, copied) != previous => {
                previous = (frames, copied);
                metrics::histogram!("kefu_wal_checkpoint_seconds").record(started.elapsed());
                metrics::gauge!("kefu_wal_frames").set(frames as f64);
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "checkpointing the WAL failed; the writer's own checkpoints go on, retrying in 5 s");
                tokio::select! {
                    _ = tokio::time::sleep(AFTER_FAILURE) => {}
                    _ = stopped.changed() => break,
                }
            }
        }
    }
    let _ = conn.close().await;
}

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
//! The writer keeps SQLite's automatic checkpoint with a much higher threshold, so the WAL
//! stays bounded if this task stops or cannot keep up.

use crate::error::StoreResult;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How often the background connection checkpoints.
const INTERVAL: Duration = Duration::from_millis(500);

/// The writer's own automatic checkpoint threshold, in pages (~80 MB of 4 KiB pages): only
/// reached when the background checkpoints do not run.
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: &str = "20000";

/// The background checkpoint task; stops when dropped (with the last [`crate::Db`] clone).
pub(crate) struct Checkpointer {
    task: JoinHandle<()>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Checkpointer {
    /// Opens the checkpoint connection and starts checkpointing.
    pub(crate) async fn start(options: &SqliteConnectOptions) -> StoreResult<Checkpointer> {
        let mut conn = SqliteConnection::connect_with(options).await?;
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut previous = (0, 0);
            loop {
                tick.tick().await;
                let started = Instant::now();
                // (busy, frames in the WAL, frames of it now in the database file)
                match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&mut conn)
                    .await
                {
                    Ok((_, frames, copied)) if (frames, copied) != previous => {
                        previous = (frames, copied);
                        metrics::histogram!("kefu_wal_checkpoint_seconds").record(started.elapsed());
                        metrics::gauge!("kefu_wal_frames").set(frames as f64);
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "checkpointing the WAL failed; retrying"),
                }
            }
        });
        Ok(Checkpointer { task })
    }
}

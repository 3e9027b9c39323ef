//! Analytics: the reactor that folds ticket events into the hourly KPI rollups, and the
//! reports and dashboard read from them.
//!
//! The reactor reads events from the store after its cursor, never only from the bus (a
//! crash, a lagging bus or another node's writes lose nothing), and moves rollups, fold
//! state and cursor in one transaction per batch. It is woken by the bus and also looks
//! every second. `kefu analytics rebuild` empties the rollups and folds everything again.

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::analytics::fold::{Rollup, Seed, TicketTrack, fold};
use kefu_domain::analytics::kpi::Kpis;
use kefu_domain::analytics::{DayKey, Delta, Dim, Dims, RowKey, Slice, Span, day_keys, hour_of, hour_start, week_start};
use kefu_domain::entities::Id;
use kefu_domain::enums::{Channel, Presence, Priority, TicketKind};
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::analytics::{self as store, DayGroup, DaySlice, Fill, RowFilter, RowGroup, TotalHour};
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use utoipa::ToSchema;

/// Events folded per transaction by the live reactor (small: it shares the writer with
/// commands) and by a rebuild (larger: fewer round trips).
const LIVE_BATCH: u32 = 1_000;
const REBUILD_BATCH: u32 = 5_000;
/// A backlog of at least this many events is folded as a rebuild folds (hourly rows only,
/// then the days touched filled from them): live batches rewrite the rows of every daily
/// and weekly slice of the days they touch, ~1,000 events a second against ~40,000. The
/// reactor keeps well under it while it keeps up with the foundation's create load.
const BACKLOG: u32 = 20_000;
const POLL: Duration = Duration::from_secs(1);
/// How often the reactor looks for hot issues to alert supervisors about.
const ALERT_CHECK: Duration = Duration::from_secs(300);
const DEBOUNCE: Duration = Duration::from_millis(250);
/// On PostgreSQL an event id can commit after a larger one; the reactor only folds events
/// older than this, so its cursor does not pass one still in flight.
pub(crate) const SETTLE: SignedDuration = SignedDuration::from_secs(2);
/// The longest range a report may ask for.
const MAX_RANGE_DAYS: i64 = 366;

/// The reactor's task and what wakes it.
#[derive(Clone, Default)]
pub(crate) struct AnalyticsHandle {
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    stopping: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

/// What a rebuild or catch-up folded.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct FoldSummary {
    pub events: u64,
    pub seconds: f64,
}

impl App {
    /// Starts the analytics reactor (call once, from `serve`).
    pub fn start_analytics(&self) {
        let mut slot = self.analytics.task.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return;
        }
        self.analytics.stopping.store(false, Ordering::SeqCst);
        *slot = Some(tokio::spawn(self.clone().run_analytics()));
    }

    pub async fn stop_analytics(&self) {
        self.analytics.stopping.store(true, Ordering::SeqCst);
        self.analytics.wake.notify_one();
        let task = self.analytics.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    async fn run_analytics(self) {
        if let Err(error) = self.backfill_hour_totals().await {
            tracing::warn!(%error, "filling the hourly department totals failed; the dashboard's earlier hours may read low until `kefu analytics rebuild`");
        }
        if let Err(error) = self.fill_daily_slices().await {
            tracing::warn!(%error, "filling the daily rows of several dimensions failed; reports filtered by several dimensions keep reading the hourly rows");
        }
        let mut bus = self.subscribe();
        let mut alerts_checked: Option<std::time::Instant> = None;
        // At start, and whenever a live batch comes back full: is there a long backlog?
        let mut look_for_backlog = true;
        while !self.analytics.stopping.load(Ordering::SeqCst) {
            let mut backlog_failed = false;
            if look_for_backlog && let Err(error) = self.fold_backlog(BACKLOG).await {
                tracing::warn!(%error, "folding the analytics backlog failed; retrying");
                backlog_failed = true;
            }
            let kpis_behind = match self.fold_batch(LIVE_BATCH, Batch::Live).await {
                Ok(Folded::Events(n)) => n == LIVE_BATCH as usize,
                Ok(Folded::Overtaken) => true,
                Ok(Folded::Nothing) => false,
                Err(error) => {
                    tracing::warn!(%error, "analytics rollup failed; retrying");
                    false
                }
            };
            let topics_behind = match self.fold_topics_batch().await {
                Ok(more) => more,
                Err(error) => {
                    tracing::warn!(%error, "counting hot-issue topics failed; retrying");
                    false
                }
            };
            look_for_backlog = kpis_behind || backlog_failed;
            if kpis_behind || topics_behind {
                continue;
            }
            if alerts_checked.is_none_or(|at| at.elapsed() >= ALERT_CHECK) {
                alerts_checked = Some(std::time::Instant::now());
                if let Err(error) = self.check_hot_alerts().await {
                    tracing::warn!(%error, "checking hot issues for alerts failed");
                }
            }
            tokio::select! {
                _ = bus.recv() => {}
                _ = self.analytics.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            // Gather a burst into one batch: fewer, larger transactions on the writer that
            // ticket commands share.
            tokio::time::sleep(DEBOUNCE).await;
            // Everything queued is in the store; the next batch reads it.
            bus = bus.resubscribe();
        }
    }

    /// Folds every event not yet in the rollups, then counts the topics of hot issues
    /// (tests, and `kefu analytics backtest` before it reads the history).
    pub async fn catch_up_analytics(&self) -> AppResult<FoldSummary> {
        let started = std::time::Instant::now();
        let backlog = self.fold_backlog(BACKLOG).await?;
        let events = backlog + self.fold_all(Batch::Live).await?;
        Ok(FoldSummary {
            events,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// When at least `at_least` events wait to be folded (a server started after a long
    /// stop, or first after `kefu demo`), folds them as a rebuild does: into the hourly
    /// rows only, listing each day touched as stale in the same transaction; then sets
    /// those days' rows and their weeks' to the sums of their hourly rows (and those of
    /// days still listed from before). Reports read the hourly rows while any day is
    /// stale. The events folded (0 without a backlog).
    pub async fn fold_backlog(&self, at_least: u32) -> AppResult<u64> {
        let cursor = store::cursor(self.db().read()).await?;
        if store::events_after_count(self.db().read(), cursor, at_least).await? < at_least {
            // Days an interrupted catch-up left listed (an error, another node's crash)
            // are filled now rather than at the next start.
            self.fill_stale_days().await?;
            return Ok(0);
        }
        let started = std::time::Instant::now();
        let events = self.fold_batches(Batch::CatchUp).await?;
        let days = self.fill_stale_days().await?;
        tracing::info!(
            events,
            days,
            seconds = started.elapsed().as_secs_f64(),
            "folded a backlog of events into the hourly rows and filled the days it touched"
        );
        Ok(events)
    }

    /// Sets the rows of the stale days, and of their weeks, to the sums of their hourly
    /// rows, a week at a time: the week's stale days, then the week, whose write also takes
    /// its days off the list (a crash in between leaves them listed, to fill again). A day
    /// a batch listed again meanwhile (another node catching up) stays listed, and is
    /// filled in the next pass. The number of days filled.
    async fn fill_stale_days(&self) -> AppResult<usize> {
        const PASSES: usize = 5;
        let zone = self.engine().reporting_calendar().zone().clone();
        let every_width = 0..=Dim::ALL.len();
        let mut filled = 0;
        for _ in 0..PASSES {
            let stale = store::stale_days(self.db().read()).await?;
            if stale.is_empty() {
                break;
            }
            for week in stale.chunk_by(|a, b| week_start(a.day) == week_start(b.day)) {
                for stale in week {
                    if self.analytics.stopping.load(Ordering::SeqCst) {
                        return Ok(filled);
                    }
                    self.fill_day(stale.day, &zone, &every_width).await?;
                    filled += 1;
                }
                self.fill_week(week_start(week[0].day), week).await?;
            }
        }
        Ok(filled)
    }

    /// Folds batches of `batch` until none is left, then counts the topics of hot issues;
    /// the events this call folded.
    async fn fold_all(&self, batch: Batch) -> AppResult<u64> {
        let events = self.fold_batches(batch).await?;
        while self.fold_topics_batch().await? {}
        Ok(events)
    }

    /// Folds batches of `batch` until none is left (or the reactor is stopping); the
    /// events this call folded.
    async fn fold_batches(&self, batch: Batch) -> AppResult<u64> {
        let mut events = 0u64;
        while !self.analytics.stopping.load(Ordering::SeqCst) {
            match self.fold_batch(REBUILD_BATCH, batch).await? {
                Folded::Events(n) => {
                    events += n as u64;
                    if n < REBUILD_BATCH as usize {
                        break;
                    }
                }
                // Another node (or this server's reactor) folded that batch: go on after it.
                Folded::Overtaken => {}
                Folded::Nothing => break,
            }
        }
        Ok(events)
    }

    /// Empties the rollups and folds every event again (`kefu analytics rebuild`), then
    /// fills the daily rows from the hourly ones. Safe while servers run: their reactors
    /// then continue from the new cursor.
    pub async fn rebuild_analytics(&self) -> AppResult<FoldSummary> {
        let started = std::time::Instant::now();
        // A server's reactor may fold a batch between the clear and this refold's first
        // one; whichever commits second finds the position moved and folds again after
        // it, so nothing is counted twice (the summary counts only this refold's batches).
        let first = match self.fold_batch(REBUILD_BATCH, Batch::RebuildStart).await? {
            Folded::Events(n) => n,
            Folded::Overtaken => REBUILD_BATCH as usize,
            Folded::Nothing => 0,
        };
        let mut rest = 0;
        if first == REBUILD_BATCH as usize {
            rest = self.fold_all(Batch::Rebuild).await?;
        } else {
            while self.fold_topics_batch().await? {}
        }
        self.fill_daily_slices().await?;
        Ok(FoldSummary {
            events: first as u64 + rest,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Fills the department's hourly totals from the hourly rows folded before the totals
    /// existed (an upgrade), a week of hours per transaction, once. Each chunk replaces
    /// its hours' totals with the sum of their rows under the cursor's lock, so a batch
    /// folded meanwhile is neither lost nor counted twice.
    async fn backfill_hour_totals(&self) -> AppResult<()> {
        if store::filled(self.db().read(), Fill::HourTotals).await? {
            return Ok(());
        }
        let mut after = i64::MIN;
        loop {
            let step = self
                .db()
                .write(move |tx| {
                    Box::pin(async move {
                        if store::lock_cursor(tx).await?.is_none() {
                            return Ok::<_, AppError>(Err(()));
                        }
                        Ok(Ok(store::refill_totals(tx, after, 7 * 24).await?))
                    })
                })
                .await?;
            match step {
                Ok(Some(last)) => after = last,
                Ok(None) => break,
                // Another node is folding; its batch commits in a moment.
                Err(()) => tokio::time::sleep(POLL).await,
            }
        }
        self.db()
            .write(|tx| Box::pin(async move { Ok::<_, AppError>(store::set_filled(tx, Fill::HourTotals).await?) }))
            .await
    }

    /// Fills the daily rows of the slices that are not complete (those an older version
    /// did not keep: pairs of dimensions before migration 0020, three or more before 0022;
    /// every slice after a rebuild, which folds only the hourly rows) from the hourly
    /// rows, a day at a time; reports use them from then on. The reactor runs this when
    /// it starts, a rebuild at its end. Nodes of an older version must be stopped before
    /// the upgrade: their batches would not add to the new slices.
    ///
    /// Like a fold batch, a day is read and summed outside the writer and written only if
    /// the fold's position has not moved meanwhile (another node, a rebuild); its rows are
    /// set to the sum of the day's hourly rows, so what was folded before is counted once,
    /// and the write moves the position, so a batch that read those rows before is
    /// dropped and folded again.
    pub async fn fill_daily_slices(&self) -> AppResult<()> {
        // Days a catch-up left stale first: the fill below adds only the missing widths.
        self.fill_stale_days().await?;
        let complete = store::daily_rows_width(self.db().read()).await?;
        let widest = Dim::ALL.len();
        let first_missing = complete.map_or(0, |width| width + 1);
        if first_missing > widest {
            return Ok(());
        }
        let widths = first_missing..=widest;
        let zone = self.engine().reporting_calendar().zone().clone();
        let started = std::time::Instant::now();
        let (mut days, mut weeks) = (0, 0);
        let mut from_hour = i64::MIN;
        while let Some(hour) = store::next_rollup_hour(self.db().read(), from_hour).await? {
            if self.analytics.stopping.load(Ordering::SeqCst) {
                return Ok(());
            }
            let day = zone.to_datetime(hour_start(hour)).date();
            self.fill_day(day, &zone, &widths).await?;
            days += 1;
            from_hour = day_start_hour(day.tomorrow().unwrap_or(day), &zone).max(hour + 1);
        }
        // The week rows (of the narrow slices, whose day rows are all there now), each
        // the sum of its days.
        let mut from_hour = i64::MIN;
        while let Some(hour) = store::next_rollup_hour(self.db().read(), from_hour).await? {
            if self.analytics.stopping.load(Ordering::SeqCst) {
                return Ok(());
            }
            let monday = week_start(zone.to_datetime(hour_start(hour)).date());
            self.fill_week(monday, &[]).await?;
            weeks += 1;
            let next_monday = monday.saturating_add(jiff::Span::new().days(7));
            from_hour = day_start_hour(next_monday, &zone).max(hour + 1);
        }
        self.db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::set_daily_rows_width(tx, Some(widest)).await?) }))
            .await?;
        if days > 0 {
            tracing::info!(
                ?widths,
                days,
                weeks,
                seconds = started.elapsed().as_secs_f64(),
                "filled the daily and weekly rows of slices from the hourly rows"
            );
        }
        Ok(())
    }

    /// Sets the daily rows of `day` for the slices of `widths` dimensions to the sums of
    /// the day's hourly rows.
    async fn fill_day(&self, day: Date, zone: &TimeZone, widths: &std::ops::RangeInclusive<usize>) -> AppResult<()> {
        let (start, end) = (day_start_hour(day, zone), day_start_hour(day.tomorrow().unwrap_or(day), zone));
        self.fill_rows(&[], || async {
            let hours = store::hour_rows(self.db().read(), start, end).await?;
            Ok(day_rows_of(day, hours, widths))
        })
        .await
    }

    /// Sets the week rows of the week starting `monday` (of the narrow slices, whose day
    /// rows must be complete) to the sums of its days, and takes its `fresh` days off the
    /// stale list.
    async fn fill_week(&self, monday: Date, fresh: &[store::StaleDay]) -> AppResult<()> {
        let sunday = monday.saturating_add(jiff::Span::new().days(6));
        self.fill_rows(fresh, || async {
            let mut sums: BTreeMap<DayKey, Delta> = BTreeMap::new();
            for (key, delta) in store::weekly_slices_day_rows(self.db().read(), monday, sunday).await? {
                let week = DayKey {
                    day: monday,
                    span: Span::Week,
                    ..key
                };
                sums.entry(week).or_default().merge(&delta);
            }
            Ok(sums.into_iter().collect())
        })
        .await
    }

    /// Sets the rows `compute` returns, read at one position of the fold, and written only
    /// if the position has not moved meanwhile (else computed again); the write moves it,
    /// so a batch that read those rows before is dropped and folded again. `fresh`: days
    /// to take off the stale list in the same write. Gives up with an error when the
    /// reactor is stopping (a busy fold elsewhere can move the position again and again).
    async fn fill_rows<F, Fut>(&self, fresh: &[store::StaleDay], compute: F) -> AppResult<()>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = AppResult<Vec<(DayKey, Delta)>>>,
    {
        loop {
            if self.analytics.stopping.load(Ordering::SeqCst) {
                return Err(AppError::Internal("the analytics reactor is stopping".into()));
            }
            let read_at = store::position(self.db().read()).await?;
            let rows = compute().await?;
            let fresh = fresh.to_vec();
            let written = self
                .db()
                .write(move |tx| {
                    Box::pin(async move {
                        if store::lock_position(tx).await? != Some(read_at) {
                            return Ok::<_, AppError>(false);
                        }
                        store::put_day_rows(tx, &rows).await?;
                        store::clear_stale_days(tx, &fresh).await?;
                        store::mark_rewritten(tx, now()).await?;
                        Ok(true)
                    })
                })
                .await?;
            if written {
                return Ok(());
            }
            tokio::time::sleep(DEBOUNCE).await;
        }
    }

    /// Folds up to `limit` events after the cursor, as `kind` says.
    ///
    /// Nearly everything happens outside the writer that ticket commands share: the
    /// events, the fold state and the stored hourly and daily rows are read and merged
    /// first, and the write transaction only checks that the fold's position has not moved
    /// since (another node's batch, a rebuild) and writes the merged rows. A batch
    /// overtaken that way is dropped: the next one starts from the new position. The
    /// department totals, a row or two per batch, are read and added inside the write:
    /// the one-off backfill after an upgrade rewrites them under the same lock without
    /// moving the position.
    async fn fold_batch(&self, limit: u32, kind: Batch) -> AppResult<Folded> {
        if kind == Batch::RebuildStart {
            self.db()
                .write(|tx| Box::pin(async move { Ok::<_, AppError>(store::clear(tx, now()).await?) }))
                .await?;
        }
        let calendar = self.engine().reporting_calendar();
        let zone = calendar.zone().clone();
        let settled_before = self.db().is_postgres().then(|| now() - SETTLE);
        let db = self.db();
        let started_at = store::position(db.read()).await?;
        let batch = store::events_after(db.read(), started_at.event_id, limit, settled_before).await?;
        let Some(last) = batch.last_id else {
            return Ok(Folded::Nothing);
        };
        let events = batch.events;
        let mut ids: Vec<Id> = events.iter().map(|e| e.ticket_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let (tracks, seeds) = futures::future::try_join(store::tracks(db.read(), &ids), store::seeds(db.read(), &ids)).await?;
        let mut tracks: HashMap<Id, Option<TicketTrack>> = tracks.into_iter().map(|(id, t)| (id, Some(t))).collect();
        let seeds: HashMap<Id, Seed> = seeds.into_iter().collect();
        let mut rollup = Rollup::new();
        for item in &events {
            let Some(seed) = seeds.get(&item.ticket_id) else { continue };
            fold(tracks.entry(item.ticket_id).or_default(), &item.event, seed, &calendar, &mut rollup);
        }
        rollup.retain(|_, delta| !delta.is_empty());
        // The daily rows take the same deltas, once per slice (but in a rebuild or a
        // catch-up, which fill them from the hourly rows at their end); the department's
        // totals per hour too.
        let mut days: BTreeMap<DayKey, Delta> = BTreeMap::new();
        let mut totals: BTreeMap<TotalHour, Delta> = BTreeMap::new();
        let mut stale: BTreeSet<Date> = BTreeSet::new();
        for (key, delta) in &rollup {
            match kind {
                Batch::Live => {
                    for day in day_keys(key, &zone) {
                        days.entry(day).or_default().merge(delta);
                    }
                }
                Batch::CatchUp => {
                    stale.insert(zone.to_datetime(hour_start(key.hour)).date());
                }
                Batch::RebuildStart | Batch::Rebuild => {}
            }
            totals.entry(TotalHour(key.hour)).or_default().merge(delta);
        }
        let stale: Vec<Date> = stale.into_iter().collect();
        let day_keys: Vec<DayKey> = days.keys().cloned().collect();
        let total_keys: Vec<TotalHour> = totals.keys().copied().collect();
        let row_keys: Vec<RowKey> = rollup.keys().copied().collect();
        let (stored_days, stored_rows) =
            futures::future::try_join(store::day_rows(db.read(), &day_keys), store::rows(db.read(), &row_keys)).await?;
        add_stored(&mut days, stored_days);
        add_stored(&mut rollup, stored_rows);
        let days: Vec<(DayKey, Delta)> = days.into_iter().collect();
        let rows: Vec<(RowKey, Delta)> = rollup.into_iter().collect();
        let tracks: Vec<(Id, TicketTrack)> = tracks.into_iter().filter_map(|(id, t)| t.map(|t| (id, t))).collect();
        let written = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if store::lock_position(tx).await? != Some(started_at) {
                        return Ok::<_, AppError>(false);
                    }
                    let mut totals = totals;
                    add_stored(&mut totals, store::total_rows(tx.exec(), &total_keys).await?);
                    store::put_day_rows(tx, &days).await?;
                    store::mark_stale_days(tx, &stale).await?;
                    store::put_total_rows(tx, &totals.into_iter().collect::<Vec<_>>()).await?;
                    store::put_rows(tx, &rows).await?;
                    store::save_tracks(tx, &tracks).await?;
                    store::set_cursor(tx, last).await?;
                    Ok(true)
                })
            })
            .await?;
        Ok(if written {
            Folded::Events(batch.scanned)
        } else {
            Folded::Overtaken
        })
    }
}

/// Which kind of fold batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// Adds to the hourly and the daily rows (the reactor, a catch-up).
    Live,
    /// A rebuild's first batch: empties the rollups, then folds as [`Batch::Rebuild`].
    RebuildStart,
    /// A rebuild's: adds to the hourly rows only. Each batch would otherwise read and
    /// rewrite the same days' rows of all 32 slices again; the rebuild fills them once
    /// from the hourly rows at its end.
    Rebuild,
    /// A long backlog's: adds to the hourly rows only, as a rebuild's, and lists the days
    /// it touched as stale, to fill from the hourly rows.
    CatchUp,
}

/// What one fold batch did.
enum Folded {
    /// No event after the position.
    Nothing,
    /// Folded this many events.
    Events(usize),
    /// Another fold moved the position first; this batch was dropped.
    Overtaken,
}

/// Turns each batch delta into the row to write: the stored row plus the delta.
fn add_stored<K: Ord>(deltas: &mut BTreeMap<K, Delta>, stored: Vec<(K, Delta)>) {
    for (key, mut total) in stored {
        if let Some(delta) = deltas.get_mut(&key) {
            total.merge(delta);
            *delta = total;
        }
    }
}

/// The daily rows of `day` for the slices of `widths` dimensions, summed from that day's
/// hourly rows: first per combination of all dimensions (the finest slice, a fraction of
/// the hourly rows), then each slice from those, so a day costs a few merges per hourly
/// row rather than one per row and slice.
fn day_rows_of(day: Date, hours: Vec<(RowKey, Delta)>, widths: &std::ops::RangeInclusive<usize>) -> Vec<(DayKey, Delta)> {
    let mut finest: BTreeMap<Dims, Delta> = BTreeMap::new();
    for (key, delta) in hours {
        match finest.entry(key.dims) {
            Entry::Vacant(slot) => {
                slot.insert(delta);
            }
            Entry::Occupied(mut slot) => slot.get_mut().merge(&delta),
        }
    }
    let mut sums: BTreeMap<DayKey, Delta> = BTreeMap::new();
    for (dims, delta) in &finest {
        for slice in Slice::kept().filter(|slice| widths.contains(&slice.width())) {
            let key = DayKey {
                day,
                span: Span::Day,
                slice,
                value: slice.value_of(dims),
            };
            sums.entry(key).or_default().merge(delta);
        }
    }
    sums.into_iter().collect()
}

/// A KPI report as the API and the dashboard ask it. Dates are days in the reporting
/// time zone (the department's office calendar), both ends included.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct KpiParams {
    /// First day (YYYY-MM-DD); default: 6 days before `to`.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default: today.
    pub to: Option<String>,
    /// `day`, `team`, `agent`, `channel`, `kind` or `priority`.
    pub group: Option<String>,
    /// Only this team (`none`: tickets in no team).
    pub team: Option<String>,
    /// Only this agent (`none`: work nobody held).
    pub agent: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<String>,
}

/// One group of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiGroup {
    /// The group's value: a day, an id (`none` for none), a channel, ...
    pub key: String,
    /// A readable name (team or agent name; otherwise the key).
    pub label: String,
    pub kpis: Kpis,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiReport {
    pub from: String,
    pub to: String,
    pub zone: String,
    pub group: Option<String>,
    pub totals: Kpis,
    /// The same number of days just before (`previous_from` ..= `previous_to`), for
    /// comparison.
    pub previous: Kpis,
    pub previous_from: String,
    pub previous_to: String,
    pub groups: Vec<KpiGroup>,
    /// Events not yet folded into the rollups (0 when the numbers are current).
    pub pending_events: i64,
}

/// A parsed report request.
struct KpiQuery {
    from: Date,
    to: Date,
    zone: TimeZone,
    filter: RowFilter,
    group: Option<Grouping>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Grouping {
    Day,
    Rows(RowGroup),
}

impl Grouping {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "day" => Grouping::Day,
            "team" => Grouping::Rows(RowGroup::Dim(Dim::Team)),
            "agent" => Grouping::Rows(RowGroup::Dim(Dim::Agent)),
            "channel" => Grouping::Rows(RowGroup::Dim(Dim::Channel)),
            "kind" => Grouping::Rows(RowGroup::Dim(Dim::Kind)),
            "priority" => Grouping::Rows(RowGroup::Dim(Dim::Priority)),
            _ => return None,
        })
    }
}

fn optional_id(errors: &mut FieldErrors, field: &str, text: &Option<String>) -> Option<Option<Id>> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some("none") => Some(None),
        Some(text) => match text.parse::<Id>() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                errors.push(FieldError::new(field, "invalid", "must be an id or none"));
                None
            }
        },
    }
}

fn optional_enum<T>(
    errors: &mut FieldErrors,
    field: &str,
    text: &Option<String>,
    parse: fn(&str, &str) -> Result<T, FieldError>,
) -> Option<T> {
    let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    parse(field, text).map_err(|e| errors.push(e)).ok()
}

fn parse_query(params: &KpiParams, zone: TimeZone, today: Date) -> AppResult<KpiQuery> {
    let mut errors = FieldErrors::default();
    let mut date = |field: &str, text: &Option<String>| -> Option<Date> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        text.parse::<Date>()
            .map_err(|_| errors.push(FieldError::new(field, "invalid_date", "must be a date, YYYY-MM-DD")))
            .ok()
    };
    let to = date("to", &params.to).unwrap_or(today);
    let from = date("from", &params.from).unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(6)).unwrap_or(to));
    let days = (to - from).get_days();
    if days < 0 {
        errors.push(FieldError::new("from", "after_to", "must not be after to"));
    } else if i64::from(days) >= MAX_RANGE_DAYS {
        errors.push(FieldError::new(
            "from",
            "range_too_long",
            format!("a report covers at most {MAX_RANGE_DAYS} days"),
        ));
    }
    let group = match params.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(text) => match Grouping::parse(text) {
            Some(g) => Some(g),
            None => {
                errors.push(FieldError::new(
                    "group",
                    "invalid",
                    "must be day, team, agent, channel, kind or priority",
                ));
                None
            }
        },
    };
    let filter = RowFilter {
        team_id: optional_id(&mut errors, "team", &params.team),
        agent_id: optional_id(&mut errors, "agent", &params.agent),
        channel: optional_enum(&mut errors, "channel", &params.channel, Channel::parse),
        kind: optional_enum(&mut errors, "kind", &params.kind, TicketKind::parse),
        priority: optional_enum(&mut errors, "priority", &params.priority, Priority::parse),
    };
    errors.into_result()?;
    Ok(KpiQuery {
        from,
        to,
        zone,
        filter,
        group,
    })
}

/// The first hour of a day in `zone`: the first whose start is at or after the day's
/// midnight, as the daily rows count an hour in the day it starts in (zones with
/// half-hour offsets split an hour between two days; it goes to the later one).
fn day_start_hour(day: Date, zone: &TimeZone) -> i64 {
    zone.to_ambiguous_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map(|midnight| {
            let hour = hour_of(midnight);
            if hour_start(hour) < midnight { hour + 1 } else { hour }
        })
        .unwrap_or(0)
}

impl App {
    /// KPIs over a range of days, optionally filtered and grouped, with the previous range
    /// of the same length. Supervisors and admins only.
    pub async fn kpi_report(&self, actor: &Actor, params: KpiParams) -> AppResult<KpiReport> {
        actor.require_supervisor("reports")?;
        let calendar = self.engine().reporting_calendar();
        let zone = calendar.zone().clone();
        let today = zone.to_datetime(now()).date();
        let query = parse_query(&params, zone, today)?;
        let ex = || self.db().read();
        let previous_to = query.from.yesterday().unwrap_or(query.from);
        let previous_from = previous_to.checked_sub(query.to - query.from).unwrap_or(previous_to);
        let complete = store::readable_daily_rows_width(ex()).await?;
        let (totals, previous, groups) = match daily_plan(&query.filter, query.group, complete) {
            // The daily rows. The totals come from the filter's own slice (all tickets, a
            // team, ...): the same numbers as the groups added up, from a row a day.
            Some(plan) => {
                // Week rows are filled with the widest slices.
                let weeks = complete == Some(Dim::ALL.len());
                let (totals, previous, groups) = tokio::try_join!(
                    store::sum_days(ex(), query.from, query.to, &plan.totals, DayGroup::None, weeks),
                    store::sum_days(ex(), previous_from, previous_to, &plan.totals, DayGroup::None, weeks),
                    async {
                        match plan.group {
                            None => Ok(Vec::new()),
                            Some(by) => store::sum_days(ex(), query.from, query.to, &plan.groups, by, weeks).await,
                        }
                    },
                )?;
                (sum_one(totals), sum_one(previous), groups)
            }
            // Slices not yet filled after an upgrade: the hourly rows.
            None => {
                let start = day_start_hour(query.from, &query.zone);
                let end = day_start_hour(query.to.tomorrow().unwrap_or(query.to), &query.zone);
                let length = end - start;
                let group_rows = match query.group {
                    Some(Grouping::Rows(group)) => Some(group),
                    Some(Grouping::Day) => Some(RowGroup::Hour),
                    None => None,
                };
                let (totals, previous, groups) = tokio::try_join!(
                    store::sum_rows(ex(), start, end, &query.filter, None, true),
                    store::sum_rows(ex(), start - length, start, &query.filter, None, true),
                    async {
                        match group_rows {
                            Some(group) => store::sum_rows(ex(), start, end, &query.filter, Some(group), true).await,
                            None => Ok(Vec::new()),
                        }
                    },
                )?;
                let groups = if query.group == Some(Grouping::Day) {
                    let mut days: BTreeMap<String, Delta> = BTreeMap::new();
                    for (hour, delta) in groups {
                        let Ok(hour) = hour.parse::<i64>() else { continue };
                        let date = query.zone.to_datetime(hour_start(hour)).date();
                        days.entry(date.to_string()).or_default().merge(&delta);
                    }
                    days.into_iter().collect()
                } else {
                    groups
                };
                (sum_one(totals), sum_one(previous), groups)
            }
        };
        let groups = match query.group {
            None => Vec::new(),
            Some(Grouping::Day) => {
                // Every day of the range, the quiet ones too.
                let mut by_day: BTreeMap<String, Delta> = groups.into_iter().collect();
                let mut out = Vec::new();
                let mut day = query.from;
                while day <= query.to {
                    let key = day.to_string();
                    let delta = by_day.remove(&key).unwrap_or_default();
                    out.push(KpiGroup {
                        label: key.clone(),
                        key,
                        kpis: Kpis::of(&delta),
                    });
                    day = match day.tomorrow() {
                        Ok(next) => next,
                        Err(_) => break,
                    };
                }
                out
            }
            Some(Grouping::Rows(group)) => {
                let labels = self.group_labels(group).await?;
                groups
                    .into_iter()
                    .map(|(key, delta)| {
                        let key = if key == "0" && matches!(group, RowGroup::Dim(Dim::Team | Dim::Agent)) {
                            "none".to_string()
                        } else {
                            key
                        };
                        KpiGroup {
                            label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
                            key,
                            kpis: Kpis::of(&delta),
                        }
                    })
                    .collect()
            }
        };
        let cursor = store::cursor(ex()).await?;
        let last = kefu_store::timeline::last_event_id(ex()).await?;
        Ok(KpiReport {
            from: query.from.to_string(),
            to: query.to.to_string(),
            zone: query.zone.iana_name().unwrap_or("UTC").to_string(),
            group: params.group.clone().filter(|g| !g.trim().is_empty()),
            totals: Kpis::of(&totals),
            previous: Kpis::of(&previous),
            previous_from: previous_from.to_string(),
            previous_to: previous_to.to_string(),
            groups,
            pending_events: (last - cursor).max(0),
        })
    }

    /// Names for team and agent ids.
    async fn group_labels(&self, group: RowGroup) -> AppResult<HashMap<String, String>> {
        Ok(match group {
            RowGroup::Dim(Dim::Team) => kefu_store::people::list_teams(self.db().read())
                .await?
                .into_iter()
                .map(|t| (t.id.to_string(), t.name))
                .collect(),
            RowGroup::Dim(Dim::Agent) => kefu_store::people::list_agents(self.db().read())
                .await?
                .into_iter()
                .map(|a| (a.id.to_string(), a.name))
                .collect(),
            _ => HashMap::new(),
        })
    }
}

/// The daily rows a report reads.
struct DailyPlan {
    /// The filter's slice, every dimension fixed: the totals.
    totals: DaySlice,
    /// The slice of the filter and the grouping, and how its rows are grouped.
    groups: DaySlice,
    group: Option<DayGroup>,
}

/// Which daily rows answer a report; `None` when the filter and grouping need a slice
/// wider than the `complete` ones (an upgraded database whose wider slices are not filled
/// yet, a rebuild in progress).
fn daily_plan(filter: &RowFilter, group: Option<Grouping>, complete: Option<usize>) -> Option<DailyPlan> {
    let id = |id: Option<Id>| id.unwrap_or(0).to_string();
    let fixed: Vec<(Dim, String)> = [
        filter.team_id.map(|t| (Dim::Team, id(t))),
        filter.agent_id.map(|a| (Dim::Agent, id(a))),
        filter.channel.map(|c| (Dim::Channel, c.as_str().to_string())),
        filter.kind.map(|k| (Dim::Kind, k.as_str().to_string())),
        filter.priority.map(|p| (Dim::Priority, p.as_str().to_string())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let by = match group {
        None => None,
        Some(Grouping::Day) => Some(DayGroup::Day),
        Some(Grouping::Rows(RowGroup::Dim(dim))) => Some(DayGroup::Dim(dim)),
        Some(Grouping::Rows(RowGroup::Hour)) => return None,
    };
    let fixed_dims: Vec<Dim> = fixed.iter().map(|(dim, _)| *dim).collect();
    let mut dims = fixed_dims.clone();
    if let Some(DayGroup::Dim(dim)) = by {
        dims.push(dim);
    }
    let slice = Slice::of(&dims);
    if complete.is_none_or(|width| slice.width() > width) {
        return None;
    }
    let rows = |slice: Slice| DaySlice {
        slice,
        values: slice
            .dims()
            .map(|dim| fixed.iter().find(|(d, _)| *d == dim).map(|(_, value)| value.clone()))
            .collect(),
    };
    Some(DailyPlan {
        totals: rows(Slice::of(&fixed_dims)),
        groups: rows(slice),
        group: by,
    })
}

fn sum_one(groups: Vec<(String, Delta)>) -> Delta {
    let mut total = Delta::default();
    for (_, delta) in &groups {
        total.merge(delta);
    }
    total
}

/// The supervisor's dashboard: the department now and today so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub zone: String,
    /// Unfinished tickets.
    pub open: i64,
    pub unassigned: i64,
    /// Waiting on the customer (pending).
    pub waiting: i64,
    pub on_hold: i64,
    pub sla_at_risk: i64,
    pub sla_breached: i64,
    /// Unfinished tickets by age: up to 1 h, 4 h, 24 h, 72 h, older.
    pub backlog_by_age: Vec<i64>,
    pub oldest_unassigned: Option<OldestTicket>,
    pub agents: Vec<AgentLoad>,
    /// Today (in the reporting zone) so far.
    pub today: Kpis,
    /// The same hours of the same weekday a week before, for comparison.
    pub last_week: Kpis,
    /// CSAT (built-in `csat` survey) answered today so far, and in the same hours a week
    /// before.
    pub csat_today: Csat,
    pub csat_last_week: Csat,
}

/// A CSAT figure with its sample.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Csat {
    /// Share of answers rating 4 or 5, in percent; `None` without answers.
    pub percent: Option<f64>,
    pub answers: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OldestTicket {
    pub number: i64,
    pub waiting_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentLoad {
    pub id: Id,
    pub name: String,
    pub presence: Presence,
    /// Unfinished tickets assigned.
    pub open: i64,
    pub capacity: i64,
}

impl App {
    pub async fn dashboard(&self, actor: &Actor) -> AppResult<Dashboard> {
        actor.require_supervisor("the dashboard")?;
        let at = now();
        let calendar = self.engine().reporting_calendar();
        let zone = calendar.zone().clone();
        let today = zone.to_datetime(at).date();
        let start = day_start_hour(today, &zone);
        let end = hour_of(at) + 1;
        let week = 7 * 24;
        let a_week = SignedDuration::from_hours(week);
        let read = || self.db().read();
        // Side by side: the live counts, the hourly department totals of today and of the
        // same hours a week before, and the CSAT of both.
        let (live, counts, agents, today_rows, last_week_rows, csat_today, csat_last_week) = tokio::try_join!(
            async { Ok::<_, AppError>(store::live_counts(read(), at).await?) },
            async { Ok(kefu_store::inbox_counts::all_counts(read()).await?) },
            async { Ok(kefu_store::people::list_agents(read()).await?) },
            async { Ok(store::sum_totals(read(), start, end).await?) },
            async { Ok(store::sum_totals(read(), start - week, end - week).await?) },
            self.csat_between(actor, hour_start(start), at),
            self.csat_between(actor, hour_start(start) - a_week, at - a_week),
        )?;
        let count_of =
            |wanted: &dyn Fn(&kefu_domain::inbox::CountKey) -> bool| counts.iter().filter(|(k, _)| wanted(k)).map(|(_, n)| n).sum::<i64>();
        use kefu_domain::inbox::CountKey;
        let status = |name: &str| live.by_status.iter().find(|(s, _)| s == name).map_or(0, |(_, b)| b.iter().sum());
        let mut backlog_by_age = vec![0; store::AGE_BUCKETS.len()];
        for (_, buckets) in &live.by_status {
            for (total, n) in backlog_by_age.iter_mut().zip(buckets) {
                *total += n;
            }
        }
        let agents = agents
            .into_iter()
            .filter(|a| a.active)
            .map(|a| AgentLoad {
                open: count_of(&|k| *k == CountKey::Assigned(a.id)),
                id: a.id,
                name: a.name,
                presence: a.presence,
                capacity: a.capacity,
            })
            .collect();
        Ok(Dashboard {
            at,
            zone: zone.iana_name().unwrap_or("UTC").to_string(),
            open: backlog_by_age.iter().sum(),
            unassigned: count_of(&|k| matches!(k, CountKey::Unassigned(_))),
            waiting: status("pending"),
            on_hold: status("on_hold"),
            sla_at_risk: live.sla_at_risk,
            sla_breached: live.sla_breached,
            backlog_by_age,
            oldest_unassigned: live.oldest_unassigned.map(|(number, created)| OldestTicket {
                number,
                waiting_minutes: at.duration_since(created).as_mins(),
            }),
            agents,
            today: Kpis::of(&today_rows),
            last_week: Kpis::of(&last_week_rows),
            csat_today,
            csat_last_week,
        })
    }

    /// CSAT of the answers given in `[from, to)`, from the satisfaction report.
    async fn csat_between(&self, actor: &Actor, from: Timestamp, to: Timestamp) -> AppResult<Csat> {
        let report = self
            .survey_report(
                actor,
                crate::survey_report::ReportParams {
                    design: kefu_domain::survey::builtin::CSAT.into(),
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                },
            )
            .await?;
        Ok(Csat {
            percent: report.headline.value,
            answers: report.headline.n,
        })
    }
}

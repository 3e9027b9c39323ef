//! The analytics rollups (`kpi_hours`), the per-ticket fold state and the reactor's
//! cursor. The reactor moves all three in one transaction per batch, so a crash repeats a
//! batch whole or not at all, and the cursor row's lock keeps two nodes from folding the
//! same events.

use crate::Tx;
use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, ts, wire};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::analytics::fold::{Seed, TicketTrack};
use kefu_domain::analytics::sketch::Durations;
use kefu_domain::analytics::{Counter, DayKey, Delta, DeltaSum, Dim, Dims, RowKey, SketchKind, Slice, Span, week_start};
use kefu_domain::entities::{ActorRef, Id};
use kefu_domain::enums::{ActorKind, Channel, Priority, TicketKind};
use kefu_domain::event::{EventKind, TicketEvent};
use kefu_domain::status::Status;
use sea_query::{Alias, BinOper, Expr, ExprTrait, LikeExpr, OnConflict, Query, SelectStatement, Value, ValueTuple};
use sqlx::Row;
use std::collections::BTreeMap;

const KEY: [&str; 6] = ["hour", "team_id", "agent_id", "channel", "kind", "priority"];

/// The event the rollups include, locked until the batch commits; `None` when another
/// node holds the lock (PostgreSQL): that node is folding, and waiting for it inside the
/// shared write transaction would hold up this node's commands.
pub async fn lock_cursor(tx: &mut Tx) -> StoreResult<Option<Id>> {
    Ok(lock_cursor_row(tx, "analytics_cursor").await?.map(|p| p.event_id))
}

/// Row 1 of a reactor's cursor table (`table` is one of ours, never input), locked as
/// [`lock_cursor`] says.
pub(crate) async fn lock_cursor_row(tx: &mut Tx, table: &'static str) -> StoreResult<Option<FoldPosition>> {
    let select = format!("SELECT event_id, rebuilt_at FROM {table} WHERE id = 1");
    let row: Option<(i64, Option<i64>)> = match tx.exec() {
        Exec::PgConn(c) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{select} FOR UPDATE SKIP LOCKED")))
                .fetch_optional(c)
                .await?
        }
        other => exec!(other, e => sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).fetch_optional(e).await)?,
    };
    Ok(row.map(|(event_id, rebuilt_at)| FoldPosition { event_id, rebuilt_at }))
}

/// Row 1 of a reactor's cursor table, read without a lock.
pub(crate) async fn cursor_row(ex: Exec<'_>, table: &'static str) -> StoreResult<FoldPosition> {
    let select = format!("SELECT event_id, rebuilt_at FROM {table} WHERE id = 1");
    let (event_id, rebuilt_at): (i64, Option<i64>) =
        exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).fetch_one(e).await)?;
    Ok(FoldPosition { event_id, rebuilt_at })
}

/// Moves row 1 of a reactor's cursor table back to the start and marks the restart with
/// an instant later than any earlier one (two rebuilds within a millisecond still differ).
pub(crate) async fn restart_cursor_row(tx: &mut Tx, table: &'static str, at: Timestamp) -> StoreResult<()> {
    mark_cursor_row(tx, table, "event_id = 0,", at).await
}

/// Sets `rebuilt_at` of row 1 of a reactor's cursor table to an instant later than any
/// earlier one, after the other `assignments` (ours, never input).
async fn mark_cursor_row(tx: &mut Tx, table: &'static str, assignments: &'static str, at: Timestamp) -> StoreResult<()> {
    let update = format!(
        "UPDATE {table} SET {assignments} \
         rebuilt_at = CASE WHEN rebuilt_at >= $1 THEN rebuilt_at + 1 ELSE $1 END WHERE id = 1"
    );
    exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(update.clone())).bind(ms(at)).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// Moves the fold's position without moving its cursor: rows were rewritten outside a
/// batch (a fill after an upgrade), so a batch that read them before must not write.
pub async fn mark_rewritten(tx: &mut Tx, at: Timestamp) -> StoreResult<()> {
    mark_cursor_row(tx, "analytics_cursor", "", at).await
}

/// Like [`lock_cursor`], but waits for the lock (a rebuild must not run beside a batch).
async fn wait_for_cursor(tx: &mut Tx) -> StoreResult<()> {
    // SQLite has one writer: nothing else runs beside this transaction.
    if let Exec::PgConn(c) = tx.exec() {
        sqlx::query("SELECT event_id FROM analytics_cursor WHERE id = 1 FOR UPDATE")
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Where a reactor (the KPI fold, the topic counts) stands: the last event folded, and
/// when its rollups were last emptied or rewritten outside a batch. A batch merged outside
/// the writer is written only if this has not changed since it read: the event id alone
/// can come back to the same value after a rebuild, and stays the same across a fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldPosition {
    pub event_id: Id,
    rebuilt_at: Option<i64>,
}

/// The fold's position, read without a lock.
pub async fn position(ex: Exec<'_>) -> StoreResult<FoldPosition> {
    cursor_row(ex, "analytics_cursor").await
}

/// The fold's position, locked for this transaction as [`lock_cursor`] locks it; `None`
/// when another node's batch holds it.
pub async fn lock_position(tx: &mut Tx) -> StoreResult<Option<FoldPosition>> {
    lock_cursor_row(tx, "analytics_cursor").await
}

/// The event the rollups include (read without a lock, for status pages).
pub async fn cursor(ex: Exec<'_>) -> StoreResult<Id> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT event_id FROM analytics_cursor WHERE id = 1").fetch_one(e).await)?;
    Ok(id)
}

pub async fn set_cursor(tx: &mut Tx, event_id: Id) -> StoreResult<()> {
    exec!(tx.exec(), e => sqlx::query("UPDATE analytics_cursor SET event_id = $1 WHERE id = 1").bind(event_id).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// Empties the rollups (KPIs and hot-issue topics) and the fold state and moves the cursor back to the start, so the
/// reactor folds every event again.
pub async fn clear(tx: &mut Tx, at: Timestamp) -> StoreResult<()> {
    // A batch in flight on another node commits first; its rows are then deleted too.
    wait_for_cursor(tx).await?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM kpi_hours").execute(e).await.map(|_| ()))?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM kpi_days").execute(e).await.map(|_| ()))?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM kpi_hour_totals").execute(e).await.map(|_| ()))?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM kpi_stale_days").execute(e).await.map(|_| ()))?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM analytics_tracks").execute(e).await.map(|_| ()))?;
    // The refold folds the hourly rows, then fills every day's rows from them.
    set_daily_rows_width(tx, None).await?;
    crate::hot_issues::clear(tx, at).await?;
    restart_cursor_row(tx, "analytics_cursor", at).await
}

/// Events to fold, and the id of the last one read (the cursor moves past it even when
/// that one could not be read).
pub struct EventBatch {
    pub events: Vec<FoldEvent>,
    pub last_id: Option<Id>,
    /// Events read, the left-out ones included.
    pub scanned: usize,
}

/// An event to fold, with the id of its ticket.
pub struct FoldEvent {
    pub ticket_id: Id,
    pub event: TicketEvent,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    ticket_id: i64,
    number: i64,
    kind: String,
    actor_kind: String,
    actor_id: Option<i64>,
    data: String,
    created_at: i64,
}

/// Up to `limit` events after `after_id`, oldest first; with `settled_before`, they stop
/// at the first event stamped at or after it (on PostgreSQL a transaction can commit a
/// smaller id after a larger one: waiting a moment keeps the cursor from passing it, and
/// stopping at the first young event keeps the batch a prefix of the ids).
pub async fn events_after(ex: Exec<'_>, after_id: Id, limit: u32, settled_before: Option<Timestamp>) -> StoreResult<EventBatch> {
    let before = settled_before.map_or(i64::MAX, ms);
    let mut rows: Vec<EventRow> = exec!(ex, e => sqlx::query_as(
        "SELECT e.id, e.ticket_id, t.number, e.kind, e.actor_kind, e.actor_id, e.data, e.created_at \
         FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.id > $1 ORDER BY e.id LIMIT $2")
        .bind(after_id).bind(i64::from(limit)).fetch_all(e).await)?;
    if let Some(young) = rows.iter().position(|r| r.created_at >= before) {
        rows.truncate(young);
    }
    // An event that cannot be read (a kind from a newer version, damaged data) is left
    // out with a warning: stopping would hold back every later event.
    let read = |r: EventRow| -> StoreResult<FoldEvent> {
        Ok(FoldEvent {
            ticket_id: r.ticket_id,
            event: TicketEvent {
                id: r.id,
                ticket_number: r.number,
                kind: wire(EventKind::parse, "event kind", &r.kind)?,
                actor: ActorRef {
                    kind: wire(ActorKind::parse, "actor kind", &r.actor_kind)?,
                    id: r.actor_id,
                },
                data: serde_json::from_str(&r.data).map_err(|_| corrupt("event data", &r.data))?,
                at: ts(r.created_at)?,
            },
        })
    };
    let last_id = rows.last().map(|r| r.id);
    let scanned = rows.len();
    let events = rows
        .into_iter()
        .filter_map(|r| {
            let id = r.id;
            read(r)
                .map_err(|error| tracing::warn!(event = id, %error, "event left out of the KPI rollups"))
                .ok()
        })
        .collect();
    Ok(EventBatch { events, last_id, scanned })
}

/// What the tickets table says of each ticket, for events that do not carry it.
pub async fn seeds(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, Seed)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["id", "created_at", "team_id", "channel", "kind", "priority"])
        .from("tickets")
        .and_where(Expr::col("id").is_in(ticket_ids.iter().copied()));
    let rows: Vec<(i64, i64, Option<i64>, String, String, i16)> =
        exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(id, created_at, team_id, channel, kind, priority)| {
            Ok((
                id,
                Seed {
                    created_at: ts(created_at)?,
                    dims: Dims {
                        team_id,
                        agent_id: None,
                        channel: wire(Channel::parse, "channel", &channel)?,
                        kind: wire(TicketKind::parse, "ticket kind", &kind)?,
                        priority: Priority::from_rank(priority).ok_or_else(|| corrupt("priority", &priority.to_string()))?,
                    },
                },
            ))
        })
        .collect()
}

/// The stored fold state of these tickets (tickets never folded are absent).
pub async fn tracks(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, TicketTrack)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["ticket_id", "track"])
        .from("analytics_tracks")
        .and_where(Expr::col("ticket_id").is_in(ticket_ids.iter().copied()));
    let rows: Vec<(i64, String)> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(id, text)| Ok((id, serde_json::from_str(&text).map_err(|_| corrupt("analytics track", &text))?)))
        .collect()
}

pub async fn save_tracks(tx: &mut Tx, tracks: &[(Id, TicketTrack)]) -> StoreResult<()> {
    // Chunks keep the statement under the backends' bind-parameter limits.
    for chunk in tracks.chunks(1000) {
        let mut insert = Query::insert();
        insert
            .into_table("analytics_tracks")
            .columns(["ticket_id", "track"])
            .on_conflict(OnConflict::column("ticket_id").update_column("track").to_owned());
        for (id, track) in chunk {
            insert.values_panic([(*id).into(), crate::convert::to_json(track).into()]);
        }
        exec_built!(tx.exec(), insert, |e, sql, values| sqlx::query_with(sql, values)
            .execute(e)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// A rollup table's key: which table, its key columns, and the values.
trait StoredKey: Sized {
    const TABLE: &'static str;
    const KEY: &'static [&'static str];
    fn values(&self) -> Vec<Value>;
    fn parse(parts: &[String; 6]) -> StoreResult<Self>;
}

impl StoredKey for RowKey {
    const TABLE: &'static str = "kpi_hours";
    const KEY: &'static [&'static str] = &KEY;

    fn values(&self) -> Vec<Value> {
        vec![
            self.hour.into(),
            self.dims.team_id.unwrap_or(0).into(),
            self.dims.agent_id.unwrap_or(0).into(),
            self.dims.channel.as_str().into(),
            self.dims.kind.as_str().into(),
            self.dims.priority.as_str().into(),
        ]
    }

    fn parse(parts: &[String; 6]) -> StoreResult<Self> {
        let id = |text: &str| -> StoreResult<Option<Id>> {
            let id: i64 = text.parse().map_err(|_| corrupt("rollup id", text))?;
            Ok((id != 0).then_some(id))
        };
        Ok(RowKey {
            hour: parts[0].parse().map_err(|_| corrupt("rollup hour", &parts[0]))?,
            dims: Dims {
                team_id: id(&parts[1])?,
                agent_id: id(&parts[2])?,
                channel: wire(Channel::parse, "channel", &parts[3])?,
                kind: wire(TicketKind::parse, "ticket kind", &parts[4])?,
                priority: wire(Priority::parse, "priority", &parts[5])?,
            },
        })
    }
}

impl StoredKey for DayKey {
    const TABLE: &'static str = "kpi_days";
    const KEY: &'static [&'static str] = &["day", "slice", "slice_value"];

    fn values(&self) -> Vec<Value> {
        vec![self.day.to_string().into(), self.slice_name().into(), self.value.clone().into()]
    }

    fn parse(parts: &[String; 6]) -> StoreResult<Self> {
        let (slice, span) = Slice::parse_stored(&parts[1]).ok_or_else(|| corrupt("rollup slice", &parts[1]))?;
        Ok(DayKey {
            day: parts[0].parse().map_err(|_| corrupt("rollup day", &parts[0]))?,
            span,
            slice,
            value: parts[2].clone(),
        })
    }
}

/// The key of the department's totals for one UTC hour (`kpi_hour_totals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TotalHour(pub i64);

impl StoredKey for TotalHour {
    const TABLE: &'static str = "kpi_hour_totals";
    const KEY: &'static [&'static str] = &["hour"];

    fn values(&self) -> Vec<Value> {
        vec![self.0.into()]
    }

    fn parse(parts: &[String; 6]) -> StoreResult<Self> {
        Ok(TotalHour(parts[0].parse().map_err(|_| corrupt("rollup hour", &parts[0]))?))
    }
}

/// A row as read: its key's parts and its values.
struct RawRow {
    key: [String; 6],
    delta: Delta,
}

/// Which values a select reads after its key columns.
#[derive(Clone, Copy, PartialEq)]
enum Parts {
    Counters,
    Sketches,
    Both,
}

/// Runs `select` (its columns: `key_columns` text values, then every counter and/or every
/// sketch, as `parts` says) and reads the rows.
async fn fetch_rows(ex: Exec<'_>, select: SelectStatement, key_columns: usize, parts: Parts) -> StoreResult<Vec<RawRow>> {
    let counters = if parts == Parts::Sketches { 0 } else { Counter::ALL.len() };
    let rows = exec_built!(ex, select, |e, sql, values| {
        let rows = sqlx::query_with(sql, values).fetch_all(e).await?;
        rows.iter()
            .map(|row| {
                let mut key: [String; 6] = Default::default();
                for (i, part) in key.iter_mut().enumerate().take(key_columns) {
                    *part = row.try_get::<Option<String>, _>(i)?.unwrap_or_default();
                }
                let mut delta = Delta::default();
                for (i, &counter) in Counter::ALL.iter().enumerate().take(counters) {
                    let n: i64 = row.try_get::<Option<i64>, _>(key_columns + i)?.unwrap_or(0);
                    if n != 0 {
                        delta.add(counter, n);
                    }
                }
                if parts != Parts::Counters {
                    for (i, &kind) in SketchKind::ALL.iter().enumerate() {
                        let bytes: Option<Vec<u8>> = row.try_get(key_columns + counters + i)?;
                        if let Some(sketch) = bytes.as_deref().and_then(Durations::decode) {
                            delta.set_sketch(kind, sketch);
                        }
                    }
                }
                Ok::<_, sqlx::Error>(RawRow { key, delta })
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(rows)
}

/// Runs `select` (its columns: one text key, then every counter and/or every sketch, as
/// `columns` says) and adds the rows up per `group(key)`; sketches are merged from their
/// bytes, never decoded one by one (a report reads thousands of rows). The adding is CPU
/// work of up to tens of milliseconds: it runs on a blocking thread, so the server's async
/// workers go on serving other requests meanwhile.
async fn sum_fetched(
    ex: Exec<'_>,
    select: SelectStatement,
    columns: Parts,
    group: impl Fn(Option<&str>) -> String + Send + 'static,
) -> StoreResult<BTreeMap<String, Delta>> {
    let counters = if columns == Parts::Sketches { 0 } else { Counter::ALL.len() };
    exec_built!(ex, select, |e, sql, values| {
        let rows = sqlx::query_with(sql, values).fetch_all(e).await?;
        let added = tokio::task::spawn_blocking(move || {
            let mut sums: BTreeMap<String, DeltaSum> = BTreeMap::new();
            for row in &rows {
                let key = group(row.try_get::<Option<&str>, _>(0)?);
                let sum = sums.entry(key).or_default();
                for (i, &counter) in Counter::ALL.iter().enumerate().take(counters) {
                    let n: i64 = row.try_get::<Option<i64>, _>(1 + i)?.unwrap_or(0);
                    if n != 0 {
                        sum.add(counter, n);
                    }
                }
                if columns != Parts::Counters {
                    for (i, &kind) in SketchKind::ALL.iter().enumerate() {
                        if let Some(bytes) = row.try_get::<Option<&[u8]>, _>(1 + counters + i)? {
                            sum.add_encoded(kind, bytes);
                        }
                    }
                }
            }
            Ok::<_, sqlx::Error>(sums.into_iter().map(|(key, sum)| (key, sum.finish())).collect())
        })
        .await;
        Ok(joined(added)??)
    })
}

/// A task's result; a panic in it goes on unwinding here.
fn joined<T>(result: Result<T, tokio::task::JoinError>) -> StoreResult<T> {
    match result {
        Ok(value) => Ok(value),
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Err(_) => Err(crate::StoreError::ShuttingDown),
    }
}

/// A select of `table`'s rows: each of `key` as text, then every counter and every sketch
/// (what [`fetch_rows`] reads with [`Parts::Both`]).
fn select_whole_rows(key: &[&str], table: &'static str) -> SelectStatement {
    let mut select = Query::select();
    for column in key {
        select.expr(Expr::cust(format!("CAST({column} AS TEXT)")));
    }
    select
        .columns(Counter::ALL.iter().map(|c| Alias::new(c.column())))
        .columns(SketchKind::ALL.iter().map(|k| Alias::new(k.column())))
        .from(Alias::new(table));
    select
}

/// The stored rows with these keys.
async fn stored_rows<K: StoredKey>(mut ex: Exec<'_>, keys: &[K]) -> StoreResult<Vec<(K, Delta)>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        let mut select = select_whole_rows(K::KEY, K::TABLE);
        select.and_where(
            Expr::tuple(K::KEY.iter().map(|c| Expr::col(Alias::new(*c)))).in_tuples(chunk.iter().map(|key| ValueTuple::Many(key.values()))),
        );
        for row in fetch_rows(ex.reborrow(), select, K::KEY.len(), Parts::Both).await? {
            out.push((K::parse(&row.key)?, row.delta));
        }
    }
    Ok(out)
}

/// Writes whole rows (inserted, or replacing the stored values).
async fn put_stored_rows<K: StoredKey>(tx: &mut Tx, rows: &[(K, Delta)]) -> StoreResult<()> {
    let columns: Vec<&str> = K::KEY
        .iter()
        .copied()
        .chain(Counter::ALL.iter().map(|c| c.column()))
        .chain(SketchKind::ALL.iter().map(|k| k.column()))
        .collect();
    // Both backends take at least 32 766 parameters.
    for chunk in rows.chunks(30_000 / columns.len()) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(K::TABLE))
            .columns(columns.iter().map(|c| Alias::new(*c)));
        let mut on_conflict = OnConflict::columns(K::KEY.iter().map(|c| Alias::new(*c)));
        on_conflict.update_columns(columns[K::KEY.len()..].iter().map(|c| Alias::new(*c)));
        insert.on_conflict(on_conflict);
        for (key, delta) in chunk {
            let mut values: Vec<Expr> = key.values().into_iter().map(Expr::val).collect();
            values.extend(Counter::ALL.iter().map(|&c| Expr::val(delta.get(c))));
            values.extend(SketchKind::ALL.iter().map(|&k| Expr::val(delta.sketch(k).map(Durations::encode))));
            insert.values_panic(values);
        }
        exec_built!(tx.exec(), insert, |e, sql, values| sqlx::query_with(sql, values)
            .execute(e)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// The stored hourly rows with these keys.
pub async fn rows(ex: Exec<'_>, keys: &[RowKey]) -> StoreResult<Vec<(RowKey, Delta)>> {
    stored_rows(ex, keys).await
}

pub async fn put_rows(tx: &mut Tx, rows: &[(RowKey, Delta)]) -> StoreResult<()> {
    put_stored_rows(tx, rows).await
}

/// The stored daily rows with these keys.
pub async fn day_rows(ex: Exec<'_>, keys: &[DayKey]) -> StoreResult<Vec<(DayKey, Delta)>> {
    stored_rows(ex, keys).await
}

pub async fn put_day_rows(tx: &mut Tx, rows: &[(DayKey, Delta)]) -> StoreResult<()> {
    put_stored_rows(tx, rows).await
}

pub async fn total_rows(ex: Exec<'_>, keys: &[TotalHour]) -> StoreResult<Vec<(TotalHour, Delta)>> {
    stored_rows(ex, keys).await
}

pub async fn put_total_rows(tx: &mut Tx, rows: &[(TotalHour, Delta)]) -> StoreResult<()> {
    put_stored_rows(tx, rows).await
}

/// A one-off fill of rollups that a newer version keeps and an older one did not, from the
/// hourly rows; a flag in the cursor row says it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The department's totals per hour (`kpi_hour_totals`).
    HourTotals,
}

impl Fill {
    fn column(self) -> &'static str {
        match self {
            Fill::HourTotals => "totals_backfilled",
        }
    }
}

/// Whether `fill` is done (or was never needed: a rebuild folds everything anew).
pub async fn filled(ex: Exec<'_>, fill: Fill) -> StoreResult<bool> {
    let select = format!("SELECT {} FROM analytics_cursor WHERE id = 1", fill.column());
    let (done,): (bool,) = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).fetch_one(e).await)?;
    Ok(done)
}

pub async fn set_filled(tx: &mut Tx, fill: Fill) -> StoreResult<()> {
    let update = format!("UPDATE analytics_cursor SET {} = TRUE WHERE id = 1", fill.column());
    exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(update.clone())).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// Up to how many dimensions the daily slices' rows are complete (`None`: no daily row
/// is, a rebuild has folded only the hourly rows); reports needing a wider slice read the
/// hourly rows.
pub async fn daily_rows_width(ex: Exec<'_>) -> StoreResult<Option<usize>> {
    let (width,): (i16,) = exec!(ex, e => sqlx::query_as("SELECT daily_rows_width FROM analytics_cursor WHERE id = 1").fetch_one(e).await)?;
    Ok(usize::try_from(width).ok())
}

pub async fn set_daily_rows_width(tx: &mut Tx, width: Option<usize>) -> StoreResult<()> {
    let width = width.and_then(|w| i16::try_from(w).ok()).unwrap_or(-1);
    exec!(tx.exec(), e => sqlx::query("UPDATE analytics_cursor SET daily_rows_width = $1 WHERE id = 1")
        .bind(width).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// Up to how many dimensions reports may read the daily rows: [`daily_rows_width`], but
/// `None` while any day's rows are stale (a catch-up has folded only the hourly rows).
pub async fn readable_daily_rows_width(ex: Exec<'_>) -> StoreResult<Option<usize>> {
    let (width,): (i16,) = exec!(ex, e => sqlx::query_as(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM kpi_stale_days) THEN CAST(-1 AS SMALLINT) ELSE daily_rows_width END \
         FROM analytics_cursor WHERE id = 1").fetch_one(e).await)?;
    Ok(usize::try_from(width).ok())
}

/// A day whose daily and weekly rows lack what a catch-up folded into the hourly rows
/// (migration 0023), and how many batches have listed it so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleDay {
    pub day: jiff::civil::Date,
    pub marks: i64,
}

/// Lists `days` as stale, or counts one more mark for a day listed already.
pub async fn mark_stale_days(tx: &mut Tx, days: &[jiff::civil::Date]) -> StoreResult<()> {
    for day in days {
        exec!(tx.exec(), e => sqlx::query(
            "INSERT INTO kpi_stale_days (day, marks) VALUES ($1, 1) \
             ON CONFLICT (day) DO UPDATE SET marks = kpi_stale_days.marks + 1")
            .bind(day.to_string()).execute(e).await.map(|_| ()))?;
    }
    Ok(())
}

/// The stale days, oldest first.
pub async fn stale_days(ex: Exec<'_>) -> StoreResult<Vec<StaleDay>> {
    let days: Vec<(String, i64)> = exec!(ex, e => sqlx::query_as("SELECT day, marks FROM kpi_stale_days ORDER BY day").fetch_all(e).await)?;
    days.into_iter()
        .map(|(day, marks)| {
            Ok(StaleDay {
                day: day.parse().map_err(|_| corrupt("stale day", &day))?,
                marks,
            })
        })
        .collect()
}

/// Takes `days` off the stale list (their rows were just set from the hourly rows), each
/// only if no batch has listed it again since it was read.
pub async fn clear_stale_days(tx: &mut Tx, days: &[StaleDay]) -> StoreResult<()> {
    for stale in days {
        exec!(tx.exec(), e => sqlx::query("DELETE FROM kpi_stale_days WHERE day = $1 AND marks = $2")
            .bind(stale.day.to_string()).bind(stale.marks).execute(e).await.map(|_| ()))?;
    }
    Ok(())
}

/// How many events follow `after_id`, counted up to `cap`.
pub async fn events_after_count(ex: Exec<'_>, after_id: Id, cap: u32) -> StoreResult<u32> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ticket_events WHERE id > $1 LIMIT $2) AS behind")
        .bind(after_id).bind(i64::from(cap)).fetch_one(e).await)?;
    Ok(u32::try_from(n).unwrap_or(cap))
}

/// The first hour at or after `from_hour` that has hourly rows.
pub async fn next_rollup_hour(ex: Exec<'_>, from_hour: i64) -> StoreResult<Option<i64>> {
    let (hour,): (Option<i64>,) = exec!(ex, e => sqlx::query_as(
        "SELECT MIN(hour) FROM kpi_hours WHERE hour >= $1").bind(from_hour).fetch_one(e).await)?;
    Ok(hour)
}

/// The day rows of days `[from, to]` of every slice kept by week (a week's rows are their
/// sums).
pub async fn weekly_slices_day_rows(ex: Exec<'_>, from: jiff::civil::Date, to: jiff::civil::Date) -> StoreResult<Vec<(DayKey, Delta)>> {
    let slices = Slice::kept()
        .filter(|slice| slice.width() <= Span::WEEK_MAX_WIDTH)
        .map(|slice| slice.stored_name(Span::Day));
    let mut select = select_whole_rows(DayKey::KEY, DayKey::TABLE);
    select
        .and_where(Expr::col("slice").is_in(slices))
        .and_where(Expr::col("day").gte(from.to_string()))
        .and_where(Expr::col("day").lte(to.to_string()));
    fetch_rows(ex, select, DayKey::KEY.len(), Parts::Both)
        .await?
        .into_iter()
        .map(|row| Ok((DayKey::parse(&row.key)?, row.delta)))
        .collect()
}

/// Every hourly row of the hours `[from_hour, to_hour)`.
pub async fn hour_rows(ex: Exec<'_>, from_hour: i64, to_hour: i64) -> StoreResult<Vec<(RowKey, Delta)>> {
    let mut select = select_whole_rows(&KEY, "kpi_hours");
    select
        .and_where(Expr::col("hour").gte(from_hour))
        .and_where(Expr::col("hour").lt(to_hour));
    fetch_rows(ex, select, KEY.len(), Parts::Both)
        .await?
        .into_iter()
        .map(|row| Ok((RowKey::parse(&row.key)?, row.delta)))
        .collect()
}

/// Sets the department totals of up to `limit` hours after `after` that have hourly rows
/// to the sum of those rows; the last hour done, `None` when no hour is left.
pub async fn refill_totals(tx: &mut Tx, after: i64, limit: i64) -> StoreResult<Option<i64>> {
    let hours: Vec<(i64,)> = exec!(tx.exec(), e => sqlx::query_as(
        "SELECT DISTINCT hour FROM kpi_hours WHERE hour > $1 ORDER BY hour LIMIT $2")
        .bind(after).bind(limit).fetch_all(e).await)?;
    let (Some(&(first,)), Some(&(last,))) = (hours.first(), hours.last()) else {
        return Ok(None);
    };
    let rows = sum_rows(tx.exec(), first, last + 1, &RowFilter::default(), Some(RowGroup::Hour), true).await?;
    let totals = rows
        .into_iter()
        .map(|(hour, delta)| Ok((TotalHour(hour.parse().map_err(|_| corrupt("rollup hour", &hour))?), delta)))
        .collect::<StoreResult<Vec<_>>>()?;
    put_total_rows(tx, &totals).await?;
    Ok(Some(last))
}

/// The department's totals over the hours `from_hour .. to_hour` (end excluded): a row
/// per hour, whatever the dimensions.
pub async fn sum_totals(ex: Exec<'_>, from_hour: i64, to_hour: i64) -> StoreResult<Delta> {
    let mut select = Query::select();
    select
        .expr(Expr::cust("CAST(NULL AS TEXT)"))
        .columns(Counter::ALL.iter().map(|c| Alias::new(c.column())))
        .columns(SketchKind::ALL.iter().map(|k| Alias::new(k.column())))
        .from("kpi_hour_totals")
        .and_where(Expr::col("hour").gte(from_hour))
        .and_where(Expr::col("hour").lt(to_hour));
    let totals = sum_fetched(ex, select, Parts::Both, |_| String::new()).await?;
    Ok(totals.into_values().next().unwrap_or_default())
}

/// Which rows a report reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowFilter {
    pub team_id: Option<Option<Id>>,
    pub agent_id: Option<Option<Id>>,
    pub channel: Option<Channel>,
    pub kind: Option<TicketKind>,
    pub priority: Option<Priority>,
}

/// What a report's rows are summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowGroup {
    Hour,
    Dim(Dim),
}

impl RowGroup {
    fn column(self) -> &'static str {
        match self {
            RowGroup::Hour => "hour",
            RowGroup::Dim(dim) => dim.column(),
        }
    }
}

/// The rows of hours `[from_hour, to_hour)` that pass `filter`, summed per value of
/// `group` (one unnamed group without one). Counters are summed by the database; with
/// `with_sketches` the rows' sketches are read and merged here.
pub async fn sum_rows(
    ex: Exec<'_>,
    from_hour: i64,
    to_hour: i64,
    filter: &RowFilter,
    group: Option<RowGroup>,
    with_sketches: bool,
) -> StoreResult<Vec<(String, Delta)>> {
    let key = group.map(|g| format!("CAST({} AS TEXT)", g.column()));
    let restrict = |select: &mut SelectStatement, &(from_hour, to_hour): &(i64, i64)| {
        select
            .from("kpi_hours")
            .and_where(Expr::col("hour").gte(from_hour))
            .and_where(Expr::col("hour").lt(to_hour));
        if let Some(team) = filter.team_id {
            select.and_where(Expr::col("team_id").eq(team.unwrap_or(0)));
        }
        if let Some(agent) = filter.agent_id {
            select.and_where(Expr::col("agent_id").eq(agent.unwrap_or(0)));
        }
        if let Some(channel) = filter.channel {
            select.and_where(Expr::col("channel").eq(channel.as_str()));
        }
        if let Some(kind) = filter.kind {
            select.and_where(Expr::col("kind").eq(kind.as_str()));
        }
        if let Some(priority) = filter.priority {
            select.and_where(Expr::col("priority").eq(priority.as_str()));
        }
    };
    let groups = sum_grouped(
        ex,
        key.as_deref(),
        &(from_hour, to_hour),
        &hour_halves(from_hour, to_hour),
        restrict,
        |key| key.unwrap_or_default().to_string(),
        with_sketches,
    )
    .await?;
    Ok(groups.into_iter().collect())
}

/// Sums the rollup rows that `restrict` picks in `whole` (it adds the FROM and WHERE for a
/// range) per value of the SQL expression `key` (one group without), each value mapped by
/// `group_of`. The database sums the counters over `whole`; the rows read one by one carry
/// only their sketches (with `with_sketches`; each value read is a copy, and most of a row
/// is counters), one read per range of `split` (`whole` cut into disjoint ranges). On a
/// pool the reads run side by side, each on a connection and a task of its own, so the
/// two halves of a long report are merged on both cores; the tasks are aborted if the
/// report is dropped. Inside a transaction they run one after another.
async fn sum_grouped<R>(
    mut ex: Exec<'_>,
    key: Option<&str>,
    whole: &R,
    split: &[R],
    restrict: impl Fn(&mut SelectStatement, &R),
    group_of: impl Fn(Option<&str>) -> String + Clone + Send + 'static,
    with_sketches: bool,
) -> StoreResult<BTreeMap<String, Delta>> {
    let key_expr = key.unwrap_or("CAST(NULL AS TEXT)");
    let mut counters = Query::select();
    counters.expr(Expr::cust(key_expr.to_string()));
    for counter in Counter::ALL {
        counters.expr(Expr::cust(format!("CAST(SUM({}) AS BIGINT)", counter.column())));
    }
    restrict(&mut counters, whole);
    if key.is_some() {
        counters.add_group_by([Expr::cust(key_expr.to_string())]);
    }
    let mut reads = vec![(counters, Parts::Counters)];
    if with_sketches {
        for range in split {
            let mut sketches = Query::select();
            sketches
                .expr(Expr::cust(key_expr.to_string()))
                .columns(SketchKind::ALL.iter().map(|k| Alias::new(k.column())));
            restrict(&mut sketches, range);
            reads.push((sketches, Parts::Sketches));
        }
    }
    let sums = match ex.pool() {
        Some(pool) => {
            let mut tasks = tokio::task::JoinSet::new();
            for (select, columns) in reads {
                let (pool, group_of) = (pool.clone(), group_of.clone());
                tasks.spawn(async move { sum_fetched(pool.exec(), select, columns, group_of).await });
            }
            let mut sums = Vec::new();
            while let Some(done) = tasks.join_next().await {
                sums.push(joined(done)??);
            }
            sums
        }
        None => {
            let mut sums = Vec::new();
            for (select, columns) in reads {
                sums.push(sum_fetched(ex.reborrow(), select, columns, group_of.clone()).await?);
            }
            sums
        }
    };
    let mut groups: BTreeMap<String, Delta> = BTreeMap::new();
    for (group, delta) in sums.into_iter().flatten() {
        groups.entry(group).or_default().merge(&delta);
    }
    Ok(groups)
}

/// A report over at least this many days reads the halves of its range side by side.
const LONG_DAYS: i64 = 14;

/// Hours `[from, to)` as one range, or as two halves when the range is long.
fn hour_halves(from: i64, to: i64) -> Vec<(i64, i64)> {
    if to - from < LONG_DAYS * 24 {
        return vec![(from, to)];
    }
    let middle = from + (to - from) / 2;
    vec![(from, middle), (middle, to)]
}

/// Days `[from, to]` (both included) as one range, or as two halves when the range is long.
fn day_halves(from: jiff::civil::Date, to: jiff::civil::Date) -> Vec<(jiff::civil::Date, jiff::civil::Date)> {
    // `until` counts the days between the two; the range holds one more.
    let days = from.until(to).map_or(0, |span| i64::from(span.get_days())) + 1;
    if days < LONG_DAYS {
        return vec![(from, to)];
    }
    let first_end = from.saturating_add(jiff::Span::new().days(days / 2 - 1));
    match first_end.tomorrow() {
        Ok(second_start) => vec![(from, first_end), (second_start, to)],
        Err(_) => vec![(from, to)],
    }
}

/// How daily rows are summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayGroup {
    /// One total.
    None,
    /// One group per day (key `YYYY-MM-DD`).
    Day,
    /// One group per value of this dimension of the slice.
    Dim(Dim),
}

/// Which daily rows a report reads: one slice, and for each of its dimensions (in the
/// slice's order) the value wanted, or `None` for every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySlice {
    pub slice: Slice,
    pub values: Vec<Option<String>>,
}

impl DaySlice {
    /// The condition on `slice_value` for days `[from, to]`: none when every value is
    /// wanted, equality when each dimension has one. With one dimension open among fixed
    /// ones (the one a report groups by), the values are those of that dimension's own
    /// slice in the same days, each completed with the fixed parts, so the primary key
    /// (slice, slice_value, day) reads just the rows wanted: a pattern on the value read
    /// every row of the slice in the range (tens of thousands a month for slices of four
    /// or five dimensions). Several open dimensions (no report asks for them) take a
    /// pattern.
    fn value_condition(&self, from: jiff::civil::Date, to: jiff::civil::Date) -> Option<Expr> {
        let separator = Slice::SEPARATOR.to_string();
        let fixed = |values: &[Option<String>]| values.iter().flatten().cloned().collect::<Vec<_>>().join(&separator);
        let open: Vec<usize> = (0..self.values.len()).filter(|&i| self.values[i].is_none()).collect();
        match open.as_slice() {
            _ if open.len() == self.values.len() => None,
            [] => Some(Expr::col("slice_value").eq(fixed(&self.values))),
            &[i] => {
                let dim = self.slice.dims().nth(i)?;
                let before = fixed(&self.values[..i]);
                let after = fixed(&self.values[i + 1..]);
                let before = if before.is_empty() {
                    before
                } else {
                    format!("{before}{separator}")
                };
                let after = if after.is_empty() { after } else { format!("{separator}{after}") };
                let mut values = Query::select();
                values
                    .distinct()
                    .expr(
                        Expr::val(before)
                            .binary(BinOper::Custom("||"), Expr::col("slice_value"))
                            .binary(BinOper::Custom("||"), Expr::val(after)),
                    )
                    .from("kpi_days")
                    .and_where(Expr::col("slice").eq(Slice::of(&[dim]).name()))
                    .and_where(Expr::col("day").gte(from.to_string()))
                    .and_where(Expr::col("day").lte(to.to_string()));
                Some(Expr::col("slice_value").in_subquery(values))
            }
            _ => {
                let pattern = self
                    .values
                    .iter()
                    .map(|value| value.as_deref().map_or_else(|| "%".to_string(), crate::tickets::escape_like))
                    .collect::<Vec<_>>()
                    .join(&separator);
                Some(Expr::col("slice_value").like(LikeExpr::new(pattern).escape('\\')))
            }
        }
    }
}

/// The daily rows of `rows` for days `[from, to]`, summed as `group` says; sketches
/// merged here.
pub async fn sum_days(
    ex: Exec<'_>,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    rows: &DaySlice,
    group: DayGroup,
    read_weeks: bool,
) -> StoreResult<Vec<(String, Delta)>> {
    let key = match group {
        DayGroup::None => None,
        DayGroup::Day => Some("day"),
        DayGroup::Dim(_) => Some("slice_value"),
    };
    // Whole weeks of the range from their week rows, where the slice keeps them and the
    // report is not by day: a row per week and group instead of seven.
    let weekly = read_weeks && group != DayGroup::Day && rows.slice.width() <= Span::WEEK_MAX_WIDTH;
    let restrict = |select: &mut SelectStatement, &(from, to): &(jiff::civil::Date, jiff::civil::Date)| {
        let days = rows.slice.stored_name(Span::Day);
        select
            .from("kpi_days")
            .and_where(Expr::col("day").gte(from.to_string()))
            .and_where(Expr::col("day").lte(to.to_string()));
        match whole_weeks(from, to).filter(|_| weekly) {
            None => {
                select.and_where(Expr::col("slice").eq(days));
            }
            Some((first, last)) => {
                let weeks = rows.slice.stored_name(Span::Week);
                let after_last = last.saturating_add(jiff::Span::new().days(6));
                let week_rows = Expr::col("slice")
                    .eq(weeks.clone())
                    .and(Expr::col("day").gte(first.to_string()))
                    .and(Expr::col("day").lte(last.to_string()));
                let day_rows = Expr::col("slice").eq(days.clone()).and(
                    Expr::col("day")
                        .lt(first.to_string())
                        .or(Expr::col("day").gt(after_last.to_string())),
                );
                select
                    .and_where(Expr::col("slice").is_in([days, weeks]))
                    .and_where(week_rows.or(day_rows));
            }
        }
        if let Some(condition) = rows.value_condition(from, to) {
            select.and_where(condition);
        }
    };
    // A group by one dimension of a two-dimension slice is that dimension's part (the
    // other one is fixed by the filter).
    let position = match group {
        DayGroup::Dim(dim) => rows.slice.position(dim),
        _ => None,
    };
    let group_of = move |key: Option<&str>| {
        let key = key.unwrap_or_default();
        match position {
            Some(i) => key.split(Slice::SEPARATOR).nth(i).unwrap_or_default().to_string(),
            None => key.to_string(),
        }
    };
    let groups = sum_grouped(ex, key, &(from, to), &day_halves(from, to), restrict, group_of, true).await?;
    Ok(groups.into_iter().collect())
}

/// The whole weeks (Monday to Sunday) in days `[from, to]`: the Mondays of the first and
/// the last, `None` when it holds none.
fn whole_weeks(from: jiff::civil::Date, to: jiff::civil::Date) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
    let week = jiff::Span::new().days(7);
    let first = if from == week_start(from) {
        from
    } else {
        week_start(from).checked_add(week).ok()?
    };
    let last_sunday_week = week_start(to);
    let last = if to.weekday() == jiff::civil::Weekday::Sunday {
        last_sunday_week
    } else {
        last_sunday_week.checked_sub(week).ok()?
    };
    (first <= last).then_some((first, last))
}

/// The department right now, counted on the tickets' indexes (unfinished tickets only).
#[derive(Debug, Clone, Default)]
pub struct LiveCounts {
    /// Unfinished tickets by status, each with its count per age bucket (`AGE_BUCKETS`).
    pub by_status: Vec<(String, Vec<i64>)>,
    pub sla_breached: i64,
    pub sla_at_risk: i64,
    /// The oldest new or open ticket nobody holds: its number and creation.
    pub oldest_unassigned: Option<(i64, Timestamp)>,
}

/// The age buckets of the backlog, as upper bounds in hours (the last one is open).
pub const AGE_BUCKETS: [i64; 5] = [1, 4, 24, 72, i64::MAX];

pub async fn live_counts(mut ex: Exec<'_>, now: Timestamp) -> StoreResult<LiveCounts> {
    let now_ms = ms(now);
    // Per unfinished status, the tickets of each age bucket, each a range count on the
    // (status, created_at) index: counting ranges is several times cheaper than bucketing
    // every ticket in one pass (BENCHMARKS.md), and disjoint ranges read each ticket once
    // (counts of "younger than each bound" read a day's new tickets five times).
    let bounds: Vec<i64> = AGE_BUCKETS
        .iter()
        .filter(|hours| **hours != i64::MAX)
        .map(|hours| now_ms - hours * 3_600_000)
        .collect();
    let buckets = bounds.len() + 1;
    let unfinished: Vec<&str> = Status::ALL.iter().filter(|s| s.is_active()).map(|s| s.as_str()).collect();
    let counts = unfinished
        .iter()
        .flat_map(|status| {
            // Bucket k holds the tickets created after bound k (`$k+1`) and up to bound
            // k - 1 (`$k`); the first has no upper end, the last no lower one.
            (0..buckets).map(move |k| {
                let after = (k < buckets - 1).then(|| format!(" AND created_at > ${}", k + 1));
                let up_to = (k > 0).then(|| format!(" AND created_at <= ${k}"));
                format!(
                    "(SELECT COUNT(*) FROM tickets WHERE status = '{status}'{}{})",
                    after.unwrap_or_default(),
                    up_to.unwrap_or_default()
                )
            })
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {counts}");
    let row = exec!(ex.reborrow(), e => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for bound in &bounds {
            query = query.bind(*bound);
        }
        let row = query.fetch_one(e).await?;
        (0..unfinished.len() * buckets).map(|i| row.try_get::<i64, _>(i)).collect::<Result<Vec<i64>, sqlx::Error>>()
    })?;
    let by_status = unfinished
        .iter()
        .zip(row.chunks(buckets))
        .filter(|(_, counts)| counts.iter().any(|n| *n > 0))
        .map(|(status, counts)| (status.to_string(), counts.to_vec()))
        .collect();
    let (sla_breached,): (i64,) = exec!(ex.reborrow(), e => sqlx::query_as(
        "SELECT COUNT(*) FROM tickets WHERE sla_due_at IS NOT NULL AND sla_due_at <= $1").bind(now_ms).fetch_one(e).await)?;
    // Through `tickets_by_sla_warn`, which holds both instants: only the warned tickets are
    // read, not every ticket due later.
    let (sla_at_risk,): (i64,) = exec!(ex.reborrow(), e => sqlx::query_as(
        "SELECT COUNT(*) FROM tickets WHERE sla_warn_at <= $1 AND sla_due_at > $1").bind(now_ms).fetch_one(e).await)?;
    let oldest: Option<(i64, i64)> = exec!(ex, e => sqlx::query_as(
        "SELECT number, created_at FROM tickets WHERE assignee_id IS NULL AND status IN ('new', 'open') \
         ORDER BY created_at, id LIMIT 1").fetch_optional(e).await)?;
    Ok(LiveCounts {
        by_status,
        sla_breached,
        sla_at_risk,
        oldest_unassigned: oldest.map(|(n, at)| Ok::<_, crate::error::StoreError>((n, ts(at)?))).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn long_ranges_split_into_halves_that_cover_every_day_once() {
        // 13 days (both ends included) are one range, 14 are two.
        assert_eq!(
            day_halves(date(2026, 12, 1), date(2026, 12, 13)),
            vec![(date(2026, 12, 1), date(2026, 12, 13))]
        );
        for days in [14, 15, 29, 90, 365] {
            let from = date(2026, 1, 1);
            let to = from.saturating_add(jiff::Span::new().days(days - 1));
            let parts = day_halves(from, to);
            assert_eq!(parts.len(), 2, "{days} days");
            assert_eq!(parts[0].0, from);
            assert_eq!(parts[0].1.tomorrow().unwrap(), parts[1].0, "no gap, no overlap");
            assert_eq!(parts[1].1, to);
            assert!(parts.iter().all(|(a, b)| a <= b));
        }
        assert_eq!(
            day_halves(date(2026, 12, 1), date(2026, 12, 14))[0],
            (date(2026, 12, 1), date(2026, 12, 7))
        );
        assert_eq!(hour_halves(0, 13 * 24), vec![(0, 13 * 24)]);
        assert_eq!(hour_halves(0, 14 * 24), vec![(0, 7 * 24), (7 * 24, 14 * 24)]);
        assert_eq!(hour_halves(0, 24 * 90), vec![(0, 24 * 45), (24 * 45, 24 * 90)]);
    }
}

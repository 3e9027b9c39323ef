//! Hot issues: tickets per topic per hour (`hot_topic_hours`), folded by the analytics
//! reactor in its batch transaction, and the alerts raised to supervisors.

use crate::Tx;
use crate::analytics::FoldPosition;
use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, ts, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::hot::Facet;
use sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};

/// Tickets that said a topic in an hour.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TopicCount {
    pub hour: i64,
    pub facet: Facet,
    pub term: String,
    pub tickets: i64,
}

/// Adds the counts to the stored ones.
pub async fn add_counts(tx: &mut Tx, counts: &[TopicCount]) -> StoreResult<()> {
    // Chunks keep the statement under the backends' bind-parameter limits.
    for chunk in counts.chunks(2_000) {
        let mut insert = Query::insert();
        insert
            .into_table("hot_topic_hours")
            .columns(["hour", "facet", "term", "tickets"])
            .on_conflict(
                OnConflict::columns(["hour", "facet", "term"])
                    .value(Alias::new("tickets"), Expr::cust("hot_topic_hours.tickets + excluded.tickets"))
                    .to_owned(),
            );
        for c in chunk {
            insert.values_panic([c.hour.into(), c.facet.as_str().into(), c.term.clone().into(), c.tickets.into()]);
        }
        exec_built!(tx.exec(), insert, |e, sql, values| sqlx::query_with(sql, values)
            .execute(e)
            .await
            .map(|_| ()))?;
    }
    Ok(())
}

/// Tickets per topic over the hours `from ..= to`, for topics with at least `min`.
pub async fn window_counts(ex: Exec<'_>, from: i64, to: i64, min: i64) -> StoreResult<Vec<(Facet, String, i64)>> {
    let mut select = Query::select();
    select
        .columns(["facet", "term"])
        .expr(Expr::cust("CAST(SUM(tickets) AS BIGINT)"))
        .from("hot_topic_hours")
        .and_where(Expr::col("hour").between(from, to))
        .add_group_by([Expr::col("facet"), Expr::col("term")])
        .and_having(Expr::cust("SUM(tickets)").gte(min));
    let rows: Vec<(String, String, i64)> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(facet, term, n)| Ok((wire(Facet::parse, "topic facet", &facet)?, term, n)))
        .collect()
}

/// How many topics the hours `from ..= to` have.
pub async fn topics_in_window(ex: Exec<'_>, from: i64, to: i64) -> StoreResult<usize> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT DISTINCT facet, term FROM hot_topic_hours WHERE hour BETWEEN $1 AND $2) AS topics")
        .bind(from).bind(to).fetch_one(e).await)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Forgets counts of hours before `hour` (older than any report compares with).
pub async fn prune(tx: &mut Tx, hour: i64) -> StoreResult<u64> {
    Ok(
        exec!(tx.exec(), e => sqlx::query("DELETE FROM hot_topic_hours WHERE hour < $1").bind(hour).execute(e).await.map(|r| r.rows_affected()))?,
    )
}

/// Empties the counts and restarts their cursor (an analytics rebuild folds them again).
pub async fn clear(tx: &mut Tx, at: Timestamp) -> StoreResult<()> {
    // The cursor first: on PostgreSQL its row lock waits for a topic batch in flight to
    // commit, so the delete then sees (and removes) the rows that batch added.
    crate::analytics::restart_cursor_row(tx, "hot_topic_cursor", at).await?;
    exec!(tx.exec(), e => sqlx::query("DELETE FROM hot_topic_hours").execute(e).await.map(|_| ()))?;
    Ok(())
}

/// The descriptions of these tickets (words of a new ticket are counted from its subject
/// and description; the event carries only the subject).
pub async fn descriptions(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, String)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["id", "description"])
        .from("tickets")
        .and_where(Expr::col("id").is_in(ticket_ids.iter().copied()));
    Ok(exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values)
        .fetch_all(e)
        .await)?)
}

/// An alert raised about a rising topic.
#[derive(Debug, Clone, PartialEq)]
pub struct HotAlert {
    pub facet: Facet,
    pub term: String,
    pub raised_at: Timestamp,
    pub tickets: i64,
    pub usual: f64,
    pub surprise: f64,
}

/// Records the alert unless one about the same topic was raised after `quiet_since` (or
/// the same UTC day, by another node at the same moment); whether it was recorded, so
/// only one caller notifies.
pub async fn raise_alert(tx: &mut Tx, alert: &HotAlert, quiet_since: Timestamp) -> StoreResult<bool> {
    let day = alert.raised_at.as_millisecond().div_euclid(86_400_000);
    let inserted = exec!(tx.exec(), e => sqlx::query(
        "INSERT INTO hot_alerts (facet, term, day, raised_at, tickets, usual, surprise) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE NOT EXISTS (SELECT 1 FROM hot_alerts WHERE facet = $1 AND term = $2 AND raised_at > $8) \
         ON CONFLICT DO NOTHING")
        .bind(alert.facet.as_str()).bind(&alert.term).bind(day).bind(ms(alert.raised_at))
        .bind(alert.tickets).bind(alert.usual).bind(alert.surprise).bind(ms(quiet_since))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(inserted > 0)
}

/// Alerts raised at or after `since`, newest first.
pub async fn alerts_since(ex: Exec<'_>, since: Timestamp) -> StoreResult<Vec<HotAlert>> {
    let rows: Vec<(String, String, i64, i64, f64, f64)> = exec!(ex, e => sqlx::query_as(
        "SELECT facet, term, raised_at, tickets, usual, surprise FROM hot_alerts WHERE raised_at >= $1 ORDER BY raised_at DESC LIMIT 100")
        .bind(ms(since)).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(facet, term, raised_at, tickets, usual, surprise)| {
            Ok(HotAlert {
                facet: wire(Facet::parse, "topic facet", &facet)?,
                term,
                raised_at: ts(raised_at)?,
                tickets,
                usual,
                surprise,
            })
        })
        .collect()
}

/// The last event whose topics are counted, and when a rebuild last restarted the count.
pub async fn position(ex: Exec<'_>) -> StoreResult<FoldPosition> {
    crate::analytics::cursor_row(ex, "hot_topic_cursor").await
}

/// The position, locked until the transaction ends; `None` when another node holds it
/// (PostgreSQL; SQLite has one writer).
pub async fn lock_position(tx: &mut Tx) -> StoreResult<Option<FoldPosition>> {
    crate::analytics::lock_cursor_row(tx, "hot_topic_cursor").await
}

pub async fn set_cursor(tx: &mut Tx, event_id: Id) -> StoreResult<()> {
    exec!(tx.exec(), e => sqlx::query("UPDATE hot_topic_cursor SET event_id = $1 WHERE id = 1").bind(event_id).execute(e).await.map(|_| ()))?;
    Ok(())
}

/// The id just before the first event stamped at or after `at` (found by halving the id
/// range: events are written in time order, near enough for a horizon of weeks), so a
/// fold can skip years of events too old to count without reading them.
pub async fn last_event_before(mut ex: Exec<'_>, at: Timestamp) -> StoreResult<Id> {
    let bounds: (Option<i64>, Option<i64>) =
        exec!(ex.reborrow(), e => sqlx::query_as("SELECT MIN(id), MAX(id) FROM ticket_events").fetch_one(e).await)?;
    let (Some(mut low), Some(mut high)) = bounds else { return Ok(0) };
    let at = ms(at);
    if stamp_from(ex.reborrow(), low).await?.is_none_or(|first| first >= at) {
        return Ok(low - 1);
    }
    // Invariant: the first event from `low` on is older than `at`; the first from
    // `high + 1` on (if any) is not.
    while low < high {
        let middle = low + (high - low + 1) / 2;
        match stamp_from(ex.reborrow(), middle).await? {
            Some(stamp) if stamp < at => low = middle,
            _ => high = middle - 1,
        }
    }
    Ok(low)
}

/// When the first event with an id at or after `id` happened (ms).
async fn stamp_from(ex: Exec<'_>, id: Id) -> StoreResult<Option<i64>> {
    let row: Option<(i64,)> = exec!(ex, e => sqlx::query_as(
        "SELECT created_at FROM ticket_events WHERE id >= $1 ORDER BY id LIMIT 1").bind(id).fetch_optional(e).await)?;
    Ok(row.map(|(at,)| at))
}

//! Callback campaigns (回访) and their calls.

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{ms, opt_ts, parsed, to_json, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::entities::Id;
use kefu_domain::survey::callback::{Callback, CallbackStatus, CampaignChannel, CampaignSummary, Segment};
use sea_query::{Alias, Expr, ExprTrait, Order, Query};

/// A campaign to store.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub design_id: Id,
    pub segment: Segment,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_by: Id,
    pub channel: CampaignChannel,
    /// Days before the one reminder of a mailed survey (0: none).
    pub reminder_days: i64,
}

pub async fn insert_campaign(ex: Exec<'_>, campaign: &NewCampaign, now: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO survey_campaigns (name, design_id, segment, starts_on, ends_on, created_by, created_at, channel, reminder_days) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(&campaign.name).bind(campaign.design_id).bind(to_json(&campaign.segment)).bind(campaign.starts_on.to_string())
        .bind(campaign.ends_on.to_string()).bind(campaign.created_by).bind(ms(now)).bind(campaign.channel.as_str())
        .bind(campaign.reminder_days).fetch_one(e).await)?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    design_key: String,
    channel: String,
    starts_on: String,
    ends_on: String,
    created_at: i64,
    reminder_days: i64,
    sent: i64,
    opened: i64,
    answered: i64,
    calls_pending: i64,
    calls_no_answer: i64,
    calls_refused: i64,
}

impl SummaryRow {
    fn into_domain(self) -> StoreResult<CampaignSummary> {
        Ok(CampaignSummary {
            id: self.id,
            name: self.name,
            design_key: self.design_key,
            channel: wire(CampaignChannel::parse, "campaign channel", &self.channel)?,
            starts_on: parsed(self.starts_on.parse::<Date>(), "date", &self.starts_on)?,
            ends_on: parsed(self.ends_on.parse::<Date>(), "date", &self.ends_on)?,
            created_at: crate::convert::ts(self.created_at)?,
            reminder_days: self.reminder_days,
            sent: self.sent,
            opened: self.opened,
            answered: self.answered,
            answer_rate: CampaignSummary::rate(self.answered, self.sent),
            calls_pending: self.calls_pending,
            calls_no_answer: self.calls_no_answer,
            calls_refused: self.calls_refused,
        })
    }
}

/// The newest campaigns (at most `limit`) with what they sent and how many answered:
/// counted from their sends and calls, so the figures are never out of step.
pub async fn campaign_summaries(ex: Exec<'_>, limit: i64) -> StoreResult<Vec<CampaignSummary>> {
    let rows: Vec<SummaryRow> = exec!(ex, e => sqlx::query_as(
        "SELECT m.id, m.name, d.key AS design_key, m.channel, m.starts_on, m.ends_on, m.created_at, m.reminder_days, \
           (SELECT COUNT(*) FROM survey_sends s WHERE s.campaign_id = m.id) AS sent, \
           (SELECT COUNT(*) FROM survey_sends s WHERE s.campaign_id = m.id AND s.opened_at IS NOT NULL) AS opened, \
           (SELECT COUNT(*) FROM survey_sends s WHERE s.campaign_id = m.id AND s.answered_at IS NOT NULL) AS answered, \
           (SELECT COUNT(*) FROM survey_callbacks b WHERE b.campaign_id = m.id AND b.status = 'pending') AS calls_pending, \
           (SELECT COUNT(*) FROM survey_callbacks b WHERE b.campaign_id = m.id AND b.status = 'no_answer') AS calls_no_answer, \
           (SELECT COUNT(*) FROM survey_callbacks b WHERE b.campaign_id = m.id AND b.status = 'refused') AS calls_refused \
         FROM survey_campaigns m JOIN survey_designs d ON d.id = m.design_id \
         ORDER BY m.id DESC LIMIT $1")
        .bind(limit).fetch_all(e).await)?;
    rows.into_iter().map(SummaryRow::into_domain).collect()
}

/// The customers a segment chooses, each with their latest ticket resolved in the
/// segment's window (if it has one), lowest id first.
pub async fn segment_customers(ex: Exec<'_>, segment: &Segment, now: Timestamp) -> StoreResult<Vec<(Id, Option<Id>)>> {
    let quiet_since = ms(now) - Ord::max(segment.quiet_days, 0) * 86_400_000;
    let resolved_since = segment.resolved_within_days.map(|days| ms(now) - Ord::max(days, 0) * 86_400_000);
    let latest = match resolved_since {
        Some(since) => format!("(SELECT MAX(t.id) FROM tickets t WHERE t.customer_id = c.id AND t.resolved_at >= {since})"),
        None => "(SELECT MAX(t.id) FROM tickets t WHERE t.customer_id = c.id AND t.resolved_at IS NOT NULL)".to_owned(),
    };
    let mut select = Query::select();
    select
        .from_as(Alias::new("customers"), Alias::new("c"))
        .column((Alias::new("c"), Alias::new("id")))
        .expr_as(Expr::cust(latest.clone()), Alias::new("ticket_id"))
        .and_where(Expr::col((Alias::new("c"), Alias::new("consent_at"))).is_not_null())
        .and_where(Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM survey_sends s WHERE s.customer_id = c.id AND s.created_at >= {quiet_since})"
        )))
        .and_where(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM survey_callbacks b WHERE b.customer_id = c.id AND b.status = 'pending')",
        ));
    if let Some(tier) = segment.tier {
        select.and_where(Expr::col((Alias::new("c"), Alias::new("tier"))).eq(tier.as_str()));
    }
    if let Some(kind) = segment.customer_type {
        select.and_where(Expr::col((Alias::new("c"), Alias::new("customer_type"))).eq(kind.as_str()));
    }
    if resolved_since.is_some() {
        select.and_where(Expr::cust(format!("{latest} IS NOT NULL")));
    }
    select
        .order_by((Alias::new("c"), Alias::new("id")), Order::Asc)
        .limit(u64::try_from(segment.max_customers).unwrap_or(0));
    let rows: Vec<(i64, Option<i64>)> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    Ok(rows)
}

pub async fn insert_callback(
    ex: Exec<'_>,
    campaign_id: Id,
    send_id: Id,
    customer_id: Id,
    agent_id: Option<Id>,
    due_on: Date,
    now: Timestamp,
) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO survey_callbacks (campaign_id, send_id, customer_id, agent_id, due_on, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id")
        .bind(campaign_id).bind(send_id).bind(customer_id).bind(agent_id).bind(due_on.to_string()).bind(ms(now))
        .fetch_one(e).await)?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct CallbackRow {
    id: i64,
    campaign_id: i64,
    campaign_name: String,
    send_id: i64,
    customer_id: i64,
    customer_name: String,
    customer_phone: Option<String>,
    ticket_id: Option<i64>,
    ticket_number: Option<i64>,
    agent_id: Option<i64>,
    due_on: String,
    status: String,
    attempts: i64,
    last_attempt_at: Option<i64>,
    note: Option<String>,
}

impl CallbackRow {
    fn into_domain(self) -> StoreResult<Callback> {
        Ok(Callback {
            id: self.id,
            campaign_id: self.campaign_id,
            campaign_name: self.campaign_name,
            send_id: self.send_id,
            customer_id: self.customer_id,
            customer_name: self.customer_name,
            customer_phone: self.customer_phone,
            ticket_id: self.ticket_id,
            ticket_number: self.ticket_number,
            agent_id: self.agent_id,
            due_on: parsed(self.due_on.parse::<Date>(), "date", &self.due_on)?,
            status: wire(CallbackStatus::parse, "callback status", &self.status)?,
            attempts: self.attempts,
            last_attempt_at: opt_ts(self.last_attempt_at)?,
            note: self.note,
        })
    }
}

fn callback_select() -> sea_query::SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new("survey_callbacks"), Alias::new("b"))
        .join_as(
            sea_query::JoinType::InnerJoin,
            Alias::new("survey_campaigns"),
            Alias::new("m"),
            Expr::col((Alias::new("m"), Alias::new("id"))).equals((Alias::new("b"), Alias::new("campaign_id"))),
        )
        .join_as(
            sea_query::JoinType::InnerJoin,
            Alias::new("customers"),
            Alias::new("c"),
            Expr::col((Alias::new("c"), Alias::new("id"))).equals((Alias::new("b"), Alias::new("customer_id"))),
        )
        .join_as(
            sea_query::JoinType::InnerJoin,
            Alias::new("survey_sends"),
            Alias::new("s"),
            Expr::col((Alias::new("s"), Alias::new("id"))).equals((Alias::new("b"), Alias::new("send_id"))),
        )
        .join_as(
            sea_query::JoinType::LeftJoin,
            Alias::new("tickets"),
            Alias::new("t"),
            Expr::col((Alias::new("t"), Alias::new("id"))).equals((Alias::new("s"), Alias::new("ticket_id"))),
        );
    for column in [
        "id",
        "campaign_id",
        "send_id",
        "customer_id",
        "agent_id",
        "due_on",
        "status",
        "attempts",
        "last_attempt_at",
        "note",
    ] {
        select.column((Alias::new("b"), Alias::new(column)));
    }
    select
        .expr_as(Expr::col((Alias::new("m"), Alias::new("name"))), Alias::new("campaign_name"))
        .expr_as(Expr::col((Alias::new("c"), Alias::new("name"))), Alias::new("customer_name"))
        .expr_as(Expr::col((Alias::new("c"), Alias::new("phone"))), Alias::new("customer_phone"))
        .expr_as(Expr::col((Alias::new("s"), Alias::new("ticket_id"))), Alias::new("ticket_id"))
        .expr_as(Expr::col((Alias::new("t"), Alias::new("number"))), Alias::new("ticket_number"));
    select
}

/// Which calls a list shows.
#[derive(Debug, Clone, Default)]
pub struct CallbackQuery {
    /// `Some(Some(id))`: that agent's; `Some(None)`: nobody's yet; `None`: everyone's.
    pub agent: Option<Option<Id>>,
    pub status: Option<CallbackStatus>,
    /// Due on or before this day.
    pub due_by: Option<Date>,
    pub limit: u64,
}

/// Calls, soonest due first.
pub async fn callbacks(ex: Exec<'_>, query: &CallbackQuery) -> StoreResult<Vec<Callback>> {
    let mut select = callback_select();
    let agent = Expr::col((Alias::new("b"), Alias::new("agent_id")));
    match query.agent {
        Some(Some(id)) => {
            select.and_where(agent.eq(id));
        }
        Some(None) => {
            select.and_where(agent.is_null());
        }
        None => {}
    }
    if let Some(status) = query.status {
        select.and_where(Expr::col((Alias::new("b"), Alias::new("status"))).eq(status.as_str()));
    }
    if let Some(day) = query.due_by {
        select.and_where(Expr::col((Alias::new("b"), Alias::new("due_on"))).lte(day.to_string()));
    }
    select
        .order_by((Alias::new("b"), Alias::new("due_on")), Order::Asc)
        .order_by((Alias::new("b"), Alias::new("id")), Order::Asc)
        .limit(query.limit);
    let rows: Vec<CallbackRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(CallbackRow::into_domain).collect()
}

pub async fn callback_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Callback>> {
    let mut select = callback_select();
    select.and_where(Expr::col((Alias::new("b"), Alias::new("id"))).eq(id));
    let row: Option<CallbackRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values)
        .fetch_optional(e)
        .await)?;
    row.map(CallbackRow::into_domain).transpose()
}

/// Writes a call's agent, due day, status, attempts and note.
pub async fn update_callback(ex: Exec<'_>, callback: &Callback, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "UPDATE survey_callbacks SET agent_id = $2, due_on = $3, status = $4, attempts = $5, last_attempt_at = $6, note = $7, updated_at = $8 \
         WHERE id = $1")
        .bind(callback.id).bind(callback.agent_id).bind(callback.due_on.to_string()).bind(callback.status.as_str())
        .bind(callback.attempts).bind(callback.last_attempt_at.map(ms)).bind(&callback.note).bind(ms(now))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

//! Satisfaction surveys: design versions, triggers, sends, answers with their ratings and
//! reasons, and the counts reports are computed from.

use crate::Tx;
use crate::backend::{Exec, exec, exec_built};
use crate::convert::{json_list, ms, opt_ts, parsed, to_json, ts, wire};
use crate::error::StoreResult;
use crate::survey_rollups::{self, BLOCK_HOURS, BUCKET_WIDTH, COUNT_COLUMNS, DAY_HOURS, PeriodSplit};
use jiff::Timestamp;
use kefu_domain::entities::Id;
use kefu_domain::survey::closing::ImprovementAction;
use kefu_domain::survey::score::ScoreTotals;
use kefu_domain::survey::{Answer, AnswerFacts, Design, DesignSpec, SendOrigin, Slice, StoredAnswer, SurveySend, SurveyTrigger, builtin};
use sea_query::{Alias, CommonTableExpression, Expr, ExprTrait, Order, Query, SelectStatement, UnionType, WithClause};
use std::collections::{BTreeMap, HashMap};

/// Adds the built-in designs that are not there yet (as version 1).
pub(crate) async fn seed(tx: &mut Tx) -> StoreResult<()> {
    for (key, spec) in builtin::designs() {
        exec!(tx.exec(), e => sqlx::query(
            "INSERT INTO survey_designs (key, version, spec, active, created_at) VALUES ($1, 1, $2, TRUE, 0) \
             ON CONFLICT (key, version) DO NOTHING")
            .bind(key).bind(to_json(&spec)).execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DesignRow {
    id: i64,
    key: String,
    version: i64,
    spec: String,
    active: bool,
    created_at: i64,
}

impl DesignRow {
    fn into_domain(self) -> StoreResult<Design> {
        Ok(Design {
            id: self.id,
            spec: parsed(serde_json::from_str::<DesignSpec>(&self.spec), "survey design", &self.spec)?,
            key: self.key,
            version: self.version,
            active: self.active,
            created_at: ts(self.created_at)?,
        })
    }
}

const DESIGN_COLUMNS: &str = "id, key, version, spec, active, created_at";

/// Stores a new version of a design; returns its id.
pub async fn insert_design(
    ex: Exec<'_>,
    key: &str,
    version: i64,
    spec: &DesignSpec,
    active: bool,
    created_by: Option<Id>,
    now: Timestamp,
) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO survey_designs (key, version, spec, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(key).bind(version).bind(to_json(spec)).bind(active).bind(created_by).bind(ms(now)).fetch_one(e).await)?;
    Ok(id)
}

/// The newest version of every design, by key.
pub async fn latest_designs(ex: Exec<'_>) -> StoreResult<Vec<Design>> {
    let rows: Vec<DesignRow> = exec!(ex, e => sqlx::query_as(
        "SELECT id, key, version, spec, active, created_at FROM survey_designs d \
         WHERE version = (SELECT MAX(version) FROM survey_designs v WHERE v.key = d.key) ORDER BY key")
        .fetch_all(e).await)?;
    rows.into_iter().map(DesignRow::into_domain).collect()
}

/// The newest version of one design.
pub async fn latest_design(ex: Exec<'_>, key: &str) -> StoreResult<Option<Design>> {
    let sql = format!("SELECT {DESIGN_COLUMNS} FROM survey_designs WHERE key = $1 ORDER BY version DESC LIMIT 1");
    let row: Option<DesignRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(key).fetch_optional(e).await)?;
    row.map(DesignRow::into_domain).transpose()
}

pub async fn design_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Design>> {
    let sql = format!("SELECT {DESIGN_COLUMNS} FROM survey_designs WHERE id = $1");
    let row: Option<DesignRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(e).await)?;
    row.map(DesignRow::into_domain).transpose()
}

/// Every version of one design, newest first.
pub async fn design_versions(ex: Exec<'_>, key: &str) -> StoreResult<Vec<Design>> {
    let sql = format!("SELECT {DESIGN_COLUMNS} FROM survey_designs WHERE key = $1 ORDER BY version DESC");
    let rows: Vec<DesignRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(key).fetch_all(e).await)?;
    rows.into_iter().map(DesignRow::into_domain).collect()
}

// ---- triggers ----

#[derive(sqlx::FromRow)]
struct TriggerRow {
    id: i64,
    design_key: String,
    delay_minutes: i64,
    channels: String,
    quiet_days: i64,
    reminder_days: i64,
    enabled: bool,
}

impl TriggerRow {
    fn into_domain(self) -> StoreResult<SurveyTrigger> {
        Ok(SurveyTrigger {
            id: self.id,
            design_key: self.design_key,
            delay_minutes: self.delay_minutes,
            channels: json_list(&self.channels)?,
            quiet_days: self.quiet_days,
            reminder_days: Some(self.reminder_days),
            enabled: self.enabled,
        })
    }
}

pub async fn triggers(ex: Exec<'_>) -> StoreResult<Vec<SurveyTrigger>> {
    let rows: Vec<TriggerRow> = exec!(ex, e => sqlx::query_as(
        "SELECT id, design_key, delay_minutes, channels, quiet_days, reminder_days, enabled FROM survey_triggers ORDER BY id").fetch_all(e).await)?;
    rows.into_iter().map(TriggerRow::into_domain).collect()
}

pub async fn insert_trigger(ex: Exec<'_>, trigger: &SurveyTrigger, now: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO survey_triggers (design_key, delay_minutes, channels, quiet_days, reminder_days, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
        .bind(&trigger.design_key).bind(trigger.delay_minutes).bind(to_json(&trigger.channels))
        .bind(trigger.quiet_days).bind(trigger.reminder_days).bind(trigger.enabled).bind(ms(now)).fetch_one(e).await)?;
    Ok(id)
}

/// Changes a trigger; false if there is none with its id.
pub async fn update_trigger(ex: Exec<'_>, trigger: &SurveyTrigger, now: Timestamp) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query(
        "UPDATE survey_triggers SET design_key = $2, delay_minutes = $3, channels = $4, quiet_days = $5, reminder_days = $6, \
         enabled = $7, updated_at = $8 WHERE id = $1")
        .bind(trigger.id).bind(&trigger.design_key).bind(trigger.delay_minutes).bind(to_json(&trigger.channels))
        .bind(trigger.quiet_days).bind(trigger.reminder_days).bind(trigger.enabled).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

// ---- sends ----

#[derive(sqlx::FromRow)]
struct SendRow {
    id: i64,
    design_id: i64,
    design_key: String,
    ticket_id: Option<i64>,
    customer_id: i64,
    origin: String,
    created_by: Option<i64>,
    created_at: i64,
    expires_at: i64,
    opened_at: Option<i64>,
    answered_at: Option<i64>,
}

impl SendRow {
    fn into_domain(self) -> StoreResult<SurveySend> {
        Ok(SurveySend {
            id: self.id,
            design_id: self.design_id,
            design_key: self.design_key,
            ticket_id: self.ticket_id,
            customer_id: self.customer_id,
            origin: wire(SendOrigin::parse, "survey origin", &self.origin)?,
            created_by: self.created_by,
            created_at: ts(self.created_at)?,
            expires_at: ts(self.expires_at)?,
            opened_at: opt_ts(self.opened_at)?,
            answered_at: opt_ts(self.answered_at)?,
        })
    }
}

const SEND_SELECT: &str = "SELECT s.id, s.design_id, d.key AS design_key, s.ticket_id, s.customer_id, s.origin, s.created_by, \
     s.created_at, s.expires_at, s.opened_at, s.answered_at FROM survey_sends s JOIN survey_designs d ON d.id = s.design_id";

/// A survey about to be sent.
#[derive(Debug, Clone)]
pub struct NewSend {
    pub design_id: Id,
    pub ticket_id: Option<Id>,
    pub customer_id: Id,
    pub origin: SendOrigin,
    pub created_by: Option<Id>,
    pub expires_at: Timestamp,
    /// The campaign it is part of.
    pub campaign_id: Option<Id>,
}

impl NewSend {
    /// The send as [`insert_send`] stored it under `id` at `at` (instants to the
    /// millisecond), without reading it back.
    pub fn stored(&self, id: Id, design_key: &str, at: Timestamp) -> StoreResult<SurveySend> {
        Ok(SurveySend {
            id,
            design_id: self.design_id,
            design_key: design_key.to_owned(),
            ticket_id: self.ticket_id,
            customer_id: self.customer_id,
            origin: self.origin,
            created_by: self.created_by,
            created_at: ts(ms(at))?,
            expires_at: ts(ms(self.expires_at))?,
            opened_at: None,
            answered_at: None,
        })
    }
}

pub async fn insert_send(ex: Exec<'_>, send: &NewSend, now: Timestamp) -> StoreResult<Id> {
    let ids = insert_sends(ex, std::slice::from_ref(send), now).await?;
    Ok(ids[0])
}

/// Inserts many sends in one statement; returns their ids in the order given. Eight
/// parameters a send: callers pass at most a few thousand (a scheduler pass's 500).
pub async fn insert_sends(ex: Exec<'_>, sends: &[NewSend], now: Timestamp) -> StoreResult<Vec<Id>> {
    if sends.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = Query::insert();
    insert
        .into_table("survey_sends")
        .columns([
            "design_id",
            "ticket_id",
            "customer_id",
            "origin",
            "created_by",
            "created_at",
            "expires_at",
            "campaign_id",
        ])
        .returning(Query::returning().columns(["id"]));
    for send in sends {
        insert.values_panic([
            send.design_id.into(),
            send.ticket_id.into(),
            send.customer_id.into(),
            send.origin.as_str().into(),
            send.created_by.into(),
            ms(now).into(),
            ms(send.expires_at).into(),
            send.campaign_id.into(),
        ]);
    }
    let mut ids: Vec<(i64,)> = exec_built!(ex, insert, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    // Ids grow in insertion order; RETURNING itself does not promise an order.
    ids.sort_unstable();
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

pub async fn send_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<SurveySend>> {
    let sql = format!("{SEND_SELECT} WHERE s.id = $1");
    let row: Option<SendRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(e).await)?;
    row.map(SendRow::into_domain).transpose()
}

/// The surveys sent about a ticket, newest first.
pub async fn sends_of_ticket(ex: Exec<'_>, ticket_id: Id) -> StoreResult<Vec<SurveySend>> {
    let sql = format!("{SEND_SELECT} WHERE s.ticket_id = $1 ORDER BY s.id DESC");
    let rows: Vec<SendRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(ticket_id).fetch_all(e).await)?;
    rows.into_iter().map(SendRow::into_domain).collect()
}

/// When each of these customers was last sent a survey (customers never sent one are
/// left out).
pub async fn last_sends_to(ex: Exec<'_>, customer_ids: &[Id]) -> StoreResult<HashMap<Id, Timestamp>> {
    if customer_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = Query::select();
    select
        .from("survey_sends")
        .column("customer_id")
        .expr(Expr::col("created_at").max())
        .and_where(Expr::col("customer_id").is_in(customer_ids.iter().copied()))
        .group_by_col("customer_id");
    let rows: Vec<(i64, i64)> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(|(customer, at)| Ok((customer, ts(at)?))).collect()
}

/// Notes the first time the form was opened (a GET only ever does this).
pub async fn mark_opened(ex: Exec<'_>, id: Id, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE survey_sends SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL")
        .bind(id).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a send answered; false if it already was (a link works once).
pub async fn mark_answered(ex: Exec<'_>, id: Id, now: Timestamp) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE survey_sends SET answered_at = $2 WHERE id = $1 AND answered_at IS NULL")
        .bind(id).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

// ---- answers ----

/// Stores an answer with its ratings and reasons; returns its id.
pub async fn insert_answer(
    tx: &mut Tx,
    send: &SurveySend,
    facts: &AnswerFacts,
    answer: &Answer,
    entered_by: Option<Id>,
    now: Timestamp,
) -> StoreResult<Id> {
    let id: i64 = exec!(tx.exec(), e => sqlx::query_scalar(
        "INSERT INTO survey_answers (send_id, design_id, design_key, ticket_id, customer_id, team_id, agent_id, channel, \
         ticket_kind, customer_type, product, region, business_line, score, low, comment, answer, entered_by, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id")
        .bind(send.id).bind(send.design_id).bind(&send.design_key).bind(send.ticket_id).bind(send.customer_id)
        .bind(facts.team_id).bind(facts.agent_id).bind(&facts.channel).bind(&facts.ticket_kind)
        .bind(&facts.customer_type).bind(&facts.product).bind(&facts.region).bind(&facts.business_line)
        .bind(answer.score).bind(answer.low).bind(&answer.comment).bind(to_json(answer)).bind(entered_by)
        .bind(ms(now)).fetch_one(e).await)?;
    crate::survey_rollups::add_answer(tx, &send.design_key, facts, answer, now).await?;
    for rating in &answer.ratings {
        exec!(tx.exec(), e => sqlx::query(
            "INSERT INTO survey_ratings (answer_id, question, dimension, rating) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(&rating.question).bind(&rating.dimension).bind(i64::from(rating.value))
            .execute(e).await.map(|r| r.rows_affected()))?;
    }
    for (dimension, reason) in &answer.reasons {
        exec!(tx.exec(), e => sqlx::query("INSERT INTO survey_reasons (answer_id, dimension, reason) VALUES ($1, $2, $3)")
            .bind(id).bind(dimension).bind(reason).execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

pub async fn set_followup(ex: Exec<'_>, answer_id: Id, ticket_id: Id) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE survey_answers SET followup_ticket_id = $2 WHERE id = $1")
        .bind(answer_id).bind(ticket_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    id: i64,
    send_id: i64,
    design_id: i64,
    design_key: String,
    ticket_id: Option<i64>,
    customer_id: i64,
    team_id: Option<i64>,
    agent_id: Option<i64>,
    channel: Option<String>,
    ticket_kind: Option<String>,
    customer_type: Option<String>,
    product: Option<String>,
    region: Option<String>,
    business_line: Option<String>,
    answer: String,
    entered_by: Option<i64>,
    followup_ticket_id: Option<i64>,
    submitted_at: i64,
}

impl AnswerRow {
    fn into_domain(self) -> StoreResult<StoredAnswer> {
        Ok(StoredAnswer {
            id: self.id,
            send_id: self.send_id,
            design_id: self.design_id,
            design_key: self.design_key,
            ticket_id: self.ticket_id,
            customer_id: self.customer_id,
            facts: AnswerFacts {
                team_id: self.team_id,
                agent_id: self.agent_id,
                channel: self.channel,
                ticket_kind: self.ticket_kind,
                customer_type: self.customer_type,
                product: self.product,
                region: self.region,
                business_line: self.business_line,
            },
            answer: parsed(serde_json::from_str::<Answer>(&self.answer), "survey answer", &self.answer)?,
            entered_by: self.entered_by,
            followup_ticket_id: self.followup_ticket_id,
            submitted_at: ts(self.submitted_at)?,
        })
    }
}

const ANSWER_COLUMNS: [&str; 18] = [
    "id",
    "send_id",
    "design_id",
    "design_key",
    "ticket_id",
    "customer_id",
    "team_id",
    "agent_id",
    "channel",
    "ticket_kind",
    "customer_type",
    "product",
    "region",
    "business_line",
    "answer",
    "entered_by",
    "followup_ticket_id",
    "submitted_at",
];

/// Which answers a report or a list covers: one design, a period `[from, to)`, and any
/// number of slice values.
#[derive(Debug, Clone, Default)]
pub struct AnswerFilter {
    pub design_key: String,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub slices: Vec<(Slice, String)>,
    pub low_only: bool,
}

/// The answers table's column of a slice.
pub(crate) fn slice_column(slice: Slice) -> &'static str {
    match slice {
        Slice::Team => "team_id",
        Slice::Agent => "agent_id",
        Slice::Channel => "channel",
        Slice::TicketKind => "ticket_kind",
        Slice::CustomerType => "customer_type",
        Slice::Product => "product",
        Slice::Region => "region",
        Slice::BusinessLine => "business_line",
    }
}

fn is_id_slice(slice: Slice) -> bool {
    matches!(slice, Slice::Team | Slice::Agent)
}

/// Restricts `select` (over `survey_answers` as `a`) to the filter's answers.
fn filter_answers(select: &mut SelectStatement, filter: &AnswerFilter) {
    let col = |name: &str| Expr::col((Alias::new("a"), Alias::new(name)));
    select.and_where(col("design_key").eq(filter.design_key.as_str()));
    if let Some(from) = filter.from {
        select.and_where(col("submitted_at").gte(ms(from)));
    }
    if let Some(to) = filter.to {
        select.and_where(col("submitted_at").lt(ms(to)));
    }
    for (slice, value) in &filter.slices {
        let column = col(slice_column(*slice));
        if is_id_slice(*slice) {
            // A non-numeric id matches nothing rather than erroring.
            select.and_where(column.eq(value.parse::<i64>().unwrap_or(-1)));
        } else {
            select.and_where(column.eq(value.as_str()));
        }
    }
    if filter.low_only {
        select.and_where(col("low").eq(true));
    }
}

/// Answers matching a filter, newest first, `limit` at most, before `before_id` if set.
pub async fn answers(ex: Exec<'_>, filter: &AnswerFilter, before_id: Option<Id>, limit: u64) -> StoreResult<Vec<StoredAnswer>> {
    let mut select = Query::select();
    select.from_as(Alias::new("survey_answers"), Alias::new("a"));
    for column in ANSWER_COLUMNS {
        select.column((Alias::new("a"), Alias::new(column)));
    }
    filter_answers(&mut select, filter);
    if let Some(before) = before_id {
        select.and_where(Expr::col((Alias::new("a"), Alias::new("id"))).lt(before));
    }
    select.order_by((Alias::new("a"), Alias::new("id")), Order::Desc).limit(limit);
    let rows: Vec<AnswerRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(AnswerRow::into_domain).collect()
}

/// Answers after `after_id`, in id order, `limit` at most: what the search index feeds
/// on. Answers are never changed once given, so an id cursor sees each once.
pub async fn answers_after(ex: Exec<'_>, after_id: Id, limit: u32) -> StoreResult<Vec<StoredAnswer>> {
    let sql = format!(
        "SELECT {} FROM survey_answers WHERE id > $1 ORDER BY id LIMIT $2",
        ANSWER_COLUMNS.join(", ")
    );
    let rows: Vec<AnswerRow> =
        exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(after_id).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(AnswerRow::into_domain).collect()
}

/// The answers with these ids (in id order; unknown ids are skipped).
pub async fn answers_by_ids(ex: Exec<'_>, ids: &[Id]) -> StoreResult<Vec<StoredAnswer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(ANSWER_COLUMNS.map(Alias::new))
        .from("survey_answers")
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .order_by("id", Order::Asc);
    let rows: Vec<AnswerRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(AnswerRow::into_domain).collect()
}

/// The answer given to a send, if any.
pub async fn answer_of_send(ex: Exec<'_>, send_id: Id) -> StoreResult<Option<StoredAnswer>> {
    let sql = format!("SELECT {} FROM survey_answers WHERE send_id = $1", ANSWER_COLUMNS.join(", "));
    let row: Option<AnswerRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(send_id).fetch_optional(e).await)?;
    row.map(AnswerRow::into_domain).transpose()
}

/// How many ratings of each value a dimension got, per group when sliced.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RatingCount {
    /// The slice value (ids as text); `None` when not sliced or the answer had none.
    pub group_value: Option<String>,
    pub dimension: String,
    pub rating: i64,
    pub count: i64,
}

/// The rating histograms of the filter's answers, by dimension (and by `group_by`).
async fn raw_rating_counts(ex: Exec<'_>, filter: &AnswerFilter, group_by: Option<Slice>) -> StoreResult<Vec<RatingCount>> {
    let mut select = Query::select();
    // Answers first: the period and slices narrow them through their index, then each
    // answer's ratings are read by the ratings' primary key.
    select.from_as(Alias::new("survey_answers"), Alias::new("a")).join_as(
        sea_query::JoinType::InnerJoin,
        Alias::new("survey_ratings"),
        Alias::new("r"),
        Expr::col((Alias::new("r"), Alias::new("answer_id"))).equals((Alias::new("a"), Alias::new("id"))),
    );
    let group_expr = group_by.map(|slice| format!("CAST(a.{} AS TEXT)", slice_column(slice)));
    match &group_expr {
        Some(expr) => select.expr_as(Expr::cust(expr.clone()), Alias::new("group_value")),
        None => select.expr_as(Expr::cust("CAST(NULL AS TEXT)"), Alias::new("group_value")),
    };
    select
        .column((Alias::new("r"), Alias::new("dimension")))
        .column((Alias::new("r"), Alias::new("rating")))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("count"));
    filter_answers(&mut select, filter);
    if let Some(expr) = group_expr {
        select.add_group_by([Expr::cust(expr)]);
    }
    select.add_group_by([
        Expr::col((Alias::new("r"), Alias::new("dimension"))),
        Expr::col((Alias::new("r"), Alias::new("rating"))),
    ]);
    let rows: Vec<RatingCount> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    Ok(rows)
}

/// The count, sum and sum of squares of the filter's per-answer scores.
async fn raw_score_totals(ex: Exec<'_>, filter: &AnswerFilter) -> StoreResult<ScoreTotals> {
    let mut select = Query::select();
    select
        .from_as(Alias::new("survey_answers"), Alias::new("a"))
        .expr_as(Expr::cust("COUNT(a.score)"), Alias::new("n"))
        .expr_as(Expr::cust("COALESCE(SUM(a.score), 0.0)"), Alias::new("total"))
        .expr_as(Expr::cust("COALESCE(SUM(a.score * a.score), 0.0)"), Alias::new("squares"));
    filter_answers(&mut select, filter);
    let (n, sum, sum_of_squares): (i64, f64, f64) =
        exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_one(e).await)?;
    Ok(ScoreTotals {
        n: u64::try_from(n).unwrap_or(0),
        sum,
        sum_of_squares,
    })
}

/// What one slice value's answers add up to: how many, and their scores' totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupTotals {
    /// The slice value (ids as text); `None` when the answer had none.
    pub group_value: Option<String>,
    pub answers: i64,
    pub scores: ScoreTotals,
}

impl GroupTotals {
    fn add(&mut self, answers: i64, scored: i64, sum: f64, squares: f64) {
        self.answers += answers;
        self.scores.n += u64::try_from(scored).unwrap_or(0);
        self.scores.sum += sum;
        self.scores.sum_of_squares += squares;
    }
}

type TotalsRow = (Option<String>, i64, i64, f64, f64);

async fn raw_group_totals(ex: Exec<'_>, filter: &AnswerFilter, group_by: Slice) -> StoreResult<Vec<TotalsRow>> {
    let group = format!("CAST(a.{} AS TEXT)", slice_column(group_by));
    let mut select = Query::select();
    select
        .from_as(Alias::new("survey_answers"), Alias::new("a"))
        .expr_as(Expr::cust(group.clone()), Alias::new("group_value"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("answers"))
        .expr_as(Expr::cust("COUNT(a.score)"), Alias::new("scored"))
        .expr_as(Expr::cust("COALESCE(SUM(a.score), 0.0)"), Alias::new("total"))
        .expr_as(Expr::cust("COALESCE(SUM(a.score * a.score), 0.0)"), Alias::new("squares"));
    filter_answers(&mut select, filter);
    select.add_group_by([Expr::cust(group)]);
    let rows: Vec<TotalsRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    Ok(rows)
}

/// How often each low-score reason was given, by dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::FromRow)]
pub struct ReasonCount {
    pub dimension: String,
    pub reason: String,
    pub count: i64,
}

async fn raw_reason_counts(ex: Exec<'_>, filter: &AnswerFilter) -> StoreResult<Vec<ReasonCount>> {
    let mut select = Query::select();
    select.from_as(Alias::new("survey_answers"), Alias::new("a")).join_as(
        sea_query::JoinType::InnerJoin,
        Alias::new("survey_reasons"),
        Alias::new("r"),
        Expr::col((Alias::new("r"), Alias::new("answer_id"))).equals((Alias::new("a"), Alias::new("id"))),
    );
    select
        .column((Alias::new("r"), Alias::new("dimension")))
        .column((Alias::new("r"), Alias::new("reason")))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("count"));
    filter_answers(&mut select, filter);
    select.add_group_by([
        Expr::col((Alias::new("r"), Alias::new("dimension"))),
        Expr::col((Alias::new("r"), Alias::new("reason"))),
    ]);
    let rows: Vec<ReasonCount> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    Ok(rows)
}

// ---- secrets ----

/// The value of an application secret, created with `make` the first time it is asked
/// for (every node then reads the same one).
pub async fn app_secret(tx: &mut Tx, name: &str, make: &str) -> StoreResult<String> {
    exec!(tx.exec(), e => sqlx::query("INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name).bind(make).execute(e).await.map(|r| r.rows_affected()))?;
    let value: String = exec!(tx.exec(), e => sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = $1")
        .bind(name).fetch_one(e).await)?;
    Ok(value)
}

// ---- improvement actions and praise ----

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    design_key: String,
    dimension: String,
    reason: String,
    what: String,
    owner_id: Option<i64>,
    due_on: Option<String>,
    done_at: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
}

impl ActionRow {
    fn into_domain(self) -> StoreResult<ImprovementAction> {
        let due_on = match self.due_on {
            Some(text) => Some(parsed(text.parse::<jiff::civil::Date>(), "date", &text)?),
            None => None,
        };
        Ok(ImprovementAction {
            id: self.id,
            design_key: self.design_key,
            dimension: self.dimension,
            reason: self.reason,
            what: self.what,
            owner_id: self.owner_id,
            due_on,
            done_at: opt_ts(self.done_at)?,
            created_by: self.created_by,
            created_at: ts(self.created_at)?,
        })
    }
}

const ACTION_COLUMNS: &str = "id, design_key, dimension, reason, what, owner_id, due_on, done_at, created_by, created_at";

/// Stores an action (its `id` is ignored); returns the id.
pub async fn insert_action(ex: Exec<'_>, action: &ImprovementAction) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO survey_actions (design_key, dimension, reason, what, owner_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(&action.design_key).bind(&action.dimension).bind(&action.reason).bind(&action.what).bind(action.owner_id)
        .bind(action.due_on.map(|d| d.to_string())).bind(action.created_by).bind(ms(action.created_at)).fetch_one(e).await)?;
    Ok(id)
}

/// A design's actions, newest first.
pub async fn actions(ex: Exec<'_>, design_key: &str) -> StoreResult<Vec<ImprovementAction>> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM survey_actions WHERE design_key = $1 ORDER BY id DESC");
    let rows: Vec<ActionRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(design_key).fetch_all(e).await)?;
    rows.into_iter().map(ActionRow::into_domain).collect()
}

pub async fn action_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<ImprovementAction>> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM survey_actions WHERE id = $1");
    let row: Option<ActionRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(e).await)?;
    row.map(ActionRow::into_domain).transpose()
}

/// Marks an action done (or open again with `None`).
pub async fn set_action_done(ex: Exec<'_>, id: Id, done_at: Option<Timestamp>) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE survey_actions SET done_at = $2 WHERE id = $1")
        .bind(id).bind(done_at.map(ms)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn insert_praise(
    ex: Exec<'_>,
    answer_id: Id,
    agent_id: Id,
    team_id: Option<Id>,
    comment: &str,
    at: Timestamp,
) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO survey_praise (answer_id, agent_id, team_id, comment, submitted_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(answer_id).bind(agent_id).bind(team_id).bind(comment).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Praise for the wall: newest first.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PraiseRow {
    pub answer_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub team_id: Option<i64>,
    pub comment: String,
    pub submitted_at: i64,
}

/// Praise in `[from, to)`, for one team or all.
pub async fn praise(ex: Exec<'_>, team_id: Option<Id>, from: Timestamp, to: Timestamp, limit: i64) -> StoreResult<Vec<PraiseRow>> {
    let rows: Vec<PraiseRow> = exec!(ex, e => sqlx::query_as(
        "SELECT p.answer_id, p.agent_id, g.name AS agent_name, p.team_id, p.comment, p.submitted_at \
         FROM survey_praise p JOIN agents g ON g.id = p.agent_id \
         WHERE p.submitted_at >= $1 AND p.submitted_at < $2 AND ($3 IS NULL OR p.team_id = $3) \
         ORDER BY p.submitted_at DESC LIMIT $4")
        .bind(ms(from)).bind(ms(to)).bind(team_id).bind(limit).fetch_all(e).await)?;
    Ok(rows)
}

/// How many answers praised each agent in `[from, to)`, and the mean score of the answers
/// about their tickets in that time.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AgentStanding {
    pub agent_id: i64,
    pub agent_name: String,
    pub praise: i64,
    pub answers: i64,
    pub mean_score: Option<f64>,
}

pub async fn agent_standings(ex: Exec<'_>, from: Timestamp, to: Timestamp) -> StoreResult<Vec<AgentStanding>> {
    let rows: Vec<AgentStanding> = exec!(ex, e => sqlx::query_as(
        "SELECT g.id AS agent_id, g.name AS agent_name, \
           (SELECT COUNT(*) FROM survey_praise p WHERE p.agent_id = g.id AND p.submitted_at >= $1 AND p.submitted_at < $2) AS praise, \
           (SELECT COUNT(a.score) FROM survey_answers a WHERE a.agent_id = g.id AND a.submitted_at >= $1 AND a.submitted_at < $2) AS answers, \
           (SELECT AVG(a.score) FROM survey_answers a WHERE a.agent_id = g.id AND a.submitted_at >= $1 AND a.submitted_at < $2) AS mean_score \
         FROM agents g")
        .bind(ms(from)).bind(ms(to)).fetch_all(e).await)?;
    Ok(rows.into_iter().filter(|r| r.praise > 0 || r.answers > 0).collect())
}

// ---- reads for reports: rollups for whole hours, answers for the edge minutes ----
//
// The rollup statements below read, in hour numbers, 32-day blocks (`span` =
// [`BLOCK_HOURS`]) for `[$8, $9)`, days (`span` = [`DAY_HOURS`]) for the rest of
// `[$6, $7)` and single hours (`span = 1`) for the rest of `[$3, $4)`.

/// How rollup rows answer a report: which rows to read, and which of them count for
/// which group.
struct Plan {
    /// The rollup slice: `''`, a slice or a pair of slices (`team+channel`).
    slice: String,
    /// The one slice value to read; `None` reads every value (a grouped read).
    value: Option<String>,
    split: PeriodSplit,
    pick: Pick,
}

/// Which group a rollup row's value counts for.
enum Pick {
    /// A single slice's rows: the value is the group.
    Whole,
    /// A pair's rows: `keep` (component, value) says which rows count, if not all, and
    /// the component at `group` is the group.
    Pair { keep: Option<(usize, String)>, group: usize },
}

impl Pick {
    /// The group a row of this value counts for (`None` inside when ungrouped or the
    /// answers had no value), or `None` when the row does not count.
    fn group(&self, value: String, grouped: bool) -> Option<Option<String>> {
        let of = |value: String| (grouped && !value.is_empty()).then_some(value);
        match self {
            Pick::Whole => Some(of(value)),
            Pick::Pair { keep, group } => {
                let (first, second) = survey_rollups::split_pair_value(&value)?;
                let parts = [first, second];
                if let Some((at, wanted)) = keep
                    && parts[*at] != wanted
                {
                    return None;
                }
                Some(of(parts[*group].to_owned()))
            }
        }
    }
}

/// Which rollup rows answer a filter (with an optional grouping), if any do: a filter on
/// at most one slice reads that slice's rows; on two slices, or on one grouped by
/// another, their pair's rows. Filters on three slices, low answers only, or an open
/// period are counted from the answers.
fn plan_for(filter: &AnswerFilter, group_by: Option<Slice>) -> Option<Plan> {
    if filter.low_only {
        return None;
    }
    let (from, to) = (ms(filter.from?), ms(filter.to?));
    let single = |slice: &str, value: Option<String>| Plan {
        slice: slice.to_owned(),
        value,
        split: PeriodSplit::of(from, to),
        pick: Pick::Whole,
    };
    let pair = |x: Slice, y: Slice, value: Option<String>, keep: Option<(Slice, String)>, group: Slice| {
        let ordered = survey_rollups::ordered_pair(x, y);
        let at = |slice: Slice| usize::from(slice != ordered.0);
        Some(Plan {
            slice: survey_rollups::pair_name(ordered),
            value,
            split: PeriodSplit::of_days(from, to),
            pick: Pick::Pair {
                keep: keep.map(|(slice, value)| (at(slice), rollup_value(slice, &value))),
                group: at(group),
            },
        })
    };
    match (filter.slices.as_slice(), group_by) {
        ([], None) => Some(single("", Some(String::new()))),
        ([], Some(group)) => Some(single(group.as_str(), None)),
        ([(slice, value)], None) => Some(single(slice.as_str(), Some(rollup_value(*slice, value)))),
        ([(slice, value)], Some(group)) if group == *slice => Some(single(slice.as_str(), Some(rollup_value(*slice, value)))),
        ([(slice, value)], Some(group)) => pair(*slice, group, None, Some((*slice, value.clone())), group),
        ([(x, x_value), (y, y_value)], group) if x != y && group.is_none_or(|g| g == *x || g == *y) => {
            let (first, _) = survey_rollups::ordered_pair(*x, *y);
            let (x_value, y_value) = (rollup_value(*x, x_value), rollup_value(*y, y_value));
            let value = if first == *x {
                survey_rollups::pair_value(&x_value, &y_value)
            } else {
                survey_rollups::pair_value(&y_value, &x_value)
            };
            pair(*x, *y, Some(value), None, group.unwrap_or(*x))
        }
        _ => None,
    }
}

/// The filter narrowed to `[from, to)` (in milliseconds).
fn narrowed(filter: &AnswerFilter, (from, to): (i64, i64)) -> StoreResult<AnswerFilter> {
    let at = |ms: i64| crate::convert::ts(ms);
    Ok(AnswerFilter {
        from: Some(at(from)?),
        to: Some(at(to)?),
        ..filter.clone()
    })
}

/// A filter's value as rollup rows hold it: an id as its number prints (the answers'
/// filter compares numbers, so `07` finds team 7 either way).
fn rollup_value(slice: Slice, value: &str) -> String {
    match value.parse::<i64>() {
        Ok(id) if is_id_slice(slice) => id.to_string(),
        _ => value.to_owned(),
    }
}

/// How rollups answer a filter, if they can (pair rows only once they hold every answer).
async fn plan(ex: &mut Exec<'_>, filter: &AnswerFilter, group_by: Option<Slice>) -> StoreResult<Option<Plan>> {
    let Some(plan) = plan_for(filter, group_by) else {
        return Ok(None);
    };
    let reads_pairs = matches!(plan.pick, Pick::Pair { .. });
    Ok(if reads_pairs && !survey_rollups::pairs_filled(ex.reborrow()).await? {
        None
    } else {
        Some(plan)
    })
}

/// Which slice values a rollup read takes.
#[derive(Clone, Copy)]
enum Values {
    /// Every value (a grouped read, `$5` NULL): on SQLite a range of the table's own
    /// order, on PostgreSQL of its `_by_start` index.
    Every,
    /// `$5` alone, found through the `_by_value` index (primary key on PostgreSQL).
    One,
}

impl Values {
    fn of(value: &Option<String>) -> Values {
        if value.is_some() { Values::One } else { Values::Every }
    }
}

/// The rows of a rollup table that cover a plan's whole hours, as a subquery to select
/// from: `$1` the design, `$2` the slice, `[$3, $4)` the hours, of which `[$6, $7)` are
/// whole days, of which `[$8, $9)` are whole blocks (each read at the coarsest span that
/// covers it), `$5` the slice value. One branch per span and side, each a range of one
/// index: the days before and after the blocks, the hours before and after the days (a
/// range over the whole period read every hour row inside it, to keep none).
fn rollup_rows(table: &str, values: Values) -> String {
    let value = match values {
        // `$5` is named either way: PostgreSQL must see every parameter.
        Values::Every => "$5 IS NULL",
        Values::One => "slice_value = $5",
    };
    let branch = |span: i64, (from, to): (&str, &str)| {
        format!(
            "SELECT * FROM {table} WHERE design_key = $1 AND slice = $2 AND span = {span} \
             AND start_hour >= {from} AND start_hour < {to} AND {value}"
        )
    };
    let branches = [
        branch(BLOCK_HOURS, ("$8", "$9")),
        branch(DAY_HOURS, ("$6", "$8")),
        branch(DAY_HOURS, ("$9", "$7")),
        branch(1, ("$3", "$6")),
        branch(1, ("$7", "$4")),
    ];
    format!("({}) AS rollup", branches.join(" UNION ALL "))
}

/// Binds [`rollup_rows`]' parameters, in its numbering, to a query.
macro_rules! bind_plan {
    ($query:expr, $design:expr, $slice:expr, $value:expr, $split:expr) => {
        $query
            .bind($design)
            .bind($slice)
            .bind($split.hours.0)
            .bind($split.hours.1)
            .bind($value)
            .bind($split.days.0)
            .bind($split.days.1)
            .bind($split.blocks.0)
            .bind($split.blocks.1)
    };
}

/// One group's and dimension's summed histogram row (see [`COUNT_COLUMNS`]).
struct HistogramSum {
    slice_value: String,
    dimension: String,
    bucket: i64,
    counts: [i64; BUCKET_WIDTH as usize],
}

/// Decodes `slice_value, dimension, bucket, c0 … c20` on either backend.
fn histogram_sum<R: sqlx::Row>(row: R) -> sqlx::Result<HistogramSum>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let mut counts = [0; BUCKET_WIDTH as usize];
    for (i, count) in counts.iter_mut().enumerate() {
        *count = row.try_get(3 + i)?;
    }
    Ok(HistogramSum {
        slice_value: row.try_get(0)?,
        dimension: row.try_get(1)?,
        bucket: row.try_get(2)?,
        counts,
    })
}

/// The rating histograms of the filter's answers, by dimension (and by `group_by`).
pub async fn rating_counts(ex: Exec<'_>, filter: &AnswerFilter, group_by: Option<Slice>) -> StoreResult<Vec<RatingCount>> {
    let mut ex = ex;
    let Some(Plan { slice, value, split, pick }) = plan(&mut ex, filter, group_by).await? else {
        return raw_rating_counts(ex, filter, group_by).await;
    };
    let mut totals: BTreeMap<(Option<String>, String, i64), i64> = BTreeMap::new();
    for edge in [split.head, split.tail].into_iter().flatten() {
        for row in raw_rating_counts(ex.reborrow(), &narrowed(filter, edge)?, group_by).await? {
            *totals.entry((row.group_value, row.dimension, row.rating)).or_default() += row.count;
        }
    }
    if split.has_rollups() {
        let sums = COUNT_COLUMNS.map(|c| format!("CAST(SUM({c}) AS BIGINT)")).join(", ");
        let sql = format!(
            "SELECT slice_value, dimension, bucket, {sums} FROM {} GROUP BY slice_value, dimension, bucket",
            rollup_rows("survey_histogram_rollups", Values::of(&value))
        );
        let rows: Vec<HistogramSum> = exec!(ex.reborrow(), e => bind_plan!(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), &filter.design_key, &slice, &value, split)
            .fetch_all(e).await.and_then(|rows| rows.into_iter().map(histogram_sum).collect()))?;
        for row in rows {
            let Some(group) = pick.group(row.slice_value, group_by.is_some()) else {
                continue;
            };
            for (at, count) in row.counts.into_iter().enumerate().filter(|(_, count)| *count != 0) {
                let rating = row.bucket * BUCKET_WIDTH + at as i64;
                *totals.entry((group.clone(), row.dimension.clone(), rating)).or_default() += count;
            }
        }
    }
    Ok(totals
        .into_iter()
        .map(|((group_value, dimension, rating), count)| RatingCount {
            group_value,
            dimension,
            rating,
            count,
        })
        .collect())
}

/// The count, sum and sum of squares of the filter's per-answer scores.
pub async fn score_totals(ex: Exec<'_>, filter: &AnswerFilter) -> StoreResult<ScoreTotals> {
    let mut ex = ex;
    // Ungrouped: every plan reads one value, so every row it reads counts.
    let Some(Plan { slice, value, split, .. }) = plan(&mut ex, filter, None).await? else {
        return raw_score_totals(ex, filter).await;
    };
    let mut total = ScoreTotals::default();
    for edge in [split.head, split.tail].into_iter().flatten() {
        let part = raw_score_totals(ex.reborrow(), &narrowed(filter, edge)?).await?;
        total.n += part.n;
        total.sum += part.sum;
        total.sum_of_squares += part.sum_of_squares;
    }
    if split.has_rollups() {
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(scored), 0) AS BIGINT), CAST(COALESCE(SUM(score_sum), 0.0) AS DOUBLE PRECISION), \
             CAST(COALESCE(SUM(score_squares), 0.0) AS DOUBLE PRECISION) FROM {}",
            rollup_rows("survey_answer_rollups", Values::of(&value))
        );
        let (n, sum, squares): (i64, f64, f64) = exec!(ex.reborrow(), e => bind_plan!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), &filter.design_key, &slice, value.unwrap_or_default(), split).fetch_one(e).await)?;
        total.n += u64::try_from(n).unwrap_or(0);
        total.sum += sum;
        total.sum_of_squares += squares;
    }
    Ok(total)
}

/// How many answers each slice value has, and their scores' totals.
pub async fn group_totals(ex: Exec<'_>, filter: &AnswerFilter, group_by: Slice) -> StoreResult<Vec<GroupTotals>> {
    let mut totals: BTreeMap<Option<String>, GroupTotals> = BTreeMap::new();
    let mut add = |(group, answers, scored, sum, squares): TotalsRow| {
        totals
            .entry(group.clone())
            .or_insert_with(|| GroupTotals {
                group_value: group,
                ..GroupTotals::default()
            })
            .add(answers, scored, sum, squares);
    };
    let mut ex = ex;
    let Some(Plan { slice, value, split, pick }) = plan(&mut ex, filter, Some(group_by)).await? else {
        raw_group_totals(ex, filter, group_by).await?.into_iter().for_each(add);
        return Ok(totals.into_values().collect());
    };
    for edge in [split.head, split.tail].into_iter().flatten() {
        raw_group_totals(ex.reborrow(), &narrowed(filter, edge)?, group_by)
            .await?
            .into_iter()
            .for_each(&mut add);
    }
    if split.has_rollups() {
        let sql = format!(
            "SELECT slice_value, CAST(SUM(answers) AS BIGINT), CAST(SUM(scored) AS BIGINT), \
             CAST(SUM(score_sum) AS DOUBLE PRECISION), CAST(SUM(score_squares) AS DOUBLE PRECISION) FROM {} \
             GROUP BY slice_value",
            rollup_rows("survey_answer_rollups", Values::of(&value))
        );
        let rows: Vec<(String, i64, i64, f64, f64)> = exec!(ex.reborrow(), e => bind_plan!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), &filter.design_key, &slice, &value, split).fetch_all(e).await)?;
        for (slice_value, answers, scored, sum, squares) in rows {
            if let Some(group) = pick.group(slice_value, true) {
                add((group, answers, scored, sum, squares));
            }
        }
    }
    Ok(totals.into_values().collect())
}

/// How often each low-score reason was given, by dimension.
pub async fn reason_counts(ex: Exec<'_>, filter: &AnswerFilter) -> StoreResult<Vec<ReasonCount>> {
    let mut ex = ex;
    // Ungrouped: every plan reads one value, so every row it reads counts.
    let Some(Plan { slice, value, split, .. }) = plan(&mut ex, filter, None).await? else {
        return raw_reason_counts(ex, filter).await;
    };
    let mut totals: BTreeMap<(String, String), i64> = BTreeMap::new();
    for edge in [split.head, split.tail].into_iter().flatten() {
        for row in raw_reason_counts(ex.reborrow(), &narrowed(filter, edge)?).await? {
            *totals.entry((row.dimension, row.reason)).or_default() += row.count;
        }
    }
    if split.has_rollups() {
        let sql = format!(
            "SELECT dimension, reason, CAST(SUM(count) AS BIGINT) FROM {} GROUP BY dimension, reason",
            rollup_rows("survey_reason_rollups", Values::of(&value))
        );
        let rows: Vec<(String, String, i64)> = exec!(ex.reborrow(), e => bind_plan!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), &filter.design_key, &slice, value.unwrap_or_default(), split).fetch_all(e).await)?;
        for (dimension, reason, count) in rows {
            *totals.entry((dimension, reason)).or_default() += count;
        }
    }
    Ok(totals
        .into_iter()
        .map(|((dimension, reason), count)| ReasonCount { dimension, reason, count })
        .collect())
}

/// What a report reads of one period: its rating histograms, score totals and reasons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodCounts {
    pub ratings: Vec<RatingCount>,
    pub scores: ScoreTotals,
    pub reasons: Vec<ReasonCount>,
}

/// A period's counts (its reasons only `with_reasons`: a previous period's are not
/// shown). The rollups serve a filter on at most two slices (see `plan_for`); for one
/// they do not serve (three slices, pair rows not yet filled) the period's matching
/// answers are found once and all counted from them (one pass over the period's index
/// instead of one per count).
pub async fn period_counts(ex: Exec<'_>, filter: &AnswerFilter, with_reasons: bool) -> StoreResult<PeriodCounts> {
    let mut ex = ex;
    if plan(&mut ex, filter, None).await?.is_none() {
        return raw_period_counts(ex, filter, with_reasons).await;
    }
    Ok(PeriodCounts {
        ratings: rating_counts(ex.reborrow(), filter, None).await?,
        scores: score_totals(ex.reborrow(), filter).await?,
        reasons: if with_reasons {
            reason_counts(ex, filter).await?
        } else {
            Vec::new()
        },
    })
}

/// One row of [`raw_period_counts`]: `kind` says which of the three it belongs to.
type PeriodRow = (String, String, i64, Option<String>, i64, f64, f64);

async fn raw_period_counts(ex: Exec<'_>, filter: &AnswerFilter, with_reasons: bool) -> StoreResult<PeriodCounts> {
    let a = |c: &str| (Alias::new("a"), Alias::new(c));
    let mut matching = Query::select();
    matching
        .from_as(Alias::new("survey_answers"), Alias::new("a"))
        .column(a("id"))
        .column(a("score"));
    filter_answers(&mut matching, filter);
    // The three parts share one row shape: kind, dimension, rating, reason, count, sum,
    // sum of squares (the columns a part has no use for are zero or NULL).
    let part = |table: Option<&str>, columns: [&'static str; 7]| {
        let mut select = Query::select();
        select.from(Alias::new("m"));
        if let Some(table) = table {
            select.join_as(
                sea_query::JoinType::InnerJoin,
                Alias::new(table),
                Alias::new("r"),
                Expr::col((Alias::new("r"), Alias::new("answer_id"))).equals((Alias::new("m"), Alias::new("id"))),
            );
        }
        for column in columns {
            select.expr(Expr::cust(column));
        }
        select
    };
    let zero = "CAST(0 AS DOUBLE PRECISION)";
    let no_reason = "CAST(NULL AS TEXT)";
    let mut ratings = part(
        Some("survey_ratings"),
        [
            "'rating'",
            "r.dimension",
            "CAST(r.rating AS BIGINT)",
            no_reason,
            "COUNT(*)",
            zero,
            zero,
        ],
    );
    ratings.add_group_by([Expr::cust("r.dimension"), Expr::cust("r.rating")]);
    let mut reasons = part(
        Some("survey_reasons"),
        ["'reason'", "r.dimension", "CAST(0 AS BIGINT)", "r.reason", "COUNT(*)", zero, zero],
    );
    reasons.add_group_by([Expr::cust("r.dimension"), Expr::cust("r.reason")]);
    let scores = part(
        None,
        [
            "'scores'",
            "''",
            "CAST(0 AS BIGINT)",
            no_reason,
            "COUNT(m.score)",
            "CAST(COALESCE(SUM(m.score), 0.0) AS DOUBLE PRECISION)",
            "CAST(COALESCE(SUM(m.score * m.score), 0.0) AS DOUBLE PRECISION)",
        ],
    );
    // Materialised: the period's index is read once, whichever parts use the answers.
    let mut cte = CommonTableExpression::new();
    cte.query(matching)
        .columns([Alias::new("id"), Alias::new("score")])
        .table_name(Alias::new("m"))
        .materialized(true);
    if with_reasons {
        ratings.union(UnionType::All, reasons);
    }
    let query = ratings
        .union(UnionType::All, scores)
        .to_owned()
        .with(WithClause::new().cte(cte).to_owned());
    let rows: Vec<PeriodRow> = exec_built!(ex, query, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    let mut counts = PeriodCounts::default();
    for (kind, dimension, rating, reason, count, sum, sum_of_squares) in rows {
        match kind.as_str() {
            "rating" => counts.ratings.push(RatingCount {
                group_value: None,
                dimension,
                rating,
                count,
            }),
            "reason" => counts.reasons.push(ReasonCount {
                dimension,
                reason: reason.unwrap_or_default(),
                count,
            }),
            _ => {
                counts.scores = ScoreTotals {
                    n: u64::try_from(count).unwrap_or(0),
                    sum,
                    sum_of_squares,
                }
            }
        }
    }
    // In the order the rollup-served reads give them.
    counts
        .ratings
        .sort_by(|x, y| (&x.dimension, x.rating).cmp(&(&y.dimension, y.rating)));
    counts.reasons.sort();
    Ok(counts)
}

/// The latest answer's score (0–100) and whether it was low, per ticket, for the tickets
/// given (answers without a score, e.g. text only, are left out).
pub async fn latest_scores_of_tickets(ex: Exec<'_>, ticket_ids: &[Id]) -> StoreResult<Vec<(Id, f64, bool)>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .columns(["ticket_id", "score", "low"])
        .from("survey_answers")
        .and_where(Expr::col("ticket_id").is_in(ticket_ids.iter().copied()))
        .and_where(Expr::col("score").is_not_null())
        .order_by("submitted_at", Order::Asc)
        .order_by("id", Order::Asc);
    let rows: Vec<(i64, f64, bool)> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    // Oldest first, so the last write per ticket is its latest answer.
    let mut latest: std::collections::HashMap<Id, (f64, bool)> = std::collections::HashMap::new();
    for (ticket, score, low) in rows {
        latest.insert(ticket, (score, low));
    }
    Ok(latest.into_iter().map(|(ticket, (score, low))| (ticket, score, low)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(slices: &[(Slice, &str)]) -> AnswerFilter {
        AnswerFilter {
            design_key: "csat".into(),
            from: Some(Timestamp::from_second(86_400 * 100).unwrap()),
            to: Some(Timestamp::from_second(86_400 * 190).unwrap()),
            slices: slices.iter().map(|(slice, value)| (*slice, (*value).to_owned())).collect(),
            low_only: false,
        }
    }

    /// The rows a plan reads, and how a row of value `row` counts (`None`: not at all).
    fn reads(plan: Option<Plan>, row: &str, grouped: bool) -> Option<(String, Option<String>, Option<Option<String>>)> {
        plan.map(|plan| (plan.slice, plan.value, plan.pick.group(row.to_owned(), grouped)))
    }

    #[test]
    fn two_slices_read_their_pair_in_slice_order() {
        let two = filter(&[(Slice::Channel, "web"), (Slice::Team, "07")]);
        assert_eq!(
            reads(plan_for(&two, None), "1:7web", false),
            Some(("team+channel".into(), Some("1:7web".into()), Some(None)))
        );
        // Grouped by one of the two: the group is that value.
        assert_eq!(
            reads(plan_for(&two, Some(Slice::Channel)), "1:7web", true),
            Some(("team+channel".into(), Some("1:7web".into()), Some(Some("web".into()))))
        );
        // One slice grouped by another: every value of the pair, the rows of the filter's.
        let one = filter(&[(Slice::Channel, "web")]);
        let by_team = |row: &str| reads(plan_for(&one, Some(Slice::Team)), row, true).and_then(|(_, _, group)| group);
        assert_eq!(plan_for(&one, Some(Slice::Team)).and_then(|plan| plan.value), None);
        assert_eq!(by_team("1:7web"), Some(Some("7".into())));
        assert_eq!(by_team("1:7phone"), None);
        assert_eq!(by_team("0:web"), Some(None));
        // Whole days only: the partial days at the edges come from the answers.
        let split = plan_for(&two, None).unwrap().split;
        assert_eq!(split.hours, split.days);
    }

    #[test]
    fn filters_no_rollup_holds_count_the_answers() {
        let three = filter(&[(Slice::Team, "1"), (Slice::Channel, "web"), (Slice::Region, "华东")]);
        assert!(plan_for(&three, None).is_none());
        let same_twice = filter(&[(Slice::Team, "1"), (Slice::Team, "2")]);
        assert!(plan_for(&same_twice, None).is_none());
        let two = filter(&[(Slice::Team, "1"), (Slice::Channel, "web")]);
        assert!(plan_for(&two, Some(Slice::Agent)).is_none());
        let low = AnswerFilter {
            low_only: true,
            ..filter(&[])
        };
        assert!(plan_for(&low, None).is_none());
    }
}

//! Tickets: numbering, insert, update, and the inbox list with keyset pagination. Each
//! list shape has an index made for it (migrations, `tickets_by_*`).

use crate::backend::{Exec, exec, exec_built};
use crate::convert::{json_list, json_map, ms, opt_ts, to_json, ts, wire};
use crate::error::{StoreResult, corrupt};
use jiff::Timestamp;
use kefu_domain::entities::{FIRST_TICKET_NUMBER, Id, ServiceFacts, Ticket, TicketNumber};
use kefu_domain::enums::{Channel, Priority, TicketKind};
use kefu_domain::query::{AssigneeFilter, SlaFilter, TicketQuery, TicketSort, Visibility};
use kefu_domain::sla::SlaState;
use kefu_domain::status::Status;
use sea_query::{Cond, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement};
use serde_json::{Map, Value};

const COLUMNS: &str = "id, number, subject, description, kind, channel, status, priority, category, tags, customer_id, team_id, \
     assignee_id, owner_id, expected_resolution, custom, transfer_count, reopen_count, follow_up_of, has_public_reply, \
     created_at, updated_at, first_reply_at, resolved_at, language, required_skills, sla, sla_breached, \
     first_response_ms, first_response_business_ms, resolution_ms, resolution_business_ms, agent_replies, first_contact_resolved, arrived_at";

/// [`COLUMNS`] without the clocks: what an insert returns. Parsing back the JSON just
/// written would cost a create more than the clocks themselves.
const INSERTED_COLUMNS: &str = "id, number, subject, description, kind, channel, status, priority, category, tags, customer_id, team_id, \
     assignee_id, owner_id, expected_resolution, custom, transfer_count, reopen_count, follow_up_of, has_public_reply, \
     created_at, updated_at, first_reply_at, resolved_at, language, required_skills, sla_breached, \
     first_response_ms, first_response_business_ms, resolution_ms, resolution_business_ms, agent_replies, first_contact_resolved, arrived_at";

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    number: i64,
    subject: String,
    description: String,
    kind: String,
    channel: String,
    status: String,
    priority: i16,
    category: Option<String>,
    tags: String,
    customer_id: i64,
    team_id: Option<i64>,
    assignee_id: Option<i64>,
    owner_id: Option<i64>,
    expected_resolution: Option<String>,
    custom: String,
    transfer_count: i64,
    reopen_count: i64,
    follow_up_of: Option<i64>,
    has_public_reply: bool,
    created_at: i64,
    updated_at: i64,
    first_reply_at: Option<i64>,
    resolved_at: Option<i64>,
    language: Option<String>,
    required_skills: String,
    /// Left out of an insert's RETURNING (the caller has the state it inserted).
    #[sqlx(default)]
    sla: Option<String>,
    sla_breached: bool,
    first_response_ms: Option<i64>,
    first_response_business_ms: Option<i64>,
    resolution_ms: Option<i64>,
    resolution_business_ms: Option<i64>,
    agent_replies: i64,
    first_contact_resolved: Option<bool>,
    arrived_at: Option<i64>,
}

impl TicketRow {
    fn into_domain(self) -> StoreResult<Ticket> {
        Ticket {
            id: self.id,
            number: self.number,
            subject: self.subject,
            description: self.description,
            kind: wire(TicketKind::parse, "kind", &self.kind)?,
            channel: wire(Channel::parse, "channel", &self.channel)?,
            status: wire(Status::parse, "status", &self.status)?,
            priority: Priority::from_rank(self.priority).ok_or_else(|| corrupt("priority", &self.priority.to_string()))?,
            category: self.category,
            tags: json_list(&self.tags)?,
            customer_id: self.customer_id,
            team_id: self.team_id,
            assignee_id: self.assignee_id,
            owner_id: self.owner_id,
            expected_resolution: self.expected_resolution,
            custom: json_map(&self.custom)?,
            transfer_count: self.transfer_count,
            has_public_reply: self.has_public_reply,
            reopen_count: self.reopen_count,
            follow_up_of: self.follow_up_of,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            first_reply_at: opt_ts(self.first_reply_at)?,
            resolved_at: opt_ts(self.resolved_at)?,
            language: self.language,
            required_skills: json_list(&self.required_skills)?,
            sla: None,
            sla_due_at: None,
            sla_breached: self.sla_breached,
            facts: ServiceFacts {
                first_response_ms: self.first_response_ms,
                first_response_business_ms: self.first_response_business_ms,
                resolution_ms: self.resolution_ms,
                resolution_business_ms: self.resolution_business_ms,
                agent_replies: self.agent_replies,
                first_contact_resolved: self.first_contact_resolved,
                arrived_at: opt_ts(self.arrived_at)?,
            },
        }
        .with_sla(self.sla.as_deref())
    }
}

trait WithSla: Sized {
    fn with_sla(self, text: Option<&str>) -> StoreResult<Self>;
}

impl WithSla for Ticket {
    fn with_sla(mut self, text: Option<&str>) -> StoreResult<Ticket> {
        let breached = self.sla_breached;
        let state = text
            .map(|t| serde_json::from_str::<SlaState>(t).map_err(|_| corrupt("sla state", t)))
            .transpose()?;
        self.set_sla(state);
        // The column is the record (it also counts breaches the state was replayed past).
        self.sla_breached |= breached;
        Ok(self)
    }
}

/// The SLA columns of a ticket: the clocks and the summaries the list filters and the
/// scheduler read.
struct SlaColumns {
    state: Option<String>,
    due_at: Option<i64>,
    warn_at: Option<i64>,
    check_at: Option<i64>,
    breached: bool,
}

impl SlaColumns {
    fn of(state: Option<&SlaState>, breached: bool) -> Self {
        SlaColumns {
            state: state.map(to_json),
            due_at: state.and_then(SlaState::due_at).map(ms),
            warn_at: state.and_then(SlaState::warn_at).map(ms),
            check_at: state.and_then(SlaState::next_check_at).map(ms),
            breached: breached || state.is_some_and(SlaState::breach_recorded),
        }
    }
}

/// A ticket to create; the store gives it its id and number.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub subject: String,
    pub description: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub priority: Priority,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub customer_id: Id,
    pub team_id: Option<Id>,
    pub expected_resolution: Option<String>,
    pub custom: Map<String, Value>,
    pub follow_up_of: Option<TicketNumber>,
    pub language: Option<String>,
    pub required_skills: Vec<String>,
    /// The SLA clocks as of creation.
    pub sla: Option<SlaState>,
}

/// Inserts a ticket under the next number: the highest so far plus one, read from the
/// unique index inside the write transaction. The single writer makes that race-free, and
/// a rolled-back command gives its number back, so numbers have no gaps.
pub async fn insert_ticket(ex: Exec<'_>, new: &NewTicket, now: Timestamp) -> StoreResult<Ticket> {
    let sla = SlaColumns::of(new.sla.as_ref(), false);
    let row: TicketRow = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO tickets (number, subject, description, kind, channel, status, priority, category, tags, customer_id, team_id, \
         expected_resolution, custom, follow_up_of, created_at, updated_at, language, required_skills, \
         sla, sla_due_at, sla_warn_at, sla_check_at) \
         VALUES ((SELECT COALESCE(MAX(number), {last}) + 1 FROM tickets), $1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, \
         $14, $15, $16, $17, $18, $19) \
         RETURNING {INSERTED_COLUMNS}", last = FIRST_TICKET_NUMBER - 1)))
        .bind(&new.subject)
        .bind(&new.description)
        .bind(new.kind.as_str())
        .bind(new.channel.as_str())
        .bind(new.priority.rank())
        .bind(new.category.as_deref())
        .bind(to_json(&new.tags))
        .bind(new.customer_id)
        .bind(new.team_id)
        .bind(new.expected_resolution.as_deref())
        .bind(to_json(&new.custom))
        .bind(new.follow_up_of)
        .bind(ms(now))
        .bind(new.language.as_deref())
        .bind(to_json(&new.required_skills))
        .bind(sla.state.as_deref())
        .bind(sla.due_at)
        .bind(sla.warn_at)
        .bind(sla.check_at)
        .fetch_one(e).await)?;
    let mut ticket = row.into_domain()?;
    ticket.set_sla(new.sla.clone());
    Ok(ticket)
}

/// The number the next ticket gets.
pub async fn next_ticket_number(ex: Exec<'_>) -> StoreResult<TicketNumber> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(number), {}) + 1 FROM tickets", FIRST_TICKET_NUMBER - 1))).fetch_one(e).await)?;
    Ok(n)
}

/// Inserts many new tickets in one statement, numbered `first_number`,
/// `first_number + 1`, ... in the order given; returns them in that order.
///
/// Built with sea-query so SQLite gets anonymous `?` parameters: sqlx looks up the name of
/// every numbered parameter (`$N`) linearly, which made binding a multi-row statement
/// quadratic.
pub async fn insert_tickets(ex: Exec<'_>, first_number: TicketNumber, tickets: &[NewTicket], now: Timestamp) -> StoreResult<Vec<Ticket>> {
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = Query::insert();
    insert
        .into_table("tickets")
        .columns([
            "number",
            "subject",
            "description",
            "kind",
            "channel",
            "status",
            "priority",
            "category",
            "tags",
            "customer_id",
            "team_id",
            "expected_resolution",
            "custom",
            "follow_up_of",
            "created_at",
            "updated_at",
            "language",
            "required_skills",
            "sla",
            "sla_due_at",
            "sla_warn_at",
            "sla_check_at",
        ])
        // Only the keys: the rest is what was given and the schema's defaults, and
        // decoding whole rows back cost the single writer more than the insert.
        .returning(Query::returning().columns(["id", "number"]));
    for (offset, new) in tickets.iter().enumerate() {
        let sla = SlaColumns::of(new.sla.as_ref(), false);
        insert.values_panic([
            (first_number + offset as i64).into(),
            new.subject.clone().into(),
            new.description.clone().into(),
            new.kind.as_str().into(),
            new.channel.as_str().into(),
            Status::New.as_str().into(),
            new.priority.rank().into(),
            new.category.clone().into(),
            to_json(&new.tags).into(),
            new.customer_id.into(),
            new.team_id.into(),
            new.expected_resolution.clone().into(),
            to_json(&new.custom).into(),
            new.follow_up_of.into(),
            ms(now).into(),
            ms(now).into(),
            new.language.clone().into(),
            to_json(&new.required_skills).into(),
            sla.state.into(),
            sla.due_at.into(),
            sla.warn_at.into(),
            sla.check_at.into(),
        ]);
    }
    let mut keys: Vec<(Id, TicketNumber)> = exec_built!(ex, insert, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    // RETURNING does not promise the insertion order; numbered in the order given, the
    // n-th number is the n-th new ticket.
    keys.sort_by_key(|(_, number)| *number);
    let created_at = ts(ms(now))?;
    Ok(keys
        .into_iter()
        .zip(tickets)
        .map(|((id, number), new)| new.inserted(id, number, created_at))
        .collect())
}

impl NewTicket {
    /// The ticket an insert of this made: what was given, and the schema's defaults for
    /// the rest (a new ticket has no assignee, no replies, no counts).
    fn inserted(&self, id: Id, number: TicketNumber, created_at: Timestamp) -> Ticket {
        let mut ticket = Ticket {
            id,
            number,
            subject: self.subject.clone(),
            description: self.description.clone(),
            kind: self.kind,
            channel: self.channel,
            status: Status::New,
            priority: self.priority,
            category: self.category.clone(),
            tags: self.tags.clone(),
            customer_id: self.customer_id,
            team_id: self.team_id,
            assignee_id: None,
            owner_id: None,
            expected_resolution: self.expected_resolution.clone(),
            custom: self.custom.clone(),
            transfer_count: 0,
            has_public_reply: false,
            reopen_count: 0,
            follow_up_of: self.follow_up_of,
            created_at,
            updated_at: created_at,
            first_reply_at: None,
            resolved_at: None,
            language: self.language.clone(),
            required_skills: self.required_skills.clone(),
            sla: None,
            sla_due_at: None,
            sla_breached: false,
            facts: ServiceFacts::default(),
        };
        ticket.set_sla(self.sla.clone());
        ticket
    }
}

pub async fn ticket_by_number(ex: Exec<'_>, number: TicketNumber) -> StoreResult<Option<Ticket>> {
    let row: Option<TicketRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tickets WHERE number = $1")))
        .bind(number).fetch_optional(e).await)?;
    row.map(TicketRow::into_domain).transpose()
}

/// Writes every mutable field of `ticket` back.
pub async fn update_ticket(ex: Exec<'_>, ticket: &Ticket) -> StoreResult<()> {
    let sla = SlaColumns::of(ticket.sla.as_ref(), ticket.sla_breached);
    exec!(ex, e => sqlx::query(
        "UPDATE tickets SET status = $2, priority = $3, category = $4, tags = $5, team_id = $6, assignee_id = $7, owner_id = $8, \
         expected_resolution = $9, custom = $10, transfer_count = $11, reopen_count = $12, has_public_reply = $13, \
         updated_at = $14, first_reply_at = $15, resolved_at = $16, language = $17, required_skills = $18, \
         sla = $19, sla_due_at = $20, sla_warn_at = $21, sla_check_at = $22, sla_breached = $23, \
         first_response_ms = $24, first_response_business_ms = $25, resolution_ms = $26, resolution_business_ms = $27, \
         agent_replies = $28, first_contact_resolved = $29, arrived_at = $30 WHERE id = $1")
        .bind(ticket.id)
        .bind(ticket.status.as_str())
        .bind(ticket.priority.rank())
        .bind(ticket.category.as_deref())
        .bind(to_json(&ticket.tags))
        .bind(ticket.team_id)
        .bind(ticket.assignee_id)
        .bind(ticket.owner_id)
        .bind(ticket.expected_resolution.as_deref())
        .bind(to_json(&ticket.custom))
        .bind(ticket.transfer_count)
        .bind(ticket.reopen_count)
        .bind(ticket.has_public_reply)
        .bind(ms(ticket.updated_at))
        .bind(ticket.first_reply_at.map(ms))
        .bind(ticket.resolved_at.map(ms))
        .bind(ticket.language.as_deref())
        .bind(to_json(&ticket.required_skills))
        .bind(sla.state.as_deref())
        .bind(sla.due_at)
        .bind(sla.warn_at)
        .bind(sla.check_at)
        .bind(sla.breached)
        .bind(ticket.facts.first_response_ms)
        .bind(ticket.facts.first_response_business_ms)
        .bind(ticket.facts.resolution_ms)
        .bind(ticket.facts.resolution_business_ms)
        .bind(ticket.facts.agent_replies)
        .bind(ticket.facts.first_contact_resolved)
        .bind(ticket.facts.arrived_at.map(ms))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One page of tickets matching `query` that `visibility` allows, in the query's order.
/// Asks for `limit + 1` rows so the caller knows whether another page exists.
pub async fn list_tickets(ex: Exec<'_>, query: &TicketQuery, visibility: &Visibility) -> StoreResult<Vec<Ticket>> {
    let select = list_statement(query, visibility);
    let rows: Vec<TicketRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// The sort-key values of `ticket` under `sort`: what a cursor after it carries.
pub fn cursor_of(ticket: &Ticket, sort: TicketSort) -> Vec<i64> {
    match sort {
        TicketSort::Created | TicketSort::CreatedDesc => vec![ms(ticket.created_at), ticket.id],
        TicketSort::Updated | TicketSort::UpdatedDesc => vec![ms(ticket.updated_at), ticket.id],
        TicketSort::Priority => vec![i64::from(ticket.priority.rank()), ms(ticket.created_at), ticket.id],
        TicketSort::SlaDue => vec![ticket.sla_due_at.map_or(i64::MAX, ms), ticket.id],
    }
}

fn list_statement(query: &TicketQuery, visibility: &Visibility) -> SelectStatement {
    let mut select = Query::select();
    select.expr(Expr::cust(COLUMNS)).from("tickets");
    match query.statuses.as_slice() {
        [] => {}
        [one] => {
            select.and_where(Expr::col("status").eq(one.as_str()));
        }
        many => {
            select.and_where(Expr::col("status").is_in(many.iter().map(|s| s.as_str())));
        }
    }
    match query.assignee {
        Some(AssigneeFilter::Unassigned) => {
            select.and_where(Expr::col("assignee_id").is_null());
        }
        Some(AssigneeFilter::Agent(id)) => {
            select.and_where(Expr::col("assignee_id").eq(id));
        }
        None => {}
    }
    if let Some(team) = query.team {
        select.and_where(Expr::col("team_id").eq(team));
    }
    if let Some(priority) = query.priority {
        select.and_where(Expr::col("priority").eq(priority.rank()));
    }
    if let Some(kind) = query.kind {
        select.and_where(Expr::col("kind").eq(kind.as_str()));
    }
    if let Some(category) = &query.category {
        select.cond_where(
            Cond::any()
                .add(Expr::col("category").eq(category.as_str()))
                .add(Expr::col("category").like(LikeExpr::new(format!("{}.%", escape_like(category))).escape('\\'))),
        );
    }
    if let Some(tag) = &query.tag {
        // Tags are stored as a JSON array of strings: the tag as a JSON string is in it.
        let quoted = serde_json::to_string(tag).unwrap_or_default();
        select.and_where(Expr::col("tags").like(LikeExpr::new(format!("%{}%", escape_like(&quoted))).escape('\\')));
    }
    if let Some(customer) = query.customer {
        select.and_where(Expr::col("customer_id").eq(customer));
    }
    match query.sla {
        Some(SlaFilter::Breached { now }) => {
            select.and_where(Expr::col("sla_due_at").lte(ms(now)));
        }
        Some(SlaFilter::AtRisk { now }) => {
            select
                .and_where(Expr::col("sla_warn_at").lte(ms(now)))
                .and_where(Expr::col("sla_due_at").gt(ms(now)));
        }
        None => {}
    }
    if query.sort == TicketSort::SlaDue {
        select.and_where(Expr::col("sla_due_at").is_not_null());
    }
    if let Some(owner) = query.owner {
        select.and_where(Expr::col("owner_id").eq(owner));
        if query.held_by_others {
            select.cond_where(
                Cond::any()
                    .add(Expr::col("assignee_id").is_null())
                    .add(Expr::col("assignee_id").ne(owner)),
            );
        }
    }
    if let Visibility::Agent { id, teams } = visibility {
        // An agent's own assignment needs no further check; skipping it keeps the
        // "my tickets" inbox on its index.
        if query.assignee != Some(AssigneeFilter::Agent(*id)) {
            select.cond_where(
                Cond::any()
                    .add(Expr::col("team_id").is_null())
                    .add(Expr::col("team_id").is_in(teams.iter().copied()))
                    .add(Expr::col("assignee_id").eq(*id))
                    .add(Expr::col("owner_id").eq(*id)),
            );
        }
    }
    if let Some(after) = &query.after {
        select.cond_where(after_condition(query.sort, after));
    }
    let (key, direction) = match query.sort {
        TicketSort::Created => ("created_at", Order::Asc),
        TicketSort::CreatedDesc => ("created_at", Order::Desc),
        TicketSort::Updated => ("updated_at", Order::Asc),
        TicketSort::UpdatedDesc => ("updated_at", Order::Desc),
        TicketSort::Priority => ("priority", Order::Desc),
        TicketSort::SlaDue => ("sla_due_at", Order::Asc),
    };
    select.order_by(key, direction.clone());
    if query.sort == TicketSort::Priority {
        select.order_by("created_at", Order::Asc).order_by("id", Order::Asc);
    } else {
        select.order_by("id", direction);
    }
    select.limit(query.limit as u64 + 1);
    select
}

/// Rows strictly after the cursor `after` in `sort` order.
fn after_condition(sort: TicketSort, after: &[i64]) -> Cond {
    let later = |column: &'static str, value: i64, ascending: bool| {
        if ascending {
            Expr::col(column).gt(value)
        } else {
            Expr::col(column).lt(value)
        }
    };
    match (sort, after) {
        (TicketSort::Priority, [rank, created, id]) => Cond::any()
            .add(Expr::col("priority").lt(*rank))
            .add(
                Cond::all()
                    .add(Expr::col("priority").eq(*rank))
                    .add(Expr::col("created_at").gt(*created)),
            )
            .add(
                Cond::all()
                    .add(Expr::col("priority").eq(*rank))
                    .add(Expr::col("created_at").eq(*created))
                    .add(Expr::col("id").gt(*id)),
            ),
        (_, [key, id]) => {
            let (column, ascending) = match sort {
                TicketSort::Created => ("created_at", true),
                TicketSort::CreatedDesc => ("created_at", false),
                TicketSort::Updated => ("updated_at", true),
                TicketSort::SlaDue => ("sla_due_at", true),
                _ => ("updated_at", false),
            };
            Cond::any()
                .add(later(column, *key, ascending))
                .add(Cond::all().add(Expr::col(column).eq(*key)).add(later("id", *id, ascending)))
        }
        // The app checks a cursor's length against its sort; a wrong one matches nothing.
        _ => Cond::all().add(Expr::val(1).eq(0)),
    }
}

pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Tickets whose SLA clocks need a look at `now` (a warning or breach has come due), up to
/// `limit`, earliest first. Inside a write transaction on PostgreSQL the rows stay locked
/// until it ends and other nodes skip them, so each check is done once.
pub async fn tickets_due_for_sla_check(ex: Exec<'_>, now: Timestamp, limit: u32) -> StoreResult<Vec<Ticket>> {
    let rows: Vec<TicketRow> = match ex {
        Exec::PgPool(_) | Exec::PgConn(_) => exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM tickets WHERE sla_check_at <= $1 ORDER BY sla_check_at, id LIMIT $2 FOR UPDATE SKIP LOCKED")))
            .bind(ms(now)).bind(i64::from(limit)).fetch_all(e).await)?,
        _ => exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM tickets WHERE sla_check_at <= $1 ORDER BY sla_check_at, id LIMIT $2")))
            .bind(ms(now)).bind(i64::from(limit)).fetch_all(e).await)?,
    };
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// The earliest instant any ticket's SLA clocks need a look.
pub async fn next_sla_check_at(ex: Exec<'_>) -> StoreResult<Option<Timestamp>> {
    let (next,): (Option<i64>,) =
        exec!(ex, e => sqlx::query_as("SELECT MIN(sla_check_at) FROM tickets WHERE sla_check_at IS NOT NULL").fetch_one(e).await)?;
    opt_ts(next)
}

pub async fn ticket_by_id(ex: Exec<'_>, id: Id) -> StoreResult<Option<Ticket>> {
    let row: Option<TicketRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tickets WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    row.map(TicketRow::into_domain).transpose()
}

/// A team's queue: unassigned unfinished tickets, most urgent first, then oldest (index
/// `tickets_queue`; the query repeats the partial index's conditions, `team_id IS NOT NULL`
/// included, because SQLite uses a partial index only when the query implies them).
pub async fn team_queue(ex: Exec<'_>, team_id: Id, limit: u32) -> StoreResult<Vec<Ticket>> {
    let rows: Vec<TicketRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tickets WHERE team_id = $1 AND team_id IS NOT NULL AND assignee_id IS NULL \
         AND status NOT IN ('resolved', 'closed') ORDER BY priority DESC, created_at, id LIMIT $2")))
        .bind(team_id).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// The most recently updated tickets (a rule's dry run tries them).
pub async fn recently_updated(ex: Exec<'_>, limit: u32) -> StoreResult<Vec<Ticket>> {
    let rows: Vec<TicketRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tickets ORDER BY updated_at DESC, id DESC LIMIT $1")))
        .bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// Unfinished tickets whose last update lies after `after` (an instant and an id, for
/// paging) and at or before `until`, oldest update first (index
/// `tickets_by_status_updated`, one range per unfinished status).
pub async fn idle_tickets(ex: Exec<'_>, after: (Timestamp, Id), until: Timestamp, limit: u32) -> StoreResult<Vec<Ticket>> {
    let rows: Vec<TicketRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tickets WHERE status IN ('new', 'open', 'pending', 'on_hold') \
         AND (updated_at > $1 OR (updated_at = $1 AND id > $2)) AND updated_at <= $3 \
         ORDER BY updated_at, id LIMIT $4")))
        .bind(ms(after.0)).bind(after.1).bind(ms(until)).bind(i64::from(limit)).fetch_all(e).await)?;
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// The tickets with these ids (those that exist), in id order.
pub async fn tickets_by_ids(ex: Exec<'_>, ids: &[Id]) -> StoreResult<Vec<Ticket>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select();
    select
        .expr(Expr::cust(COLUMNS))
        .from("tickets")
        .and_where(Expr::col("id").is_in(ids.iter().copied()))
        .order_by("id", Order::Asc);
    let rows: Vec<TicketRow> = exec_built!(ex, select, |e, sql, values| sqlx::query_as_with(sql, values).fetch_all(e).await)?;
    rows.into_iter().map(TicketRow::into_domain).collect()
}

/// Ticket ids after `after_id`, in id order: a full pass over the table in pages.
pub async fn ticket_ids_after(ex: Exec<'_>, after_id: Id, limit: u32) -> StoreResult<Vec<Id>> {
    let rows: Vec<(i64,)> = exec!(ex, e => sqlx::query_as("SELECT id FROM tickets WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after_id).bind(i64::from(limit)).fetch_all(e).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

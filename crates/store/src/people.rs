//! Agents, teams and API tokens.

use crate::backend::{Exec, exec};
use crate::convert::{json_list, ms, parsed, to_json, ts, wire};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::contact::Email;
use kefu_domain::entities::{Agent, Id, Team};
use kefu_domain::enums::{Presence, Role};
use kefu_domain::routing::{Candidate, RoutingMode};

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    skills: String,
    languages: String,
    presence: String,
    capacity: i64,
    active: bool,
    created_at: i64,
}

impl AgentRow {
    fn into_domain(self, teams: Vec<Id>) -> StoreResult<Agent> {
        Ok(Agent {
            id: self.id,
            email: parsed(Email::parse("email", &self.email), "email", &self.email)?,
            name: self.name,
            role: wire(Role::parse, "role", &self.role)?,
            teams,
            skills: json_list(&self.skills)?,
            languages: json_list(&self.languages)?,
            presence: wire(Presence::parse, "presence", &self.presence)?,
            capacity: self.capacity,
            active: self.active,
            created_at: ts(self.created_at)?,
        })
    }
}

const AGENT_SELECT: &str = "SELECT id, email, name, role, skills, languages, presence, capacity, active, created_at FROM agents";

/// An agent to create.
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub capacity: i64,
}

async fn team_ids_of(ex: Exec<'_>, agent_id: Id) -> StoreResult<Vec<Id>> {
    let rows: Vec<(i64,)> = exec!(ex, e => sqlx::query_as("SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id")
        .bind(agent_id).fetch_all(e).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn agent_by_id(mut ex: Exec<'_>, id: Id) -> StoreResult<Option<Agent>> {
    let row: Option<AgentRow> = exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{AGENT_SELECT} WHERE id = $1")))
        .bind(id).fetch_optional(e).await)?;
    match row {
        Some(row) => {
            let teams = team_ids_of(ex, row.id).await?;
            Ok(Some(row.into_domain(teams)?))
        }
        None => Ok(None),
    }
}

pub async fn agent_by_email(mut ex: Exec<'_>, email: &Email) -> StoreResult<Option<Agent>> {
    let row: Option<AgentRow> = exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{AGENT_SELECT} WHERE email = $1")))
        .bind(email.as_str()).fetch_optional(e).await)?;
    match row {
        Some(row) => {
            let teams = team_ids_of(ex, row.id).await?;
            Ok(Some(row.into_domain(teams)?))
        }
        None => Ok(None),
    }
}

/// Every agent, by id, with their teams.
pub async fn list_agents(mut ex: Exec<'_>) -> StoreResult<Vec<Agent>> {
    let rows: Vec<AgentRow> =
        exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{AGENT_SELECT} ORDER BY id"))).fetch_all(e).await)?;
    let memberships: Vec<(i64, i64)> =
        exec!(ex, e => sqlx::query_as("SELECT agent_id, team_id FROM team_members ORDER BY agent_id, team_id").fetch_all(e).await)?;
    rows.into_iter()
        .map(|row| {
            let teams = memberships.iter().filter(|(a, _)| *a == row.id).map(|(_, t)| *t).collect();
            row.into_domain(teams)
        })
        .collect()
}

pub async fn insert_agent(ex: Exec<'_>, new: &NewAgent, now: Timestamp) -> StoreResult<Id> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO agents (email, name, role, password_hash, skills, languages, presence, capacity, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'offline', $7, TRUE, $8, $8) RETURNING id")
        .bind(new.email.as_str())
        .bind(&new.name)
        .bind(new.role.as_str())
        .bind(new.password_hash.as_deref())
        .bind(to_json(&new.skills))
        .bind(to_json(&new.languages))
        .bind(new.capacity)
        .bind(ms(now))
        .fetch_one(e).await)?;
    Ok(id)
}

/// Writes an agent's editable fields back (not the password, not the teams).
pub async fn update_agent(ex: Exec<'_>, agent: &Agent, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "UPDATE agents SET name = $2, role = $3, skills = $4, languages = $5, presence = $6, capacity = $7, active = $8, updated_at = $9 WHERE id = $1")
        .bind(agent.id)
        .bind(&agent.name)
        .bind(agent.role.as_str())
        .bind(to_json(&agent.skills))
        .bind(to_json(&agent.languages))
        .bind(agent.presence.as_str())
        .bind(agent.capacity)
        .bind(agent.active)
        .bind(ms(now))
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes the agent a member of exactly `teams`.
pub async fn set_agent_teams(mut ex: Exec<'_>, agent_id: Id, teams: &[Id]) -> StoreResult<()> {
    exec!(ex.reborrow(), e => sqlx::query("DELETE FROM team_members WHERE agent_id = $1").bind(agent_id).execute(e).await.map(|r| r.rows_affected()))?;
    for team in teams {
        exec!(ex.reborrow(), e => sqlx::query("INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)")
            .bind(team).bind(agent_id).execute(e).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The stored password hash of an active agent.
pub async fn password_hash(ex: Exec<'_>, email: &Email) -> StoreResult<Option<(Id, String)>> {
    let row: Option<(i64, Option<String>)> = exec!(ex, e => sqlx::query_as("SELECT id, password_hash FROM agents WHERE email = $1 AND active = TRUE")
        .bind(email.as_str()).fetch_optional(e).await)?;
    Ok(row.and_then(|(id, hash)| hash.map(|h| (id, h))))
}

/// The stored password hash of an agent (active or not), by id.
pub async fn password_hash_of(ex: Exec<'_>, id: Id) -> StoreResult<Option<String>> {
    let row: Option<(Option<String>,)> = exec!(ex, e => sqlx::query_as("SELECT password_hash FROM agents WHERE id = $1")
        .bind(id).fetch_optional(e).await)?;
    Ok(row.and_then(|(hash,)| hash))
}

/// Replaces an agent's password hash.
pub async fn set_password_hash(ex: Exec<'_>, id: Id, hash: &str, now: Timestamp) -> StoreResult<bool> {
    let changed = exec!(ex, e => sqlx::query("UPDATE agents SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id).bind(hash).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(changed > 0)
}

pub async fn count_agents(ex: Exec<'_>) -> StoreResult<i64> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT COUNT(*) FROM agents").fetch_one(e).await)?;
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    description: String,
    lead_agent_id: Option<i64>,
    routing: String,
    created_at: i64,
}

const TEAM_SELECT: &str = "SELECT id, name, description, lead_agent_id, routing, created_at FROM teams";

async fn teams_with_members(ex: Exec<'_>, rows: Vec<TeamRow>) -> StoreResult<Vec<Team>> {
    let memberships: Vec<(i64, i64)> =
        exec!(ex, e => sqlx::query_as("SELECT team_id, agent_id FROM team_members ORDER BY team_id, agent_id").fetch_all(e).await)?;
    rows.into_iter()
        .map(|row| {
            Ok(Team {
                id: row.id,
                members: memberships.iter().filter(|(t, _)| *t == row.id).map(|(_, a)| *a).collect(),
                name: row.name,
                description: row.description,
                lead_agent_id: row.lead_agent_id,
                routing: wire(RoutingMode::parse, "routing", &row.routing)?,
                created_at: ts(row.created_at)?,
            })
        })
        .collect()
}

pub async fn list_teams(mut ex: Exec<'_>) -> StoreResult<Vec<Team>> {
    let rows: Vec<TeamRow> =
        exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{TEAM_SELECT} ORDER BY id"))).fetch_all(e).await)?;
    teams_with_members(ex, rows).await
}

pub async fn team_by_id(mut ex: Exec<'_>, id: Id) -> StoreResult<Option<Team>> {
    let rows: Vec<TeamRow> =
        exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{TEAM_SELECT} WHERE id = $1"))).bind(id).fetch_all(e).await)?;
    Ok(teams_with_members(ex, rows).await?.pop())
}

pub async fn team_by_name(mut ex: Exec<'_>, name: &str) -> StoreResult<Option<Team>> {
    let rows: Vec<TeamRow> = exec!(ex.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(format!("{TEAM_SELECT} WHERE name = $1"))).bind(name).fetch_all(e).await)?;
    Ok(teams_with_members(ex, rows).await?.pop())
}

pub async fn insert_team(ex: Exec<'_>, name: &str, description: &str, lead: Option<Id>, now: Timestamp) -> StoreResult<Id> {
    let (id,): (i64,) = exec!(ex, e => sqlx::query_as(
        "INSERT INTO teams (name, description, lead_agent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
        .bind(name).bind(description).bind(lead).bind(ms(now)).fetch_one(e).await)?;
    Ok(id)
}

pub async fn update_team(ex: Exec<'_>, team: &Team, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE teams SET name = $2, description = $3, lead_agent_id = $4, updated_at = $5, routing = $6 WHERE id = $1")
        .bind(team.id).bind(&team.name).bind(&team.description).bind(team.lead_agent_id).bind(ms(now)).bind(team.routing.as_str())
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn insert_token(ex: Exec<'_>, agent_id: Id, token_hash: &str, now: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("INSERT INTO api_tokens (agent_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(agent_id).bind(token_hash).bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The active agent a token (by its hash) belongs to.
pub async fn agent_by_token(ex: Exec<'_>, token_hash: &str) -> StoreResult<Option<Id>> {
    let row: Option<(i64,)> = exec!(ex, e => sqlx::query_as(
        "SELECT t.agent_id FROM api_tokens t JOIN agents a ON a.id = t.agent_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active = TRUE")
        .bind(token_hash).fetch_optional(e).await)?;
    Ok(row.map(|(id,)| id))
}

/// Changes an agent's count of open assigned tickets by `delta` (routing reads it instead
/// of counting tickets).
pub async fn adjust_open_tickets(ex: Exec<'_>, agent_id: Id, delta: i64) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE agents SET open_tickets = CASE WHEN open_tickets + $2 < 0 THEN 0 ELSE open_tickets + $2 END WHERE id = $1")
        .bind(agent_id).bind(delta).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The active members of a team as routing sees them (presence, capacity, load, skills,
/// languages), in one statement: a routing pass must stay cheap with hundreds of agents.
pub async fn routing_candidates(ex: Exec<'_>, team_id: Id) -> StoreResult<Vec<Candidate>> {
    let rows: Vec<(i64, String, i64, i64, String, String)> = exec!(ex, e => sqlx::query_as(
        "SELECT a.id, a.presence, a.capacity, a.open_tickets, a.skills, a.languages \
         FROM agents a JOIN team_members m ON m.agent_id = a.id \
         WHERE m.team_id = $1 AND a.active = TRUE ORDER BY a.id")
        .bind(team_id).fetch_all(e).await)?;
    rows.into_iter()
        .map(|(agent_id, presence, capacity, open_tickets, skills, languages)| {
            Ok(Candidate {
                agent_id,
                presence: wire(Presence::parse, "presence", &presence)?,
                capacity,
                open_tickets,
                skills: json_list(&skills)?,
                languages: json_list(&languages)?,
            })
        })
        .collect()
}

/// An agent's count of open assigned tickets.
pub async fn open_tickets_of(ex: Exec<'_>, agent_id: Id) -> StoreResult<i64> {
    let row: Option<(i64,)> =
        exec!(ex, e => sqlx::query_as("SELECT open_tickets FROM agents WHERE id = $1").bind(agent_id).fetch_optional(e).await)?;
    Ok(row.map_or(0, |(n,)| n))
}

/// Who a team's round robin handed work to last.
pub async fn last_assigned(ex: Exec<'_>, team_id: Id) -> StoreResult<Option<Id>> {
    let row: Option<(Option<i64>,)> = exec!(ex, e => sqlx::query_as("SELECT last_assigned_agent_id FROM teams WHERE id = $1")
        .bind(team_id).fetch_optional(e).await)?;
    Ok(row.and_then(|(id,)| id))
}

pub async fn set_last_assigned(ex: Exec<'_>, team_id: Id, agent_id: Id) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE teams SET last_assigned_agent_id = $2 WHERE id = $1")
        .bind(team_id).bind(agent_id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Teams that route work automatically (not `manual`).
pub async fn routed_teams(ex: Exec<'_>) -> StoreResult<Vec<Id>> {
    let rows: Vec<(i64,)> =
        exec!(ex, e => sqlx::query_as("SELECT id FROM teams WHERE routing <> 'manual' ORDER BY id").fetch_all(e).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The teams an agent belongs to.
pub async fn teams_of_agent(ex: Exec<'_>, agent_id: Id) -> StoreResult<Vec<Id>> {
    let rows: Vec<(i64,)> = exec!(ex, e => sqlx::query_as("SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id")
        .bind(agent_id).fetch_all(e).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Holds the team's row until the transaction ends, so that with several nodes on
/// PostgreSQL one routing pass per team runs at a time (on SQLite the single writer
/// already serialises them).
pub async fn lock_team(ex: Exec<'_>, team_id: Id) -> StoreResult<()> {
    if let Exec::PgConn(_) | Exec::PgPool(_) = ex {
        exec!(ex, e => sqlx::query("SELECT id FROM teams WHERE id = $1 FOR UPDATE").bind(team_id).fetch_optional(e).await.map(|_| ()))?;
    }
    Ok(())
}

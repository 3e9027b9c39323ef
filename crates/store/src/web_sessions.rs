//! Web UI sign-in sessions. The cookie's token is looked up by its hash (unique index);
//! an agent's sessions come from `web_sessions_by_agent`.

use crate::backend::{Exec, exec};
use crate::convert::{ms, ts};
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::entities::Id;

/// A stored session, without its token (which is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub id: Id,
    pub agent_id: Id,
    pub csrf_token: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a new session records.
#[derive(Debug, Clone)]
pub struct NewWebSession<'a> {
    pub token_hash: &'a str,
    pub agent_id: Id,
    pub csrf_token: &'a str,
    pub user_agent: &'a str,
    pub address: &'a str,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "id, agent_id, csrf_token, user_agent, address, created_at, last_seen_at, expires_at";

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    agent_id: i64,
    csrf_token: String,
    user_agent: String,
    address: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl SessionRow {
    fn into_domain(self) -> StoreResult<WebSession> {
        Ok(WebSession {
            id: self.id,
            agent_id: self.agent_id,
            csrf_token: self.csrf_token,
            user_agent: self.user_agent,
            address: self.address,
            created_at: ts(self.created_at)?,
            last_seen_at: ts(self.last_seen_at)?,
            expires_at: ts(self.expires_at)?,
        })
    }
}

pub async fn insert_session(ex: Exec<'_>, new: &NewWebSession<'_>, now: Timestamp) -> StoreResult<Id> {
    let id: i64 = exec!(ex, e => sqlx::query_scalar(
        "INSERT INTO web_sessions (token_hash, agent_id, csrf_token, user_agent, address, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id")
        .bind(new.token_hash)
        .bind(new.agent_id)
        .bind(new.csrf_token)
        .bind(new.user_agent)
        .bind(new.address)
        .bind(ms(now))
        .bind(ms(new.expires_at))
        .fetch_one(e).await)?;
    Ok(id)
}

/// The unexpired session with this token hash.
pub async fn session_by_token(ex: Exec<'_>, token_hash: &str, now: Timestamp) -> StoreResult<Option<WebSession>> {
    let sql = format!("SELECT {COLUMNS} FROM web_sessions WHERE token_hash = $1 AND expires_at > $2");
    let row: Option<SessionRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(token_hash).bind(ms(now)).fetch_optional(e).await)?;
    row.map(SessionRow::into_domain).transpose()
}

/// An agent's unexpired sessions, newest first.
pub async fn sessions_of(ex: Exec<'_>, agent_id: Id, now: Timestamp) -> StoreResult<Vec<WebSession>> {
    let sql = format!("SELECT {COLUMNS} FROM web_sessions WHERE agent_id = $1 AND expires_at > $2 ORDER BY id DESC");
    let rows: Vec<SessionRow> = exec!(ex, e => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(agent_id).bind(ms(now)).fetch_all(e).await)?;
    rows.into_iter().map(SessionRow::into_domain).collect()
}

/// Moves a session's last use and expiry forward (sliding expiry).
pub async fn touch_session(ex: Exec<'_>, id: Id, now: Timestamp, expires_at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query("UPDATE web_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
        .bind(id).bind(ms(now)).bind(ms(expires_at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends the session with this token hash; whether there was one.
pub async fn delete_session_by_token(ex: Exec<'_>, token_hash: &str) -> StoreResult<bool> {
    let done = exec!(ex, e => sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
        .bind(token_hash).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Ends one of an agent's sessions; false when the agent has no such session.
pub async fn delete_session_of(ex: Exec<'_>, agent_id: Id, id: Id) -> StoreResult<bool> {
    let done = exec!(ex, e => sqlx::query("DELETE FROM web_sessions WHERE agent_id = $1 AND id = $2")
        .bind(agent_id).bind(id).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Ends every session of an agent except `keep` (after a password change, or a
/// deactivation); how many ended.
pub async fn delete_sessions_of_agent(ex: Exec<'_>, agent_id: Id, keep: Option<Id>) -> StoreResult<u64> {
    let done = exec!(ex, e => sqlx::query("DELETE FROM web_sessions WHERE agent_id = $1 AND id <> $2")
        .bind(agent_id).bind(keep.unwrap_or(0)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Removes expired sessions; how many.
pub async fn delete_expired_sessions(ex: Exec<'_>, now: Timestamp) -> StoreResult<u64> {
    let done = exec!(ex, e => sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
        .bind(ms(now)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

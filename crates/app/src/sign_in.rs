//! Signing agents in to the web UI: password check with a rate limit, sessions kept in the
//! database (the cookie holds a random token, the store its hash), sliding expiry, and
//! the agent's own list of sessions to end.

use crate::error::{AppError, AppResult};
use crate::limits::WindowCounter;
use crate::{Actor, App, now, secrets};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::contact::Email;
use kefu_domain::entities::{Agent, Id};
use kefu_store::people;
use kefu_store::web_sessions::{self as store, NewWebSession, WebSession};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How long a session lives without use; every use moves the end forward.
pub const SESSION_IDLE_LIFETIME: SignedDuration = SignedDuration::from_hours(14 * 24);
/// A session's last use is written at most this often (a page view is not a write).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(5);

/// Failed sign-ins allowed per account, and per address, within [`LIMIT_WINDOW`].
const ACCOUNT_FAILURES: u32 = 5;
const ADDRESS_FAILURES: u32 = 20;
const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What a sign-in form sends, with where it came from.
#[derive(Debug, Clone, Default)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
    pub user_agent: String,
    pub address: String,
}

/// A new session: `token` goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: WebSession,
}

/// The agent behind a session cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub agent: Agent,
    pub session: WebSession,
}

/// How long a found session is trusted without asking the database again.
pub const SESSION_CACHE_TTL: SignedDuration = SignedDuration::from_secs(5);

/// Recently found sessions by token hash (see [`App::session`]).
#[derive(Default)]
pub(crate) struct SessionCache(Mutex<HashMap<String, (SignedIn, Timestamp)>>);

impl SessionCache {
    fn get(&self, hash: &str, now: Timestamp) -> Option<SignedIn> {
        let cache = self.0.lock().ok()?;
        let (signed_in, at) = cache.get(hash)?;
        (now.duration_since(*at) < SESSION_CACHE_TTL && signed_in.session.expires_at > now).then(|| signed_in.clone())
    }

    fn put(&self, hash: String, signed_in: SignedIn, now: Timestamp) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (signed_in, now));
        }
    }

    /// Drops the sessions `ended` picks (signed out, ended, password changed).
    pub(crate) fn forget(&self, ended: impl Fn(&str, &SignedIn) -> bool) {
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|key, (signed_in, _)| !ended(key, signed_in));
        }
    }
}

/// Failed sign-ins per account and per address.
pub(crate) struct SignInLimiter(WindowCounter);

impl Default for SignInLimiter {
    fn default() -> Self {
        SignInLimiter(WindowCounter::new(LIMIT_WINDOW))
    }
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

impl App {
    /// Checks the password and opens a session. Every failure answers the same
    /// (no hint whether the e-mail exists); too many failures for the account or the
    /// address are refused before the password is checked, with how long to wait.
    pub async fn sign_in(&self, request: SignInRequest) -> AppResult<NewSession> {
        let account = account_key(&request.email);
        let address = address_key(&request.address);
        let limiter = &self.sign_in_limiter.0;
        if let Some(wait) = limiter
            .wait(&account, ACCOUNT_FAILURES)
            .or_else(|| limiter.wait(&address, ADDRESS_FAILURES))
        {
            return Err(AppError::RateLimited {
                code: "too_many_sign_in_attempts",
                retry_after: wait,
            });
        }
        let agent = match self.check_password(&request.email, request.password).await? {
            Some(agent) => agent,
            None => {
                limiter.record(&account);
                limiter.record(&address);
                return Err(AppError::field("password", "wrong_credentials", "wrong e-mail or password"));
            }
        };
        limiter.clear(&account);
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let csrf = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let token_hash = secrets::token_hash(&token);
        let user_agent: String = request.user_agent.chars().take(300).collect();
        let address: String = request.address.chars().take(100).collect();
        let session = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let expires_at = at + SESSION_IDLE_LIFETIME;
                    let new = NewWebSession {
                        token_hash: &token_hash,
                        agent_id: agent.id,
                        csrf_token: &csrf,
                        user_agent: &user_agent,
                        address: &address,
                        expires_at,
                    };
                    let id = store::insert_session(tx.exec(), &new, at).await?;
                    Ok::<_, AppError>(WebSession {
                        id,
                        agent_id: agent.id,
                        csrf_token: csrf,
                        user_agent,
                        address,
                        created_at: at,
                        last_seen_at: at,
                        expires_at,
                    })
                })
            })
            .await?;
        Ok(NewSession { token, session })
    }

    /// The active agent whose password this is. Argon2 runs off the async workers; an
    /// unknown e-mail costs the same hash, so timing does not tell which e-mails exist.
    async fn check_password(&self, email: &str, password: String) -> AppResult<Option<Agent>> {
        let stored = match Email::parse("email", email) {
            Ok(email) => people::password_hash(self.db().read(), &email).await?,
            Err(_) => None,
        };
        let (agent_id, hash) = match stored {
            Some((id, hash)) => (Some(id), hash),
            None => (None, secrets::dummy_password_hash().to_owned()),
        };
        let matches = tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match (agent_id, matches) {
            (Some(id), true) => Ok(people::agent_by_id(self.db().read(), id).await?.filter(|a| a.active)),
            _ => Ok(None),
        }
    }

    /// The signed-in agent for a session cookie's token. Moves the session's expiry
    /// forward, writing at most every few minutes. Found sessions are kept in memory for a
    /// few seconds (a page and its fragments arrive together); this node forgets them at
    /// once when they end, another node within [`SESSION_CACHE_TTL`].
    pub async fn session(&self, token: &str) -> AppResult<SignedIn> {
        let hash = secrets::token_hash(token);
        let at = now();
        if let Some(cached) = self.sessions.get(&hash, at) {
            return Ok(cached);
        }
        let mut session = store::session_by_token(self.db().read(), &hash, at)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let agent = people::agent_by_id(self.db().read(), session.agent_id)
            .await?
            .filter(|a| a.active)
            .ok_or(AppError::Unauthorized)?;
        if at.duration_since(session.last_seen_at) >= TOUCH_EVERY {
            let id = session.id;
            let expires_at = at + SESSION_IDLE_LIFETIME;
            self.db()
                .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::touch_session(tx.exec(), id, at, expires_at).await?) }))
                .await?;
            session.last_seen_at = at;
            session.expires_at = expires_at;
        }
        let signed_in = SignedIn {
            actor: Actor::of(&agent),
            agent,
            session,
        };
        self.sessions.put(hash, signed_in.clone(), at);
        Ok(signed_in)
    }

    /// Ends the session behind this cookie token (signing out twice is not an error).
    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        let hash = secrets::token_hash(token);
        self.sessions.forget(|key, _| key == hash);
        self.db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::delete_session_by_token(tx.exec(), &hash).await?) }))
            .await?;
        Ok(())
    }

    /// The actor's own unexpired sessions, newest first.
    pub async fn my_sessions(&self, actor: &Actor) -> AppResult<Vec<WebSession>> {
        Ok(store::sessions_of(self.db().read(), actor.id, now()).await?)
    }

    /// Ends one of the actor's own sessions (another device, say).
    pub async fn end_session(&self, actor: &Actor, session_id: Id) -> AppResult<()> {
        let agent = actor.id;
        self.sessions.forget(|_, signed_in| signed_in.session.id == session_id);
        let ended = self
            .db()
            .write(move |tx| Box::pin(async move { Ok::<_, AppError>(store::delete_session_of(tx.exec(), agent, session_id).await?) }))
            .await?;
        if ended {
            Ok(())
        } else {
            Err(AppError::NotFound {
                what: "session",
                code: "session_not_found",
            })
        }
    }

    /// Forgets expired sessions: agents', customers', and unused customer sign-in links.
    pub async fn purge_expired_sessions(&self, at: Timestamp) -> AppResult<u64> {
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let agents = store::delete_expired_sessions(tx.exec(), at).await?;
                    let customers = kefu_store::customer_sessions::purge_expired_customer_sessions(tx.exec(), at).await?;
                    let links = kefu_store::customer_sessions::purge_expired_sign_in_links(tx.exec(), at).await?;
                    Ok::<_, AppError>(agents + customers + links)
                })
            })
            .await
    }
}

//! Passwords after sign-up: an agent changes their own (knowing the current one), and an
//! admin issues a single-use link that sets a new one (an invitation for a new agent, or a
//! reset for one who forgot). Either way every other session of the agent ends.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, now, secrets};
use jiff::SignedDuration;
use kefu_domain::entities::Id;
use kefu_store::password_links::{insert_password_link, password_link_usable, take_password_link};
use kefu_store::people::{agent_by_id, password_hash_of, set_password_hash};
use kefu_store::web_sessions::delete_sessions_of_agent;

/// How long an issued link works.
pub const PASSWORD_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(72);
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 200;

fn check_new_password(password: &str) -> AppResult<()> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(AppError::field(
            "new_password",
            "too_short",
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    if length > MAX_PASSWORD {
        return Err(AppError::field(
            "new_password",
            "too_long",
            format!("must be at most {MAX_PASSWORD} characters"),
        ));
    }
    Ok(())
}

async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

impl App {
    /// Changes the actor's own password; `keep_session` (the one asking) stays signed in,
    /// every other session ends.
    pub async fn change_password(&self, actor: &Actor, current: String, new: String, keep_session: Id) -> AppResult<()> {
        check_new_password(&new)?;
        let stored = password_hash_of(self.db().read(), actor.id).await?;
        let matches = match stored {
            Some(stored) => tokio::task::spawn_blocking(move || secrets::verify_password(&current, &stored))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?,
            None => false,
        };
        if !matches {
            return Err(AppError::field(
                "current_password",
                "wrong_password",
                "the current password is not right",
            ));
        }
        let new_hash = hash(new).await?;
        let agent = actor.id;
        self.sessions
            .forget(|_, signed_in| signed_in.agent.id == agent && signed_in.session.id != keep_session);
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    set_password_hash(tx.exec(), agent, &new_hash, now()).await?;
                    delete_sessions_of_agent(tx.exec(), agent, Some(keep_session)).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await
    }

    /// A single-use link that sets the agent's password (admins). The token is returned
    /// once; only its hash is stored.
    pub async fn issue_password_link(&self, actor: &Actor, agent: Id) -> AppResult<String> {
        actor.require_admin("only admins issue password links")?;
        agent_by_id(self.db().read(), agent).await?.ok_or(AppError::NotFound {
            what: "agent",
            code: "agent_not_found",
        })?;
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let token_hash = secrets::token_hash(&token);
        let by = actor.id;
        self.db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let expires = at + PASSWORD_LINK_LIFETIME;
                    insert_password_link(tx.exec(), agent, &token_hash, at, expires).await?;
                    // The link itself is a secret: only that one was issued, and until when.
                    let data = serde_json::json!({ "agent_id": agent, "expires_at": expires });
                    audit(tx, Some(by), "agent.password_link", ("agent", Some(agent)), &data).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await?;
        Ok(token)
    }

    /// Whether a password link still works.
    pub async fn password_link_usable(&self, token: &str) -> AppResult<bool> {
        Ok(password_link_usable(self.db().read(), &secrets::token_hash(token), now()).await?)
    }

    /// Sets a password through a link; the link is used up and every session of the agent
    /// ends (whoever had the old password is out).
    pub async fn set_password_by_link(&self, token: &str, new: String) -> AppResult<()> {
        check_new_password(&new)?;
        let new_hash = hash(new).await?;
        let token_hash = secrets::token_hash(token);
        let agent = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let at = now();
                    let agent = take_password_link(tx.exec(), &token_hash, at).await?.ok_or(AppError::NotFound {
                        what: "password link",
                        code: "password_link_not_found",
                    })?;
                    set_password_hash(tx.exec(), agent, &new_hash, at).await?;
                    delete_sessions_of_agent(tx.exec(), agent, None).await?;
                    Ok::<_, AppError>(agent)
                })
            })
            .await?;
        self.sessions.forget(|_, signed_in| signed_in.agent.id == agent);
        Ok(())
    }
}

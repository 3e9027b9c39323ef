//! Agents, teams and API tokens: who works here and how they sign in to the API.

use crate::audit::audit;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, now, secrets};
use kefu_domain::contact::Email;
use kefu_domain::entities::{Agent, Id, Team};
use kefu_domain::enums::{Presence, Role};
use kefu_domain::routing::RoutingMode;
use kefu_domain::text::Name;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::people::{self as store, NewAgent};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A new agent, or the fields of a PATCH.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AgentInput {
    pub email: Option<String>,
    pub name: Option<String>,
    /// `agent`, `supervisor` or `admin`.
    pub role: Option<String>,
    /// Team ids; replaces the agent's teams.
    pub teams: Option<Vec<Id>>,
    pub skills: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    /// `online`, `away` or `offline`. Agents may set their own.
    pub presence: Option<String>,
    pub capacity: Option<i64>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamInput {
    pub name: Option<String>,
    pub description: Option<String>,
    /// The team lead; `null` takes the lead away (PATCH).
    #[serde(default, deserialize_with = "crate::tickets::present")]
    #[schema(value_type = Option<i64>)]
    pub lead_agent_id: Option<Option<Id>>,
    /// `manual` (default), `round_robin` or `least_loaded`.
    pub routing: Option<String>,
}

/// The first admin (or any agent) created from the command line.
pub struct NewAgentCommand {
    pub email: String,
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
    pub password: Option<String>,
}

fn parse_routing(text: Option<&str>) -> AppResult<Option<RoutingMode>> {
    text.map(|r| RoutingMode::parse("routing", r))
        .transpose()
        .map_err(|e| AppError::Invalid(FieldErrors(vec![e])))
}

pub(crate) fn short_list(field: &str, values: Option<Vec<String>>, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let values = values?;
    if values.len() > 50 || values.iter().any(|v| v.trim().is_empty() || v.chars().count() > 50) {
        errors.push(FieldError::new(field, "invalid_list", "at most 50 entries of 1 to 50 characters"));
        return None;
    }
    Some(values.into_iter().map(|v| v.trim().to_owned()).collect())
}

impl App {
    pub async fn agents(&self, _actor: &Actor) -> AppResult<Arc<Vec<Agent>>> {
        Ok(self.lists.agents.get(store::list_agents(self.db().read())).await?)
    }

    pub async fn teams(&self, _actor: &Actor) -> AppResult<Arc<Vec<Team>>> {
        Ok(self.lists.teams.get(store::list_teams(self.db().read())).await?)
    }

    pub async fn create_agent(&self, actor: &Actor, input: AgentInput, password: Option<String>) -> AppResult<Agent> {
        actor.require_admin("only an admin can add agents")?;
        self.insert_agent(Some(actor.id), input, password).await
    }

    /// Creates an agent without an acting admin: the command line, run by the operator of
    /// the machine, which is how the first admin comes to exist.
    pub async fn create_agent_as_operator(&self, command: NewAgentCommand) -> AppResult<Agent> {
        let mut teams = Vec::new();
        for name in &command.teams {
            let team = store::team_by_name(self.db().read(), name).await?;
            match team {
                Some(team) => teams.push(team.id),
                None => return Err(AppError::field("team", "unknown_team", format!("no team named {name:?}"))),
            }
        }
        let input = AgentInput {
            email: Some(command.email),
            name: Some(command.name),
            role: Some(command.role),
            teams: Some(teams),
            ..Default::default()
        };
        self.insert_agent(None, input, command.password).await
    }

    /// Adds an agent, `by` an admin (`None`: the operator at the command line).
    async fn insert_agent(&self, by: Option<Id>, input: AgentInput, password: Option<String>) -> AppResult<Agent> {
        let mut errors = FieldErrors::default();
        let email = errors.take(
            input
                .email
                .as_deref()
                .ok_or_else(|| FieldError::new("email", "required", "is required"))
                .and_then(|e| Email::parse("email", e)),
        );
        let name = errors.take(
            input
                .name
                .as_deref()
                .ok_or_else(|| FieldError::new("name", "required", "is required"))
                .and_then(|n| Name::parse("name", n)),
        );
        let role = errors.take(input.role.as_deref().map_or(Ok(Role::Agent), |r| Role::parse("role", r)));
        let skills = short_list("skills", input.skills, &mut errors);
        let languages = short_list("languages", input.languages, &mut errors);
        if let Some(p) = &password
            && p.chars().count() < 8
        {
            errors.push(FieldError::new("password", "too_short", "must be at least 8 characters"));
        }
        let capacity = input.capacity.unwrap_or(10);
        if !(0..=1000).contains(&capacity) {
            errors.push(FieldError::new("capacity", "out_of_range", "must be 0 to 1000"));
        }
        errors.into_result()?;
        let password_hash = match password {
            Some(p) => Some(
                tokio::task::spawn_blocking(move || secrets::hash_password(&p))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .map_err(AppError::Internal)?,
            ),
            None => None,
        };
        let (Some(email), Some(name), Some(role)) = (email, name, role) else {
            return Err(AppError::Internal("parsed fields missing after validation".into()));
        };
        let new = NewAgent {
            email,
            name: name.into_inner(),
            role,
            password_hash,
            skills: skills.unwrap_or_default(),
            languages: languages.unwrap_or_default(),
            capacity,
        };
        let teams = input.teams.unwrap_or_default();
        let result = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if store::agent_by_email(tx.exec(), &new.email).await?.is_some() {
                        return Err(AppError::Conflict {
                            code: "email_taken",
                            message: "an agent with this email exists".into(),
                        });
                    }
                    for team in &teams {
                        store::team_by_id(tx.exec(), *team)
                            .await?
                            .ok_or_else(|| AppError::field("teams", "unknown_team", format!("no team {team}")))?;
                    }
                    let id = store::insert_agent(tx.exec(), &new, now()).await?;
                    store::set_agent_teams(tx.exec(), id, &teams).await?;
                    let created = store::agent_by_id(tx.exec(), id)
                        .await?
                        .ok_or_else(|| AppError::Internal("agent vanished".into()))?;
                    audit(tx, by, "agent.create", ("agent", Some(id)), &created).await?;
                    Ok(created)
                })
            })
            .await;
        self.lists.agents.invalidate();
        self.lists.teams.invalidate();
        result
    }

    pub async fn update_agent(&self, actor: &Actor, id: Id, input: AgentInput) -> AppResult<Agent> {
        let only_presence = input.email.is_none()
            && input.name.is_none()
            && input.role.is_none()
            && input.teams.is_none()
            && input.skills.is_none()
            && input.languages.is_none()
            && input.capacity.is_none()
            && input.active.is_none();
        if !(only_presence && actor.id == id) {
            actor.require_admin("only an admin can change other agents; agents may set their own presence")?;
        }
        let mut errors = FieldErrors::default();
        let name = errors
            .take(input.name.as_deref().map(|n| Name::parse("name", n)).transpose())
            .flatten();
        let role = errors
            .take(input.role.as_deref().map(|r| Role::parse("role", r)).transpose())
            .flatten();
        let presence = errors
            .take(input.presence.as_deref().map(|p| Presence::parse("presence", p)).transpose())
            .flatten();
        let skills = short_list("skills", input.skills, &mut errors);
        let languages = short_list("languages", input.languages, &mut errors);
        if input.email.is_some() {
            errors.push(FieldError::new("email", "read_only", "an agent's email cannot be changed here"));
        }
        // An admin who deactivated or demoted themselves could leave nobody to undo it.
        if actor.id == id && input.active == Some(false) {
            errors.push(FieldError::new("active", "self_lockout", "you cannot deactivate yourself"));
        }
        if actor.id == id && role.is_some_and(|r| r != actor.role) {
            errors.push(FieldError::new("role", "self_lockout", "you cannot change your own role"));
        }
        if input.capacity.is_some_and(|c| !(0..=1000).contains(&c)) {
            errors.push(FieldError::new("capacity", "out_of_range", "must be 0 to 1000"));
        }
        errors.into_result()?;
        let (teams, capacity, active) = (input.teams, input.capacity, input.active);
        let by = actor.id;
        let changed = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut agent = store::agent_by_id(tx.exec(), id).await?.ok_or(AppError::NotFound {
                        what: "agent",
                        code: "agent_not_found",
                    })?;
                    if let Some(name) = name {
                        agent.name = name.into_inner();
                    }
                    agent.role = role.unwrap_or(agent.role);
                    agent.presence = presence.unwrap_or(agent.presence);
                    agent.skills = skills.unwrap_or(agent.skills);
                    agent.languages = languages.unwrap_or(agent.languages);
                    agent.capacity = capacity.unwrap_or(agent.capacity);
                    agent.active = active.unwrap_or(agent.active);
                    store::update_agent(tx.exec(), &agent, now()).await?;
                    if let Some(teams) = teams {
                        for team in &teams {
                            store::team_by_id(tx.exec(), *team)
                                .await?
                                .ok_or_else(|| AppError::field("teams", "unknown_team", format!("no team {team}")))?;
                        }
                        store::set_agent_teams(tx.exec(), id, &teams).await?;
                    }
                    let changed = store::agent_by_id(tx.exec(), id)
                        .await?
                        .ok_or_else(|| AppError::Internal("agent vanished".into()))?;
                    // An agent switching their own presence is work, not administration.
                    if !only_presence {
                        audit(tx, Some(by), "agent.update", ("agent", Some(id)), &changed).await?;
                    }
                    Ok::<_, AppError>(changed)
                })
            })
            .await;
        // Teams list their members: both lists may have changed.
        self.lists.agents.invalidate();
        self.lists.teams.invalidate();
        let changed = changed?;
        // Online again, more capacity, new teams: queued work may now fit.
        self.kick_agent(id);
        Ok(changed)
    }

    pub async fn create_team(&self, actor: &Actor, input: TeamInput) -> AppResult<Team> {
        actor.require_admin("only an admin can create teams")?;
        let name = input
            .name
            .as_deref()
            .ok_or_else(|| AppError::field("name", "required", "is required"))
            .and_then(|n| Name::parse("name", n).map_err(|e| AppError::Invalid(FieldErrors(vec![e]))))?;
        let description = input.description.unwrap_or_default();
        if description.chars().count() > 2000 {
            return Err(AppError::field("description", "too_long", "must be at most 2000 characters"));
        }
        let lead = input.lead_agent_id.flatten();
        let routing = parse_routing(input.routing.as_deref())?;
        let by = actor.id;
        let team = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    if store::team_by_name(tx.exec(), name.as_str()).await?.is_some() {
                        return Err(AppError::Conflict {
                            code: "team_name_taken",
                            message: "a team with this name exists".into(),
                        });
                    }
                    if let Some(lead) = lead {
                        store::agent_by_id(tx.exec(), lead)
                            .await?
                            .ok_or_else(|| AppError::field("lead_agent_id", "unknown_agent", "no such agent"))?;
                    }
                    let id = store::insert_team(tx.exec(), name.as_str(), &description, lead, now()).await?;
                    let mut team = store::team_by_id(tx.exec(), id)
                        .await?
                        .ok_or_else(|| AppError::Internal("team vanished".into()))?;
                    if let Some(routing) = routing {
                        team.routing = routing;
                        store::update_team(tx.exec(), &team, now()).await?;
                    }
                    audit(tx, Some(by), "team.create", ("team", Some(id)), &team).await?;
                    Ok(team)
                })
            })
            .await;
        self.lists.teams.invalidate();
        let team = team?;
        if routing.is_some() {
            self.reload_engine().await?;
        }
        Ok(team)
    }

    pub async fn update_team(&self, actor: &Actor, id: Id, input: TeamInput) -> AppResult<Team> {
        actor.require_admin("only an admin can change teams")?;
        let routing = parse_routing(input.routing.as_deref())?;
        let name = input
            .name
            .as_deref()
            .map(|n| Name::parse("name", n))
            .transpose()
            .map_err(|e| AppError::Invalid(FieldErrors(vec![e])))?;
        let by = actor.id;
        let team = self
            .db()
            .write(move |tx| {
                Box::pin(async move {
                    let mut team = store::team_by_id(tx.exec(), id).await?.ok_or(AppError::NotFound {
                        what: "team",
                        code: "team_not_found",
                    })?;
                    if let Some(name) = name {
                        team.name = name.into_inner();
                    }
                    if let Some(description) = input.description {
                        team.description = description;
                    }
                    match input.lead_agent_id {
                        Some(Some(lead)) => {
                            store::agent_by_id(tx.exec(), lead)
                                .await?
                                .ok_or_else(|| AppError::field("lead_agent_id", "unknown_agent", "no such agent"))?;
                            team.lead_agent_id = Some(lead);
                        }
                        Some(None) => team.lead_agent_id = None,
                        None => {}
                    }
                    team.routing = routing.unwrap_or(team.routing);
                    store::update_team(tx.exec(), &team, now()).await?;
                    audit(tx, Some(by), "team.update", ("team", Some(id)), &team).await?;
                    Ok::<_, AppError>(team)
                })
            })
            .await;
        self.lists.teams.invalidate();
        let team = team?;
        if routing.is_some() {
            self.reload_engine().await?;
            self.kick_team(id);
        }
        Ok(team)
    }

    /// Issues a new API token for the agent with this e-mail; returns the token itself,
    /// which is shown once and stored only as a hash.
    pub async fn create_token_for(&self, email: &str) -> AppResult<String> {
        let email = Email::parse("email", email).map_err(|e| AppError::Invalid(FieldErrors(vec![e])))?;
        let agent = store::agent_by_email(self.db().read(), &email).await?.ok_or(AppError::NotFound {
            what: "agent",
            code: "agent_not_found",
        })?;
        let token = secrets::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let hash = secrets::token_hash(&token);
        self.db()
            .write(move |tx| Box::pin(async move { store::insert_token(tx.exec(), agent.id, &hash, now()).await.map_err(AppError::from) }))
            .await?;
        Ok(token)
    }

    /// Whether any agent exists (a fresh install has none).
    pub async fn has_agents(&self) -> AppResult<bool> {
        Ok(store::count_agents(self.db().read()).await? > 0)
    }
}

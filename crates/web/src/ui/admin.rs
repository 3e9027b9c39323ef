//! Admin pages: the settings supervisors and admins keep (SLA policies, macros). Each
//! page lists what exists and has a form to add; the use cases check the role and the
//! input, and record the change.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, answer_form, refused};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::macros::MacroInput;
use kefu_app::policies::PolicyInput;
use kefu_domain::conditions::Conditions;
use kefu_domain::entities::Id;
use kefu_domain::enums::{Channel, Priority, TicketKind};
use kefu_domain::sla::{Metric, Target};
use std::sync::Arc;

/// A form's fields as sent (a field may repeat: checkboxes).
type Fields = Vec<(String, String)>;

fn field<'f>(fields: &'f Fields, name: &str) -> &'f str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

fn all<'f>(fields: &'f Fields, name: &'f str) -> impl Iterator<Item = &'f str> {
    fields.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

// ---- SLA policies ------------------------------------------------------------------

struct PolicyRow {
    id: Id,
    name: String,
    position: i64,
    active: bool,
    conditions: String,
    targets: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_policies.html")]
struct PoliciesPage {
    chrome: Chrome,
    policies: Vec<PolicyRow>,
    calendars: Vec<(Id, String)>,
    priorities: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    error: Option<String>,
    /// Admins may switch policies off and delete them (supervisors read them).
    admin: bool,
}

fn duration_label(seconds: u32) -> String {
    if seconds.is_multiple_of(3600) {
        format!("{} h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

async fn policies_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_supervisor("only supervisors and admins manage SLA policies") {
        return UiError::from(error).page(lang);
    }
    let (policies, calendars) = match tokio::try_join!(state.app.sla_policies(actor), state.app.calendars(actor)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let labels = |vocabulary: &str, names: Vec<&str>| names.into_iter().map(|n| tr.label(vocabulary, n)).collect::<Vec<_>>().join(", ");
    let page = PoliciesPage {
        policies: policies
            .iter()
            .map(|p| {
                let c = &p.conditions;
                let mut parts = Vec::new();
                if !c.priorities.is_empty() {
                    parts.push(labels("priority", c.priorities.iter().map(|x| x.as_str()).collect()));
                }
                if !c.kinds.is_empty() {
                    parts.push(labels("kind", c.kinds.iter().map(|x| x.as_str()).collect()));
                }
                if !c.channels.is_empty() {
                    parts.push(labels("channel", c.channels.iter().map(|x| x.as_str()).collect()));
                }
                if !c.categories.is_empty() {
                    parts.push(c.categories.join(", "));
                }
                PolicyRow {
                    id: p.id,
                    name: p.name.clone(),
                    position: p.position,
                    active: p.active,
                    conditions: if parts.is_empty() { "*".into() } else { parts.join(" · ") },
                    targets: p
                        .targets
                        .iter()
                        .map(|t| format!("{} {}", tr.label("metric", t.metric.as_str()), duration_label(t.seconds)))
                        .collect::<Vec<_>>()
                        .join(" · "),
                }
            })
            .collect(),
        calendars: calendars.into_iter().map(|c| (c.id, c.name)).collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), tr.label("priority", p.as_str())))
            .collect(),
        kinds: TicketKind::ALL.iter().map(|k| (k.as_str(), tr.label("kind", k.as_str()))).collect(),
        channels: Channel::ALL.iter().map(|c| (c.as_str(), tr.label("channel", c.as_str()))).collect(),
        chrome: Chrome::signed_in(lang, session, "/admin/sla-policies"),
        error,
        admin: session.0.actor.role == kefu_domain::enums::Role::Admin,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

pub async fn policies(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    policies_page(&state, lang, &session, None).await
}

/// Reads the policy form. Values that do not parse are left for the use case to refuse
/// (an unknown priority cannot come from the page's own checkboxes).
fn policy_input(fields: &Fields) -> Result<PolicyInput, String> {
    let business_hours = field(fields, "business_hours") == "on";
    let mut targets = Vec::new();
    for (name, metric, unit) in [
        ("first_response_minutes", Metric::FirstResponse, 60),
        ("next_response_minutes", Metric::NextResponse, 60),
        ("resolution_hours", Metric::Resolution, 3600),
    ] {
        let value = field(fields, name);
        if value.is_empty() {
            continue;
        }
        let amount: u32 = value.parse().map_err(|_| format!("{name}: must be a whole number"))?;
        targets.push(Target {
            metric,
            seconds: amount.saturating_mul(unit),
            business_hours,
        });
    }
    let parse_all = |name: &str| -> Result<Vec<String>, String> { Ok(all(fields, name).map(str::to_owned).collect()) };
    let conditions = Conditions {
        priorities: parse_all("priority")?
            .iter()
            .map(|p| Priority::parse("priority", p).map_err(|e| e.message))
            .collect::<Result<_, _>>()?,
        kinds: parse_all("kind")?
            .iter()
            .map(|k| TicketKind::parse("kind", k).map_err(|e| e.message))
            .collect::<Result<_, _>>()?,
        channels: parse_all("channel")?
            .iter()
            .map(|c| Channel::parse("channel", c).map_err(|e| e.message))
            .collect::<Result<_, _>>()?,
        ..Conditions::default()
    };
    let warn_percent = match field(fields, "warn_percent") {
        "" => 80,
        value => value.parse().map_err(|_| "warn_percent: must be a whole number".to_owned())?,
    };
    Ok(PolicyInput {
        name: Some(field(fields, "name").to_owned()).filter(|n| !n.is_empty()),
        position: field(fields, "position").parse().ok(),
        active: true,
        conditions,
        targets,
        calendar_id: field(fields, "calendar").parse().ok(),
        pause_on_hold: field(fields, "pause_on_hold") == "on",
        warn_percent,
    })
}

pub async fn create_policy(State(state): State<AppState>, lang: Lang, session: Session, Form(fields): Form<Fields>) -> Response {
    let input = match policy_input(&fields) {
        Ok(input) => input,
        Err(message) => return policies_page(&state, lang, &session, Some(message)).await,
    };
    let result = state.app.create_sla_policy(&session.0.actor, input).await;
    answer_form(lang, "/admin/sla-policies", result, |message| {
        policies_page(&state, lang, &session, Some(message))
    })
    .await
}

/// `true` or `false` from a form's select or hidden field; anything else is no answer.
fn yes_or_no(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Switches a policy on or off (`active=true|false`).
pub async fn set_policy_active(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(fields): Form<Fields>,
) -> Response {
    let Some(active) = yes_or_no(field(&fields, "active")) else {
        return policies_page(&state, lang, &session, Some(Tr(lang).t("error.bad_form"))).await;
    };
    match state.app.set_sla_policy_active(&session.0.actor, id, active).await {
        Ok(_) => Redirect::to("/admin/sla-policies").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn delete_policy(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    match state.app.delete_sla_policy(&session.0.actor, id).await {
        Ok(()) => Redirect::to("/admin/sla-policies").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

// ---- macros ------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "admin_macros.html")]
struct MacrosPage {
    chrome: Chrome,
    macros: Vec<kefu_domain::service::Macro>,
    error: Option<String>,
}

async fn macros_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    if let Err(error) = session.0.actor.require_supervisor("only supervisors and admins manage macros") {
        return UiError::from(error).page(lang);
    }
    match state.app.macros(&session.0.actor).await {
        Ok(macros) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let page = MacrosPage {
                chrome: Chrome::signed_in(lang, session, "/admin/macros"),
                macros: Arc::unwrap_or_clone(macros),
                error,
            };
            (status, page).into_response()
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn macros(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    macros_page(&state, lang, &session, None).await
}

pub async fn create_macro(State(state): State<AppState>, lang: Lang, session: Session, Form(fields): Form<Fields>) -> Response {
    let input = MacroInput {
        name: Some(field(&fields, "name").to_owned()),
        body_zh: Some(field(&fields, "body_zh").to_owned()),
        body_en: Some(field(&fields, "body_en").to_owned()),
    };
    let result = state.app.create_macro(&session.0.actor, input).await;
    answer_form(lang, "/admin/macros", result, |message| {
        macros_page(&state, lang, &session, Some(message))
    })
    .await
}

pub async fn delete_macro(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    match state.app.delete_macro(&session.0.actor, id).await {
        Ok(()) => Redirect::to("/admin/macros").into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

// ---- agents ------------------------------------------------------------------------

struct AgentRow {
    id: Id,
    name: String,
    email: String,
    role: String,
    role_key: &'static str,
    active: bool,
    /// Every team, and whether the agent is in it.
    teams: Vec<(Id, String, bool)>,
    skills: String,
    languages: String,
    capacity: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_agents.html")]
struct AgentsPage {
    chrome: Chrome,
    agents: Vec<AgentRow>,
    roles: Vec<(&'static str, String)>,
    error: Option<String>,
    /// A password link just issued: shown once, for the admin to pass on.
    issued: Option<(String, String)>,
}

async fn agents_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>, issued: Option<(String, String)>) -> Response {
    let tr = Tr(lang);
    if let Err(error) = session.0.actor.require_admin("only admins manage agents") {
        return UiError::from(error).page(lang);
    }
    match tokio::try_join!(state.app.agents(&session.0.actor), state.app.teams(&session.0.actor)) {
        Ok((agents, teams)) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let page = AgentsPage {
                chrome: Chrome::signed_in(lang, session, "/admin/agents"),
                agents: Arc::unwrap_or_clone(agents)
                    .into_iter()
                    .map(|a| AgentRow {
                        id: a.id,
                        email: a.email.as_str().to_owned(),
                        role: tr.label("role", a.role.as_str()),
                        role_key: a.role.as_str(),
                        active: a.active,
                        teams: teams.iter().map(|t| (t.id, t.name.clone(), a.teams.contains(&t.id))).collect(),
                        skills: a.skills.join(", "),
                        languages: a.languages.join(", "),
                        capacity: a.capacity,
                        name: a.name,
                    })
                    .collect(),
                roles: kefu_domain::enums::Role::ALL
                    .iter()
                    .map(|r| (r.as_str(), tr.label("role", r.as_str())))
                    .collect(),
                error,
                issued,
            };
            (status, page).into_response()
        }
        Err(error) => UiError::from(error).page(lang),
    }
}

pub async fn agents(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    agents_page(&state, lang, &session, None, None).await
}

/// The absolute URL of a password link, for the admin to send.
fn password_url(headers: &axum::http::HeaderMap, token: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if super::session::is_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}/password/{token}")
}

/// Invites an agent: creates them without a password and issues the link that sets one.
pub async fn invite(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let input = kefu_app::people::AgentInput {
        email: Some(field(&fields, "email").to_owned()),
        name: Some(field(&fields, "name").to_owned()),
        role: Some(field(&fields, "role").to_owned()),
        ..Default::default()
    };
    let actor = &session.0.actor;
    let agent = match state.app.create_agent(actor, input, None).await {
        Ok(agent) => agent,
        Err(error) => return refused(lang, error, |message| agents_page(&state, lang, &session, Some(message), None)).await,
    };
    match state.app.issue_password_link(actor, agent.id).await {
        Ok(token) => agents_page(&state, lang, &session, None, Some((agent.name, password_url(&headers, &token)))).await,
        Err(error) => UiError::from(error).page(lang),
    }
}

/// Changes an agent: role, teams, skills, languages, capacity, and whether they may sign
/// in (deactivating keeps their history and ends their sessions).
pub async fn update_agent(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(fields): Form<Fields>,
) -> Response {
    let capacity = match field(&fields, "capacity").parse::<i64>() {
        Ok(capacity) => Some(capacity),
        Err(_) => {
            let message = format!("capacity: {}", Tr(lang).t("admin.capacity_number"));
            return agents_page(&state, lang, &session, Some(message), None).await;
        }
    };
    // Only what the form sends as it was built; anything else is refused, never guessed.
    let (Ok(teams), Some(active)) = (
        all(&fields, "teams").map(str::parse).collect::<Result<Vec<Id>, _>>(),
        yes_or_no(field(&fields, "active")),
    ) else {
        return agents_page(&state, lang, &session, Some(Tr(lang).t("error.bad_form")), None).await;
    };
    let input = kefu_app::people::AgentInput {
        role: Some(field(&fields, "role").to_owned()),
        teams: Some(teams),
        skills: Some(render::words(field(&fields, "skills"))),
        languages: Some(render::words(field(&fields, "languages"))),
        capacity,
        active: Some(active),
        ..Default::default()
    };
    let result = state.app.update_agent(&session.0.actor, id, input).await;
    answer_form(lang, "/admin/agents", result, |message| {
        agents_page(&state, lang, &session, Some(message), None)
    })
    .await
}

pub async fn password_link(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(id): Path<Id>,
) -> Response {
    let actor = &session.0.actor;
    let name = match state.app.agents(actor).await {
        Ok(agents) => agents.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default(),
        Err(error) => return UiError::from(error).page(lang),
    };
    match state.app.issue_password_link(actor, id).await {
        Ok(token) => agents_page(&state, lang, &session, None, Some((name, password_url(&headers, &token)))).await,
        Err(error) => UiError::from(error).page(lang),
    }
}

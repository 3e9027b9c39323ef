//! The teams page (admins): each team with its routing, lead and members, a form to add
//! one, and each team's routing and lead changed in place.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, answer_form};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::people::TeamInput;
use kefu_app::{AppError, AppResult};
use kefu_domain::entities::Id;
use kefu_domain::routing::RoutingMode;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

struct TeamRow {
    id: Id,
    name: String,
    description: String,
    routing: &'static str,
    lead: Option<Id>,
    members: String,
}

impl TeamRow {
    fn is_lead(&self, agent: &Id) -> bool {
        self.lead == Some(*agent)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_teams.html")]
struct TeamsPage {
    chrome: Chrome,
    teams: Vec<TeamRow>,
    routings: Vec<(&'static str, String)>,
    agents: Vec<(Id, String)>,
    error: Option<String>,
}

async fn teams_page(state: &AppState, lang: Lang, session: &Session, error: Option<String>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_admin("only admins manage teams") {
        return UiError::from(error).page(lang);
    }
    let (teams, agents) = match tokio::try_join!(state.app.teams(actor), state.app.agents(actor)) {
        Ok(both) => both,
        Err(error) => return UiError::from(error).page(lang),
    };
    let names: HashMap<Id, String> = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TeamsPage {
        chrome: Chrome::signed_in(lang, session, "/admin/teams"),
        teams: Arc::unwrap_or_clone(teams)
            .into_iter()
            .map(|t| TeamRow {
                id: t.id,
                description: t.description,
                routing: t.routing.as_str(),
                lead: t.lead_agent_id,
                members: t
                    .members
                    .iter()
                    .filter_map(|id| names.get(id).cloned())
                    .collect::<Vec<_>>()
                    .join("、"),
                name: t.name,
            })
            .collect(),
        routings: RoutingMode::ALL
            .iter()
            .map(|m| (m.as_str(), tr.label("routing", m.as_str())))
            .collect(),
        agents: agents.iter().filter(|a| a.active).map(|a| (a.id, a.name.clone())).collect(),
        error,
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    teams_page(&state, lang, &session, None).await
}

#[derive(Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    routing: String,
    #[serde(default)]
    lead: String,
}

impl TeamForm {
    /// The form as a change: empty text leaves the team's value alone; the lead's "—"
    /// takes the lead away.
    fn input(self) -> Result<TeamInput, AppError> {
        let lead = match self.lead.trim() {
            "" => None,
            id => Some(
                id.parse::<Id>()
                    .map_err(|_| AppError::field("lead_agent_id", "invalid_id", "choose an agent"))?,
            ),
        };
        let text = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Ok(TeamInput {
            name: text(self.name),
            description: text(self.description),
            lead_agent_id: Some(lead),
            routing: text(self.routing),
        })
    }
}

async fn answer<T>(state: &AppState, lang: Lang, session: &Session, result: AppResult<T>) -> Response {
    answer_form(lang, "/admin/teams", result, |message| {
        teams_page(state, lang, session, Some(message))
    })
    .await
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<TeamForm>) -> Response {
    let result = match form.input() {
        Ok(input) => state.app.create_team(&session.0.actor, input).await.map(|_| ()),
        Err(error) => Err(error),
    };
    answer(&state, lang, &session, result).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<TeamForm>,
) -> Response {
    let result = match form.input() {
        Ok(input) => state.app.update_team(&session.0.actor, id, input).await.map(|_| ()),
        Err(error) => Err(error),
    };
    answer(&state, lang, &session, result).await
}

//! The automation rules page (admins): rules in the order they run, each edited as JSON
//! (conditions and actions are richer than a fixed form), tried against recent tickets
//! with a dry run that writes nothing before it is saved, and switched off or deleted.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, answer_form, refused};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::automation::{DryRun, DryRunResult, RuleInput};
use kefu_domain::automation::RuleSpec;
use kefu_domain::entities::Id;
use serde::Deserialize;

/// A new rule's starting point: a complete, harmless example to edit.
const EXAMPLE: &str = r#"{
  "name": "VIP complaints go to the complaints team",
  "trigger": "ticket_created",
  "conditions": { "kinds": ["complaint"], "tiers": ["vip"] },
  "actions": [
    { "type": "set_priority", "priority": "urgent" },
    { "type": "add_tags", "tags": ["vip_complaint"] }
  ]
}"#;

struct RuleRow {
    id: Id,
    position: i64,
    name: String,
    trigger: String,
    active: bool,
    json: String,
}

impl RuleRow {
    /// Which form this row's error or dry run belongs to.
    fn key(&self) -> Option<Id> {
        Some(self.id)
    }
}

/// What the dry run found, for the rule it was run on.
struct Trial {
    /// The rule's id, or `None` for the new-rule form.
    rule: Option<Id>,
    /// "Would match N of the M …", in the reader's language.
    summary: String,
    matched: Vec<(i64, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    new_json: String,
    error: Option<(Option<Id>, String)>,
    trial: Option<Trial>,
}

impl RulesPage {
    fn error_for(&self, rule: Option<Id>) -> Option<&str> {
        self.error.as_ref().filter(|(r, _)| *r == rule).map(|(_, m)| m.as_str())
    }

    fn trial_for(&self, rule: Option<Id>) -> Option<&Trial> {
        self.trial.as_ref().filter(|t| t.rule == rule)
    }
}

/// What a form sent: the rule's JSON (and its rank), and which button was pressed.
#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    json: String,
    #[serde(default)]
    position: String,
    /// `dry_run` to try the rule instead of saving it.
    #[serde(default)]
    action: String,
}

/// The page, with a form given back as typed (`draft`) after a refusal or a dry run.
async fn rules_page(
    state: &AppState,
    lang: Lang,
    session: &Session,
    draft: Option<(Option<Id>, String)>,
    error: Option<String>,
    trial: Option<Trial>,
) -> Response {
    let actor = &session.0.actor;
    if let Err(error) = actor.require_admin("only admins manage automation rules") {
        return UiError::from(error).page(lang);
    }
    let rules = match state.app.rules(actor).await {
        Ok(rules) => rules,
        Err(error) => return UiError::from(error).page(lang),
    };
    let tr = Tr(lang);
    let draft_for = |id: Option<Id>| draft.as_ref().filter(|(d, _)| *d == id).map(|(_, json)| json.clone());
    let rows = rules
        .into_iter()
        .map(|r| RuleRow {
            json: draft_for(Some(r.id)).unwrap_or_else(|| serde_json::to_string_pretty(&r.rule).unwrap_or_default()),
            id: r.id,
            position: r.position,
            trigger: tr.label("trigger", r.rule.trigger.as_str()),
            active: r.rule.active,
            name: r.rule.name,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let error_at = draft.as_ref().map(|(id, _)| *id).unwrap_or(None);
    let page = RulesPage {
        chrome: Chrome::signed_in(lang, session, "/admin/rules"),
        rules: rows,
        new_json: draft_for(None).unwrap_or_else(|| EXAMPLE.to_owned()),
        error: error.map(|message| (error_at, message)),
        trial,
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    rules_page(&state, lang, &session, None, None, None).await
}

fn parse(form: &RuleForm, lang: Lang) -> Result<(RuleSpec, Option<i64>), String> {
    let spec = serde_json::from_str::<RuleSpec>(&form.json).map_err(|e| format!("{}: {e}", Tr(lang).t("rules.bad_json")))?;
    let position = match form.position.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| Tr(lang).t("rules.bad_position"))?),
    };
    Ok((spec, position))
}

/// Saves (creates or replaces) the rule, or with `action=dry_run` only tries it.
async fn save_or_try(state: &AppState, lang: Lang, session: &Session, id: Option<Id>, form: RuleForm) -> Response {
    let draft = Some((id, form.json.clone()));
    let (rule, position) = match parse(&form, lang) {
        Ok(parsed) => parsed,
        Err(message) => return rules_page(state, lang, session, draft, Some(message), None).await,
    };
    let actor = &session.0.actor;
    let result: Result<Option<DryRunResult>, AppError> = if form.action == "dry_run" {
        let input = DryRun {
            rule: Some(rule),
            limit: None,
        };
        state.app.dry_run_rule(actor, input).await.map(Some)
    } else {
        let input = RuleInput { position, rule };
        match id {
            Some(id) => state.app.update_rule(actor, id, input).await.map(|_| None),
            None => state.app.create_rule(actor, input).await.map(|_| None),
        }
    };
    match result {
        Ok(None) => Redirect::to("/admin/rules").into_response(),
        Ok(Some(found)) => {
            let summary = Tr(lang)
                .t("rules.tried")
                .replace("%{matched}", &found.matched.len().to_string())
                .replace("%{examined}", &found.examined.to_string());
            let trial = Trial {
                rule: id,
                summary,
                matched: found
                    .matched
                    .into_iter()
                    .map(|m| (m.ticket_number, m.subject, serde_json::to_string(&m.changes).unwrap_or_default()))
                    .collect(),
            };
            rules_page(state, lang, session, draft, None, Some(trial)).await
        }
        Err(error) => refused(lang, error, |message| rules_page(state, lang, session, draft, Some(message), None)).await,
    }
}

pub async fn create(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<RuleForm>) -> Response {
    save_or_try(&state, lang, &session, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<RuleForm>,
) -> Response {
    save_or_try(&state, lang, &session, Some(id), form).await
}

pub async fn delete(State(state): State<AppState>, lang: Lang, session: Session, Path(id): Path<Id>) -> Response {
    let result = state.app.delete_rule(&session.0.actor, id).await;
    answer_form(lang, "/admin/rules", result, |message| {
        rules_page(&state, lang, &session, None, Some(message), None)
    })
    .await
}

//! The agent leaderboard page and its CSV: volume, first-response speed, first-contact
//! resolution, CSAT and commitments kept per agent over a range of days.

use super::analytics::{csv_response, duration, percent, spreadsheet_safe};
use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kefu_app::leaderboard::{LeaderRow, Leaderboard, LeaderboardParams};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LeaderboardForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    team: String,
}

impl LeaderboardForm {
    fn params(&self) -> LeaderboardParams {
        let some = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        LeaderboardParams {
            from: some(&self.from),
            to: some(&self.to),
            team: some(&self.team),
        }
    }

    fn query_string(&self) -> String {
        let pairs = [("from", &self.from), ("to", &self.to), ("team", &self.team)];
        super::render::query_string(&pairs)
    }
}

/// The columns, in order: locale key under `leaderboard.`.
const COLUMNS: [&str; 7] = ["resolved", "replies", "frt_median", "fcr", "csat", "kept", "kept_rate"];

fn cells(row: &LeaderRow) -> Vec<String> {
    vec![
        row.resolved.to_string(),
        row.replies.to_string(),
        duration(row.first_response_median_seconds),
        percent(row.first_contact_resolution),
        match row.csat_percent {
            Some(csat) => format!("{csat:.1}% (n={})", row.csat_answers),
            None => "—".into(),
        },
        format!("{} / {}", row.commitments_kept, row.commitments_kept + row.commitments_broken),
        percent(row.commitments_kept_rate),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "leaderboard.html")]
struct LeaderboardPage {
    chrome: Chrome,
    form: LeaderboardForm,
    teams: Vec<(i64, String)>,
    columns: Vec<(String, String)>,
    period: String,
    /// Rank, name, cells.
    rows: Vec<(usize, String, Vec<String>)>,
    export: String,
    error: Option<String>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<LeaderboardForm>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_supervisor("reports") {
        return UiError::from(error).page(lang);
    }
    let teams = match state.app.teams(actor).await {
        Ok(teams) => teams,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut page = LeaderboardPage {
        chrome: Chrome::signed_in(lang, &session, &format!("/reports/leaderboard?{}", form.query_string())),
        teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
        columns: COLUMNS
            .iter()
            .map(|c| (tr.t(&format!("leaderboard.{c}")), tr.t(&format!("leaderboard.{c}_definition"))))
            .collect(),
        period: String::new(),
        rows: Vec::new(),
        export: format!("/reports/leaderboard.csv?{}", form.query_string()),
        error: None,
        form,
    };
    match state.app.leaderboard(actor, page.form.params()).await {
        Ok(board) => fill(&mut page, &board),
        Err(error) => match refusal(error, tr) {
            Ok(message) => page.error = Some(message),
            Err(error) => return error.page(lang),
        },
    }
    page.into_response()
}

fn fill(page: &mut LeaderboardPage, board: &Leaderboard) {
    page.period = format!("{} – {} ({})", board.from, board.to, board.zone);
    page.rows = board
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| (i + 1, row.name.clone(), cells(row)))
        .collect();
}

/// The same table as CSV.
pub async fn export(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<LeaderboardForm>) -> Response {
    let tr = Tr(lang);
    let board = match state.app.leaderboard(&session.0.actor, form.params()).await {
        Ok(board) => board,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec![tr.t("leaderboard.agent")];
    header.extend(COLUMNS.iter().map(|c| tr.t(&format!("leaderboard.{c}"))));
    let _ = csv.write_record(&header);
    for row in &board.rows {
        let mut record = vec![spreadsheet_safe(row.name.clone())];
        record.extend(cells(row));
        let _ = csv.write_record(&record);
    }
    csv_response("leaderboard.csv", csv.into_inner().unwrap_or_default())
}

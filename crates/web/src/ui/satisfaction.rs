//! Satisfaction in the workspace: the ticket's survey panel (send, the link to pass on,
//! the answer and its follow-up) and the supervisors' report page with its CSV export.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::survey_report::{AnswerView, DimensionReport, Figure, ReportQuery, SurveyReport};
use kefu_app::surveys::TicketSurvey;
use kefu_domain::entities::{Id, TicketNumber};
use kefu_domain::survey::score::Change;
use kefu_domain::survey::{Design, Headline, Slice};
use serde::Deserialize;

pub struct SurveyRow {
    design: String,
    origin: String,
    sent: String,
    /// The absolute link while the survey is open.
    link: Option<String>,
    score: Option<String>,
    low: bool,
    comment: Option<String>,
    followup: Option<i64>,
    mailed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket_surveys.html")]
struct TicketSurveys {
    chrome: Chrome,
    number: TicketNumber,
    rows: Vec<SurveyRow>,
    designs: Vec<(String, String)>,
    error: Option<String>,
}

async fn panel(
    state: &AppState,
    lang: Lang,
    session: &Session,
    headers: &HeaderMap,
    number: TicketNumber,
    error: Option<String>,
) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let (surveys, designs) = match tokio::try_join!(state.app.ticket_surveys(actor, number), state.app.survey_designs(actor)) {
        Ok(found) => found,
        Err(error) => return UiError::from(error).fragment(lang),
    };
    let names: Vec<(String, String)> = designs
        .iter()
        .filter(|d| d.active)
        .map(|d| (d.key.clone(), d.spec.name.get(lang.code()).to_owned()))
        .collect();
    let site = super::help::origin(headers);
    let rows = surveys
        .iter()
        .map(|s: &TicketSurvey| SurveyRow {
            design: designs
                .iter()
                .find(|d| d.key == s.send.design_key)
                .map_or_else(|| s.send.design_key.clone(), |d: &Design| d.spec.name.get(lang.code()).to_owned()),
            origin: tr.label("survey_origin", s.send.origin.as_str()),
            sent: render::when(s.send.created_at),
            link: s.token.as_ref().map(|t| format!("{site}/s/{t}")),
            score: s.answer.as_ref().and_then(|a| a.answer.score).map(|v| format!("{v:.1}")),
            low: s.answer.as_ref().is_some_and(|a| a.answer.low),
            comment: s.answer.as_ref().and_then(|a| a.answer.comment.clone()),
            followup: s.followup_number,
            mailed: s.mailed,
        })
        .collect();
    TicketSurveys {
        chrome: Chrome::signed_in(lang, session, &format!("/tickets/{number}")),
        number,
        rows,
        designs: names,
        error,
    }
    .into_response()
}

/// The ticket's surveys, for the sidebar (loaded after the page).
pub async fn ticket_surveys(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    headers: HeaderMap,
    Path(number): Path<TicketNumber>,
) -> Response {
    panel(&state, lang, &session, &headers, number, None).await
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    design: String,
}

/// Sends a survey now and shows the panel with its link (or why it was refused).
pub async fn send_survey(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    headers: HeaderMap,
    Path(number): Path<TicketNumber>,
    Form(form): Form<SendForm>,
) -> Response {
    let design = Some(form.design).filter(|d| !d.is_empty());
    let error = match state.app.send_survey(&session.0.actor, number, design).await {
        Ok(_) => None,
        Err(error) => match refusal(error, Tr(lang)) {
            Ok(message) => Some(message),
            Err(error) => return error.fragment(lang),
        },
    };
    panel(&state, lang, &session, &headers, number, error).await
}

// ---- the report page ----

pub struct FigureView {
    value: String,
    n: u64,
    small: bool,
    change: Option<String>,
    significant: bool,
    direction: &'static str,
}

fn figure(f: &Figure, unit: &str) -> FigureView {
    FigureView {
        value: f.value.map_or_else(|| "—".into(), |v| format!("{v:.1}{unit}")),
        n: f.n,
        small: f.small_sample,
        change: f.change.map(change_text),
        significant: f.change.is_some_and(|c| c.significant),
        direction: direction(f.change),
    }
}

/// A change with its 95 % interval: `+2.1 (+0.4 … +3.8)`.
fn change_text(c: Change) -> String {
    format!("{:+.1} ({:+.1} … {:+.1})", c.delta, c.low, c.high)
}

/// `up` or `down` for a change beyond noise, else `flat` (the CSS colours them).
fn direction(change: Option<Change>) -> &'static str {
    match change {
        Some(c) if c.significant && c.delta > 0.0 => "up",
        Some(c) if c.significant && c.delta < 0.0 => "down",
        _ => "flat",
    }
}

pub struct Segment {
    x: f64,
    width: f64,
    class: String,
    title: String,
}

pub struct ReasonView {
    name: String,
    count: u64,
    share: String,
    cumulative: String,
    width: f64,
}

pub struct DimensionView {
    rank: usize,
    name: String,
    weight: u32,
    score: FigureView,
    mean: String,
    bands: Vec<Segment>,
    takes: String,
    reasons: Vec<ReasonView>,
}

pub struct GroupView {
    label: String,
    n: u64,
    small: bool,
    headline: String,
    /// The score's change against the same group in the previous period.
    change: Option<String>,
    significant: bool,
    direction: &'static str,
    cells: Vec<String>,
}

pub struct ActionView {
    id: Id,
    reason: String,
    what: String,
    owner: String,
    due: String,
    done: bool,
    before: String,
    after: String,
    better: bool,
}

pub struct LowAnswer {
    at: String,
    score: String,
    ticket: Option<i64>,
    followup: Option<i64>,
    comment: String,
    /// For an answer found by a comment search: the matching fragment as HTML (escaped
    /// by the search index, matches in `<b>`).
    snippet_html: Option<String>,
}

impl LowAnswer {
    fn of(a: &AnswerView) -> Self {
        LowAnswer {
            at: render::when(a.answer.submitted_at),
            score: a.answer.answer.score.map_or_else(|| "—".into(), |s| format!("{s:.1}")),
            ticket: a.ticket_number,
            followup: a.followup_number,
            comment: a.answer.answer.comment.clone().unwrap_or_default(),
            snippet_html: a.snippet.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_report.html")]
struct ReportPage {
    chrome: Chrome,
    designs: Vec<(String, String)>,
    design: String,
    slices: Vec<(&'static str, String)>,
    group_by: String,
    from: String,
    to: String,
    target: String,
    period: String,
    headline_label: String,
    /// The overall score beside the headline (when the headline is not the score itself).
    show_overall: bool,
    headline: FigureView,
    overall: FigureView,
    answers: u64,
    dimensions: Vec<DimensionView>,
    dimension_names: Vec<String>,
    any_reasons: bool,
    groups: Vec<GroupView>,
    low: Vec<LowAnswer>,
    /// The comment search's words, and what it found (or why it could not search).
    q: String,
    found: Vec<LowAnswer>,
    /// How many answers match in all (the page shows the best of them).
    found_total: usize,
    search_error: Option<String>,
    /// The report's team filter, kept by the comment search form.
    team: String,
    actions: Vec<ActionView>,
    /// `dimension:reason` and its label, for a new action.
    reason_options: Vec<(String, String)>,
    agents: Vec<(Id, String)>,
    action_error: Option<String>,
    export: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    design: Option<String>,
    /// A refusal from the action form, shown above the page.
    #[serde(default)]
    error: Option<String>,
    #[serde(flatten)]
    query: ReportQueryForm,
}

/// The page's filter fields (strings, as a GET form sends them).
#[derive(Deserialize, Default, Clone)]
pub struct ReportQueryForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group_by: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    team: String,
    /// Words to find in the answers' comments.
    #[serde(default)]
    q: String,
}

impl ReportQueryForm {
    fn query(&self) -> Result<ReportQuery, String> {
        let target = match self.target.trim() {
            "" => None,
            text => Some(text.parse::<f64>().map_err(|_| "target: a number from 0 to 100".to_owned())?),
        };
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ReportQuery {
            from: some(&self.from),
            to: some(&self.to),
            group_by: some(&self.group_by),
            target,
            team: some(&self.team),
            ..ReportQuery::default()
        })
    }

    fn query_string(&self, design: &str) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.append_pair("design", design);
        for (name, value) in [("from", &self.from), ("to", &self.to), ("team", &self.team)] {
            if !value.is_empty() {
                url.append_pair(name, value);
            }
        }
        url.finish()
    }
}

fn band_segments(d: &DimensionReport, code: &str) -> Vec<Segment> {
    let mut x = 0.0;
    let count = d.bands.len();
    d.bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let width = b.share.unwrap_or(0.0);
            let segment = Segment {
                x,
                width,
                // Best band first: band-0 is the best colour.
                class: format!("band band-{}", (i * 4).checked_div(count.saturating_sub(1)).unwrap_or(0)),
                title: format!("{} {:.1}% ({})", b.name.get(code), width, b.count),
            };
            x += width;
            segment
        })
        .collect()
}

fn dimension_view(d: &DimensionReport, tr: Tr, target: f64) -> DimensionView {
    let code = tr.0.code();
    let takes = match &d.what_it_takes {
        None => String::new(),
        Some(l) if l.moves == 0 => tr.with("report.target_met", "target", &format!("{target:.0}")),
        Some(l) => tr
            .with("report.takes", "moves", &l.moves.to_string())
            .replace("%{rating}", &l.to_rating.to_string())
            .replace("%{target}", &format!("{target:.0}"))
            .replace("%{from}", &format!("{:.1}", l.top_share_now))
            .replace("%{to}", &format!("{:.1}", l.top_share_needed)),
    };
    let top = d.reasons.first().map_or(1, |r| r.count.max(1));
    DimensionView {
        rank: d.rank,
        name: d.name.get(code).to_owned(),
        weight: d.weight,
        score: figure(&d.score, ""),
        mean: d.mean.map_or_else(|| "—".into(), |m| format!("{m:.2}")),
        bands: band_segments(d, code),
        takes,
        reasons: d
            .reasons
            .iter()
            .map(|r| ReasonView {
                name: r.name.get(code).to_owned(),
                count: r.count,
                share: format!("{:.1}%", r.share),
                cumulative: format!("{:.1}%", r.cumulative),
                width: r.count as f64 / top as f64 * 100.0,
            })
            .collect(),
    }
}

fn headline_label(report: &SurveyReport, tr: Tr) -> (String, &'static str) {
    match report.headline_kind {
        Headline::Csat => (tr.t("report.csat"), "%"),
        Headline::Nps => (tr.t("report.nps"), ""),
        Headline::Score => (tr.t("report.score"), ""),
    }
}

pub async fn report(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<ReportForm>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let designs = match state.app.survey_designs(actor).await {
        Ok(designs) => designs,
        Err(error) => return UiError::from(error).page(lang),
    };
    let design = form
        .design
        .clone()
        .filter(|d| designs.iter().any(|x| &x.key == d))
        .unwrap_or_else(|| "service5".into());
    let query = form
        .query
        .query()
        .and_then(|q| q.into_params(&design).map_err(|e| refusal(e, tr).unwrap_or_default()));
    let (report, error) = match query {
        Ok(params) => match state.app.survey_report(actor, params.clone()).await {
            Ok(report) => {
                let low = state.app.survey_answers(actor, &params, true, None, 20).await.unwrap_or_default();
                let found = match form.query.q.trim() {
                    "" => Ok(None),
                    text => state.app.search_survey_answers(actor, &params, text, false, 50).await.map(Some),
                };
                (Some((report, low, found)), None)
            }
            Err(error) => match refusal(error, tr) {
                Ok(message) => (None, Some(message)),
                Err(error) => return error.page(lang),
            },
        },
        Err(message) => (None, Some(message)),
    };
    let action_error = form.error.clone().filter(|e| !e.is_empty());
    let code = lang.code();
    let here = format!("/reports/satisfaction?{}", form.query.query_string(&design));
    let mut page = ReportPage {
        chrome: Chrome::signed_in(lang, &session, &here),
        designs: designs.iter().map(|d| (d.key.clone(), d.spec.name.get(code).to_owned())).collect(),
        design: design.clone(),
        slices: Slice::ALL.iter().map(|s| (s.as_str(), tr.label("slice", s.as_str()))).collect(),
        group_by: form.query.group_by.clone(),
        from: form.query.from.clone(),
        to: form.query.to.clone(),
        target: form.query.target.clone(),
        period: String::new(),
        headline_label: String::new(),
        show_overall: false,
        headline: figure(
            &Figure {
                value: None,
                n: 0,
                small_sample: true,
                change: None,
            },
            "",
        ),
        overall: figure(
            &Figure {
                value: None,
                n: 0,
                small_sample: true,
                change: None,
            },
            "",
        ),
        answers: 0,
        dimensions: Vec::new(),
        dimension_names: Vec::new(),
        any_reasons: false,
        groups: Vec::new(),
        low: Vec::new(),
        q: form.query.q.trim().to_owned(),
        found: Vec::new(),
        found_total: 0,
        search_error: None,
        team: form.query.team.clone(),
        actions: Vec::new(),
        reason_options: Vec::new(),
        agents: Vec::new(),
        action_error,
        export: format!("/reports/satisfaction/answers.csv?{}", form.query.query_string(&design)),
        error,
    };
    if let Some(chosen) = designs.iter().find(|d| d.key == design) {
        page.reason_options = chosen
            .spec
            .dimensions
            .iter()
            .flat_map(|d| {
                d.reasons.iter().map(move |r| {
                    (
                        format!("{}:{}", d.key, r.key),
                        format!("{} · {}", d.name.get(code), r.name.get(code)),
                    )
                })
            })
            .collect();
        let agents = state.app.agents(actor).await.unwrap_or_default();
        let name_of = |id: Option<Id>| {
            id.and_then(|id| agents.iter().find(|a| a.id == id))
                .map_or_else(String::new, |a| a.name.clone())
        };
        let rate = |r: &kefu_app::survey_loop::ReasonRate| {
            r.rate
                .map_or_else(|| "—".into(), |v| format!("{v:.1}% ({}/{})", r.with_reason, r.answers))
        };
        page.actions = state
            .app
            .survey_actions(actor, &design)
            .await
            .unwrap_or_default()
            .iter()
            .map(|t| ActionView {
                id: t.action.id,
                reason: page
                    .reason_options
                    .iter()
                    .find(|(key, _)| *key == format!("{}:{}", t.action.dimension, t.action.reason))
                    .map_or_else(|| t.action.reason.clone(), |(_, label)| label.clone()),
                what: t.action.what.clone(),
                owner: name_of(t.action.owner_id),
                due: t.action.due_on.map(|d| d.to_string()).unwrap_or_default(),
                done: t.action.done_at.is_some(),
                before: rate(&t.before),
                after: rate(&t.after),
                better: matches!((t.before.rate, t.after.rate), (Some(b), Some(a)) if a < b),
            })
            .collect();
        page.agents = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    }
    if let Some((report, low, found)) = report {
        let (label, unit) = headline_label(&report, tr);
        page.period = format!("{} – {}", render::when(report.from), render::when(report.to));
        page.headline_label = label;
        page.show_overall = report.headline_kind != Headline::Score;
        page.headline = figure(&report.headline, unit);
        page.overall = figure(&report.overall, "");
        page.answers = report.answers;
        page.dimension_names = report.dimensions.iter().map(|d| d.name.get(code).to_owned()).collect();
        page.groups = report
            .groups
            .iter()
            .map(|g| GroupView {
                label: g.label.clone(),
                n: g.score.n,
                small: g.score.small_sample,
                headline: g.headline.map_or_else(|| "—".into(), |v| format!("{v:.1}{unit}")),
                change: g.score.change.map(change_text),
                significant: g.score.change.is_some_and(|c| c.significant),
                direction: direction(g.score.change),
                cells: report
                    .dimensions
                    .iter()
                    .map(|d| {
                        g.dimensions
                            .get(&d.key)
                            .copied()
                            .flatten()
                            .map_or_else(|| "—".into(), |v| format!("{v:.1}"))
                    })
                    .collect(),
            })
            .collect();
        page.dimensions = report.dimensions.iter().map(|d| dimension_view(d, tr, report.target)).collect();
        page.any_reasons = page.dimensions.iter().any(|d| !d.reasons.is_empty());
        page.low = low.iter().map(LowAnswer::of).collect();
        match found {
            Ok(None) => {}
            Ok(Some(found)) => {
                page.found = found.answers.iter().map(LowAnswer::of).collect();
                page.found_total = found.total;
            }
            // The report stands without the search: say what went wrong beside the form.
            Err(error) => {
                page.search_error = Some(refusal(error, tr).unwrap_or_else(|error| {
                    tracing::warn!(?error, "searching the survey comments failed");
                    tr.t("report.comments_unavailable")
                }));
            }
        }
    }
    (StatusCode::OK, page).into_response()
}

/// The answers of the report's filter as CSV (one row per answer, one column per
/// question), newest first, up to 10,000 rows.
pub async fn export(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<ReportForm>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let design = form.design.clone().unwrap_or_else(|| "service5".into());
    let params = match form
        .query
        .query()
        .and_then(|q| q.into_params(&design).map_err(|e| refusal(e, tr).unwrap_or_default()))
    {
        Ok(params) => params,
        Err(message) => return (StatusCode::UNPROCESSABLE_ENTITY, message).into_response(),
    };
    let versions = match state.app.survey_design_versions(actor, &design).await {
        Ok(v) => v,
        Err(error) => return UiError::from(error).page(lang),
    };
    // Columns: every question of any version, in the newest version's order first.
    let mut questions: Vec<String> = Vec::new();
    for version in &versions {
        for q in &version.spec.questions {
            if !questions.contains(&q.key) {
                questions.push(q.key.clone());
            }
        }
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "answer_id",
        "submitted_at",
        "ticket",
        "followup",
        "score",
        "low",
        "team_id",
        "agent_id",
        "channel",
        "ticket_kind",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    head.extend(questions.iter().cloned());
    head.extend(["reasons".to_owned(), "comment".to_owned()]);
    if out.write_record(&head).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut before = None;
    let mut written = 0;
    'pages: while written < 10_000 {
        let page = match state.app.survey_answers(actor, &params, false, before, 200).await {
            Ok(page) => page,
            Err(error) => return UiError::from(error).page(lang),
        };
        if page.is_empty() {
            break;
        }
        for row in &page {
            let a = &row.answer;
            let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            let mut record = vec![
                a.id.to_string(),
                render::iso(a.submitted_at),
                opt(row.ticket_number),
                opt(row.followup_number),
                a.answer.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                a.answer.low.to_string(),
                opt(a.facts.team_id),
                opt(a.facts.agent_id),
                a.facts.channel.clone().unwrap_or_default(),
                a.facts.ticket_kind.clone().unwrap_or_default(),
            ];
            for q in &questions {
                let rating = a.answer.ratings.iter().find(|r| &r.question == q).map(|r| r.value.to_string());
                let choice = a.answer.choices.get(q).map(|c| c.join("|"));
                let text = a.answer.texts.get(q).cloned();
                record.push(rating.or(choice).or(text).unwrap_or_default());
            }
            record.push(
                a.answer
                    .reasons
                    .iter()
                    .map(|(d, r)| format!("{d}:{r}"))
                    .collect::<Vec<_>>()
                    .join("|"),
            );
            record.push(a.answer.comment.clone().unwrap_or_default());
            if out.write_record(&record).is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            written += 1;
            if written >= 10_000 {
                break 'pages;
            }
        }
        before = page.last().map(|r| r.answer.id);
    }
    let Ok(body) = out.into_inner() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"survey-{design}.csv\"")),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ActionForm {
    design: String,
    /// `dimension:reason`
    #[serde(default)]
    reason: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
}

fn back_to_report(design: &str, message: Option<String>) -> Response {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("design", design);
    if let Some(message) = message {
        url.append_pair("error", &message);
    }
    axum::response::Redirect::to(&format!("/reports/satisfaction?{}#actions", url.finish())).into_response()
}

/// Records an improvement action from the report page.
pub async fn create_action(State(state): State<AppState>, lang: Lang, session: Session, Form(form): Form<ActionForm>) -> Response {
    let (dimension, reason) = form.reason.split_once(':').unwrap_or_default();
    let input = kefu_app::survey_loop::ActionInput {
        design: form.design.clone(),
        dimension: dimension.to_owned(),
        reason: reason.to_owned(),
        what: form.what,
        owner_id: form.owner.trim().parse().ok(),
        due_on: Some(form.due_on),
    };
    match state.app.create_survey_action(&session.0.actor, input).await {
        Ok(_) => back_to_report(&form.design, None),
        Err(error) => match refusal(error, Tr(lang)) {
            Ok(message) => back_to_report(&form.design, Some(message)),
            Err(error) => error.page(lang),
        },
    }
}

#[derive(Deserialize)]
pub struct DoneForm {
    design: String,
    #[serde(default)]
    done: String,
}

pub async fn action_done(
    State(state): State<AppState>,
    lang: Lang,
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<DoneForm>,
) -> Response {
    match state.app.set_survey_action_done(&session.0.actor, id, form.done == "true").await {
        Ok(_) => back_to_report(&form.design, None),
        Err(error) => UiError::from(error).page(lang),
    }
}

pub struct PraiseCard {
    agent: String,
    comment: String,
    at: String,
}

pub struct StarRow {
    agent: String,
    praise: i64,
    answers: i64,
    mean: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "praise.html")]
struct PraisePage {
    chrome: Chrome,
    month: String,
    team: String,
    teams: Vec<(Id, String)>,
    cards: Vec<PraiseCard>,
    stars: Vec<StarRow>,
    supervisor: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PraiseQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    team: String,
}

/// The team's praise wall: this month's positive comments naming an agent, and for
/// supervisors the service-star candidates.
pub async fn praise_wall(State(state): State<AppState>, lang: Lang, session: Session, Query(query): Query<PraiseQuery>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    let teams = match state.app.teams(actor).await {
        Ok(teams) => teams,
        Err(error) => return UiError::from(error).page(lang),
    };
    let team = query.team.trim().parse::<Id>().ok();
    let mut page = PraisePage {
        chrome: Chrome::signed_in(lang, &session, "/praise"),
        month: query.month.clone(),
        team: query.team.clone(),
        teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
        cards: Vec::new(),
        stars: Vec::new(),
        supervisor: actor.is_supervisor(),
        error: None,
    };
    let (from, to) = match kefu_app::survey_loop::month_span(Some(&query.month)) {
        Ok(span) => span,
        Err(error) => {
            page.error = refusal(error, tr).ok();
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    match state.app.praise_wall(actor, team, from, to).await {
        Ok(praise) => {
            page.cards = praise
                .iter()
                .map(|p| PraiseCard {
                    agent: p.agent_name.clone(),
                    comment: p.comment.clone(),
                    at: render::when(p.submitted_at),
                })
                .collect();
        }
        Err(error) => return UiError::from(error).page(lang),
    }
    if actor.is_supervisor() {
        page.stars = state
            .app
            .service_star_candidates(actor, from, to)
            .await
            .unwrap_or_default()
            .iter()
            .map(|s| StarRow {
                agent: s.agent_name.clone(),
                praise: s.praise,
                answers: s.answers,
                mean: s.mean_score.map_or_else(|| "—".into(), |m| format!("{m:.1}")),
            })
            .collect();
    }
    page.into_response()
}

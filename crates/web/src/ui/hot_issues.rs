//! The hot-issues page: topics of new tickets rising against the same hours of the last
//! four weeks, each with a small bar chart of those weeks and the tickets behind it.

use super::analytics::{csv_response, spreadsheet_safe};
use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::render;
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kefu_app::hot_issues::{HotParams, HotReport, HotTopic};
use kefu_domain::hot::Facet;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HotForm {
    #[serde(default)]
    hours: String,
    #[serde(default)]
    facet: String,
}

impl HotForm {
    fn params(&self, limit: Option<String>) -> HotParams {
        HotParams {
            hours: Some(self.hours.clone()),
            facet: Some(self.facet.clone()),
            limit,
        }
    }

    fn query_string(&self) -> String {
        let pairs = [("hours", &self.hours), ("facet", &self.facet)];
        super::render::query_string(&pairs)
    }
}

/// One rising topic as a table row.
struct TopicRow {
    facet: String,
    label: String,
    /// The code under the name, for categories.
    code: Option<String>,
    now: u32,
    usual: String,
    ratio: String,
    surprise: String,
    alert: bool,
    /// SVG bars (x, y, height) for four weeks ago … last week, then now (viewBox 0 0 50 24).
    bars: Vec<(u32, f64, f64, bool)>,
    chart_label: String,
    tickets: Vec<(i64, String)>,
}

struct AlertRow {
    label: String,
    at: String,
    at_iso: String,
    tickets: i64,
    usual: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hot_issues.html")]
struct HotPage {
    chrome: Chrome,
    form: HotForm,
    facets: Vec<(&'static str, String)>,
    window: String,
    topics_seen: usize,
    rows: Vec<TopicRow>,
    alerts: Vec<AlertRow>,
    export: String,
    error: Option<String>,
}

pub async fn page(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<HotForm>) -> Response {
    let tr = Tr(lang);
    let mut page = HotPage {
        chrome: Chrome::signed_in(lang, &session, "/reports/hot"),
        facets: Facet::ALL.iter().map(|f| (f.as_str(), tr.label("hot.facet", f.as_str()))).collect(),
        window: String::new(),
        topics_seen: 0,
        rows: Vec::new(),
        alerts: Vec::new(),
        export: String::new(),
        error: None,
        form,
    };
    page.export = format!("/reports/hot.csv?{}", page.form.query_string());
    match state.app.hot_issues(&session.0.actor, page.form.params(None)).await {
        Ok(report) => fill(tr, &mut page, &report),
        Err(error) => match refusal(error, tr) {
            Ok(message) => page.error = Some(message),
            Err(error) => return error.page(lang),
        },
    }
    page.into_response()
}

/// A topic's name in the reader's language (a category's name, else the term itself).
fn label(tr: Tr, facet: Facet, term: &str, names: (Option<&String>, Option<&String>)) -> String {
    let name = match tr.lang() {
        "en" => names.1,
        _ => names.0,
    };
    match (facet, name) {
        (Facet::Category, Some(name)) => name.clone(),
        _ => term.to_owned(),
    }
}

fn fill(tr: Tr, page: &mut HotPage, report: &HotReport) {
    page.window = tr
        .with("hot.window", "hours", &report.hours.to_string())
        .replace("%{from}", &render::when(report.from));
    page.topics_seen = report.topics_seen;
    page.rows = report.topics.iter().map(|t| topic_row(tr, t)).collect();
    page.alerts = report
        .alerts
        .iter()
        .map(|a| AlertRow {
            label: format!("{} · {}", tr.label("hot.facet", a.facet.as_str()), a.term),
            at: render::when(a.raised_at),
            at_iso: render::iso(a.raised_at),
            tickets: a.tickets,
            usual: format!("{:.1}", a.usual),
        })
        .collect();
}

fn topic_row(tr: Tr, topic: &HotTopic) -> TopicRow {
    let rise = &topic.rise;
    // Oldest week first, now last, so the chart reads left to right.
    let mut values: Vec<u32> = rise.earlier.iter().rev().copied().collect();
    values.push(rise.now);
    let top = f64::from(values.iter().copied().max().unwrap_or(1).max(1));
    let last = values.len() - 1;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let height = f64::from(v) / top * 22.0;
            (i as u32 * 10, 24.0 - height, height, i == last)
        })
        .collect();
    let weeks: Vec<String> = values.iter().map(u32::to_string).collect();
    TopicRow {
        facet: tr.label("hot.facet", topic.facet.as_str()),
        label: label(tr, topic.facet, &topic.term, (topic.name_zh.as_ref(), topic.name_en.as_ref())),
        code: (topic.facet == Facet::Category).then(|| topic.term.clone()),
        now: rise.now,
        usual: format!("{:.1}", rise.usual),
        ratio: format!("×{:.1}", rise.ratio),
        surprise: format!("{:.1}", rise.surprise),
        alert: topic.alert,
        bars,
        chart_label: tr.with("hot.chart", "counts", &weeks.join(", ")),
        tickets: topic.tickets.iter().map(|t| (t.number, t.subject.clone())).collect(),
    }
}

/// The rising topics as CSV, the same rows as the page.
pub async fn export(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<HotForm>) -> Response {
    let tr = Tr(lang);
    let report = match state.app.hot_issues(&session.0.actor, form.params(None)).await {
        Ok(report) => report,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = [
        "facet", "topic", "code", "now", "week1", "week2", "week3", "week4", "usual", "ratio", "surprise", "alerting", "tickets",
    ]
    .iter()
    .map(|k| tr.t(&format!("hot.csv_{k}")))
    .collect();
    let _ = csv.write_record(&header);
    for topic in &report.topics {
        let rise = &topic.rise;
        let mut record = vec![
            tr.label("hot.facet", topic.facet.as_str()),
            spreadsheet_safe(label(
                tr,
                topic.facet,
                &topic.term,
                (topic.name_zh.as_ref(), topic.name_en.as_ref()),
            )),
            spreadsheet_safe(topic.term.clone()),
            rise.now.to_string(),
        ];
        record.extend(rise.earlier.iter().map(u32::to_string));
        record.extend([
            format!("{:.1}", rise.usual),
            format!("{:.1}", rise.ratio),
            format!("{:.1}", rise.surprise),
            topic.alert.to_string(),
            topic.tickets.iter().map(|t| t.number.to_string()).collect::<Vec<_>>().join(" "),
        ]);
        let _ = csv.write_record(&record);
    }
    csv_response("hot-issues.csv", csv.into_inner().unwrap_or_default())
}

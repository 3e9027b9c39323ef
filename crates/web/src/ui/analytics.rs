//! The supervisors' numbers: the live dashboard (the department now and today against the
//! same hours last week, refreshed when events arrive on the bus), the KPI report with its
//! CSV export, and the staffing plan. Charts are SVG drawn here from the numbers.

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, UiError, refusal};
use super::session::Session;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use kefu_app::analytics::{Csat, Dashboard, KpiParams, KpiReport};
use kefu_app::staffing::{StaffingParams, StaffingPlan};
use kefu_domain::analytics::Delta;
use kefu_domain::analytics::kpi::{DurationStats, Kpis};
use kefu_domain::enums::Channel;
use kefu_domain::sla::Metric;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// "—" for no data, else a duration a person reads at a glance.
pub(super) fn duration(seconds: Option<f64>) -> String {
    match seconds {
        None => "—".into(),
        Some(s) if s < 60.0 => format!("{s:.0}s"),
        Some(s) if s < 3600.0 => {
            let whole = s.round() as i64;
            format!("{}m {:02}s", whole / 60, whole % 60)
        }
        Some(s) if s < 48.0 * 3600.0 => format!("{:.1}h", s / 3600.0),
        Some(s) => format!("{:.1}d", s / 86_400.0),
    }
}

pub(super) fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
}

fn ratio(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".into(), |r| format!("{r:.2}"))
}

fn sla_rate(kpis: &Kpis, metric: Metric) -> Option<f64> {
    kpis.sla_of(metric).and_then(|s| s.rate)
}

/// One KPI as a table row: its name, definition (hover), value now and before.
pub struct KpiRow {
    key: &'static str,
    name: String,
    definition: String,
    value: String,
    previous: String,
}

/// The KPIs shown for a set of numbers, in a fixed order.
fn kpi_values(k: &Kpis) -> Vec<(&'static str, String)> {
    let median = |d: &DurationStats| duration(d.median_seconds);
    vec![
        ("created", k.created.to_string()),
        ("resolved", k.resolved.to_string()),
        ("frt_median", median(&k.first_response)),
        ("frt_p90", duration(k.first_response.p90_seconds)),
        ("frt_business_median", median(&k.first_response_business)),
        ("nrt_median", median(&k.next_response)),
        ("resolution_median", median(&k.resolution)),
        ("resolution_business_median", median(&k.resolution_business)),
        ("resolution_rate", percent(k.resolution_rate)),
        ("fcr", percent(k.first_contact_resolution)),
        ("reopen_rate", percent(k.reopen_rate)),
        ("transfers_per_ticket", ratio(k.transfers_per_ticket)),
        ("complaint_share", percent(k.complaint_share)),
        ("sla_first_response", percent(sla_rate(k, Metric::FirstResponse))),
        ("sla_next_response", percent(sla_rate(k, Metric::NextResponse))),
        ("sla_resolution", percent(sla_rate(k, Metric::Resolution))),
    ]
}

/// A KPI as a number to draw (durations in seconds, rates in percent); `None` without data.
fn kpi_number(k: &Kpis, key: &str) -> Option<f64> {
    let percent = |rate: Option<f64>| rate.map(|r| r * 100.0);
    match key {
        "created" => Some(k.created as f64),
        "resolved" => Some(k.resolved as f64),
        "frt_median" => k.first_response.median_seconds,
        "frt_p90" => k.first_response.p90_seconds,
        "frt_business_median" => k.first_response_business.median_seconds,
        "nrt_median" => k.next_response.median_seconds,
        "resolution_median" => k.resolution.median_seconds,
        "resolution_business_median" => k.resolution_business.median_seconds,
        "resolution_rate" => percent(k.resolution_rate),
        "fcr" => percent(k.first_contact_resolution),
        "reopen_rate" => percent(k.reopen_rate),
        "transfers_per_ticket" => k.transfers_per_ticket,
        "complaint_share" => percent(k.complaint_share),
        "sla_first_response" => percent(sla_rate(k, Metric::FirstResponse)),
        "sla_next_response" => percent(sla_rate(k, Metric::NextResponse)),
        "sla_resolution" => percent(sla_rate(k, Metric::Resolution)),
        _ => None,
    }
}

/// The KPIs of a day without tickets.
fn no_tickets() -> Kpis {
    Kpis::of(&Delta::default())
}

/// A KPI for every day of a report grouped by day, quiet days included (no tickets: a
/// count of 0, a rate of nothing).
fn day_values(report: &KpiReport, key: &str) -> Vec<(String, Option<f64>)> {
    let (Ok(from), Ok(to)) = (report.from.parse::<jiff::civil::Date>(), report.to.parse::<jiff::civil::Date>()) else {
        return Vec::new();
    };
    from.series(jiff::Span::new().days(1))
        .take_while(|day| *day <= to)
        .map(|day| {
            let day = day.to_string();
            let kpis = report
                .groups
                .iter()
                .find(|g| g.key == day)
                .map_or_else(no_tickets, |g| g.kpis.clone());
            let value = kpi_number(&kpis, key);
            (day, value)
        })
        .collect()
}

/// A number from [`kpi_number`] written as the report writes that KPI.
fn kpi_text(key: &str, value: f64) -> String {
    match key {
        k if k.contains("median") || k.contains("p90") => duration(Some(value)),
        "created" | "resolved" => format!("{value:.0}"),
        "transfers_per_ticket" => format!("{value:.2}"),
        _ => format!("{value:.1}%"),
    }
}

fn kpi_rows(tr: Tr, now: &Kpis, before: &Kpis) -> Vec<KpiRow> {
    kpi_values(now)
        .into_iter()
        .zip(kpi_values(before))
        .map(|((key, value), (_, previous))| KpiRow {
            key,
            name: tr.t(&format!("kpi.{key}")),
            definition: tr.t(&format!("kpi_definition.{key}")),
            value,
            previous,
        })
        .collect()
}

/// A horizontal bar: its share of the widest, in percent of the chart's width.
pub struct Bar {
    label: String,
    value: String,
    width: f64,
}

fn bars(values: Vec<(String, f64, String)>) -> Vec<Bar> {
    let max = values.iter().map(|(_, v, _)| *v).fold(0.0, f64::max);
    values
        .into_iter()
        .map(|(label, v, shown)| Bar {
            label,
            value: shown,
            width: if max > 0.0 { (v / max * 100.0).max(0.5) } else { 0.0 },
        })
        .collect()
}

/// Every channel with its name, for the filter fields.
fn channel_options(tr: Tr) -> Vec<(&'static str, String)> {
    Channel::ALL.iter().map(|c| (c.as_str(), tr.label("channel", c.as_str()))).collect()
}

// ---- dashboard ----

pub struct AgentRow {
    name: String,
    presence: String,
    presence_key: &'static str,
    open: i64,
    capacity: i64,
    width: f64,
}

pub struct Tile {
    id: &'static str,
    label: String,
    value: String,
    alert: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    tiles: Vec<Tile>,
    oldest: Option<(i64, String)>,
    backlog: Vec<Bar>,
    today: Vec<KpiRow>,
    agents: Vec<AgentRow>,
    updated: String,
}

/// "82.5% (n=40)", or "—" without answers.
fn csat_text(csat: &Csat) -> String {
    csat.percent
        .map_or_else(|| "—".to_owned(), |p| format!("{p:.1}% (n={})", csat.answers))
}

fn dashboard_page(tr: Tr, chrome: Chrome, board: Dashboard) -> DashboardPage {
    let tile = |id, value: i64, alert: bool| Tile {
        id,
        label: tr.t(&format!("dashboard.{id}")),
        value: value.to_string(),
        alert: alert && value > 0,
    };
    let ages = ["age_1h", "age_4h", "age_24h", "age_72h", "age_older"];
    DashboardPage {
        tiles: vec![
            tile("open", board.open, false),
            tile("unassigned", board.unassigned, false),
            tile("waiting", board.waiting, false),
            tile("on_hold", board.on_hold, false),
            tile("sla_at_risk", board.sla_at_risk, true),
            tile("sla_breached", board.sla_breached, true),
        ],
        oldest: board
            .oldest_unassigned
            .as_ref()
            .map(|o| (o.number, duration(Some(o.waiting_minutes as f64 * 60.0)))),
        backlog: bars(
            ages.iter()
                .zip(&board.backlog_by_age)
                .map(|(key, n)| (tr.t(&format!("dashboard.{key}")), *n as f64, n.to_string()))
                .collect(),
        ),
        today: kpi_rows(tr, &board.today, &board.last_week)
            .into_iter()
            .filter(|r| {
                [
                    "created",
                    "resolved",
                    "frt_median",
                    "resolution_median",
                    "fcr",
                    "sla_first_response",
                ]
                .contains(&r.key)
            })
            .chain(std::iter::once(KpiRow {
                key: "csat",
                name: tr.t("dashboard.csat"),
                definition: tr.t("dashboard.csat_definition"),
                value: csat_text(&board.csat_today),
                previous: csat_text(&board.csat_last_week),
            }))
            .collect(),
        agents: board
            .agents
            .iter()
            .map(|a| AgentRow {
                name: a.name.clone(),
                presence: tr.label("presence", a.presence.as_str()),
                presence_key: a.presence.as_str(),
                open: a.open,
                capacity: a.capacity,
                width: if a.capacity > 0 {
                    (a.open as f64 / a.capacity as f64 * 100.0).min(100.0)
                } else {
                    0.0
                },
            })
            .collect(),
        updated: super::render::when(board.at),
        chrome,
    }
}

pub async fn dashboard(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    match state.app.dashboard(&session.0.actor).await {
        Ok(board) => dashboard_page(Tr(lang), Chrome::signed_in(lang, &session, "/dashboard"), board).into_response(),
        Err(error) => UiError::from(error).page(lang),
    }
}

/// Says `changed` when ticket events arrive (at most once a second), so the dashboard
/// fetches its numbers again.
pub async fn dashboard_live(State(state): State<AppState>, lang: Lang, session: Session) -> Response {
    if let Err(error) = session.0.actor.require_supervisor("the dashboard") {
        return UiError::from(error).fragment(lang);
    }
    Sse::new(changes(state.app.subscribe()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn changes(
    events: tokio::sync::broadcast::Receiver<std::sync::Arc<kefu_domain::event::TicketEvent>>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(events, |mut events| async move {
        use tokio::sync::broadcast::error::RecvError;
        match events.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => {
                // One refresh for a burst: wait a moment (the rollups fold meanwhile) and
                // drop what queued up.
                tokio::time::sleep(Duration::from_secs(1)).await;
                events = events.resubscribe();
                Some((Ok(Event::default().event("changed").data("kpis")), events))
            }
            Err(RecvError::Closed) => None,
        }
    })
}

// ---- KPI report ----

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    channel: String,
    /// The KPI the trend chart draws (grouped by day); default `created`.
    #[serde(default)]
    metric: String,
}

impl ReportForm {
    fn params(&self) -> KpiParams {
        let some = |s: &String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        KpiParams {
            from: some(&self.from),
            to: some(&self.to),
            group: some(&self.group),
            team: some(&self.team),
            agent: some(&self.agent),
            channel: some(&self.channel),
            ..KpiParams::default()
        }
    }

    fn query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("group", &self.group),
            ("team", &self.team),
            ("agent", &self.agent),
            ("channel", &self.channel),
            ("metric", &self.metric),
        ];
        super::render::query_string(&pairs)
    }
}

pub struct GroupRow {
    label: String,
    cells: Vec<String>,
}

/// A KPI day by day over the range, with the previous range drawn behind it (SVG
/// polylines in a 0 0 100 40 viewBox).
pub struct Trend {
    name: String,
    current: String,
    previous: String,
    top: String,
    first_day: String,
    last_day: String,
    /// The values in words, for screen readers.
    summary: String,
}

impl Trend {
    fn of(tr: Tr, key: &str, days: &[(String, Option<f64>)], before: &[Option<f64>]) -> Trend {
        let top = days
            .iter()
            .filter_map(|(_, v)| *v)
            .chain(before.iter().filter_map(|v| *v))
            .fold(0.0, f64::max);
        let points = |values: &mut dyn Iterator<Item = Option<f64>>| -> String {
            let values: Vec<Option<f64>> = values.collect();
            let step = 100.0 / (values.len().max(2) - 1) as f64;
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let v = (*v)?;
                    let y = if top > 0.0 { 38.0 - v / top * 36.0 } else { 38.0 };
                    Some(format!("{:.2},{y:.2}", i as f64 * step))
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let shown = |v: &Option<f64>| v.map_or_else(|| "—".to_owned(), |v| kpi_text(key, v));
        Trend {
            name: tr.t(&format!("kpi.{key}")),
            current: points(&mut days.iter().map(|(_, v)| *v)),
            previous: points(&mut before.iter().copied()),
            top: kpi_text(key, top),
            first_day: days.first().map(|(d, _)| d.clone()).unwrap_or_default(),
            last_day: days.last().map(|(d, _)| d.clone()).unwrap_or_default(),
            summary: days
                .iter()
                .map(|(d, v)| format!("{d}: {}", shown(v)))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The columns of the grouped table (a subset of the KPIs).
const GROUP_COLUMNS: [&str; 9] = [
    "created",
    "resolved",
    "frt_median",
    "frt_p90",
    "resolution_median",
    "fcr",
    "reopen_rate",
    "sla_first_response",
    "sla_resolution",
];

fn group_cells(kpis: &Kpis) -> Vec<String> {
    let values = kpi_values(kpis);
    GROUP_COLUMNS
        .iter()
        .map(|c| values.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()).unwrap_or_default())
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi_report.html")]
struct ReportPage {
    chrome: Chrome,
    form: ReportForm,
    groups_offered: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    teams: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    period: String,
    rows: Vec<KpiRow>,
    columns: Vec<(String, String)>,
    groups: Vec<GroupRow>,
    created_bars: Vec<Bar>,
    /// Grouped by day: the chosen KPI against the previous range.
    trend: Option<Trend>,
    /// KPIs the trend can draw: key and name.
    metrics: Vec<(&'static str, String)>,
    pending: i64,
    export: String,
    error: Option<String>,
}

pub async fn kpi_report(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<ReportForm>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_supervisor("reports") {
        return UiError::from(error).page(lang);
    }
    let (teams, agents) = match tokio::try_join!(state.app.teams(actor), state.app.agents(actor)) {
        Ok(found) => found,
        Err(error) => return UiError::from(error).page(lang),
    };
    let here = format!("/reports/kpis?{}", form.query_string());
    let mut page = ReportPage {
        chrome: Chrome::signed_in(lang, &session, &here),
        groups_offered: ["day", "team", "agent", "channel", "kind", "priority"]
            .into_iter()
            .map(|g| (g, tr.t(&format!("kpi_group.{g}"))))
            .collect(),
        channels: channel_options(tr),
        teams: teams.iter().map(|t| (t.id, t.name.clone())).collect(),
        agents: agents.iter().map(|a| (a.id, a.name.clone())).collect(),
        period: String::new(),
        rows: Vec::new(),
        columns: GROUP_COLUMNS
            .iter()
            .map(|c| (tr.t(&format!("kpi.{c}")), tr.t(&format!("kpi_definition.{c}"))))
            .collect(),
        groups: Vec::new(),
        created_bars: Vec::new(),
        trend: None,
        metrics: kpi_values(&no_tickets())
            .into_iter()
            .map(|(key, _)| (key, tr.t(&format!("kpi.{key}"))))
            .collect(),
        pending: 0,
        export: format!("/reports/kpis.csv?{}", form.query_string()),
        error: None,
        form,
    };
    match state.app.kpi_report(actor, page.form.params()).await {
        Ok(report) => {
            // By day, the previous range by day too, to draw behind the trend.
            let before = if report.group.as_deref() == Some("day") {
                let params = KpiParams {
                    from: Some(report.previous_from.clone()),
                    to: Some(report.previous_to.clone()),
                    ..page.form.params()
                };
                match state.app.kpi_report(actor, params).await {
                    Ok(before) => Some(before),
                    Err(error) => return UiError::from(error).page(lang),
                }
            } else {
                None
            };
            fill_report(tr, &mut page, report, before.as_ref());
        }
        Err(error) => match refusal(error, tr) {
            Ok(message) => page.error = Some(message),
            Err(error) => return error.page(lang),
        },
    }
    page.into_response()
}

fn fill_report(tr: Tr, page: &mut ReportPage, report: KpiReport, before: Option<&KpiReport>) {
    page.period = format!("{} – {} ({})", report.from, report.to, report.zone);
    if let Some(before) = before {
        let key = page
            .metrics
            .iter()
            .map(|(key, _)| *key)
            .find(|key| *key == page.form.metric)
            .unwrap_or("created");
        let days = day_values(&report, key);
        let earlier: Vec<Option<f64>> = day_values(before, key).into_iter().map(|(_, v)| v).collect();
        page.trend = Some(Trend::of(tr, key, &days, &earlier));
    }
    page.rows = kpi_rows(tr, &report.totals, &report.previous);
    page.pending = report.pending_events;
    page.created_bars = bars(
        report
            .groups
            .iter()
            .map(|g| {
                (
                    group_label(tr, &report, &g.label),
                    g.kpis.created as f64,
                    g.kpis.created.to_string(),
                )
            })
            .collect(),
    );
    page.groups = report
        .groups
        .iter()
        .map(|g| GroupRow {
            label: group_label(tr, &report, &g.label),
            cells: group_cells(&g.kpis),
        })
        .collect();
}

/// Channels, kinds and priorities in the reader's language; the rest as they are.
fn group_label(tr: Tr, report: &KpiReport, label: &str) -> String {
    match report.group.as_deref() {
        Some(vocabulary @ ("channel" | "kind" | "priority")) => tr.label(vocabulary, label),
        Some("team" | "agent") if label == "none" => tr.t("kpi_group.none"),
        _ => label.to_owned(),
    }
}

/// The report's groups (or its totals) as CSV, the same numbers as the page.
pub async fn kpi_export(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<ReportForm>) -> Response {
    let tr = Tr(lang);
    let report = match state.app.kpi_report(&session.0.actor, form.params()).await {
        Ok(report) => report,
        Err(error) => return UiError::from(error).page(lang),
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    let keys: Vec<&'static str> = kpi_values(&report.totals).into_iter().map(|(k, _)| k).collect();
    let mut header = vec![tr.t("kpi_group.group")];
    header.extend(keys.iter().map(|k| tr.t(&format!("kpi.{k}"))));
    let _ = csv.write_record(&header);
    let mut rows: Vec<(String, &Kpis)> = report
        .groups
        .iter()
        .map(|g| (group_label(tr, &report, &g.label), &g.kpis))
        .collect();
    rows.push((tr.t("kpi_group.total"), &report.totals));
    for (label, kpis) in rows {
        let mut record = vec![spreadsheet_safe(label)];
        record.extend(kpi_values(kpis).into_iter().map(|(_, v)| v));
        let _ = csv.write_record(&record);
    }
    csv_response("kpis.csv", csv.into_inner().unwrap_or_default())
}

/// A cell a spreadsheet will not run as a formula (team and agent names are typed by
/// people).
pub(super) fn spreadsheet_safe(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

// ---- staffing ----

#[derive(Deserialize, Default)]
pub struct StaffingForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    aht: String,
    #[serde(default)]
    service_level: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    shrinkage: String,
}

pub struct DayPlan {
    day: String,
    contacts: String,
    peak_agents: u32,
    peak_headcount: u32,
    agent_hours: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "staffing.html")]
struct StaffingPage {
    chrome: Chrome,
    form: StaffingForm,
    channels: Vec<(&'static str, String)>,
    /// SVG: the interval band, the forecast line and the agents-needed bars (viewBox 0 0 336 100).
    band: String,
    line: String,
    agent_bars: Vec<(usize, f64, f64)>,
    days: Vec<DayPlan>,
    method: String,
    export: String,
    error: Option<String>,
}

impl StaffingForm {
    /// The plan's parameters; a field that is not a number is a readable message.
    fn params(&self, tr: Tr) -> Result<StaffingParams, String> {
        Ok(StaffingParams {
            channel: Some(self.channel.trim().to_owned()).filter(|c| !c.is_empty()),
            team: None,
            aht_seconds: number(&self.aht, "aht", tr)?,
            service_level: number(&self.service_level, "service_level", tr)?.map(|p| p / 100.0),
            answer_seconds: number(&self.answer, "answer", tr)?,
            shrinkage: number(&self.shrinkage, "shrinkage", tr)?.map(|p| p / 100.0),
        })
    }

    fn query_string(&self) -> String {
        let pairs = [
            ("channel", &self.channel),
            ("aht", &self.aht),
            ("service_level", &self.service_level),
            ("answer", &self.answer),
            ("shrinkage", &self.shrinkage),
        ];
        super::render::query_string(&pairs)
    }
}

/// The plan hour by hour as CSV (the hours in the reporting zone).
pub async fn staffing_export(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<StaffingForm>) -> Response {
    let tr = Tr(lang);
    let params = match form.params(tr) {
        Ok(params) => params,
        Err(message) => return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, message).into_response(),
    };
    let plan = match state.app.staffing_plan(&session.0.actor, params).await {
        Ok(plan) => plan,
        Err(error) => return UiError::from(error).page(lang),
    };
    let zone = jiff::tz::TimeZone::get(&plan.zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut csv = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = ["hour", "forecast", "lower", "upper", "agents", "headcount"]
        .iter()
        .map(|k| tr.t(&format!("staffing.csv_{k}")))
        .collect();
    let _ = csv.write_record(&header);
    for h in &plan.hours {
        let _ = csv.write_record([
            zone.to_datetime(h.at).strftime("%Y-%m-%d %H:%M").to_string(),
            format!("{:.1}", h.forecast),
            format!("{:.1}", h.lower),
            format!("{:.1}", h.upper),
            h.agents.to_string(),
            h.headcount.to_string(),
        ]);
    }
    csv_response("staffing.csv", csv.into_inner().unwrap_or_default())
}

/// A CSV download.
pub(super) fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

fn number(text: &str, field: &str, tr: Tr) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| tr.with("staffing.not_a_number", "field", &tr.t(&format!("staffing.{field}"))))
}

pub async fn staffing(State(state): State<AppState>, lang: Lang, session: Session, Query(form): Query<StaffingForm>) -> Response {
    let tr = Tr(lang);
    let actor = &session.0.actor;
    if let Err(error) = actor.require_supervisor("staffing") {
        return UiError::from(error).page(lang);
    }
    let mut page = StaffingPage {
        chrome: Chrome::signed_in(lang, &session, "/reports/staffing"),
        channels: channel_options(tr),
        band: String::new(),
        line: String::new(),
        agent_bars: Vec::new(),
        days: Vec::new(),
        method: String::new(),
        export: format!("/reports/staffing.csv?{}", form.query_string()),
        error: None,
        form,
    };
    let params = match page.form.params(tr) {
        Ok(params) => params,
        Err(message) => {
            page.error = Some(message);
            return page.into_response();
        }
    };
    match state.app.staffing_plan(actor, params).await {
        Ok(plan) => fill_staffing(tr, &mut page, &plan),
        Err(error) => match refusal(error, tr) {
            Ok(message) => page.error = Some(message),
            Err(error) => return error.page(lang),
        },
    }
    page.into_response()
}

fn fill_staffing(tr: Tr, page: &mut StaffingPage, plan: &StaffingPlan) {
    let top = plan.hours.iter().map(|h| h.upper).fold(1.0, f64::max);
    let most_agents = plan.hours.iter().map(|h| h.agents).max().unwrap_or(1).max(1) as f64;
    let y = |v: f64| 100.0 - v / top * 95.0;
    let upper: Vec<String> = plan
        .hours
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{i},{:.2}", y(h.upper)))
        .collect();
    let lower: Vec<String> = plan
        .hours
        .iter()
        .enumerate()
        .rev()
        .map(|(i, h)| format!("{i},{:.2}", y(h.lower)))
        .collect();
    page.band = upper.into_iter().chain(lower).collect::<Vec<_>>().join(" ");
    page.line = plan
        .hours
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{i},{:.2}", y(h.forecast)))
        .collect::<Vec<_>>()
        .join(" ");
    page.agent_bars = plan
        .hours
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let height = f64::from(h.agents) / most_agents * 30.0;
            (i, 100.0 - height, height)
        })
        .collect();
    page.method = tr.t(&format!("staffing.method_{}", plan.method));
    let days = plan
        .days
        .iter()
        .map(|d| DayPlan {
            day: d.day.clone(),
            contacts: format!("{:.0}", d.contacts),
            peak_agents: d.peak_agents,
            peak_headcount: d.peak_headcount,
            agent_hours: d.agent_hours,
        })
        .collect();
    page.days = days;
}

//! The agent leaderboard: per agent over a range of days, the volume and speed from the
//! KPI rollups, CSAT from the satisfaction answers, and the commitments kept, side by
//! side. It reads the three reports the department already trusts and joins them by
//! agent, so its numbers are theirs.

use crate::analytics::KpiParams;
use crate::error::AppResult;
use crate::survey_report::ReportParams;
use crate::{Actor, App};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use kefu_domain::entities::Id;
use kefu_domain::survey::Slice;
use kefu_store::commitments;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// The built-in survey whose headline (share of 4 and 5) the leaderboard shows.
const CSAT_DESIGN: &str = "csat";

/// Which days and whose agents, as the KPI report takes them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct LeaderboardParams {
    /// First day (YYYY-MM-DD, reporting zone); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, included; default: today.
    pub to: Option<String>,
    /// Only work done in this team.
    pub team: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderRow {
    pub agent_id: Id,
    pub name: String,
    /// Tickets the agent resolved.
    pub resolved: i64,
    /// Public replies the agent wrote.
    pub replies: i64,
    /// First responses the agent gave, and their median (seconds).
    pub first_responses: i64,
    pub first_response_median_seconds: Option<f64>,
    /// First-contact resolution of the tickets the agent resolved.
    pub first_contact_resolution: Option<f64>,
    /// CSAT % (answers rating 4 or 5) of the agent's tickets, and how many answers.
    pub csat_percent: Option<f64>,
    pub csat_answers: u64,
    pub commitments_kept: i64,
    pub commitments_broken: i64,
    /// Kept / (kept + broken).
    pub commitments_kept_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leaderboard {
    pub from: String,
    pub to: String,
    pub zone: String,
    /// Most tickets resolved first.
    pub rows: Vec<LeaderRow>,
}

impl App {
    /// Supervisors and admins only (the KPI report checks).
    pub async fn leaderboard(&self, actor: &Actor, params: LeaderboardParams) -> AppResult<Leaderboard> {
        let given = |text: &Option<String>| text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        // Thirty days by default: a month is what a leaderboard is read over.
        let from = given(&params.from).or_else(|| {
            let zone = self.engine().reporting_calendar().zone().clone();
            let today = zone.to_datetime(crate::now()).date();
            let to = given(&params.to).and_then(|t| t.parse::<Date>().ok()).unwrap_or(today);
            to.checked_sub(jiff::Span::new().days(29)).ok().map(|d| d.to_string())
        });
        let kpis = self
            .kpi_report(
                actor,
                KpiParams {
                    from,
                    to: params.to.clone(),
                    group: Some("agent".into()),
                    team: params.team.clone(),
                    ..Default::default()
                },
            )
            .await?;
        let zone = TimeZone::get(&kpis.zone).unwrap_or(TimeZone::UTC);
        let start = day_start(&kpis.from, &zone);
        let end = kpis
            .to
            .parse::<Date>()
            .ok()
            .and_then(|d| d.tomorrow().ok())
            .map(|d| midnight(d, &zone));
        let team_filter: Vec<(Slice, String)> = params
            .team
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| (Slice::Team, t.to_owned()))
            .into_iter()
            .collect();
        let csat = self
            .survey_report(
                actor,
                ReportParams {
                    design: CSAT_DESIGN.into(),
                    from: start,
                    to: end,
                    filters: team_filter,
                    group_by: Some(Slice::Agent),
                    target: None,
                },
            )
            .await?;
        let csat_by_agent: HashMap<String, (Option<f64>, u64)> = csat
            .groups
            .into_iter()
            .filter_map(|g| Some((g.value?, (g.headline, g.score.n))))
            .collect();
        let kept_by_agent: HashMap<Id, (i64, i64)> =
            commitments::commitment_counts_by_agent(self.db().read(), start.unwrap_or(Timestamp::UNIX_EPOCH), end)
                .await?
                .into_iter()
                .map(|(agent, kept, broken)| (agent, (kept, broken)))
                .collect();
        let mut rows: Vec<LeaderRow> = kpis
            .groups
            .into_iter()
            .filter_map(|group| {
                let agent_id: Id = group.key.parse().ok()?;
                let (csat_percent, csat_answers) = csat_by_agent.get(&group.key).copied().unwrap_or((None, 0));
                let (kept, broken) = kept_by_agent.get(&agent_id).copied().unwrap_or_default();
                let k = &group.kpis;
                Some(LeaderRow {
                    agent_id,
                    name: group.label,
                    resolved: k.resolved,
                    replies: k.agent_replies,
                    first_responses: k.first_response.count,
                    first_response_median_seconds: k.first_response.median_seconds,
                    first_contact_resolution: k.first_contact_resolution,
                    csat_percent,
                    csat_answers,
                    commitments_kept: kept,
                    commitments_broken: broken,
                    commitments_kept_rate: (kept + broken > 0).then(|| kept as f64 / (kept + broken) as f64),
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            b.resolved
                .cmp(&a.resolved)
                .then(b.replies.cmp(&a.replies))
                .then(a.name.cmp(&b.name))
        });
        Ok(Leaderboard {
            from: kpis.from,
            to: kpis.to,
            zone: kpis.zone,
            rows,
        })
    }
}

fn midnight(day: Date, zone: &TimeZone) -> Timestamp {
    zone.to_ambiguous_timestamp(day.to_datetime(Time::midnight()))
        .compatible()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn day_start(day: &str, zone: &TimeZone) -> Option<Timestamp> {
    day.parse::<Date>().ok().map(|d| midnight(d, zone))
}

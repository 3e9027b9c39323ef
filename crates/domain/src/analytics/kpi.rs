//! The KPIs computed from summed rollup rows. Every rate says what it divides by, and is
//! `None` when that is zero (no data is not 0 %).

use super::sketch::Durations;
use super::{Counter, Delta, SketchKind};
use crate::sla::Metric;
use serde::Serialize;

/// Mean, median and p90 of a duration KPI, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationStats {
    pub count: i64,
    pub mean_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

impl DurationStats {
    fn of(totals: &Delta, count: Counter, sum: Counter, sketch: SketchKind) -> Self {
        let n = totals.get(count);
        let quantile = |q| {
            totals
                .sketch(sketch)
                .and_then(|s: &Durations| s.quantile(q))
                .map(|ms| ms as f64 / 1000.0)
        };
        Self {
            count: n,
            mean_seconds: (n > 0).then(|| totals.get(sum) as f64 / n as f64 / 1000.0),
            median_seconds: quantile(0.5),
            p90_seconds: quantile(0.9),
        }
    }
}

/// How often one SLA target was met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaAttainment {
    pub metric: Metric,
    pub met: i64,
    pub missed: i64,
    /// met / (met + missed).
    pub rate: Option<f64>,
}

/// The KPIs of a set of rollup rows (a range, a team, an agent, ...).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub created: i64,
    pub resolved: i64,
    pub complaints: i64,
    pub reopened: i64,
    pub agent_replies: i64,
    pub first_response: DurationStats,
    pub first_response_business: DurationStats,
    pub next_response: DurationStats,
    pub resolution: DurationStats,
    pub resolution_business: DurationStats,
    /// Of the tickets created, the share resolved or closed now.
    pub resolution_rate: Option<f64>,
    /// Of the tickets resolved for the first time, the share resolved at the first contact.
    pub first_contact_resolution: Option<f64>,
    /// Reopens per resolution.
    pub reopen_rate: Option<f64>,
    /// Transfers per ticket created.
    pub transfers_per_ticket: Option<f64>,
    /// Complaints over all tickets created.
    pub complaint_share: Option<f64>,
    pub sla: Vec<SlaAttainment>,
}

impl Kpis {
    pub fn of(totals: &Delta) -> Self {
        let created = totals.get(Counter::Created);
        let resolved = totals.get(Counter::Resolved);
        let first_resolutions = totals.get(Counter::FirstResolutions);
        let sla = [
            (Metric::FirstResponse, Counter::FirstResponseMet, Counter::FirstResponseMissed),
            (Metric::NextResponse, Counter::NextResponseMet, Counter::NextResponseMissed),
            (Metric::Resolution, Counter::ResolutionMet, Counter::ResolutionMissed),
            (Metric::Arrival, Counter::ArrivalMet, Counter::ArrivalMissed),
        ]
        .into_iter()
        .map(|(metric, met, missed)| {
            let (met, missed) = (totals.get(met), totals.get(missed));
            SlaAttainment {
                metric,
                met,
                missed,
                rate: ratio(met, met + missed),
            }
        })
        .collect();
        Self {
            created,
            resolved,
            complaints: totals.get(Counter::Complaints),
            reopened: totals.get(Counter::Reopened),
            agent_replies: totals.get(Counter::AgentReplies),
            first_response: DurationStats::of(totals, Counter::FirstResponses, Counter::FirstResponseMs, SketchKind::FirstResponse),
            first_response_business: DurationStats::of(
                totals,
                Counter::FirstResponses,
                Counter::FirstResponseBusinessMs,
                SketchKind::FirstResponseBusiness,
            ),
            next_response: DurationStats::of(totals, Counter::NextResponses, Counter::NextResponseMs, SketchKind::NextResponse),
            resolution: DurationStats::of(totals, Counter::Resolved, Counter::ResolutionMs, SketchKind::Resolution),
            resolution_business: DurationStats::of(
                totals,
                Counter::Resolved,
                Counter::ResolutionBusinessMs,
                SketchKind::ResolutionBusiness,
            ),
            resolution_rate: ratio(totals.get(Counter::CreatedResolved), created),
            first_contact_resolution: ratio(totals.get(Counter::FirstContactResolved), first_resolutions),
            reopen_rate: ratio(totals.get(Counter::Reopened), resolved),
            transfers_per_ticket: ratio(totals.get(Counter::Transfers), created),
            complaint_share: ratio(totals.get(Counter::Complaints), created),
            sla,
        }
    }

    /// The attainment of one target.
    pub fn sla_of(&self, metric: Metric) -> Option<&SlaAttainment> {
        self.sla.iter().find(|s| s.metric == metric)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

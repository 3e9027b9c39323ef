//! After the scores: improvement actions (PDCA) with each reason's rate before and after
//! the action, the praise wall, and the monthly service-star candidates.

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::entities::Id;
use kefu_domain::survey::closing::ImprovementAction;
use kefu_domain::{FieldError, FieldErrors};
use kefu_store::people;
use kefu_store::surveys::{self, AgentStanding, AnswerFilter, PraiseRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far before and after an action its reason's rate is measured.
pub const TREND_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActionInput {
    pub design: String,
    pub dimension: String,
    pub reason: String,
    pub what: String,
    pub owner_id: Option<Id>,
    /// `2026-12-31`
    pub due_on: Option<String>,
}

/// A reason's rate in a window: answers with it per 100 answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonRate {
    pub answers: u64,
    pub with_reason: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionTrend {
    pub action: ImprovementAction,
    /// The 30 days before the action was recorded.
    pub before: ReasonRate,
    /// From the action until 30 days later (or now).
    pub after: ReasonRate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Praise {
    pub answer_id: Id,
    pub agent_id: Id,
    pub agent_name: String,
    pub team_id: Option<Id>,
    pub comment: String,
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: Timestamp,
}

/// A service-star candidate: praise received and the surveys about their tickets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StarCandidate {
    pub agent_id: Id,
    pub agent_name: String,
    pub praise: i64,
    pub answers: i64,
    pub mean_score: Option<f64>,
}

/// The instants a month (`2026-11`, the server's time zone) spans; the current month when
/// `None`.
pub fn month_span(month: Option<&str>) -> AppResult<(Timestamp, Timestamp)> {
    let zone = jiff::tz::TimeZone::system();
    let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) => format!("{text}-01")
            .parse::<jiff::civil::Date>()
            .map_err(|_| AppError::field("month", "invalid_month", "a month such as 2026-11"))?,
        None => zone.to_datetime(now()).date().first_of_month(),
    };
    let start = |d: jiff::civil::Date| {
        d.to_datetime(jiff::civil::Time::midnight())
            .to_zoned_datetime(zone.clone())
            .map(|z| z.timestamp())
            .map_err(|_| AppError::field("month", "invalid_month", "a month out of range"))
    };
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|_| AppError::field("month", "invalid_month", "a month out of range"))?;
    Ok((start(first)?, start(next)?))
}

impl App {
    /// Records an improvement action against a reason of a design's dimension
    /// (supervisors).
    pub async fn create_survey_action(&self, actor: &Actor, input: ActionInput) -> AppResult<ImprovementAction> {
        actor.require_supervisor("record improvement actions")?;
        let mut errors = FieldErrors::default();
        let design = surveys::latest_design(self.db().read(), &input.design).await?;
        match design.as_ref().and_then(|d| d.spec.dimension(&input.dimension)) {
            None => errors.push(FieldError::new("dimension", "unknown_dimension", "not a dimension of this survey")),
            Some(dimension) if !dimension.reasons.iter().any(|r| r.key == input.reason) => {
                errors.push(FieldError::new("reason", "unknown_reason", "not a reason of this dimension"));
            }
            Some(_) => {}
        }
        let what = input.what.trim().to_owned();
        if what.is_empty() || what.chars().count() > 2000 {
            errors.push(FieldError::new("what", "invalid_text", "1 to 2000 characters"));
        }
        let due_on = match input.due_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => errors.take(
                text.parse::<jiff::civil::Date>()
                    .map_err(|_| FieldError::new("due_on", "invalid_date", "a date such as 2026-12-31")),
            ),
            None => None,
        };
        if let Some(owner) = input.owner_id
            && people::agent_by_id(self.db().read(), owner).await?.is_none()
        {
            errors.push(FieldError::new("owner_id", "unknown_agent", "no such agent"));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut action = ImprovementAction {
            id: 0,
            design_key: input.design,
            dimension: input.dimension,
            reason: input.reason,
            what,
            owner_id: input.owner_id,
            due_on,
            done_at: None,
            created_by: Some(actor.id),
            created_at: now(),
        };
        let stored = action.clone();
        action.id = self
            .db()
            .write(move |tx| Box::pin(async move { surveys::insert_action(tx.exec(), &stored).await }))
            .await?;
        Ok(action)
    }

    /// Marks an action done or open again (supervisors).
    pub async fn set_survey_action_done(&self, actor: &Actor, id: Id, done: bool) -> AppResult<ImprovementAction> {
        actor.require_supervisor("update improvement actions")?;
        let at = done.then(now);
        let found = self
            .db()
            .write(move |tx| Box::pin(async move { surveys::set_action_done(tx.exec(), id, at).await }))
            .await?;
        if !found {
            return Err(AppError::NotFound {
                what: "improvement action",
                code: "action_not_found",
            });
        }
        surveys::action_by_id(self.db().read(), id).await?.ok_or(AppError::NotFound {
            what: "improvement action",
            code: "action_not_found",
        })
    }

    /// A design's actions with their reason's rate in the 30 days before and after.
    pub async fn survey_actions(&self, actor: &Actor, design: &str) -> AppResult<Vec<ActionTrend>> {
        actor.require_supervisor("see improvement actions")?;
        let mut out = Vec::new();
        for action in surveys::actions(self.db().read(), design).await? {
            let at = action.created_at;
            let before = self.reason_rate(&action, at - TREND_WINDOW, at).await?;
            let after = self.reason_rate(&action, at, (at + TREND_WINDOW).min(now().max(at))).await?;
            out.push(ActionTrend { action, before, after });
        }
        Ok(out)
    }

    async fn reason_rate(&self, action: &ImprovementAction, from: Timestamp, to: Timestamp) -> AppResult<ReasonRate> {
        let filter = AnswerFilter {
            design_key: action.design_key.clone(),
            from: Some(from),
            to: Some(to),
            ..AnswerFilter::default()
        };
        let answers = surveys::score_totals(self.db().read(), &filter).await?.n;
        let with_reason = surveys::reason_counts(self.db().read(), &filter)
            .await?
            .into_iter()
            .filter(|r| r.dimension == action.dimension && r.reason == action.reason)
            .map(|r| u64::try_from(r.count).unwrap_or(0))
            .sum();
        Ok(ReasonRate {
            answers,
            with_reason,
            rate: (answers > 0).then(|| with_reason as f64 / answers as f64 * 100.0),
        })
    }

    /// Praise naming agents in `[from, to)`, newest first; a team's, or everyone's.
    pub async fn praise_wall(&self, _actor: &Actor, team: Option<Id>, from: Timestamp, to: Timestamp) -> AppResult<Vec<Praise>> {
        let rows = surveys::praise(self.db().read(), team, from, to, 200).await?;
        rows.into_iter()
            .map(|r: PraiseRow| {
                Ok(Praise {
                    answer_id: r.answer_id,
                    agent_id: r.agent_id,
                    agent_name: r.agent_name,
                    team_id: r.team_id,
                    comment: r.comment,
                    submitted_at: Timestamp::from_millisecond(r.submitted_at).map_err(|e| AppError::Internal(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Service-star candidates for `[from, to)`: most praised first, then the best mean
    /// score (supervisors).
    pub async fn service_star_candidates(&self, actor: &Actor, from: Timestamp, to: Timestamp) -> AppResult<Vec<StarCandidate>> {
        actor.require_supervisor("see service-star candidates")?;
        let mut rows: Vec<AgentStanding> = surveys::agent_standings(self.db().read(), from, to).await?;
        rows.sort_by(|a, b| {
            b.praise
                .cmp(&a.praise)
                .then_with(|| b.mean_score.unwrap_or(0.0).total_cmp(&a.mean_score.unwrap_or(0.0)))
        });
        Ok(rows
            .into_iter()
            .map(|r| StarCandidate {
                agent_id: r.agent_id,
                agent_name: r.agent_name,
                praise: r.praise,
                answers: r.answers,
                mean_score: r.mean_score,
            })
            .collect())
    }
}

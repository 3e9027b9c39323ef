//! Self-service on the portal (deflection): while a customer writes a request, articles
//! matching what they type are suggested beside the form; a visit that opened one and
//! then filed nothing counts as a request deflected. A visit is the portal's visit cookie,
//! stored only as its hash; nothing else about the customer is kept.

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now, secrets};
use jiff::{SignedDuration, Timestamp};
use kefu_search::Hit;
use kefu_store::portal_visits;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Suggestions shown beside the request form.
const SUGGESTIONS: usize = 5;
/// A visit that read and filed nothing is counted as deflected once this long has passed
/// since its first read (until then the customer may still be writing).
pub const SETTLE: SignedDuration = SignedDuration::from_mins(30);
/// What is searched for at most (the start of the subject and description).
const MAX_QUERY_CHARS: usize = 200;

/// Self-service over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeflectionReport {
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// Portal visits that opened an article suggested beside the request form.
    pub reading: i64,
    /// Of those, visits that filed no request (counted once 30 minutes have passed).
    pub deflected: i64,
    /// Of those, visits that filed a request all the same.
    pub submitted_after_reading: i64,
    /// Visits that filed a request without opening a suggestion.
    pub submitted_without_reading: i64,
    /// `deflected / (deflected + submitted_after_reading)`, when there is any.
    pub rate: Option<f64>,
}

/// The period of the report.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct DeflectionParams {
    /// The last this many days, 1 to 366 (default 30).
    pub days: Option<String>,
}

impl App {
    /// Self-service over the last `days` days (supervisors).
    pub async fn deflection(&self, actor: &Actor, params: DeflectionParams) -> AppResult<DeflectionReport> {
        let days = match params.days.as_deref().map(str::trim) {
            None | Some("") => 30,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| AppError::field("days", "out_of_range", "1 to 366 days"))?,
        };
        let to = now();
        self.deflection_report(actor, to - SignedDuration::from_hours(24 * days), to, to)
            .await
    }

    /// Public articles matching what a customer typed into the request form.
    pub async fn portal_suggestions(&self, text: &str) -> AppResult<Vec<Hit>> {
        let query: String = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
        if query.chars().count() < 2 {
            return Ok(Vec::new());
        }
        Ok(self.public_articles_matching(&query, None, SUGGESTIONS).await?.hits)
    }

    /// The visit opened a suggested article.
    pub async fn note_portal_read(&self, visit: &str) -> AppResult<()> {
        let hash = secrets::token_hash(visit);
        let at = now();
        self.db()
            .write(move |tx| Box::pin(async move { Ok(portal_visits::note_read(tx.exec(), &hash, at).await?) }))
            .await
    }

    /// The visit filed a request.
    pub async fn note_portal_submission(&self, visit: &str) -> AppResult<()> {
        let hash = secrets::token_hash(visit);
        let at = now();
        self.db()
            .write(move |tx| Box::pin(async move { Ok(portal_visits::note_submission(tx.exec(), &hash, at).await?) }))
            .await
    }

    /// Self-service between `from` and `to` (supervisors), as of `as_of`.
    pub async fn deflection_report(&self, actor: &Actor, from: Timestamp, to: Timestamp, as_of: Timestamp) -> AppResult<DeflectionReport> {
        actor.require_supervisor("only supervisors see self-service figures")?;
        let counts = portal_visits::counts(self.db().read(), from, to, as_of - SETTLE).await?;
        let decided = counts.deflected + counts.submitted_after_reading;
        Ok(DeflectionReport {
            from,
            to,
            reading: counts.reading,
            deflected: counts.deflected,
            submitted_after_reading: counts.submitted_after_reading,
            submitted_without_reading: counts.submitted_without_reading,
            rate: (decided > 0).then(|| counts.deflected as f64 / decided as f64),
        })
    }
}

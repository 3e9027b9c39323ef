//! Callbacks (回访): an agent calls the customer, asks the survey's questions and enters
//! the answers. A campaign spreads its calls over its period so each customer is called
//! about once a quarter; an unanswered call is tried again the next working day, up to
//! [`MAX_ATTEMPTS`] times.

use crate::entities::Id;
use crate::enums::{CustomerTier, CustomerType, text_enum};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Calls made before a customer who never picks up is given up on.
pub const MAX_ATTEMPTS: i64 = 3;
/// By default a customer surveyed in this many days is not called (about a quarter).
pub const DEFAULT_QUIET_DAYS: i64 = 90;

text_enum!(
    /// Where a callback stands.
    CallbackStatus {
        Pending = "pending",
        Answered = "answered",
        /// Not reached after every attempt.
        NoAnswer = "no_answer",
        Refused = "refused",
    }
);

text_enum!(
    /// What an attempt came to, when it did not give answers.
    CallbackOutcome { NoAnswer = "no_answer", Refused = "refused" }
);

text_enum!(
    /// How a campaign reaches its customers.
    CampaignChannel {
        /// Calls agents make, entering the answers on the phone.
        Phone = "phone",
        /// The survey link by e-mail, reminded once.
        Email = "email",
    }
);

/// A campaign and how far it has come: how many it reached and how many answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignSummary {
    pub id: Id,
    pub name: String,
    pub design_key: String,
    pub channel: CampaignChannel,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub ends_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Days after a mailed survey before its one reminder (0: none).
    pub reminder_days: i64,
    /// Surveys it sent: one per call of a phone campaign, one per mail of an e-mail one.
    pub sent: i64,
    /// Survey links opened (e-mail; a call's form opened by the agent counts too).
    pub opened: i64,
    pub answered: i64,
    /// `answered / sent`; `None` before anything was sent.
    pub answer_rate: Option<f64>,
    /// Calls still to make, given up on (no answer), and refused (phone campaigns).
    pub calls_pending: i64,
    pub calls_no_answer: i64,
    pub calls_refused: i64,
}

impl CampaignSummary {
    /// The share of sent surveys that were answered.
    pub fn rate(answered: i64, sent: i64) -> Option<f64> {
        (sent > 0).then(|| answered as f64 / sent as f64)
    }
}

/// Which customers a campaign calls: those who consented, were not surveyed within
/// `quiet_days`, and match every filter given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Segment {
    pub tier: Option<CustomerTier>,
    pub customer_type: Option<CustomerType>,
    /// Only customers with a ticket resolved in this many days (then the call is about
    /// their latest one).
    pub resolved_within_days: Option<i64>,
    pub quiet_days: i64,
    /// At most this many customers.
    pub max_customers: i64,
}

/// A call to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Callback {
    pub id: Id,
    pub campaign_id: Id,
    pub campaign_name: String,
    pub send_id: Id,
    pub customer_id: Id,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub ticket_id: Option<Id>,
    /// The number of the ticket the call is about.
    pub ticket_number: Option<i64>,
    pub agent_id: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    pub status: CallbackStatus,
    pub attempts: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_attempt_at: Option<Timestamp>,
    pub note: Option<String>,
}

/// Due dates for `count` calls spread evenly over `starts..=ends` (in order, the first
/// on `starts`), so a campaign's calls do not all land on its first day.
pub fn spread_due_dates(starts: Date, ends: Date, count: usize) -> Vec<Date> {
    let days = i64::from(starts.until(ends).map_or(0, |span| span.get_days()).max(0)) + 1;
    (0..count)
        .map(|i| {
            let offset = (i as i64 * days) / count.max(1) as i64;
            starts.checked_add(jiff::Span::new().days(offset)).unwrap_or(ends)
        })
        .collect()
}

/// A callback after an attempt that gave no answers: its new status, attempts, and the
/// day to try again (the next day) when it stays pending.
pub fn after_attempt(attempts: i64, outcome: CallbackOutcome, today: Date) -> (CallbackStatus, i64, Option<Date>) {
    let attempts = attempts + 1;
    match outcome {
        CallbackOutcome::Refused => (CallbackStatus::Refused, attempts, None),
        CallbackOutcome::NoAnswer if attempts >= MAX_ATTEMPTS => (CallbackStatus::NoAnswer, attempts, None),
        CallbackOutcome::NoAnswer => (CallbackStatus::Pending, attempts, today.tomorrow().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn calls_spread_over_the_period() {
        let dates = spread_due_dates(date(2026, 10, 1), date(2026, 12, 31), 92);
        assert_eq!(dates.len(), 92);
        assert_eq!(dates[0], date(2026, 10, 1));
        assert_eq!(*dates.last().unwrap(), date(2026, 12, 31));
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        // Fewer calls than days: still from the first day, spread out.
        let few = spread_due_dates(date(2026, 10, 1), date(2026, 10, 10), 2);
        assert_eq!(few, vec![date(2026, 10, 1), date(2026, 10, 6)]);
        // More calls than days: several a day, none after the end.
        let many = spread_due_dates(date(2026, 10, 1), date(2026, 10, 2), 5);
        assert!(many.iter().all(|d| *d <= date(2026, 10, 2)));
        assert_eq!(spread_due_dates(date(2026, 10, 1), date(2026, 10, 2), 0), Vec::<Date>::new());
    }

    #[test]
    fn unanswered_calls_are_tried_again_then_given_up() {
        let today = date(2026, 11, 25);
        assert_eq!(
            after_attempt(0, CallbackOutcome::NoAnswer, today),
            (CallbackStatus::Pending, 1, Some(date(2026, 11, 26)))
        );
        assert_eq!(
            after_attempt(2, CallbackOutcome::NoAnswer, today),
            (CallbackStatus::NoAnswer, 3, None)
        );
        assert_eq!(
            after_attempt(0, CallbackOutcome::Refused, today),
            (CallbackStatus::Refused, 1, None)
        );
    }
}

//! Forecast arrivals and the staff they need: the hourly tickets created over the last
//! weeks (from the KPI rollups) go into the forecasting model (`kefu-forecast`), and each
//! forecast hour into Erlang C for the agents a service-level target needs.

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use jiff::Timestamp;
use kefu_domain::analytics::{Counter, hour_of, hour_start};
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::enums::Channel;
use kefu_domain::staffing::{StaffingTarget, agents_needed};
use kefu_domain::{FieldError, FieldErrors};
use kefu_forecast::{Backtest, Options, WEEK, backtest_with_options, forecast_hourly};
use kefu_store::analytics::{self as store, RowFilter, RowGroup};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Weeks of history the model learns from.
const HISTORY_WEEKS: i64 = 12;
const MAX_AHT_SECONDS: f64 = 86_400.0;
const MAX_ANSWER_SECONDS: f64 = 3_600.0;
/// Hours forecast: 14 days.
const HORIZON_HOURS: usize = 14 * 24;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct StaffingParams {
    /// Only arrivals on this channel (e.g. `chat`).
    pub channel: Option<String>,
    /// Only this team's arrivals.
    pub team: Option<i64>,
    /// Average handling time per contact in seconds (default 240: DOMAIN.md's 4 minutes).
    pub aht_seconds: Option<f64>,
    /// Share answered within `answer_seconds` (default 0.8).
    pub service_level: Option<f64>,
    /// Default 30 s (the chat standard).
    pub answer_seconds: Option<f64>,
    /// Share of paid time not on contacts: breaks, training, meetings (default 0.3).
    pub shrinkage: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffingHour {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub forecast: f64,
    pub lower: f64,
    pub upper: f64,
    /// Agents on contacts needed for the target.
    pub agents: u32,
    /// People to schedule once shrinkage is allowed for.
    pub headcount: u32,
}

/// One day of the plan (in the reporting zone).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffingDay {
    /// YYYY-MM-DD.
    pub day: String,
    /// Tickets expected.
    pub contacts: f64,
    pub peak_agents: u32,
    pub peak_headcount: u32,
    /// Agents needed, summed over the day's hours.
    pub agent_hours: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffingPlan {
    /// The reporting time zone (days in the plan are its days).
    pub zone: String,
    pub history_hours: usize,
    /// `profile` (the model) or `seasonal_naive` (too little history for it).
    pub method: String,
    /// The forecast interval's probability.
    pub level: f64,
    #[schema(value_type = Object)]
    pub target: StaffingTarget,
    pub hours: Vec<StaffingHour>,
    pub days: Vec<StaffingDay>,
}

/// Arrivals per hour, whole weeks ending at the current hour.
struct History {
    /// `NaN` for an hour before the first arrival in the first week.
    counts: Vec<f64>,
    holidays: Vec<bool>,
    first_hour: i64,
}

impl History {
    /// The hours of a window of whole weeks (`counts` from `first_hour`) from the week
    /// arrivals start in: a young department has less history. When its history `starts`
    /// inside the window, the hours of that week before its first arrival are before the
    /// history, not hours nobody wrote in, so they are missing (`NaN`, which the model
    /// fills from the later weeks). Counted as zeros they dragged the first week's level
    /// and profile down: the backtest on the 90-day demo lost to "same hour last week" by
    /// that (MASE 0.62 against 0.55). An older department's quiet hours stay zeros.
    fn from_window(mut counts: Vec<f64>, first_hour: i64, starts: bool, holiday: impl Fn(i64) -> bool) -> History {
        let first_arrival = counts.iter().position(|c| *c > 0.0).unwrap_or(counts.len());
        let skip = first_arrival - first_arrival % WEEK;
        let mut counts = counts.split_off(skip);
        if starts {
            counts[..first_arrival - skip].fill(f64::NAN);
        }
        let first_hour = first_hour + skip as i64;
        let holidays = (0..counts.len() as i64).map(|h| holiday(first_hour + h)).collect();
        History {
            counts,
            holidays,
            first_hour,
        }
    }

    /// The history without a first week that has missing hours: a backtest scores every
    /// hour it forecasts, so every hour must be known.
    fn known_weeks(mut self) -> History {
        let missing = self.counts.iter().take_while(|c| c.is_nan()).count();
        let cut = missing.div_ceil(WEEK) * WEEK;
        self.counts.drain(..cut);
        self.holidays.drain(..cut);
        self.first_hour += cut as i64;
        self
    }
}

impl App {
    /// Arrivals forecast for the next 14 days, with the agents each hour needs.
    pub async fn staffing_plan(&self, actor: &Actor, params: StaffingParams) -> AppResult<StaffingPlan> {
        actor.require_supervisor("staffing")?;
        let mut errors = FieldErrors::default();
        let channel = params
            .channel
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .and_then(|c| Channel::parse("channel", c.trim()).map_err(|e| errors.push(e)).ok());
        let target = StaffingTarget {
            aht_seconds: params.aht_seconds.unwrap_or(240.0),
            service_level: params.service_level.unwrap_or(0.8),
            answer_seconds: params.answer_seconds.unwrap_or(30.0),
            max_occupancy: None,
            shrinkage: params.shrinkage.unwrap_or(0.3),
        };
        if let Err(error) = target.validate() {
            errors.push(FieldError::new("target", "invalid", error.to_string()));
        }
        // A contact handled in more than a day, or answered after more than an hour, is a
        // unit mistake, and would make Erlang C search millions of agents.
        if target.aht_seconds > MAX_AHT_SECONDS {
            errors.push(FieldError::new(
                "aht_seconds",
                "out_of_range",
                format!("must be at most {MAX_AHT_SECONDS} s"),
            ));
        }
        if target.answer_seconds > MAX_ANSWER_SECONDS {
            errors.push(FieldError::new(
                "answer_seconds",
                "out_of_range",
                format!("must be at most {MAX_ANSWER_SECONDS} s"),
            ));
        }
        errors.into_result()?;
        let filter = RowFilter {
            channel,
            team_id: params.team.map(Some),
            ..RowFilter::default()
        };
        let calendar = self.engine().reporting_calendar();
        let history = self.arrivals(&filter, &calendar).await?;
        let start = history.first_hour + history.counts.len() as i64;
        let options = Options {
            history_holidays: Some(history.holidays.clone()),
            horizon_holidays: Some((0..HORIZON_HOURS as i64).map(|h| is_holiday(&calendar, start + h)).collect()),
            ..Options::default()
        };
        let forecast = forecast_hourly(&history.counts, HORIZON_HOURS, &options).map_err(|e| AppError::Conflict {
            code: "not_enough_history",
            message: e.to_string(),
        })?;
        let mut hours = Vec::with_capacity(HORIZON_HOURS);
        for (i, point) in forecast.point.iter().enumerate() {
            let need = agents_needed(*point, &target)
                .map_err(|e| AppError::Invalid(FieldErrors(vec![FieldError::new("target", "out_of_range", e.to_string())])))?;
            hours.push(StaffingHour {
                at: hour_start(start + i as i64),
                forecast: *point,
                lower: forecast.lower[i],
                upper: forecast.upper[i],
                agents: need.agents,
                headcount: need.scheduled_headcount,
            });
        }
        let days = days_of(&hours, calendar.zone());
        Ok(StaffingPlan {
            zone: calendar.zone().iana_name().unwrap_or("UTC").to_string(),
            history_hours: history.counts.len(),
            method: format!("{:?}", forecast.method)
                .to_lowercase()
                .replace("seasonalnaive", "seasonal_naive"),
            level: forecast.level,
            target,
            hours,
            days,
        })
    }

    /// A rolling-origin backtest of the forecast on this database's arrivals against the
    /// seasonal-naive baseline (`kefu analytics backtest`).
    pub async fn forecast_backtest(&self, channel: Option<&str>, origins: usize) -> AppResult<Backtest> {
        let channel = channel
            .map(|c| Channel::parse("channel", c))
            .transpose()
            .map_err(|e| AppError::Invalid(FieldErrors(vec![e])))?;
        let filter = RowFilter {
            channel,
            ..RowFilter::default()
        };
        let calendar = self.engine().reporting_calendar();
        let history = self
            .arrivals_over(&filter, &calendar, HISTORY_WEEKS + origins as i64)
            .await?
            .known_weeks();
        let options = Options {
            history_holidays: Some(history.holidays.clone()),
            ..Options::default()
        };
        backtest_with_options(&history.counts, WEEK, origins, WEEK, &options).map_err(|e| AppError::Conflict {
            code: "not_enough_history",
            message: e.to_string(),
        })
    }

    async fn arrivals(&self, filter: &RowFilter, calendar: &BusinessCalendar) -> AppResult<History> {
        self.arrivals_over(filter, calendar, HISTORY_WEEKS).await
    }

    /// Tickets created per hour over the last `weeks` whole hours up to now.
    async fn arrivals_over(&self, filter: &RowFilter, calendar: &BusinessCalendar, weeks: i64) -> AppResult<History> {
        let end = hour_of(now());
        let first_hour = end - weeks * WEEK as i64;
        let rows = store::sum_rows(self.db().read(), first_hour, end, filter, Some(RowGroup::Hour), false).await?;
        let mut counts = vec![0.0; (end - first_hour) as usize];
        for (hour, delta) in rows {
            if let Ok(hour) = hour.parse::<i64>()
                && let Some(slot) = counts.get_mut((hour - first_hour) as usize)
            {
                *slot = delta.get(Counter::Created) as f64;
            }
        }
        // Whether the history starts inside the window: nothing was folded before it.
        let first_ever = store::next_rollup_hour(self.db().read(), i64::MIN).await?;
        let starts = first_ever.is_none_or(|hour| hour >= first_hour);
        Ok(History::from_window(counts, first_hour, starts, |hour| is_holiday(calendar, hour)))
    }
}

/// The plan's hours summed into the days of `zone`.
fn days_of(hours: &[StaffingHour], zone: &jiff::tz::TimeZone) -> Vec<StaffingDay> {
    let mut days: Vec<StaffingDay> = Vec::new();
    for hour in hours {
        let day = zone.to_datetime(hour.at).date().to_string();
        if days.last().is_none_or(|d| d.day != day) {
            days.push(StaffingDay {
                day,
                contacts: 0.0,
                peak_agents: 0,
                peak_headcount: 0,
                agent_hours: 0,
            });
        }
        if let Some(current) = days.last_mut() {
            current.contacts += hour.forecast;
            current.peak_agents = current.peak_agents.max(hour.agents);
            current.peak_headcount = current.peak_headcount.max(hour.headcount);
            current.agent_hours += hour.agents;
        }
    }
    days
}

/// Whether the hour falls on a whole or partial holiday of the calendar.
fn is_holiday(calendar: &BusinessCalendar, hour: i64) -> bool {
    let date = calendar.zone().to_datetime(hour_start(hour)).date();
    calendar.holidays().contains_key(&date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_starts_in_the_week_of_the_first_arrival_with_the_hours_before_it_missing() {
        // A window of three weeks; arrivals start 10 hours into the second.
        let mut counts = vec![0.0; 3 * WEEK];
        counts[WEEK + 10..].fill(2.0);
        counts[WEEK + 20] = 0.0;
        let week = WEEK as i64;
        let history = History::from_window(counts.clone(), 1_000, true, |hour| hour == 1_000 + week + 30);
        assert_eq!(history.first_hour, 1_000 + week);
        assert_eq!(history.counts.len(), 2 * WEEK);
        assert!(history.counts[..10].iter().all(|c| c.is_nan()));
        assert_eq!(history.counts[10], 2.0);
        assert_eq!(history.counts[20], 0.0, "a quiet hour after the start stays a zero");
        assert_eq!(history.holidays.iter().position(|h| *h), Some(30));

        // A backtest takes only the whole weeks that are known.
        let known = history.known_weeks();
        assert_eq!(known.first_hour, 1_000 + 2 * week);
        assert_eq!((known.counts.len(), known.holidays.len()), (WEEK, WEEK));
        assert!(known.counts.iter().all(|c| *c == 2.0));

        // A department older than the window: its first hours were quiet, not missing.
        let older = History::from_window(counts, 1_000, false, |_| false);
        assert_eq!(older.counts.len(), 2 * WEEK);
        assert!(older.counts[..10].iter().all(|c| *c == 0.0));
        assert_eq!(older.known_weeks().counts.len(), 2 * WEEK);
    }

    #[test]
    fn a_history_from_the_first_hour_of_a_week_or_without_arrivals_has_nothing_missing() {
        let history = History::from_window(vec![1.0; 2 * WEEK], 0, true, |_| false);
        assert_eq!(history.counts.len(), 2 * WEEK);
        assert_eq!(history.known_weeks().counts.len(), 2 * WEEK);
        let empty = History::from_window(vec![0.0; 2 * WEEK], 0, true, |_| false);
        assert!(empty.counts.is_empty() && empty.known_weeks().counts.is_empty());
    }
}

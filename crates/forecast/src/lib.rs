//! Hourly contact-arrival forecasting for Kefu.
//!
//! Given an hourly history of arrivals (tickets or chats per hour), forecast
//! the coming hours — typically 14 days, 336 hours — with prediction
//! intervals, using daily (24 h) and weekly (168 h) seasonality. Pure
//! computation: no I/O, no async, no global state.
//!
//! * [`forecast_hourly`] is the entry point; [`Options`] sets the interval
//!   level and the optional holiday masks.
//! * [`seasonal_naive`] is the "same hour last week" baseline.
//! * [`backtest`] / [`backtest_with_options`] score the model against that
//!   baseline by rolling-origin evaluation.
//!
//! # Example
//!
//! ```
//! use kefu_forecast::{Options, forecast_hourly};
//!
//! // Four weeks of history: busy afternoons, quiet nights.
//! let history: Vec<f64> = (0..4 * 168).map(|t| if (9..18).contains(&(t % 24)) { 6.0 } else { 1.0 }).collect();
//! let forecast = forecast_hourly(&history, 336, &Options { level: 0.9, ..Options::default() })?;
//! assert_eq!(forecast.point.len(), 336);
//! assert!(forecast.point[9] > forecast.point[3]);
//! # Ok::<(), kefu_forecast::ForecastError>(())
//! ```
//!
//! # Conventions
//!
//! Hour `t` of the history and hour `n + h` of the horizon share the same
//! hour of the week whenever their indices are equal modulo 168, so the
//! history must be contiguous and end right before the first forecast hour.
//! `NaN` marks a missing hour.
//!
//! # Method
//!
//! With two weeks of history or more the model is a weekly profile (168
//! multiplicative slots, covering hour of day and day of week at once) times
//! a weekly level smoothed by Holt's damped-trend method; see the `model`
//! module source for the details. With one to two weeks the forecast falls
//! back to seasonal naive; with less than a week there is nothing to repeat
//! and [`forecast_hourly`] fails.
//!
//! # Holidays
//!
//! Hours marked in [`Options::history_holidays`] (and missing hours) are
//! treated as atypical: before fitting they are replaced by the seasonal-naive
//! value (the same hour of the nearest typical week). Hours marked in
//! [`Options::horizon_holidays`] get the normal forecast times a holiday
//! factor: the ratio of actual to imputed arrivals over the history's holiday
//! hours (clamped to `0..=2`) if there were any, otherwise
//! [`Options::default_holiday_factor`].

mod backtest;
mod error;
mod model;
mod naive;
mod prepare;
mod stats;

pub use backtest::{Backtest, backtest, backtest_with_options};
pub use error::ForecastError;
pub use naive::seasonal_naive;

use model::ProfileModel;
use prepare::{prepare, validate};

/// Hours in a day: the daily season.
pub const DAY: usize = 24;
/// Hours in a week: the weekly season.
pub const WEEK: usize = 7 * DAY;
/// History the full model needs: two weeks. Less (but at least [`WEEK`])
/// falls back to seasonal naive.
pub const MIN_MODEL_HISTORY: usize = 2 * WEEK;
/// Default holiday factor: horizon holiday hours get 30 % of a normal day's
/// forecast when the history has no holiday to learn from. Closed days still
/// receive e-mail and web tickets, just far fewer.
pub const DEFAULT_HOLIDAY_FACTOR: f64 = 0.3;
/// Default central interval level: 80 %.
pub const DEFAULT_LEVEL: f64 = 0.8;

/// Settings for [`forecast_hourly`].
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Probability that an actual count falls in `[lower, upper]`; strictly
    /// between 0 and 1. Default [`DEFAULT_LEVEL`].
    pub level: f64,
    /// One entry per history hour: `true` for a holiday or exceptional
    /// closure. Meant for exceptions; a closure that recurs every week is
    /// ordinary weekly seasonality and should not be marked.
    pub history_holidays: Option<Vec<bool>>,
    /// One entry per horizon hour: `true` for a holiday or closure.
    pub horizon_holidays: Option<Vec<bool>>,
    /// Factor for horizon holiday hours when the history has no holiday hour
    /// to learn it from. Default [`DEFAULT_HOLIDAY_FACTOR`].
    pub default_holiday_factor: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            level: DEFAULT_LEVEL,
            history_holidays: None,
            horizon_holidays: None,
            default_holiday_factor: DEFAULT_HOLIDAY_FACTOR,
        }
    }
}

/// How a [`Forecast`] was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Weekly profile × smoothed level (two weeks of history or more).
    Profile,
    /// Same hour last week (one to two weeks of history).
    SeasonalNaive,
}

/// Forecast arrivals per hour, one entry per horizon hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Expected arrivals, never negative.
    pub point: Vec<f64>,
    /// Lower bound of the central interval, never negative, `<= point`.
    pub lower: Vec<f64>,
    /// Upper bound of the central interval, `>= point`.
    pub upper: Vec<f64>,
    /// Interval level, e.g. `0.8` for an 80 % interval.
    pub level: f64,
    /// Which method produced the numbers.
    pub method: Method,
}

/// Forecasts `horizon` hours following `history`.
///
/// `history` holds arrivals per hour, oldest first, contiguous and ending
/// right before the first forecast hour; `NaN` marks a missing hour.
///
/// # Errors
///
/// * [`ForecastError::InsufficientHistory`] with less than one week
///   ([`WEEK`] hours) of history from the first known hour: missing hours
///   before it are not history (a department that opened an hour ago has
///   one hour of it, however long the window). From one week up to
///   [`MIN_MODEL_HISTORY`] the result is a seasonal-naive forecast
///   ([`Method::SeasonalNaive`]).
/// * [`ForecastError::InvalidValue`] for a negative or infinite count.
/// * [`ForecastError::InvalidLevel`], [`ForecastError::InvalidHolidayFactor`]
///   or [`ForecastError::MaskLength`] for bad [`Options`].
pub fn forecast_hourly(history: &[f64], horizon: usize, options: &Options) -> Result<Forecast, ForecastError> {
    validate(history, horizon, options)?;
    let known = history.len() - history.iter().take_while(|v| v.is_nan()).count();
    if known < WEEK {
        return Err(ForecastError::InsufficientHistory { needed: WEEK, got: known });
    }
    let prepared = prepare(history, options);
    let (method, (mut point, mut lower, mut upper)) = if history.len() >= MIN_MODEL_HISTORY {
        (Method::Profile, ProfileModel::fit(&prepared.clean).predict(horizon, options.level))
    } else {
        (
            Method::SeasonalNaive,
            naive::seasonal_naive_forecast(&prepared.clean, horizon, options.level),
        )
    };
    if let Some(mask) = &options.horizon_holidays {
        for (h, _) in mask.iter().enumerate().filter(|(_, holiday)| **holiday) {
            point[h] *= prepared.holiday_factor;
            lower[h] *= prepared.holiday_factor;
            upper[h] *= prepared.holiday_factor;
        }
    }
    Ok(Forecast {
        point,
        lower,
        upper,
        level: options.level,
        method,
    })
}

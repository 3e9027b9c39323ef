//! Rolling-origin evaluation of the model against seasonal naive.
//!
//! For each origin the model is fitted on the hours before it only, forecasts
//! `horizon` hours, and is scored against what actually arrived; the baseline
//! ("same hour last week", [`seasonal_naive`] with period 168) gets the same
//! treatment. Origins are spaced `step` hours apart and the last one leaves
//! exactly `horizon` hours of actuals at the end of the history.
//!
//! Two error measures, both over every forecast hour of every origin:
//!
//! * **WAPE** (weighted absolute percentage error) `Σ|actual − forecast| /
//!   Σ actual`: a MAPE that stays defined when many hours have zero arrivals,
//!   and weighs busy hours the most, which is what staffing cares about.
//! * **MASE** (mean absolute scaled error): per origin, the mean absolute
//!   error divided by the in-sample MAE of seasonal naive (period 168) on
//!   that origin's training data; then averaged over the origins. Below 1
//!   means better than the naive method was in-sample.

use crate::naive::seasonal_naive;
use crate::{Forecast, ForecastError, MIN_MODEL_HISTORY, Options, WEEK, forecast_hourly};

/// Result of a rolling-origin backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// Number of forecast origins evaluated.
    pub origins: usize,
    /// Hours forecast from each origin.
    pub horizon: usize,
    /// Model WAPE, `Σ|error| / Σ actual` over all scored hours; `NaN` if all
    /// actuals are zero.
    pub model_wape: f64,
    /// Seasonal-naive WAPE, same definition.
    pub baseline_wape: f64,
    /// Model MASE averaged over origins; origins whose scale is zero (a
    /// history that repeats exactly every week) are skipped, and it is `NaN`
    /// if all are.
    pub model_mase: f64,
    /// Seasonal-naive MASE, same definition.
    pub baseline_mase: f64,
    /// Share of actual hours inside the model's prediction interval.
    pub coverage: f64,
    /// Level of the model's prediction interval.
    pub level: f64,
}

/// Backtests with default [`Options`] (80 % intervals, no holiday masks).
///
/// See [`backtest_with_options`].
///
/// # Errors
///
/// As [`backtest_with_options`].
pub fn backtest(history: &[f64], horizon: usize, origins: usize, step: usize) -> Result<Backtest, ForecastError> {
    backtest_with_options(history, horizon, origins, step, &Options::default())
}

/// Rolling-origin backtest of [`forecast_hourly`] against seasonal naive.
///
/// `options.history_holidays`, if given, covers the whole `history`; each
/// origin uses its slice before the origin as history mask and the next
/// `horizon` entries as horizon mask. `options.horizon_holidays` is ignored.
///
/// # Errors
///
/// * [`ForecastError::EmptyBacktest`] if `horizon`, `origins` or `step` is 0.
/// * [`ForecastError::InsufficientHistory`] unless the earliest origin has
///   [`MIN_MODEL_HISTORY`] hours before it, i.e. `history.len() >=
///   MIN_MODEL_HISTORY + (origins - 1) * step + horizon`.
/// * [`ForecastError::InvalidValue`] for a negative or non-finite (including
///   `NaN`) value, and the option errors of [`forecast_hourly`].
pub fn backtest_with_options(
    history: &[f64],
    horizon: usize,
    origins: usize,
    step: usize,
    options: &Options,
) -> Result<Backtest, ForecastError> {
    run(history, horizon, origins, step, options, forecast_hourly)
}

/// The backtest loop, generic over the forecaster so alternatives can be
/// compared on exactly the same footing.
pub(crate) fn run(
    history: &[f64],
    horizon: usize,
    origins: usize,
    step: usize,
    options: &Options,
    forecaster: impl Fn(&[f64], usize, &Options) -> Result<Forecast, ForecastError>,
) -> Result<Backtest, ForecastError> {
    if horizon == 0 || origins == 0 || step == 0 {
        return Err(ForecastError::EmptyBacktest);
    }
    if let Some((index, &value)) = history.iter().enumerate().find(|(_, v)| !v.is_finite() || **v < 0.0) {
        return Err(ForecastError::InvalidValue { index, value });
    }
    let n = history.len();
    let needed = MIN_MODEL_HISTORY + (origins - 1) * step + horizon;
    if n < needed {
        return Err(ForecastError::InsufficientHistory { needed, got: n });
    }
    if let Some(mask) = &options.history_holidays
        && mask.len() != n
    {
        return Err(ForecastError::MaskLength {
            which: "history",
            expected: n,
            got: mask.len(),
        });
    }

    let mut total = Totals::default();
    for i in 0..origins {
        let origin = n - horizon - i * step;
        let train = &history[..origin];
        let actual = &history[origin..origin + horizon];
        let fold_options = Options {
            history_holidays: options.history_holidays.as_ref().map(|m| m[..origin].to_vec()),
            horizon_holidays: options.history_holidays.as_ref().map(|m| m[origin..origin + horizon].to_vec()),
            ..options.clone()
        };
        let forecast = forecaster(train, horizon, &fold_options)?;
        let baseline = seasonal_naive(train, horizon, WEEK);
        total.add(train, actual, &forecast, &baseline);
    }
    let mean = |sum: f64, count: usize| if count > 0 { sum / count as f64 } else { f64::NAN };
    Ok(Backtest {
        origins,
        horizon,
        model_wape: total.model_abs / total.actual,
        baseline_wape: total.baseline_abs / total.actual,
        model_mase: mean(total.model_mase, total.mase_origins),
        baseline_mase: mean(total.baseline_mase, total.mase_origins),
        coverage: total.covered as f64 / (origins * horizon) as f64,
        level: options.level,
    })
}

#[derive(Default)]
struct Totals {
    actual: f64,
    model_abs: f64,
    baseline_abs: f64,
    model_mase: f64,
    baseline_mase: f64,
    mase_origins: usize,
    covered: usize,
}

impl Totals {
    fn add(&mut self, train: &[f64], actual: &[f64], forecast: &Forecast, baseline: &[f64]) {
        let abs = |f: &[f64]| actual.iter().zip(f).map(|(a, f)| (a - f).abs()).sum::<f64>();
        let (model_abs, baseline_abs) = (abs(&forecast.point), abs(baseline));
        self.actual += actual.iter().sum::<f64>();
        self.model_abs += model_abs;
        self.baseline_abs += baseline_abs;
        self.covered += actual
            .iter()
            .enumerate()
            .filter(|&(h, a)| forecast.lower[h] <= *a && *a <= forecast.upper[h])
            .count();
        let scale = naive_in_sample_mae(train);
        if scale > 0.0 {
            let len = actual.len() as f64;
            self.model_mase += model_abs / len / scale;
            self.baseline_mase += baseline_abs / len / scale;
            self.mase_origins += 1;
        }
    }
}

/// In-sample MAE of seasonal naive with period one week.
fn naive_in_sample_mae(train: &[f64]) -> f64 {
    if train.len() <= WEEK {
        return 0.0;
    }
    let sum: f64 = train.windows(WEEK + 1).map(|w| (w[WEEK] - w[0]).abs()).sum();
    sum / (train.len() - WEEK) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_short_backtests() {
        let y = vec![1.0; 3 * WEEK];
        assert_eq!(backtest(&y, 0, 1, 1), Err(ForecastError::EmptyBacktest));
        assert_eq!(
            backtest(&y, WEEK, 2, WEEK),
            Err(ForecastError::InsufficientHistory {
                needed: 4 * WEEK,
                got: 3 * WEEK
            })
        );
        let mut nan = y.clone();
        nan[3] = f64::NAN;
        assert!(matches!(
            backtest(&nan, 24, 1, 1),
            Err(ForecastError::InvalidValue { index: 3, .. })
        ));
    }

    #[test]
    fn scale_is_the_weekly_naive_mae() {
        let y: Vec<f64> = (0..WEEK + 2).map(|t| t as f64).collect();
        assert_eq!(naive_in_sample_mae(&y), WEEK as f64);
        assert_eq!(naive_in_sample_mae(&y[..WEEK]), 0.0);
    }
}

//! The seasonal-naive method: repeat the last season.
//!
//! It is both the baseline the backtest compares against and the fallback
//! forecast when the history holds at least one week but less than two.

use crate::WEEK;
use crate::stats::normal_quantile;

/// Repeats the last `period` values of `history` over `horizon` steps: the
/// forecast for step `h` (0-based) is `history[n - period + h % period]`.
///
/// With `period = 168` on hourly data this is "same hour last week".
/// Returns an empty vector when there is no full season to repeat (`period`
/// is 0 or longer than the history).
pub fn seasonal_naive(history: &[f64], horizon: usize, period: usize) -> Vec<f64> {
    if period == 0 || period > history.len() {
        return Vec::new();
    }
    let last = &history[history.len() - period..];
    (0..horizon).map(|h| last[h % period]).collect()
}

/// Seasonal-naive (period one week) point forecasts with an interval.
///
/// With one week of history the error cannot be measured, so it is assumed:
/// the repeated count and the coming one each carry Poisson noise, so the
/// one-week-ahead error variance is `2 × value + 1` (the `+ 1` keeps an
/// interval above hours that happened to be empty). As usual for seasonal
/// naive the variance is multiplied by `k + 1` for the `k`-th repetition of
/// the week.
pub(crate) fn seasonal_naive_forecast(history: &[f64], horizon: usize, level: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let point = seasonal_naive(history, horizon, WEEK);
    let z = normal_quantile(0.5 + level / 2.0);
    let (lower, upper) = point
        .iter()
        .enumerate()
        .map(|(h, &p)| {
            let half = z * ((2.0 * p + 1.0) * (h / WEEK + 1) as f64).sqrt();
            ((p - half).max(0.0), p + half)
        })
        .unzip();
    (point, lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_the_last_period() {
        let history = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(seasonal_naive(&history, 5, 2), vec![4.0, 5.0, 4.0, 5.0, 4.0]);
        assert_eq!(seasonal_naive(&history, 2, 5), vec![1.0, 2.0]);
        assert!(seasonal_naive(&history, 3, 6).is_empty());
        assert!(seasonal_naive(&history, 3, 0).is_empty());
    }

    #[test]
    fn fallback_interval_contains_point_and_grows_by_week() {
        let history: Vec<f64> = (0..WEEK).map(|i| (i % 24) as f64).collect();
        let (point, lower, upper) = seasonal_naive_forecast(&history, 2 * WEEK, 0.8);
        for h in 0..2 * WEEK {
            assert!(lower[h] <= point[h] && point[h] <= upper[h]);
        }
        assert!(upper[WEEK + 5] - lower[WEEK + 5] > upper[5] - lower[5]);
    }
}

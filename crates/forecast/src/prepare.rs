//! Input checks and cleaning of the history before a model sees it.
//!
//! Hours that are missing (`NaN`) or marked as holiday/closed are *atypical*:
//! they are replaced by the seasonal-naive value, i.e. the same hour of the
//! nearest earlier week that is typical (or, for the first weeks, of the
//! nearest later one). The holiday hours also teach how much lower holiday
//! traffic is: the ratio of what really arrived on them to what the cleaned
//! series assumed would have arrived on a normal day.

use crate::{ForecastError, Options, WEEK};

/// Holiday ratios learned from history are clamped to this range, so that a
/// single odd holiday cannot produce an absurd horizon forecast.
const HOLIDAY_FACTOR_RANGE: (f64, f64) = (0.0, 2.0);

/// A history ready to fit: no gaps, no holiday dips.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The history with atypical hours imputed.
    pub clean: Vec<f64>,
    /// Multiplier for horizon hours marked as holiday.
    pub holiday_factor: f64,
}

/// Checks the values and the options against the history and horizon lengths.
pub(crate) fn validate(history: &[f64], horizon: usize, options: &Options) -> Result<(), ForecastError> {
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(ForecastError::InvalidLevel(options.level));
    }
    if !(options.default_holiday_factor.is_finite() && options.default_holiday_factor >= 0.0) {
        return Err(ForecastError::InvalidHolidayFactor(options.default_holiday_factor));
    }
    check_mask("history", options.history_holidays.as_deref(), history.len())?;
    check_mask("horizon", options.horizon_holidays.as_deref(), horizon)?;
    if let Some((index, &value)) = history.iter().enumerate().find(|(_, v)| v.is_infinite() || **v < 0.0) {
        return Err(ForecastError::InvalidValue { index, value });
    }
    Ok(())
}

fn check_mask(which: &'static str, mask: Option<&[bool]>, expected: usize) -> Result<(), ForecastError> {
    match mask {
        Some(mask) if mask.len() != expected => Err(ForecastError::MaskLength {
            which,
            expected,
            got: mask.len(),
        }),
        _ => Ok(()),
    }
}

/// Imputes atypical hours and learns the holiday factor.
///
/// Expects [`validate`] to have passed. A slot (hour of week) that is
/// atypical in every week has nothing to impute from: its holiday values are
/// kept as they are and its missing values become 0.
pub(crate) fn prepare(history: &[f64], options: &Options) -> Prepared {
    let n = history.len();
    let holiday = |t: usize| options.history_holidays.as_ref().is_some_and(|m| m[t]);
    let atypical: Vec<bool> = (0..n).map(|t| history[t].is_nan() || holiday(t)).collect();

    let mut clean = history.to_vec();
    let mut filled: Vec<bool> = atypical.iter().map(|a| !a).collect();
    for t in WEEK..n {
        if !filled[t] && filled[t - WEEK] {
            clean[t] = clean[t - WEEK];
            filled[t] = true;
        }
    }
    for t in (0..n.saturating_sub(WEEK)).rev() {
        if !filled[t] && filled[t + WEEK] {
            clean[t] = clean[t + WEEK];
            filled[t] = true;
        }
    }
    for (t, value) in clean.iter_mut().enumerate() {
        if !filled[t] && value.is_nan() {
            *value = 0.0;
        }
    }

    // Learned ratio: holiday hours with a real value and a real imputation.
    let (mut actual, mut expected) = (0.0, 0.0);
    for t in 0..n {
        if holiday(t) && !history[t].is_nan() && filled[t] {
            actual += history[t];
            expected += clean[t];
        }
    }
    let holiday_factor = if expected > 0.0 {
        (actual / expected).clamp(HOLIDAY_FACTOR_RANGE.0, HOLIDAY_FACTOR_RANGE.1)
    } else {
        options.default_holiday_factor
    };
    Prepared { clean, holiday_factor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weeks(values: &[f64]) -> Vec<f64> {
        values.iter().flat_map(|v| std::iter::repeat_n(*v, WEEK)).collect()
    }

    #[test]
    fn holidays_are_imputed_from_the_previous_week_and_learned() {
        let history = weeks(&[10.0, 10.0, 10.0]);
        let mut history = history;
        let mut mask = vec![false; history.len()];
        for t in 2 * WEEK..2 * WEEK + 24 {
            history[t] = 3.0;
            mask[t] = true;
        }
        let options = Options {
            history_holidays: Some(mask),
            ..Options::default()
        };
        let p = prepare(&history, &options);
        assert!(p.clean.iter().all(|v| (*v - 10.0).abs() < 1e-12));
        assert!((p.holiday_factor - 0.3).abs() < 1e-12);
    }

    #[test]
    fn leading_gaps_are_filled_from_later_weeks_and_default_factor_used() {
        let mut history = weeks(&[5.0, 7.0]);
        history[3] = f64::NAN;
        let p = prepare(&history, &Options::default());
        assert_eq!(p.clean[3], 7.0);
        assert_eq!(p.holiday_factor, Options::default().default_holiday_factor);
    }

    #[test]
    fn validation_rejects_bad_input() {
        let ok = vec![1.0; WEEK];
        assert!(validate(&ok, 5, &Options::default()).is_ok());
        let mut bad = ok.clone();
        bad[7] = -1.0;
        assert_eq!(
            validate(&bad, 5, &Options::default()),
            Err(ForecastError::InvalidValue { index: 7, value: -1.0 })
        );
        let level = Options {
            level: 1.0,
            ..Options::default()
        };
        assert_eq!(validate(&ok, 5, &level), Err(ForecastError::InvalidLevel(1.0)));
        let mask = Options {
            horizon_holidays: Some(vec![false; 4]),
            ..Options::default()
        };
        assert!(matches!(
            validate(&ok, 5, &mask),
            Err(ForecastError::MaskLength { which: "horizon", .. })
        ));
    }
}

//! End-to-end tests on a realistic synthetic arrival series.

#[path = "support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use kefu_forecast::{
    Forecast, ForecastError, MIN_MODEL_HISTORY, Method, Options, WEEK, backtest, backtest_with_options, forecast_hourly, seasonal_naive,
};

const HORIZON: usize = 2 * WEEK;

fn assert_well_formed(f: &Forecast, horizon: usize) {
    assert_eq!(f.point.len(), horizon);
    assert_eq!(f.lower.len(), horizon);
    assert_eq!(f.upper.len(), horizon);
    for h in 0..horizon {
        assert!(f.point[h].is_finite() && f.upper[h].is_finite(), "hour {h} not finite");
        assert!(0.0 <= f.lower[h], "hour {h}: negative lower {}", f.lower[h]);
        assert!(
            f.lower[h] <= f.point[h] && f.point[h] <= f.upper[h],
            "hour {h}: {} {} {}",
            f.lower[h],
            f.point[h],
            f.upper[h]
        );
    }
}

#[test]
fn model_beats_seasonal_naive_in_backtest() {
    let series = synthetic::arrivals(12, 1.0, 7);
    let with_calendar = Options {
        history_holidays: Some(series.holidays.clone()),
        ..Options::default()
    };
    let masked = backtest_with_options(&series.counts, WEEK, 8, WEEK, &with_calendar).unwrap();
    let plain = backtest(&series.counts, WEEK, 8, WEEK).unwrap();
    for (name, b) in [("with holiday mask", &masked), ("without holiday mask", &plain)] {
        eprintln!(
            "backtest {name}: {} origins x {} h: WAPE model {:.3} vs seasonal naive {:.3}; MASE model {:.3} vs seasonal naive {:.3}; \
             {:.0}% interval coverage {:.3}",
            b.origins,
            b.horizon,
            b.model_wape,
            b.baseline_wape,
            b.model_mase,
            b.baseline_mase,
            b.level * 100.0,
            b.coverage
        );
        assert_eq!((b.origins, b.horizon), (8, WEEK));
        assert!(b.model_mase < 0.9 * b.baseline_mase, "{name}: {b:?}");
        assert!(b.model_wape < 0.9 * b.baseline_wape, "{name}: {b:?}");
        assert!((0.7..=0.95).contains(&b.coverage), "{name}: coverage {}", b.coverage);
    }
    assert!(masked.model_mase < plain.model_mase, "the holiday mask should help");
}

#[test]
fn model_beats_seasonal_naive_at_low_and_high_volume() {
    for (scale, seed) in [(0.3, 11), (3.0, 5)] {
        let series = synthetic::arrivals(12, scale, seed);
        let b = backtest(&series.counts, WEEK, 8, WEEK).unwrap();
        eprintln!(
            "volume x{scale}: MASE model {:.3} vs seasonal naive {:.3}",
            b.model_mase, b.baseline_mase
        );
        assert!(b.model_mase < b.baseline_mase, "scale {scale}: {b:?}");
    }
}

#[test]
fn forecast_is_well_formed_and_follows_the_daily_shape() {
    let series = synthetic::arrivals(12, 1.0, 3);
    let f = forecast_hourly(&series.counts, HORIZON, &Options::default()).unwrap();
    assert_well_formed(&f, HORIZON);
    assert_eq!(f.method, Method::Profile);
    assert_eq!(f.level, 0.8);
    // The history starts on a Monday 00:00 and is whole weeks long, so the
    // horizon does too. Monday 10:00 is busy, Monday 03:00 is not.
    assert!(f.point[10] > 8.0 * f.point[3], "10:00 {} vs 03:00 {}", f.point[10], f.point[3]);
    // Saturday is quieter than Tuesday at the same hour.
    assert!(f.point[5 * 24 + 10] < 0.6 * f.point[24 + 10]);
}

#[test]
fn intervals_widen_with_the_horizon_and_the_level() {
    let series = synthetic::arrivals(12, 1.0, 3);
    let f80 = forecast_hourly(&series.counts, HORIZON, &Options::default()).unwrap();
    let f95 = forecast_hourly(
        &series.counts,
        HORIZON,
        &Options {
            level: 0.95,
            ..Options::default()
        },
    )
    .unwrap();
    let width = |f: &Forecast, range: std::ops::Range<usize>| range.map(|h| f.upper[h] - f.lower[h]).sum::<f64>();
    assert!(width(&f80, WEEK..2 * WEEK) >= width(&f80, 0..WEEK));
    assert!(width(&f95, 0..HORIZON) > width(&f80, 0..HORIZON));
    assert_eq!(f95.point, f80.point);
}

#[test]
fn holiday_hours_in_the_horizon_are_reduced() {
    let series = synthetic::arrivals(12, 1.0, 9);
    let mut horizon_mask = vec![false; HORIZON];
    // Wednesday of the first forecast week.
    horizon_mask[2 * 24..3 * 24].iter_mut().for_each(|h| *h = true);
    let normal = forecast_hourly(&series.counts, HORIZON, &Options::default()).unwrap();

    let learned = Options {
        history_holidays: Some(series.holidays.clone()),
        horizon_holidays: Some(horizon_mask.clone()),
        ..Options::default()
    };
    let f = forecast_hourly(&series.counts, HORIZON, &learned).unwrap();
    assert_well_formed(&f, HORIZON);
    let day = |f: &Forecast| f.point[2 * 24..3 * 24].iter().sum::<f64>();
    // The synthetic holidays carry 20 % of the traffic.
    let ratio = day(&f) / day(&normal);
    assert!((0.1..0.35).contains(&ratio), "learned holiday ratio {ratio}");
    assert!((f.point[24 + 10] - normal.point[24 + 10]).abs() / normal.point[24 + 10] < 0.1);

    let default = Options {
        horizon_holidays: Some(horizon_mask),
        ..Options::default()
    };
    let f = forecast_hourly(&series.counts, HORIZON, &default).unwrap();
    let ratio = day(&f) / day(&normal);
    assert!(
        (ratio - kefu_forecast::DEFAULT_HOLIDAY_FACTOR).abs() < 1e-9,
        "default ratio {ratio}"
    );
}

#[test]
fn short_history_falls_back_or_fails() {
    let series = synthetic::arrivals(2, 1.0, 1);
    let too_short = &series.counts[..WEEK - 1];
    assert_eq!(
        forecast_hourly(too_short, 24, &Options::default()),
        Err(ForecastError::InsufficientHistory {
            needed: WEEK,
            got: WEEK - 1
        })
    );

    // A week's window that holds one known hour is one hour of history: the missing
    // hours before it would otherwise be filled as zeros and forecast as a quiet week.
    let mut opened_an_hour_ago = vec![f64::NAN; WEEK];
    opened_an_hour_ago[WEEK - 1] = 2.0;
    assert_eq!(
        forecast_hourly(&opened_an_hour_ago, 24, &Options::default()),
        Err(ForecastError::InsufficientHistory { needed: WEEK, got: 1 })
    );

    let one_week = &series.counts[..WEEK + 30];
    let f = forecast_hourly(one_week, HORIZON, &Options::default()).unwrap();
    assert_eq!(f.method, Method::SeasonalNaive);
    assert_well_formed(&f, HORIZON);
    assert_eq!(f.point, seasonal_naive(one_week, HORIZON, WEEK));

    let two_weeks = &series.counts[..MIN_MODEL_HISTORY];
    let f = forecast_hourly(two_weeks, HORIZON, &Options::default()).unwrap();
    assert_eq!(f.method, Method::Profile);
    assert_well_formed(&f, HORIZON);
}

#[test]
fn missing_hours_are_tolerated() {
    let mut series = synthetic::arrivals(6, 1.0, 2);
    for t in (100..series.counts.len()).step_by(37) {
        series.counts[t] = f64::NAN;
    }
    let f = forecast_hourly(&series.counts, HORIZON, &Options::default()).unwrap();
    assert_well_formed(&f, HORIZON);
}

#[test]
fn sparse_and_empty_series_stay_sane() {
    let zeros = vec![0.0; 4 * WEEK];
    let f = forecast_hourly(&zeros, 48, &Options::default()).unwrap();
    assert!(f.point.iter().chain(&f.upper).all(|v| *v == 0.0));

    let mut sparse = vec![0.0; 4 * WEEK];
    sparse[3 * WEEK + 10] = 1.0;
    let f = forecast_hourly(&sparse, HORIZON, &Options::default()).unwrap();
    assert_well_formed(&f, HORIZON);
}

#[test]
fn twenty_series_are_fast() {
    let series: Vec<_> = (0..20).map(|i| synthetic::arrivals(12, 0.5 + i as f64 * 0.25, i)).collect();
    let start = Instant::now();
    for s in &series {
        let f = forecast_hourly(&s.counts, HORIZON, &Options::default()).unwrap();
        assert_eq!(f.point.len(), HORIZON);
    }
    let elapsed = start.elapsed();
    eprintln!("20 series x 12 weeks -> 336 h: {elapsed:?}");
    // Generous even for an unoptimised build; see examples/forecast_speed.rs.
    assert!(elapsed.as_secs_f64() < 2.0);
}

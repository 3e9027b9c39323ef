//! Times forecasting 20 synthetic series (12 weeks of hourly history each)
//! 336 hours ahead, with the history's holiday mask. Run with
//! `cargo run --release -p kefu-forecast --example forecast_speed`.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use kefu_forecast::{ForecastError, Options, WEEK, forecast_hourly};

fn main() -> Result<(), ForecastError> {
    const SERIES: u64 = 20;
    const ROUNDS: u32 = 50;
    let series: Vec<_> = (0..SERIES).map(|i| synthetic::arrivals(12, 0.5 + i as f64 * 0.25, i)).collect();
    let options: Vec<Options> = series
        .iter()
        .map(|s| Options {
            history_holidays: Some(s.holidays.clone()),
            ..Options::default()
        })
        .collect();

    let mut checksum = 0.0;
    let start = Instant::now();
    for (s, o) in series.iter().zip(&options) {
        checksum += forecast_hourly(&s.counts, 2 * WEEK, o)?.point.iter().sum::<f64>();
    }
    let first = start.elapsed();

    let start = Instant::now();
    for _ in 0..ROUNDS {
        for (s, o) in series.iter().zip(&options) {
            checksum += forecast_hourly(&s.counts, 2 * WEEK, o)?.point.iter().sum::<f64>();
        }
    }
    let average = start.elapsed() / ROUNDS;
    println!("{SERIES} series x 12 weeks history -> 336 h horizon: first run {first:?}, average of {ROUNDS} runs {average:?}");
    println!("(checksum {checksum:.1})");
    Ok(())
}

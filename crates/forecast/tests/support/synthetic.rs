//! Deterministic synthetic contact-arrival series for tests and the speed
//! example: hourly Poisson counts with a daily shape (quiet nights, peaks at
//! 10:00 and 15:00), busier Mondays, quieter Fridays and weekends, a mild
//! upward trend, day-to-day noise and a few holidays with 20 % of the
//! traffic. The series starts on a Monday at 00:00.

/// A synthetic history with its holiday mask.
pub struct Series {
    /// Arrivals per hour.
    pub counts: Vec<f64>,
    /// `true` on the hours of holiday days.
    pub holidays: Vec<bool>,
}

/// Relative arrival rate per hour of a weekday; peaks at 10:00 and 15:00.
const WEEKDAY_SHAPE: [f64; 24] = [
    0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 2.0, 5.0, 9.0, 12.0, 10.0, 7.0, 8.0, 10.0, 12.0, 10.0, 7.0, 4.0, 3.0, 2.5, 2.0, 1.2, 0.6,
];
/// Day-of-week factors, Monday first.
const DAY_FACTOR: [f64; 7] = [1.15, 1.0, 1.0, 1.0, 0.9, 0.35, 0.25];
/// Holiday days (0-based from the start) for a 12-week series: two in the
/// early weeks and one in the last week, where backtests score.
const HOLIDAY_DAYS: [usize; 4] = [17, 39, 60, 80];

/// `weeks` weeks of hourly arrivals, `scale` times the base volume (peak
/// weekday hour about 12 × `scale` arrivals), reproducible from `seed`.
pub fn arrivals(weeks: usize, scale: f64, seed: u64) -> Series {
    let mut rng = fastrand::Rng::with_seed(seed);
    let hours = weeks * 168;
    let mut counts = Vec::with_capacity(hours);
    let mut holidays = Vec::with_capacity(hours);
    let mut day_noise = 1.0;
    for t in 0..hours {
        let (day, hour) = (t / 24, t % 24);
        if hour == 0 {
            // Overdispersion: the whole day is a bit busier or quieter.
            day_noise = (1.0 + 0.08 * normal(&mut rng)).max(0.5);
        }
        let holiday = HOLIDAY_DAYS.contains(&day);
        let trend = 1.0 + 0.004 * t as f64 / 168.0;
        let weekend_flat = if day % 7 >= 5 { 0.5 } else { 0.0 };
        let mut rate = scale * trend * day_noise * (DAY_FACTOR[day % 7] * WEEKDAY_SHAPE[hour] + weekend_flat);
        if holiday {
            rate *= 0.2;
        }
        counts.push(poisson(&mut rng, rate) as f64);
        holidays.push(holiday);
    }
    Series { counts, holidays }
}

fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u1 = rng.f64().max(1e-12);
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Knuth's method for small rates, a rounded normal for large ones.
fn poisson(rng: &mut fastrand::Rng, rate: f64) -> u64 {
    if rate > 60.0 {
        return (rate + rate.sqrt() * normal(rng)).round().max(0.0) as u64;
    }
    let limit = (-rate).exp();
    let mut product = rng.f64();
    let mut count = 0;
    while product > limit {
        product *= rng.f64();
        count += 1;
    }
    count
}

//! Staffing: agents needed per hour for a service-level target (Erlang C).
//!
//! Erlang C models one queue served by interchangeable agents, with Poisson arrivals and
//! exponentially distributed handle times, where callers wait for as long as it takes. It
//! ignores abandonment, so it errs on the side of too many agents, which is the safe side
//! for a planner. Each hour is treated as a steady state of its own.
//!
//! Workload is measured in Erlangs: `A = arrivals_per_hour × AHT_seconds / 3600`, the number
//! of agents that would be busy all hour if no contact ever waited.

use serde::{Deserialize, Serialize};

/// Most agents the planner will search for; beyond this the input is almost certainly a
/// unit mistake (contacts per day given as per hour, say) rather than a real contact centre.
pub const MAX_AGENTS: u32 = 1_000_000;

/// Why a staffing calculation was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum StaffingError {
    /// The arrivals forecast is negative, infinite or NaN.
    #[error("arrivals per hour must be a finite number of at least 0, got {0}")]
    Arrivals(f64),
    /// One hour of a forecast is negative, infinite or NaN (`hour` is its index).
    #[error("hour {hour} of the forecast: arrivals must be a finite number of at least 0, got {value}")]
    ForecastHour { hour: usize, value: f64 },
    /// The average handle time is not a positive number of seconds.
    #[error("average handle time must be a finite number of seconds above 0, got {0}")]
    HandleTime(f64),
    /// The service level target is not strictly between 0 and 1.
    #[error("service level target must be strictly between 0 and 1, got {0}")]
    ServiceLevel(f64),
    /// The target answer time is negative, infinite or NaN.
    #[error("target answer time must be a finite number of seconds of at least 0, got {0}")]
    AnswerTime(f64),
    /// The occupancy cap is not in (0, 1].
    #[error("maximum occupancy must be above 0 and at most 1, got {0}")]
    Occupancy(f64),
    /// Shrinkage is not in [0, 1): with all time shrunk away no headcount is enough.
    #[error("shrinkage must be at least 0 and below 1, got {0}")]
    Shrinkage(f64),
    /// The answer would exceed [`MAX_AGENTS`] (or the headcount would not fit a `u32`).
    #[error("the workload needs more than {} agents", MAX_AGENTS)]
    TooManyAgents,
    /// The schedule and the plan cover different numbers of hours.
    #[error("the schedule covers {scheduled} hours but the plan covers {planned}")]
    LengthMismatch { planned: usize, scheduled: usize },
}

/// What the planner promises and how the team works: the inputs of [`agents_needed`] that
/// stay the same hour after hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingTarget {
    /// Average handle time in seconds: talk, hold and after-contact work.
    pub aht_seconds: f64,
    /// Share of contacts to answer within `answer_seconds`, strictly between 0 and 1 (0.8 for
    /// "80/20"). 1 is refused because no finite team guarantees it under Erlang C.
    pub service_level: f64,
    /// Target answer time in seconds (the 20 of "80/20").
    pub answer_seconds: f64,
    /// Highest acceptable share of time agents spend handling contacts, in (0, 1]; above
    /// about 0.85–0.9 people burn out even when the service level is met.
    pub max_occupancy: Option<f64>,
    /// Share of paid time agents are not available for contacts (breaks, training,
    /// absence), in [0, 1).
    pub shrinkage: f64,
}

impl StaffingTarget {
    /// Checks every field, so the calculations below can trust them.
    pub fn validate(&self) -> Result<(), StaffingError> {
        if !(self.aht_seconds.is_finite() && self.aht_seconds > 0.0) {
            return Err(StaffingError::HandleTime(self.aht_seconds));
        }
        if !(self.service_level > 0.0 && self.service_level < 1.0) {
            return Err(StaffingError::ServiceLevel(self.service_level));
        }
        if !(self.answer_seconds.is_finite() && self.answer_seconds >= 0.0) {
            return Err(StaffingError::AnswerTime(self.answer_seconds));
        }
        if let Some(cap) = self.max_occupancy
            && !(cap > 0.0 && cap <= 1.0)
        {
            return Err(StaffingError::Occupancy(cap));
        }
        if !(self.shrinkage >= 0.0 && self.shrinkage < 1.0) {
            return Err(StaffingError::Shrinkage(self.shrinkage));
        }
        Ok(())
    }
}

/// The staffing one hour needs and the service it buys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingNeed {
    /// Workload in Erlangs: agents busy all hour if nobody ever waited.
    pub erlangs: f64,
    /// Agents logged in and taking contacts: the fewest that meet the service level (and the
    /// occupancy cap, if any).
    pub agents: u32,
    /// Share of contacts answered within the target answer time with `agents`.
    pub service_level: f64,
    /// Average speed of answer in seconds, over all contacts (those answered at once count 0).
    pub asa_seconds: f64,
    /// Share of their time `agents` spend handling contacts.
    pub occupancy: f64,
    /// People to put on the schedule so that `agents` remain after shrinkage.
    pub scheduled_headcount: u32,
}

/// An hour of a schedule with fewer people than the plan needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    /// Index of the hour in the plan (hour of day when the plan starts at midnight).
    pub hour: usize,
    /// Scheduled headcount the plan needs.
    pub needed: u32,
    /// Headcount on the schedule.
    pub scheduled: u32,
    /// People missing: `needed - scheduled`, always above 0.
    pub short_by: u32,
}

/// Workload in Erlangs of `arrivals_per_hour` contacts lasting `aht_seconds` on average.
pub fn erlangs(arrivals_per_hour: f64, aht_seconds: f64) -> f64 {
    arrivals_per_hour * aht_seconds / 3600.0
}

/// One step of the Erlang B recursion: blocking probability with `n` agents from the one
/// with `n - 1`. The recursion stays in [0, 1], unlike the textbook `A^N / N!` form, which
/// overflows an f64 beyond about 170 agents.
fn erlang_b_step(n: u32, erlangs: f64, previous: f64) -> f64 {
    let carried = erlangs * previous;
    carried / (f64::from(n) + carried)
}

/// Erlang C from Erlang B with the same `agents` and `erlangs`.
fn erlang_c_from_b(agents: u32, erlangs: f64, erlang_b: f64) -> f64 {
    let n = f64::from(agents);
    if n <= erlangs {
        return 1.0;
    }
    // Clamped because rounding can push the ratio a hair above 1 when N is just above A.
    (n * erlang_b / (n - erlangs * (1.0 - erlang_b))).min(1.0)
}

/// Service level from an already computed probability of waiting.
fn service_level_from_c(agents: u32, erlangs: f64, wait: f64, aht_seconds: f64, answer_seconds: f64) -> f64 {
    let n = f64::from(agents);
    if n <= erlangs {
        return 0.0;
    }
    // Waiting times of those who wait are exponential with rate (N - A) / AHT.
    1.0 - wait * (-(n - erlangs) * answer_seconds / aht_seconds).exp()
}

/// Probability that a contact has to wait at all (Erlang C) with `agents` on the phones and
/// a workload of `erlangs`. With no more agents than Erlangs the queue grows without bound
/// and everyone waits (1); with no workload nobody waits (0). Meant for a finite workload;
/// [`agents_needed`] validates its inputs.
pub fn erlang_c(agents: u32, erlangs: f64) -> f64 {
    if erlangs <= 0.0 {
        return 0.0;
    }
    let b = (1..=agents).fold(1.0, |b, n| erlang_b_step(n, erlangs, b));
    erlang_c_from_b(agents, erlangs, b)
}

/// Share of contacts answered within `answer_seconds`: `1 − C·exp(−(N−A)·T/AHT)`; 0 when the
/// queue grows without bound, 1 with no workload.
pub fn service_level(agents: u32, erlangs: f64, aht_seconds: f64, answer_seconds: f64) -> f64 {
    if erlangs <= 0.0 {
        return 1.0;
    }
    service_level_from_c(agents, erlangs, erlang_c(agents, erlangs), aht_seconds, answer_seconds)
}

/// Average speed of answer in seconds, `C·AHT/(N−A)`, averaged over all contacts; infinite
/// when the queue grows without bound.
pub fn average_speed_of_answer(agents: u32, erlangs: f64, aht_seconds: f64) -> f64 {
    if erlangs <= 0.0 {
        return 0.0;
    }
    let n = f64::from(agents);
    if n <= erlangs {
        return f64::INFINITY;
    }
    erlang_c(agents, erlangs) * aht_seconds / (n - erlangs)
}

/// Share of their time agents spend handling contacts, `A/N`; at most 1, since with no more
/// agents than Erlangs they are simply always busy.
pub fn occupancy(agents: u32, erlangs: f64) -> f64 {
    if agents == 0 || erlangs <= 0.0 {
        return 0.0;
    }
    (erlangs / f64::from(agents)).min(1.0)
}

/// The fewest agents on the phones that answer `target.service_level` of
/// `arrivals_per_hour` contacts within `target.answer_seconds` (and keep occupancy at or
/// below `target.max_occupancy`), with the headcount to schedule for them.
pub fn agents_needed(arrivals_per_hour: f64, target: &StaffingTarget) -> Result<StaffingNeed, StaffingError> {
    target.validate()?;
    if !(arrivals_per_hour.is_finite() && arrivals_per_hour >= 0.0) {
        return Err(StaffingError::Arrivals(arrivals_per_hour));
    }
    let a = erlangs(arrivals_per_hour, target.aht_seconds);
    if a == 0.0 {
        return Ok(StaffingNeed {
            erlangs: 0.0,
            agents: 0,
            service_level: 1.0,
            asa_seconds: 0.0,
            occupancy: 0.0,
            scheduled_headcount: 0,
        });
    }
    // Refuse before looping: the search below is linear in the number of agents.
    if a >= f64::from(MAX_AGENTS) {
        return Err(StaffingError::TooManyAgents);
    }
    let cap = target.max_occupancy.unwrap_or(1.0);
    // Walk the Erlang B recursion once instead of restarting it for every candidate, so the
    // search costs O(N) rather than O(N²). The same steps as `erlang_c`, so the result agrees
    // with it bit for bit.
    let mut b = 1.0;
    for n in 1..=MAX_AGENTS {
        b = erlang_b_step(n, a, b);
        if f64::from(n) <= a || a / f64::from(n) > cap {
            continue;
        }
        let wait = erlang_c_from_b(n, a, b);
        let level = service_level_from_c(n, a, wait, target.aht_seconds, target.answer_seconds);
        if level >= target.service_level {
            return Ok(StaffingNeed {
                erlangs: a,
                agents: n,
                service_level: level,
                asa_seconds: wait * target.aht_seconds / (f64::from(n) - a),
                occupancy: a / f64::from(n),
                scheduled_headcount: scheduled_headcount(n, target.shrinkage)?,
            });
        }
    }
    Err(StaffingError::TooManyAgents)
}

/// People to schedule so that `agents` remain available after `shrinkage`:
/// `ceil(agents / (1 − shrinkage))`.
fn scheduled_headcount(agents: u32, shrinkage: f64) -> Result<u32, StaffingError> {
    // The tiny allowance keeps representation error from scheduling one extra person: in f64,
    // 21 / (1 − 0.3) is 30.000000000000004. No real shrinkage figure lands that close above
    // a whole person, so it does not drop anyone either.
    let headcount = (f64::from(agents) / (1.0 - shrinkage) - 1e-9).ceil().max(f64::from(agents));
    if headcount > f64::from(u32::MAX) {
        return Err(StaffingError::TooManyAgents);
    }
    // In range and integral, checked above, so the cast is exact.
    Ok(headcount as u32)
}

/// [`agents_needed`] for each hour of a forecast of arrivals per hour, in order.
pub fn hourly_plan(forecast: &[f64], target: &StaffingTarget) -> Result<Vec<StaffingNeed>, StaffingError> {
    target.validate()?;
    forecast
        .iter()
        .enumerate()
        .map(|(hour, &arrivals)| match agents_needed(arrivals, target) {
            Err(StaffingError::Arrivals(value)) => Err(StaffingError::ForecastHour { hour, value }),
            other => other,
        })
        .collect()
}

/// The hours where `scheduled` (people on the schedule, hour by hour) falls short of the
/// plan's scheduled headcount. Both count people before shrinkage; plan with a shrinkage of
/// 0 to compare against agents on the phones instead.
pub fn shortfalls(plan: &[StaffingNeed], scheduled: &[u32]) -> Result<Vec<Shortfall>, StaffingError> {
    if plan.len() != scheduled.len() {
        return Err(StaffingError::LengthMismatch {
            planned: plan.len(),
            scheduled: scheduled.len(),
        });
    }
    Ok(plan
        .iter()
        .zip(scheduled)
        .enumerate()
        .filter_map(|(hour, (need, &have))| {
            let short_by = need.scheduled_headcount.checked_sub(have).filter(|&short| short > 0)?;
            Some(Shortfall {
                hour,
                needed: need.scheduled_headcount,
                scheduled: have,
                short_by,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Every expected value below was recomputed with exact rational arithmetic (Python
    // `fractions` on the definition C = (A^N/N!·N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N−A)),
    // then mpmath for the exponential), not copied from the sources, which round.

    fn goal(aht_seconds: f64, service_level: f64, answer_seconds: f64, max_occupancy: Option<f64>, shrinkage: f64) -> StaffingTarget {
        StaffingTarget {
            aht_seconds,
            service_level,
            answer_seconds,
            max_occupancy,
            shrinkage,
        }
    }

    fn need(arrivals_per_hour: f64, target: StaffingTarget) -> StaffingNeed {
        agents_needed(arrivals_per_hour, &target).unwrap()
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!((actual - expected).abs() <= tolerance, "{actual} is not {expected} ± {tolerance}");
    }

    /// A = 10 Erlangs, N = 11..14: the row of printed Erlang C tables that Call Centre
    /// Helper's "Erlang C Formula – Made Simple" works through (11 agents → 68.21 %).
    #[test]
    fn ten_erlang_table_row() {
        let a = erlangs(360.0, 100.0);
        close(a, 10.0, 1e-12);
        let row = [
            (11, 0.682_118_204_7),
            (12, 0.449_388_224_3),
            (13, 0.285_270_453_0),
            (14, 0.174_131_933_6),
        ];
        for (n, expected) in row {
            close(erlang_c(n, a), expected, 1e-9);
        }
        assert_eq!(erlang_c(10, a), 1.0);
        assert_eq!(service_level(10, a, 100.0, 20.0), 0.0);
        assert_eq!(average_speed_of_answer(9, a, 100.0), f64::INFINITY);
    }

    /// The setup of Call Centre Helper's worked example: 100 calls per half hour, AHT 180 s,
    /// 80 % in 20 s, 30 % shrinkage → 14 agents (88.84 %; 13 reach 79.56 %), 20 people.
    #[test]
    fn call_centre_helper_example_with_shrinkage() {
        let need = need(200.0, goal(180.0, 0.8, 20.0, None, 0.3));
        assert_eq!((need.agents, need.scheduled_headcount), (14, 20));
        close(need.service_level, 0.888_350_019_2, 1e-9);
        close(need.asa_seconds, 7.835_937, 1e-5);
        close(need.occupancy, 10.0 / 14.0, 1e-12);
        close(service_level(13, 10.0, 180.0, 20.0), 0.795_594_788_4, 1e-9);
    }

    /// 360 calls/h, AHT 240 s (24 Erlangs), 80/20 → 29 agents; 28 reach only 76.13 %.
    #[test]
    fn twenty_four_erlangs_eighty_twenty() {
        let need = need(360.0, goal(240.0, 0.8, 20.0, None, 0.0));
        assert_eq!(need.agents, 29);
        close(need.service_level, 0.840_283_145_7, 1e-9);
        close(need.asa_seconds, 11.629_151, 1e-5);
        close(service_level(28, 24.0, 240.0, 20.0), 0.761_295_813_9, 1e-9);
    }

    /// jonesthenet.com, "Erlang uplift": 250 calls/h, AHT 330 s, 80 % in 30 s → 28 advisors
    /// (85.69 %; 27 reach 78.22 %).
    #[test]
    fn jonesthenet_average_hour() {
        let need = need(250.0, goal(330.0, 0.8, 30.0, None, 0.0));
        assert_eq!(need.agents, 28);
        close(need.service_level, 0.856_850_302_6, 1e-9);
    }

    /// The setup of Mitan's step-by-step "The Erlang-C Formula": 360 calls per half hour of
    /// 4 minutes (48 Erlangs), 55 agents, 15 s target.
    #[test]
    fn mitan_step_by_step_example() {
        let a = erlangs(720.0, 240.0);
        close(erlang_c(55, a), 0.238_700_936_4, 1e-9);
        close(average_speed_of_answer(55, a, 240.0), 8.184_032_104, 1e-8);
        close(service_level(55, a, 240.0, 15.0), 0.845_883_092_2, 1e-9);
        close(occupancy(55, a), 48.0 / 55.0, 1e-12);
    }

    /// Large teams, where A^N/N! overflows an f64: 200 and 500 Erlangs.
    #[test]
    fn large_teams_stay_accurate() {
        for (n, expected) in [(201, 0.915_757_440_71), (210, 0.375_614_823_975), (230, 0.023_516_103_891_2)] {
            close(erlang_c(n, 200.0), expected, 1e-10);
        }
        for (n, expected) in [(501, 0.945_722_642_169), (520, 0.274_756_344_697), (550, 0.016_589_800_451_3)] {
            close(erlang_c(n, 500.0), expected, 1e-10);
        }
        // 4000 calls/h of 180 s, 80/20: 208 agents (80.86 %), 207 reach 76.28 %.
        let big = need(4000.0, goal(180.0, 0.8, 20.0, None, 0.0));
        assert_eq!(big.agents, 208);
        close(big.service_level, 0.808_639_319_731, 1e-9);
        // 18000 calls/h of 100 s, 80/20: 507 agents (83.61 %), 506 reach 78.73 %.
        assert_eq!(need(18000.0, goal(100.0, 0.8, 20.0, None, 0.0)).agents, 507);
    }

    #[test]
    fn occupancy_cap_can_decide() {
        // 10 Erlangs: the service level needs 14, a 70 % cap needs ceil(10 / 0.7) = 15.
        assert_eq!(need(200.0, goal(180.0, 0.8, 20.0, Some(0.7), 0.0)).agents, 15);
        assert_eq!(need(200.0, goal(180.0, 0.8, 20.0, Some(0.75), 0.0)).agents, 14);
    }

    #[test]
    fn headcount_ignores_representation_error() {
        assert_eq!(scheduled_headcount(21, 0.3), Ok(30));
        assert_eq!(scheduled_headcount(21, 0.29), Ok(30));
        assert_eq!(scheduled_headcount(21, 0.31), Ok(31));
        assert_eq!(scheduled_headcount(5, 0.0), Ok(5));
    }

    #[test]
    fn no_arrivals_need_nobody() {
        let need = need(0.0, goal(300.0, 0.9, 10.0, None, 0.4));
        assert_eq!((need.agents, need.scheduled_headcount, need.service_level), (0, 0, 1.0));
    }

    #[test]
    fn bad_inputs_are_refused() {
        let ok = goal(180.0, 0.8, 20.0, None, 0.0);
        let cases = [
            (-1.0, ok, StaffingError::Arrivals(-1.0)),
            (10.0, goal(0.0, 0.8, 20.0, None, 0.0), StaffingError::HandleTime(0.0)),
            (10.0, goal(180.0, 1.0, 20.0, None, 0.0), StaffingError::ServiceLevel(1.0)),
            (10.0, goal(180.0, 0.0, 20.0, None, 0.0), StaffingError::ServiceLevel(0.0)),
            (
                10.0,
                goal(180.0, 0.8, f64::INFINITY, None, 0.0),
                StaffingError::AnswerTime(f64::INFINITY),
            ),
            (10.0, goal(180.0, 0.8, 20.0, Some(1.2), 0.0), StaffingError::Occupancy(1.2)),
            (10.0, goal(180.0, 0.8, 20.0, None, 1.0), StaffingError::Shrinkage(1.0)),
            (1e12, ok, StaffingError::TooManyAgents),
        ];
        for (arrivals, target, expected) in cases {
            assert_eq!(agents_needed(arrivals, &target), Err(expected));
        }
        assert!(matches!(agents_needed(f64::NAN, &ok), Err(StaffingError::Arrivals(v)) if v.is_nan()));
        let nan_aht = goal(f64::NAN, 0.8, 20.0, None, 0.0);
        assert!(matches!(agents_needed(1.0, &nan_aht), Err(StaffingError::HandleTime(v)) if v.is_nan()));
        let bad_hour = StaffingError::ForecastHour { hour: 1, value: -3.0 };
        assert_eq!(hourly_plan(&[10.0, -3.0], &ok), Err(bad_hour));
    }

    #[test]
    fn plan_and_shortfalls() {
        // 360 calls/h of 180 s is 18 Erlangs: 22 agents (82.17 %; 21 reach 71.63 %).
        let plan = hourly_plan(&[0.0, 200.0, 360.0], &goal(180.0, 0.8, 20.0, None, 0.0)).unwrap();
        let needed: Vec<u32> = plan.iter().map(|n| n.scheduled_headcount).collect();
        assert_eq!(needed, [0, 14, 22]);
        let short = Shortfall {
            hour: 1,
            needed: 14,
            scheduled: 12,
            short_by: 2,
        };
        assert_eq!(shortfalls(&plan, &[1, 12, 22]), Ok(vec![short]));
        let mismatch = StaffingError::LengthMismatch { planned: 3, scheduled: 1 };
        assert_eq!(shortfalls(&plan, &[1]), Err(mismatch));
    }

    proptest! {
        #[test]
        fn wait_probability_is_a_probability_falling_with_agents(a in 0.01f64..500.0, n in 0u32..700) {
            let (now, more) = (erlang_c(n, a), erlang_c(n + 1, a));
            prop_assert!((0.0..=1.0).contains(&now));
            prop_assert!(more <= now);
        }

        #[test]
        fn service_level_rises_with_agents(a in 0.01f64..500.0, n in 0u32..700, aht in 10.0f64..1800.0, t in 0.0f64..300.0) {
            prop_assert!(service_level(n + 1, a, aht, t) >= service_level(n, a, aht, t));
        }

        #[test]
        fn agents_needed_is_the_fewest_that_meet_the_target(
            arrivals in 0.1f64..10_000.0,
            aht in 10.0f64..900.0,
            level in 0.05f64..0.99,
            t in 0.0f64..120.0,
            cap in proptest::option::of(0.5f64..1.0),
            shrinkage in 0.0f64..0.6,
        ) {
            let need = need(arrivals, goal(aht, level, t, cap, shrinkage));
            let a = need.erlangs;
            let meets = |n: u32| service_level(n, a, aht, t) >= level && cap.is_none_or(|c| a / f64::from(n) <= c);
            prop_assert!(meets(need.agents));
            prop_assert!(!meets(need.agents - 1));
            prop_assert_eq!(need.service_level, service_level(need.agents, a, aht, t));
            prop_assert!(need.scheduled_headcount >= need.agents);
        }
    }
}

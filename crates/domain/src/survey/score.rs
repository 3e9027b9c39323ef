//! Scores from answers, computed from histograms (how many answers gave each rating).
//!
//! A histogram is all the reports need: the mean and the 0–100 score, band shares
//! (CSAT %, NPS), the variance behind a confidence interval, and "what it takes" to reach
//! a target all follow from the counts. Histograms add up, so an hourly or daily rollup of
//! counts answers a question over any range without reading the answers again.

use serde::Serialize;

/// Below this many answers a score is shown as a small sample.
pub const SMALL_SAMPLE: u64 = 30;

/// The z value of a two-sided 95 % interval.
const Z95: f64 = 1.959_964;

/// How many answers gave each rating of a scale `min..=max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    min: i32,
    counts: Vec<u64>,
}

impl Histogram {
    /// An empty histogram of the scale `min..=max` (`max >= min`).
    pub fn new(min: i32, max: i32) -> Self {
        let len = usize::try_from(max - min + 1).unwrap_or(1).max(1);
        Histogram { min, counts: vec![0; len] }
    }

    pub fn min(&self) -> i32 {
        self.min
    }

    pub fn max(&self) -> i32 {
        self.min + self.counts.len() as i32 - 1
    }

    /// Adds `count` answers of `rating`; ratings outside the scale are ignored (a design's
    /// answers are validated before they are stored).
    pub fn add(&mut self, rating: i32, count: u64) {
        if let Some(slot) = usize::try_from(rating - self.min).ok().and_then(|i| self.counts.get_mut(i)) {
            *slot += count;
        }
    }

    /// The answers of another histogram of the same scale.
    pub fn merge(&mut self, other: &Histogram) {
        for (rating, count) in other.iter() {
            self.add(rating, count);
        }
    }

    /// `(rating, count)` for every rating of the scale, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.counts.iter().enumerate().map(|(i, &c)| (self.min + i as i32, c))
    }

    pub fn count_of(&self, rating: i32) -> u64 {
        usize::try_from(rating - self.min)
            .ok()
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The number of answers.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn sum(&self) -> f64 {
        self.iter().map(|(r, c)| f64::from(r) * c as f64).sum()
    }

    pub fn mean(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.sum() / n as f64)
    }

    /// The sample variance of the ratings (needs two answers).
    pub fn variance(&self) -> Option<f64> {
        let n = self.n();
        let mean = self.mean()?;
        (n > 1).then(|| {
            let squares: f64 = self.iter().map(|(r, c)| (f64::from(r) - mean).powi(2) * c as f64).sum();
            squares / (n - 1) as f64
        })
    }

    /// The mean rating scaled to 0–100: `mean / max × 100` (a 1–10 survey's mean × 10,
    /// as the service-network survey defines it).
    pub fn score(&self) -> Option<f64> {
        let max = f64::from(self.max());
        if max <= 0.0 {
            return None;
        }
        self.mean().map(|m| m / max * 100.0)
    }

    /// The number of answers rated `lo..=hi`.
    pub fn count_between(&self, lo: i32, hi: i32) -> u64 {
        self.iter().filter(|(r, _)| (lo..=hi).contains(r)).map(|(_, c)| c).sum()
    }

    /// The share (0–100 %) of answers rated `lo..=hi`.
    pub fn share(&self, lo: i32, hi: i32) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.count_between(lo, hi) as f64 / n as f64 * 100.0)
    }

    /// CSAT %: the share of 4 and 5 on a 1–5 scale.
    pub fn csat_percent(&self) -> Option<f64> {
        self.share(4, 5)
    }

    /// NPS on a 0–10 scale: % promoters (9–10) minus % detractors (0–6), −100…+100.
    pub fn nps(&self) -> Option<f64> {
        Some(self.share(9, 10)? - self.share(0, 6)?)
    }
}

/// The overall score: the mean of the dimension scores weighted by their weights. A
/// dimension without answers is left out and the others' weights count in proportion.
pub fn weighted_score(parts: &[(u32, Option<f64>)]) -> Option<f64> {
    let (sum, weights) = parts
        .iter()
        .filter_map(|&(w, s)| s.map(|s| (f64::from(w) * s, f64::from(w))))
        .fold((0.0, 0.0), |(a, b), (s, w)| (a + s, b + w));
    (weights > 0.0).then(|| sum / weights)
}

/// What it takes to reach a target score: how many answers would have to move into the
/// top band.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lift {
    pub target: f64,
    /// Answers that must be raised to `to_rating` (0 when the target is already met).
    pub moves: u64,
    /// The rating they move to: the top band's lowest, or the scale's best when even
    /// that is not enough.
    pub to_rating: i32,
    /// Share of top-band answers now and after the moves (0–100 %).
    pub top_share_now: f64,
    pub top_share_needed: f64,
    /// The score after the moves.
    pub score_after: f64,
}

/// The fewest answers that must move into the top band (`top_min..=max`) for the score to
/// reach `target`, keeping the lowest answers as they are: the answers nearest the top
/// move first, as the ones an improvement reaches soonest. `None` when no histogram of
/// this size can reach the target (or there are no answers).
///
/// DOMAIN.md's example: 38 timeliness answers (one 6, two 7, thirty-four 8, one 9) score
/// 79.2; to reach 80, three 8s must become 9s, and the share of 9–10 rises from 2.6 % to
/// 10.5 %.
pub fn what_it_takes(histogram: &Histogram, target: f64, top_min: i32) -> Option<Lift> {
    let n = histogram.n();
    let max = histogram.max();
    if n == 0 || max <= 0 || target > 100.0 {
        return None;
    }
    let top_now = histogram.count_between(top_min, max);
    // The score is reached when the sum of ratings reaches this (a small tolerance so a
    // target equal to the score counts as met despite floating point).
    let needed_sum = target / 100.0 * f64::from(max) * n as f64 - 1e-9;
    let share = |top: u64| top as f64 / n as f64 * 100.0;
    let mut sum = histogram.sum();
    if sum >= needed_sum {
        return Some(Lift {
            target,
            moves: 0,
            to_rating: top_min,
            top_share_now: share(top_now),
            top_share_needed: share(top_now),
            score_after: sum / n as f64 / f64::from(max) * 100.0,
        });
    }
    // Try moving to the top band's lowest rating first, then to the best rating.
    for to_rating in [top_min, max] {
        sum = histogram.sum();
        let mut moves = 0u64;
        for rating in (histogram.min()..to_rating).rev() {
            let gain = f64::from(to_rating - rating);
            let available = histogram.count_of(rating);
            if available == 0 || gain <= 0.0 {
                continue;
            }
            let wanted = ((needed_sum - sum) / gain).ceil().max(0.0) as u64;
            let take = wanted.min(available);
            moves += take;
            sum += gain * take as f64;
            if sum >= needed_sum {
                return Some(Lift {
                    target,
                    moves,
                    to_rating,
                    top_share_now: share(top_now),
                    top_share_needed: share(top_now + moves),
                    score_after: sum / n as f64 / f64::from(max) * 100.0,
                });
            }
        }
    }
    None
}

/// A change between two periods with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub delta: f64,
    pub low: f64,
    pub high: f64,
    /// The interval excludes zero: more than noise.
    pub significant: bool,
}

impl Change {
    fn new(delta: f64, standard_error: f64) -> Self {
        let half = Z95 * standard_error;
        Change {
            delta,
            low: delta - half,
            high: delta + half,
            significant: delta - half > 0.0 || delta + half < 0.0,
        }
    }
}

/// The change of the 0–100 score from `before` to `after` (Welch's interval for a
/// difference of means; both periods need two answers).
pub fn score_change(before: &Histogram, after: &Histogram) -> Option<Change> {
    let scale = 100.0 / f64::from(after.max());
    let se = (before.variance()? / before.n() as f64 + after.variance()? / after.n() as f64).sqrt() * scale;
    Some(Change::new(after.score()? - before.score()?, se))
}

/// The change of a share (0–100 %) of answers rated `lo..=hi` (normal interval for a
/// difference of proportions).
pub fn share_change(before: &Histogram, after: &Histogram, lo: i32, hi: i32) -> Option<Change> {
    let p1 = before.share(lo, hi)? / 100.0;
    let p2 = after.share(lo, hi)? / 100.0;
    let se = (p1 * (1.0 - p1) / before.n() as f64 + p2 * (1.0 - p2) / after.n() as f64).sqrt() * 100.0;
    Some(Change::new((p2 - p1) * 100.0, se))
}

/// The change of NPS between two 0–10 histograms. An answer scores +100 (promoter),
/// 0 (passive) or −100 (detractor), and NPS is their mean, so the interval is that of a
/// difference of means with variance `(p⁺ + p⁻ − (p⁺ − p⁻)²) × 100²`.
pub fn nps_change(before: &Histogram, after: &Histogram) -> Option<Change> {
    let variance = |h: &Histogram| -> Option<f64> {
        let promoters = h.share(9, 10)? / 100.0;
        let detractors = h.share(0, 6)? / 100.0;
        Some((promoters + detractors - (promoters - detractors).powi(2)) * 10_000.0 / h.n() as f64)
    };
    let se = (variance(before)? + variance(after)?).sqrt();
    Some(Change::new(after.nps()? - before.nps()?, se))
}

/// Running totals of per-answer scores (0–100), for the overall score's mean and interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ScoreTotals {
    pub n: u64,
    pub sum: f64,
    pub sum_of_squares: f64,
}

impl ScoreTotals {
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    fn variance(&self) -> Option<f64> {
        let mean = self.mean()?;
        (self.n > 1).then(|| ((self.sum_of_squares - self.n as f64 * mean * mean) / (self.n - 1) as f64).max(0.0))
    }
}

/// The change of the mean per-answer score (Welch's interval).
pub fn totals_change(before: &ScoreTotals, after: &ScoreTotals) -> Option<Change> {
    let se = (before.variance()? / before.n as f64 + after.variance()? / after.n as f64).sqrt();
    Some(Change::new(after.mean()? - before.mean()?, se))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeliness() -> Histogram {
        let mut h = Histogram::new(1, 10);
        h.add(6, 1);
        h.add(7, 2);
        h.add(8, 34);
        h.add(9, 1);
        h
    }

    fn round1(x: f64) -> f64 {
        (x * 10.0).round() / 10.0
    }

    #[test]
    fn the_worked_example_scores_79_2() {
        let h = timeliness();
        assert_eq!(h.n(), 38);
        // (6 + 14 + 272 + 9) / 38 × 10
        assert!((h.score().unwrap() - 301.0 / 38.0 * 10.0).abs() < 1e-9);
        assert_eq!(round1(h.score().unwrap()), 79.2);
    }

    #[test]
    fn reaching_80_takes_three_eights_moved_to_nine() {
        let lift = what_it_takes(&timeliness(), 80.0, 9).unwrap();
        assert_eq!(lift.moves, 3);
        assert_eq!(lift.to_rating, 9);
        assert_eq!(round1(lift.top_share_now), 2.6);
        assert_eq!(round1(lift.top_share_needed), 10.5);
        assert!(lift.score_after >= 80.0);
        // Two moves are not enough.
        let mut h = Histogram::new(1, 10);
        h.add(6, 1);
        h.add(7, 2);
        h.add(8, 32);
        h.add(9, 3);
        assert!(h.score().unwrap() < 80.0);
    }

    #[test]
    fn a_met_target_takes_nothing_and_an_impossible_one_is_none() {
        let lift = what_it_takes(&timeliness(), 79.0, 9).unwrap();
        assert_eq!(lift.moves, 0);
        assert!(what_it_takes(&timeliness(), 100.5, 9).is_none());
        assert!(what_it_takes(&Histogram::new(1, 10), 80.0, 9).is_none());
        // Reaching 100 needs every answer at 10: moving to 9 cannot, moving to 10 can.
        let all = what_it_takes(&timeliness(), 100.0, 9).unwrap();
        assert_eq!(all.to_rating, 10);
        assert_eq!(all.moves, 38);
    }

    #[test]
    fn csat_and_nps_follow_their_definitions() {
        let mut csat = Histogram::new(1, 5);
        for (r, c) in [(5, 6), (4, 2), (3, 1), (1, 1)] {
            csat.add(r, c);
        }
        assert_eq!(csat.csat_percent(), Some(80.0));
        assert_eq!(csat.mean(), Some(4.2));
        let mut nps = Histogram::new(0, 10);
        for (r, c) in [(10, 5), (9, 2), (8, 3), (7, 1), (6, 2), (0, 1)] {
            nps.add(r, c);
        }
        // 7 promoters, 3 detractors of 14: 50 % − 21.4 % = 28.6
        assert_eq!(round1(nps.nps().unwrap()), 28.6);
        assert_eq!(Histogram::new(0, 10).nps(), None);
    }

    #[test]
    fn histograms_merge_and_ignore_ratings_outside_the_scale() {
        let mut a = timeliness();
        a.add(11, 5);
        a.add(0, 5);
        assert_eq!(a.n(), 38);
        let mut b = Histogram::new(1, 10);
        b.merge(&a);
        b.merge(&a);
        assert_eq!(b.n(), 76);
        assert_eq!(b.score(), a.score());
    }

    #[test]
    fn the_overall_score_weights_dimensions_present() {
        assert_eq!(weighted_score(&[(20, Some(80.0)), (20, Some(60.0))]), Some(70.0));
        assert_eq!(weighted_score(&[(60, Some(80.0)), (40, Some(60.0))]), Some(72.0));
        assert_eq!(weighted_score(&[(50, Some(80.0)), (50, None)]), Some(80.0));
        assert_eq!(weighted_score(&[(50, None)]), None);
    }

    #[test]
    fn a_change_is_significant_only_beyond_noise() {
        let mut before = Histogram::new(1, 5);
        let mut after = Histogram::new(1, 5);
        before.add(4, 10);
        before.add(5, 10);
        after.add(4, 9);
        after.add(5, 11);
        let small = score_change(&before, &after).unwrap();
        assert!(small.delta > 0.0 && !small.significant, "{small:?}");
        let mut much_better = Histogram::new(1, 5);
        much_better.add(5, 200);
        much_better.add(4, 10);
        let mut worse = Histogram::new(1, 5);
        worse.add(2, 100);
        worse.add(3, 100);
        let big = score_change(&worse, &much_better).unwrap();
        assert!(big.significant && big.low > 0.0, "{big:?}");
        let shares = share_change(&worse, &much_better, 4, 5).unwrap();
        assert!(shares.significant && (shares.delta - 100.0).abs() < 1e-9);
        assert!(score_change(&Histogram::new(1, 5), &after).is_none());
    }

    #[test]
    fn nps_and_score_totals_changes() {
        let mut before = Histogram::new(0, 10);
        before.add(10, 50);
        before.add(3, 50);
        let mut after = Histogram::new(0, 10);
        after.add(10, 90);
        after.add(3, 10);
        let change = nps_change(&before, &after).unwrap();
        assert!((change.delta - 80.0).abs() < 1e-9);
        assert!(change.significant);
        let totals = |scores: &[f64]| ScoreTotals {
            n: scores.len() as u64,
            sum: scores.iter().sum(),
            sum_of_squares: scores.iter().map(|s| s * s).sum(),
        };
        let a = totals(&[80.0, 82.0, 78.0, 80.0]);
        let b = totals(&[81.0, 79.0, 80.0, 82.0]);
        let small = totals_change(&a, &b).unwrap();
        assert!((small.delta - 0.5).abs() < 1e-9 && !small.significant);
        assert_eq!(a.mean(), Some(80.0));
    }
}

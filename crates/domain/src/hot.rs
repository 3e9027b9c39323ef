//! Hot issues (热点问题): which topics are rising now against their usual level, so a
//! supervisor sees a defect or an outage forming while it is small.
//!
//! A ticket is *about* its category (and every category above it), its tags, its product
//! and the words of its subject and description. Each topic is counted once per ticket,
//! in the hour the ticket said it: words, product, category and tags at creation, a
//! category or tag given later in the hour it was given. The current window (the last
//! `hours`, 24 by default) is compared with the same hours of each of the last four
//! weeks, so the daily and weekly rhythm of a department does not look like a rise.
//!
//! A topic is rising when all of these hold:
//! - at least `min_tickets` tickets now (a handful is no trend);
//! - more than in any of the four earlier windows;
//! - at least `min_ratio` times its usual count (the mean of the four windows, at least
//!   one ticket, so a brand-new word needs a few tickets to count);
//! - unlikely if nothing had changed: the probability of seeing this many or more when
//!   tickets about the topic arrive at the usual rate (Poisson) is below
//!   10^-`min_surprise`. With hundreds of words tested every day, the list's 10^-3 lets
//!   a few chance rises through; alerts ask for 10^-6.

use crate::enums::text_enum;
use serde::Serialize;

text_enum!(
    /// What kind of topic a hot issue is.
    Facet {
        Category = "category",
        Tag = "tag",
        Product = "product",
        Word = "word",
    }
);

/// Earlier windows a rise is measured against (the same hours, one to four weeks ago).
pub const WEEKS: i64 = 4;
/// The longest current window a report may ask for, in hours.
pub const MAX_WINDOW_HOURS: i64 = 72;
/// Hours of topic counts worth keeping: the earliest window a report can read, and a day
/// to spare.
pub const RETENTION_HOURS: i64 = WEEKS * 7 * 24 + MAX_WINDOW_HOURS + 24;
/// Words counted per ticket at most (a pasted log file is not forty topics).
pub const MAX_WORDS_PER_TICKET: usize = 40;

/// The topics of a ticket, each once: the category and its ancestors
/// (`after_sales.repair` is also about `after_sales`), the tags, the product and the
/// words (already segmented, see `kefu_search::analysis::topic_words`).
pub fn topics_of(category: Option<&str>, tags: &[String], product: Option<&str>, words: &[String]) -> Vec<(Facet, String)> {
    let mut topics = Vec::new();
    if let Some(category) = category.map(str::trim).filter(|c| !c.is_empty()) {
        topics.extend(category_and_ancestors(category).map(|c| (Facet::Category, c.to_owned())));
    }
    topics.extend(added_tags(&[], tags).into_iter().map(|t| (Facet::Tag, t)));
    if let Some(product) = product.map(str::trim).filter(|p| !p.is_empty()) {
        topics.push((Facet::Product, product.to_owned()));
    }
    let mut words: Vec<&String> = words.iter().collect();
    words.dedup();
    topics.extend(words.into_iter().take(MAX_WORDS_PER_TICKET).map(|w| (Facet::Word, w.clone())));
    topics
}

/// `a.b.c`, then `a.b`, then `a`.
pub fn category_and_ancestors(code: &str) -> impl Iterator<Item = &str> {
    let cuts = code.match_indices('.').map(|(i, _)| i).collect::<Vec<_>>();
    std::iter::once(code).chain(cuts.into_iter().rev().map(move |i| &code[..i]))
}

/// Tags in `after` that were not in `before`, each once.
pub fn added_tags(before: &[String], after: &[String]) -> Vec<String> {
    let mut added: Vec<String> = Vec::new();
    for tag in after.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !before.iter().any(|b| b == tag) && !added.iter().any(|a| a == tag) {
            added.push(tag.to_owned());
        }
    }
    added
}

/// The hours (keys as in `analytics::hour_of`) a report compares: the current window
/// ends with the hour in progress; each earlier one is the same hours whole weeks before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// First and last hour of the current window, both included.
    pub current: (i64, i64),
    pub earlier: [(i64, i64); WEEKS as usize],
}

impl Windows {
    /// Windows of `hours` hours ending with `now_hour` (the hour in progress counts, so
    /// the current window is up to an hour shorter than the earlier ones: a rise is
    /// understated a little, never overstated).
    pub fn ending_at(now_hour: i64, hours: i64) -> Windows {
        let hours = hours.clamp(1, MAX_WINDOW_HOURS);
        let current = (now_hour - hours + 1, now_hour);
        let week = 7 * 24;
        let earlier = std::array::from_fn(|k| {
            let back = week * (k as i64 + 1);
            (current.0 - back, current.1 - back)
        });
        Windows { current, earlier }
    }
}

/// How much a topic has risen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rise {
    /// Tickets about the topic in the current window.
    pub now: u32,
    /// Tickets in each earlier window, the most recent week first.
    pub earlier: [u32; WEEKS as usize],
    /// The mean of the earlier windows.
    pub usual: f64,
    /// `now` divided by `usual` (at least 1).
    pub ratio: f64,
    /// How unlikely `now` is at the usual rate: −log10 of the Poisson probability of
    /// `now` or more (3 is one in a thousand).
    pub surprise: f64,
}

/// When a rise counts; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub min_tickets: u32,
    pub min_ratio: f64,
    pub min_surprise: f64,
}

impl Thresholds {
    /// What the hot-issues list shows.
    pub const LIST: Thresholds = Thresholds {
        min_tickets: 5,
        min_ratio: 2.0,
        min_surprise: 3.0,
    };
    /// What raises an alert to the supervisors.
    pub const ALERT: Thresholds = Thresholds {
        min_tickets: 10,
        min_ratio: 3.0,
        min_surprise: 6.0,
    };
}

/// The usual count is taken as at least this, so a topic never seen before needs several
/// tickets to stand out.
const USUAL_FLOOR: f64 = 1.0;
/// Surprise is capped here (beyond it, every number is "certainly not chance").
const MAX_SURPRISE: f64 = 99.0;

impl Rise {
    pub fn assess(now: u32, earlier: [u32; WEEKS as usize]) -> Rise {
        let usual = earlier.iter().map(|&n| f64::from(n)).sum::<f64>() / WEEKS as f64;
        let rate = usual.max(USUAL_FLOOR);
        Rise {
            now,
            earlier,
            usual,
            ratio: f64::from(now) / rate,
            surprise: surprise(now, rate),
        }
    }

    pub fn is_rising(&self, thresholds: &Thresholds) -> bool {
        self.now >= thresholds.min_tickets
            && self.earlier.iter().all(|&n| self.now > n)
            && self.ratio >= thresholds.min_ratio
            && self.surprise >= thresholds.min_surprise
    }
}

/// −log10 P(X ≥ k) for X ~ Poisson(rate); 0 when `k` is not above the rate (nothing
/// surprising about an ordinary count).
pub fn surprise(k: u32, rate: f64) -> f64 {
    if f64::from(k) <= rate || rate <= 0.0 {
        return 0.0;
    }
    // P(X ≥ k) = pmf(k) · (1 + rate/(k+1) + rate²/((k+1)(k+2)) + …); above the rate the
    // terms shrink geometrically, so the series converges in a few dozen steps.
    let k_f = f64::from(k);
    let ln_pmf = k_f * rate.ln() - rate - ln_factorial(k);
    let (mut term, mut series) = (1.0_f64, 1.0_f64);
    let mut next = k_f + 1.0;
    while term > 1e-17 * series {
        term *= rate / next;
        series += term;
        next += 1.0;
    }
    let ln_tail = ln_pmf + series.ln();
    (-ln_tail / std::f64::consts::LN_10).clamp(0.0, MAX_SURPRISE)
}

/// ln(n!): exact sums for small n, Stirling's series (error below 1e-10) above.
fn ln_factorial(n: u32) -> f64 {
    if n < 64 {
        return (2..=n).map(|i| f64::from(i).ln()).sum();
    }
    let n = f64::from(n);
    n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n) - 1.0 / (360.0 * n.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn a_ticket_is_about_its_category_path_tags_product_and_words_once_each() {
        let tags = vec!["固件".to_owned(), "urgent".to_owned(), "固件".to_owned()];
        let words = vec!["手表".to_owned(), "手表".to_owned(), "开机".to_owned()];
        let topics = topics_of(Some("after_sales.repair.no_power"), &tags, Some("S3 手表"), &words);
        let expected: Vec<(Facet, String)> = [
            (Facet::Category, "after_sales.repair.no_power"),
            (Facet::Category, "after_sales.repair"),
            (Facet::Category, "after_sales"),
            (Facet::Tag, "固件"),
            (Facet::Tag, "urgent"),
            (Facet::Product, "S3 手表"),
            (Facet::Word, "手表"),
            (Facet::Word, "开机"),
        ]
        .into_iter()
        .map(|(f, t)| (f, t.to_owned()))
        .collect();
        assert_eq!(topics, expected);
        assert!(topics_of(Some(" "), &[], Some(""), &[]).is_empty());
    }

    #[test]
    fn only_tags_a_change_adds_count() {
        let before = vec!["a".to_owned(), "b".to_owned()];
        let after = vec!["b".to_owned(), "c".to_owned(), "c".to_owned()];
        assert_eq!(added_tags(&before, &after), vec!["c".to_owned()]);
    }

    #[test]
    fn windows_are_the_same_hours_of_earlier_weeks() {
        let w = Windows::ending_at(1_000, 24);
        assert_eq!(w.current, (977, 1_000));
        assert_eq!(w.earlier[0], (977 - 168, 1_000 - 168));
        assert_eq!(w.earlier[3], (977 - 672, 1_000 - 672));
        assert_eq!(Windows::ending_at(1_000, 500).current, (1_000 - 71, 1_000), "clamped to 72 hours");
        assert!(
            RETENTION_HOURS > 1_000 - Windows::ending_at(1_000, MAX_WINDOW_HOURS).earlier[3].0,
            "kept long enough for the widest window"
        );
    }

    /// Worked by hand: P(X ≥ 3; λ = 1) = 1 − e⁻¹(1 + 1 + ½) = 0.0803014, so the surprise
    /// is −log10 0.0803014 = 1.09528. P(X ≥ 12; λ = 2) = 1 − Σ_{i<12} e⁻²2ⁱ/i! =
    /// 1.36462e-6, surprise 5.86499.
    #[test]
    fn surprise_is_the_poisson_tail_worked_out() {
        assert!(close(surprise(3, 1.0), 1.09528, 1e-4), "{}", surprise(3, 1.0));
        assert!(close(surprise(12, 2.0), 5.86499, 1e-4), "{}", surprise(12, 2.0));
        assert_eq!(surprise(2, 2.0), 0.0, "an ordinary count is no surprise");
        assert_eq!(surprise(0, 0.5), 0.0);
        // Large counts use Stirling's series and stay finite and ordered.
        let (a, b) = (surprise(300, 200.0), surprise(400, 200.0));
        assert!(a > 5.0 && b > a && b <= MAX_SURPRISE, "{a} {b}");
        assert!(close(ln_factorial(64), (2..=64).map(|i| f64::from(i).ln()).sum::<f64>(), 1e-9));
    }

    /// A department that usually sees 5, 7, 6 and 6 tickets a day about 充电 (usual 6)
    /// and now sees 30: five times the usual, P(X ≥ 30; 6) = 2.557e-12 (surprise 11.59). It is on the list
    /// and raises an alert. 9 now is more than any earlier week but only 1.5× usual: not
    /// rising. A new word seen 6 times against nothing before is rising on the list
    /// (P(X ≥ 6; 1) = 5.9e-4) but too few tickets for an alert.
    #[test]
    fn rising_needs_volume_ratio_record_and_surprise() {
        let outage = Rise::assess(30, [5, 7, 6, 6]);
        assert!(close(outage.usual, 6.0, 1e-9) && close(outage.ratio, 5.0, 1e-9));
        assert!(close(outage.surprise, 11.592, 1e-3), "{}", outage.surprise);
        assert!(outage.is_rising(&Thresholds::LIST) && outage.is_rising(&Thresholds::ALERT));

        let busy_day = Rise::assess(9, [5, 7, 6, 6]);
        assert!(!busy_day.is_rising(&Thresholds::LIST), "{busy_day:?}");

        let new_word = Rise::assess(6, [0, 0, 0, 0]);
        assert!(close(new_word.surprise, 3.23, 0.01), "{}", new_word.surprise);
        assert!(new_word.is_rising(&Thresholds::LIST) && !new_word.is_rising(&Thresholds::ALERT));

        let not_a_record = Rise::assess(12, [1, 1, 12, 1]);
        assert!(!not_a_record.is_rising(&Thresholds::LIST), "a week had as many: {not_a_record:?}");
    }
}

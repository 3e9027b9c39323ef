//! Durations as a mergeable percentile sketch (DDSketch, 1 % relative accuracy): each
//! rollup row keeps one per duration KPI, so a median or p90 over any range merges the
//! rows' sketches instead of reading every ticket.

use sketches_ddsketch::{Config, DDSketch};

/// A distribution of durations in milliseconds.
#[derive(Clone)]
pub struct Durations(DDSketch);

impl std::fmt::Debug for Durations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durations")
            .field("count", &self.count())
            .field("p50", &self.quantile(0.5))
            .finish()
    }
}

impl Default for Durations {
    fn default() -> Self {
        Self(DDSketch::new(Config::defaults()))
    }
}

impl Durations {
    /// Adds one duration; negative ones (clock skew) count as zero.
    pub fn add_millis(&mut self, ms: i64) {
        self.0.add(ms.max(0) as f64);
    }

    pub fn count(&self) -> u64 {
        self.0.count() as u64
    }

    /// The duration at quantile `q` (0..=1) in milliseconds; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        self.0.quantile(q).ok().flatten().map(|v| v.round() as i64)
    }

    /// Adds every duration of `other`. Both use the same configuration, so this cannot
    /// fail; a sketch decoded with another configuration is left out rather than mixed.
    pub fn merge(&mut self, other: &Durations) {
        let _ = self.0.merge(&other.0);
    }

    /// The compact binary form stored in the rollups.
    pub fn encode(&self) -> Vec<u8> {
        self.0.to_java_bytes()
    }

    /// A stored sketch; `None` when the bytes are not one (they are then ignored).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        DDSketch::from_java_bytes(bytes).ok().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_sketches_answer_like_one_sketch_of_everything() {
        let mut all = Durations::default();
        let mut left = Durations::default();
        let mut right = Durations::default();
        for i in 0..1000i64 {
            let ms = (i * 7919) % 100_000;
            all.add_millis(ms);
            if i % 3 == 0 { left.add_millis(ms) } else { right.add_millis(ms) }
        }
        let left = Durations::decode(&left.encode()).unwrap();
        let mut merged = Durations::decode(&right.encode()).unwrap();
        merged.merge(&left);
        assert_eq!(merged.count(), 1000);
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
            assert_eq!(merged.quantile(q), all.quantile(q), "q={q}");
        }
        // Within the sketch's 1 % relative accuracy of the exact median (49 950 ms).
        let median = all.quantile(0.5).unwrap();
        assert!((median - 49_950).abs() <= 1_000, "{median}");
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(Durations::default().quantile(0.5), None);
        assert!(Durations::decode(b"not a sketch").is_none());
    }
}

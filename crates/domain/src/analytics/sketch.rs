//! Durations as a mergeable percentile sketch (DDSketch, 1 % relative accuracy): each
//! rollup row keeps one per duration KPI, so a median or p90 over any range merges the
//! rows' sketches instead of reading every ticket.

use sketches_ddsketch::{Config, DDSketch};
use std::sync::LazyLock;

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

/// Stored sketches added up straight from their bytes. A report merges thousands of rows;
/// decoding each into a sketch of its own (growing and re-centring its bins as they
/// arrive) cost more than everything else the report does. This reads the part of
/// DDSketch's binary form that [`Durations::encode`] writes (summary, log mapping, zero
/// count, positive bins) into one array of counts, and [`DurationsSum::finish`] turns the
/// sum back into a sketch, the same as merging the decoded sketches one by one. Bytes it
/// does not expect are decoded and merged the ordinary way.
#[derive(Clone)]
pub struct DurationsSum {
    count: f64,
    min: f64,
    max: f64,
    sum: f64,
    zero_count: f64,
    /// Counts per bin key, from `first_key`.
    first_key: i32,
    bins: Vec<u64>,
    /// The bins of the sketch being read (kept to reuse its allocation).
    reading: Vec<(i32, u64)>,
    /// Sketches taken the ordinary way.
    others: Option<Durations>,
}

impl Default for DurationsSum {
    fn default() -> Self {
        Self {
            count: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            zero_count: 0.0,
            first_key: 0,
            bins: Vec::new(),
            reading: Vec::new(),
            others: None,
        }
    }
}

/// The widest range of bin keys summed in one array: a DDSketch keeps at most 2,048 bins
/// (1 % accuracy covers 1 ms to centuries in ~2,300 keys); a sketch beyond it is merged the
/// ordinary way rather than growing the array without bound.
const MAX_KEYS: i64 = 1 << 14;

/// The log mapping's gamma of [`Durations`] (bits): a stored sketch with another one is
/// merged the ordinary way, which leaves it out.
static GAMMA: LazyLock<u64> = LazyLock::new(|| Config::defaults().gamma.to_bits());

/// The flag bytes of the binary form this reads (sketches-java's `Flag`).
mod flag {
    pub const INDEX_MAPPING_LOG: u8 = 0x02;
    pub const ZERO_COUNT: u8 = 0x04;
    pub const POSITIVE_BINS: u8 = 0x05;
    pub const COUNT: u8 = 0xA0;
    pub const SUM: u8 = 0x84;
    pub const MIN: u8 = 0x88;
    pub const MAX: u8 = 0x8C;
}

/// One stored sketch as read, but for its bins.
struct Header {
    gamma: Option<u64>,
    count: f64,
    min: f64,
    max: f64,
    sum: f64,
    zero_count: f64,
}

impl DurationsSum {
    /// Adds a stored sketch.
    pub fn add_encoded(&mut self, bytes: &[u8]) {
        let mut bins = std::mem::take(&mut self.reading);
        bins.clear();
        match read(bytes, &mut bins) {
            Some(header) if header.gamma == Some(*GAMMA) && self.add_bins(&bins) => {
                self.count += header.count;
                self.min = self.min.min(header.min);
                self.max = self.max.max(header.max);
                self.sum += header.sum;
                self.zero_count += header.zero_count;
            }
            _ => {
                if let Some(sketch) = Durations::decode(bytes) {
                    self.others.get_or_insert_with(Durations::default).merge(&sketch);
                }
            }
        }
        self.reading = bins;
    }

    /// Adds bins to the counts, growing the array once to cover them; `false` (nothing
    /// added) when that would make it larger than any real sketch's range of keys.
    fn add_bins(&mut self, bins: &[(i32, u64)]) -> bool {
        let Some((low, high)) = bins.iter().fold(None, |range, &(key, _)| match range {
            None => Some((key, key)),
            Some((low, high)) => Some((key.min(low), key.max(high))),
        }) else {
            return true;
        };
        let (first, last) = if self.bins.is_empty() {
            (i64::from(low), i64::from(high))
        } else {
            let first = i64::from(self.first_key);
            (first.min(i64::from(low)), (first + self.bins.len() as i64 - 1).max(i64::from(high)))
        };
        if last - first + 1 > MAX_KEYS {
            return false;
        }
        if self.bins.is_empty() {
            self.first_key = low;
        } else if low < self.first_key {
            self.bins.splice(0..0, std::iter::repeat_n(0, (self.first_key - low) as usize));
            self.first_key = low;
        }
        let end = (high - self.first_key) as usize + 1;
        if end > self.bins.len() {
            self.bins.resize(end, 0);
        }
        for &(key, count) in bins {
            self.bins[(key - self.first_key) as usize] += count;
        }
        true
    }

    /// The sum as a sketch; `None` when nothing was added.
    pub fn finish(self) -> Option<Durations> {
        let summed = (self.count > 0.0).then(|| {
            let mut out = Vec::with_capacity(64 + self.bins.len() * 3);
            out.push(flag::COUNT);
            write_var_double(&mut out, self.count);
            out.push(flag::MIN);
            out.extend_from_slice(&self.min.to_le_bytes());
            out.push(flag::MAX);
            out.extend_from_slice(&self.max.to_le_bytes());
            if self.sum != 0.0 {
                out.push(flag::SUM);
                out.extend_from_slice(&self.sum.to_le_bytes());
            }
            out.push(flag::INDEX_MAPPING_LOG);
            out.extend_from_slice(&GAMMA.to_le_bytes());
            out.extend_from_slice(&0f64.to_le_bytes());
            if self.zero_count != 0.0 {
                out.push(flag::ZERO_COUNT);
                write_var_double(&mut out, self.zero_count);
            }
            let filled = self.bins.iter().filter(|n| **n > 0).count();
            if filled > 0 {
                out.push(flag::POSITIVE_BINS);
                write_var_long(&mut out, filled as u64);
                let mut previous = 0i64;
                for (i, &n) in self.bins.iter().enumerate().filter(|(_, n)| **n > 0) {
                    let key = i64::from(self.first_key) + i as i64;
                    write_var_long(&mut out, zigzag(key - previous));
                    write_var_double(&mut out, n as f64);
                    previous = key;
                }
            }
            Durations::decode(&out)
        });
        let summed = summed.flatten();
        match (summed, self.others) {
            (Some(mut summed), Some(others)) => {
                summed.merge(&others);
                Some(summed)
            }
            (summed, others) => summed.or(others),
        }
    }
}

/// Reads the header and the positive bins of one sketch; `None` for anything else (a
/// negative store, another bin layout, another flag, truncated bytes).
fn read(mut input: &[u8], bins: &mut Vec<(i32, u64)>) -> Option<Header> {
    let mut header = Header {
        gamma: None,
        count: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        sum: 0.0,
        zero_count: 0.0,
    };
    while let Some((&byte, rest)) = input.split_first() {
        input = rest;
        match byte {
            flag::COUNT => header.count = read_var_double(&mut input)?,
            flag::MIN => header.min = read_f64(&mut input)?,
            flag::MAX => header.max = read_f64(&mut input)?,
            flag::SUM => header.sum = read_f64(&mut input)?,
            flag::INDEX_MAPPING_LOG => {
                header.gamma = Some(read_f64(&mut input)?.to_bits());
                // The index offset: always 0 in what `encode` writes.
                if read_f64(&mut input)? != 0.0 {
                    return None;
                }
            }
            flag::ZERO_COUNT => header.zero_count += read_var_double(&mut input)?,
            flag::POSITIVE_BINS => {
                let n = read_var_long(&mut input)?;
                let mut key = 0i64;
                for _ in 0..n {
                    key += unzigzag(read_var_long(&mut input)?);
                    let count = read_var_double(&mut input)?;
                    bins.push((i32::try_from(key).ok()?, count as u64));
                }
            }
            _ => return None,
        }
    }
    Some(header)
}

// The variable-length numbers of sketches-java's `VarEncodingHelper`.

fn read_var_long(input: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let (&next, rest) = input.split_first()?;
        *input = rest;
        if next < 0x80 || shift == 56 {
            return Some(value | (u64::from(next) << shift));
        }
        value |= u64::from(next & 0x7F) << shift;
        shift += 7;
    }
}

fn write_var_long(out: &mut Vec<u8>, mut value: u64) {
    for _ in 0..8 {
        if value < 0x80 {
            break;
        }
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value >> 63) ^ (value << 1)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// A double as its bits after adding 1, rotated so small integers take a byte or two.
fn read_var_double(input: &mut &[u8]) -> Option<f64> {
    let mut bits = 0u64;
    let mut shift = 57i32;
    loop {
        let (&next, rest) = input.split_first()?;
        *input = rest;
        if shift == 1 {
            bits |= u64::from(next);
            break;
        }
        if next < 0x80 {
            bits |= u64::from(next) << shift;
            break;
        }
        bits |= u64::from(next & 0x7F) << shift;
        shift -= 7;
    }
    Some(f64::from_bits(bits.rotate_right(6).wrapping_add(1f64.to_bits())) - 1.0)
}

fn write_var_double(out: &mut Vec<u8>, value: f64) {
    let mut bits = (value + 1.0).to_bits().wrapping_sub(1f64.to_bits()).rotate_left(6);
    for _ in 0..8 {
        let next = (bits >> 57) as u8;
        bits <<= 7;
        if bits == 0 {
            out.push(next);
            return;
        }
        out.push(next | 0x80);
    }
    out.push((bits >> 56) as u8);
}

fn read_f64(input: &mut &[u8]) -> Option<f64> {
    let (bytes, rest) = input.split_first_chunk::<8>()?;
    *input = rest;
    Some(f64::from_le_bytes(*bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Random sketches: durations over a wide range (zero included), some sketches empty.
    fn sketches() -> impl Strategy<Value = Vec<Vec<i64>>> {
        let duration = prop_oneof![Just(0i64), 0..2_000i64, 0..100_000i64, 0..5_000_000_000i64];
        prop::collection::vec(prop::collection::vec(duration, 0..40), 0..12)
    }

    proptest! {
        #[test]
        fn summing_stored_sketches_equals_merging_them(samples in sketches()) {
            let mut merged: Option<Durations> = None;
            let mut summed = DurationsSum::default();
            for values in &samples {
                let mut sketch = Durations::default();
                for &ms in values {
                    sketch.add_millis(ms);
                }
                let bytes = sketch.encode();
                let decoded = Durations::decode(&bytes).unwrap();
                merged.get_or_insert_with(Durations::default).merge(&decoded);
                summed.add_encoded(&bytes);
            }
            let merged = merged.filter(|m| m.count() > 0);
            let summed = summed.finish();
            prop_assert_eq!(merged.as_ref().map(Durations::encode), summed.as_ref().map(Durations::encode));
            if let (Some(merged), Some(summed)) = (merged, summed) {
                prop_assert_eq!(merged.count(), summed.count());
                for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
                    prop_assert_eq!(merged.quantile(q), summed.quantile(q), "q={}", q);
                }
            }
        }
    }

    #[test]
    fn bytes_it_does_not_expect_are_merged_the_ordinary_way() {
        let mut sketch = Durations::default();
        sketch.add_millis(1_500);
        // The same sketch behind sketches-java's optional version byte: not what `encode`
        // writes, still a sketch.
        let mut versioned = vec![0x02];
        versioned.extend(sketch.encode());
        let mut summed = DurationsSum::default();
        summed.add_encoded(&sketch.encode());
        summed.add_encoded(&versioned);
        summed.add_encoded(b"not a sketch");
        let summed = summed.finish().unwrap();
        assert_eq!(summed.count(), 2);
        assert!(DurationsSum::default().finish().is_none());
    }

    #[test]
    fn bins_too_far_apart_are_merged_the_ordinary_way() {
        // Two bins 100,000 keys apart: more than any real sketch spans.
        let mut bytes = vec![flag::COUNT];
        write_var_double(&mut bytes, 2.0);
        bytes.push(flag::INDEX_MAPPING_LOG);
        bytes.extend_from_slice(&GAMMA.to_le_bytes());
        bytes.extend_from_slice(&0f64.to_le_bytes());
        bytes.push(flag::POSITIVE_BINS);
        write_var_long(&mut bytes, 2);
        for delta in [0, 100_000] {
            write_var_long(&mut bytes, zigzag(delta));
            write_var_double(&mut bytes, 1.0);
        }
        let mut summed = DurationsSum::default();
        summed.add_encoded(&bytes);
        assert!(summed.bins.is_empty(), "not summed into one array");
        assert_eq!(summed.finish().map(|s| s.count()), Some(2));
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(Durations::default().quantile(0.5), None);
        assert!(Durations::decode(b"not a sketch").is_none());
    }
}

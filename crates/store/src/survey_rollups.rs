//! Rollups of survey answers by the hour, the UTC day and the 32-day block, so a report
//! over months reads a few thousand rows instead of every answer. Ratings are rolled up
//! as whole histograms, one row per dimension (21 counts a row), so a report grouped by
//! agent reads a row where it would otherwise read one per rating value. Each answer adds
//! to its hour, day and block, once for all answers (slice `''`) and once per slice
//! (team, agent, ...) with its value ('' when it had none), in the transaction that
//! stores it. A report's whole blocks, days and hours come from here; only the minutes at
//! its edges are counted from the answers themselves (see [`PeriodSplit`]).

use crate::Tx;
use crate::backend::{exec, exec_built};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::survey::{Answer, AnswerFacts, Slice};
use sea_query::{Alias, Expr, OnConflict, Query};
use std::collections::BTreeMap;

const HOUR_MS: i64 = 3_600_000;
/// Hours in a day, the span of a day row.
pub(crate) const DAY_HOURS: i64 = 24;
/// Hours in a block of 32 days, the coarser rollup that keeps long periods cheap.
pub(crate) const BLOCK_HOURS: i64 = 32 * DAY_HOURS;
/// The spans rows are kept for, in hours: an hour, a day and a block of days. Hour rows
/// let a period that starts or ends inside a day (every "up to now") count only its edge
/// minutes from the answers instead of up to a day of them.
const SPANS: [i64; 3] = [1, DAY_HOURS, BLOCK_HOURS];
/// Ratings per histogram row: a row of bucket `b` counts ratings `b*21 ..= b*21 + 20`
/// (a design's scale spans at most 20 steps, so most designs fill bucket 0 alone).
pub(crate) const BUCKET_WIDTH: i64 = 21;
/// The count columns of a histogram row, `c0` for the bucket's first rating.
pub(crate) const COUNT_COLUMNS: [&str; BUCKET_WIDTH as usize] = [
    "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19", "c20",
];

/// The slice values of an answer's facts: `('', '')` for all answers, then every slice
/// with its value ('' for none).
fn slice_values(facts: &AnswerFacts) -> Vec<(&'static str, String)> {
    std::iter::once(("", String::new()))
        .chain(Slice::ALL.iter().map(|&slice| (slice.as_str(), facts.value_of(slice))))
        .collect()
}

/// The columns every rollup row starts with (its key without the table's own part).
const KEY: [&str; 5] = ["design_key", "slice", "slice_value", "span", "start_hour"];

/// Adds `rows` (values for [`KEY`], then `own_key`, then `amounts`) to a rollup table:
/// new keys are inserted, existing ones have the amounts added.
async fn add_rows(tx: &mut Tx, table: &str, own_key: &[&str], amounts: &[&str], rows: Vec<Vec<Expr>>) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let key: Vec<&str> = KEY.iter().chain(own_key).copied().collect();
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table))
        .columns(key.iter().chain(amounts).map(|c| Alias::new(*c)));
    for row in rows {
        insert.values_panic(row);
    }
    let mut on_conflict = OnConflict::columns(key.iter().map(|c| Alias::new(*c)).collect::<Vec<_>>());
    for amount in amounts {
        on_conflict.value(Alias::new(*amount), Expr::cust(format!("{table}.{amount} + excluded.{amount}")));
    }
    insert.on_conflict(on_conflict);
    exec_built!(tx.exec(), insert, |e, sql, values| sqlx::query_with(sql, values)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds one stored answer to the rollups.
pub(crate) async fn add_answer(tx: &mut Tx, design_key: &str, facts: &AnswerFacts, answer: &Answer, at: Timestamp) -> StoreResult<()> {
    let hour = ms(at).div_euclid(HOUR_MS);
    // Every slice value, once per span with the first hour of that span.
    let keys: Vec<Vec<Expr>> = slice_values(facts)
        .into_iter()
        .flat_map(|(slice, value)| {
            SPANS.map(|span| {
                vec![
                    design_key.into(),
                    slice.into(),
                    value.clone().into(),
                    span.into(),
                    (hour - hour.rem_euclid(span)).into(),
                ]
            })
        })
        .collect();
    let with = |key: &Vec<Expr>, rest: Vec<Expr>| key.iter().cloned().chain(rest).collect::<Vec<Expr>>();

    let score = answer.score;
    let answers = keys
        .iter()
        .map(|key| {
            with(
                key,
                vec![
                    1i64.into(),
                    i64::from(score.is_some()).into(),
                    score.unwrap_or(0.0).into(),
                    score.map_or(0.0, |s| s * s).into(),
                ],
            )
        })
        .collect();
    add_rows(
        tx,
        "survey_answer_rollups",
        &[],
        &["answers", "scored", "score_sum", "score_squares"],
        answers,
    )
    .await?;

    // One histogram row per dimension (and bucket): questions of one dimension count
    // together, as one statement may not update a row twice.
    let mut histograms: BTreeMap<(&str, i64), [i64; BUCKET_WIDTH as usize]> = BTreeMap::new();
    for rating in &answer.ratings {
        let value = i64::from(rating.value);
        let (bucket, at) = (value.div_euclid(BUCKET_WIDTH), value.rem_euclid(BUCKET_WIDTH));
        histograms.entry((rating.dimension.as_str(), bucket)).or_default()[at as usize] += 1;
    }
    let mut ratings = Vec::new();
    let mut reasons = Vec::new();
    for key in &keys {
        for ((dimension, bucket), counts) in &histograms {
            let row = [(*dimension).into(), (*bucket).into()]
                .into_iter()
                .chain(counts.iter().map(|&count| count.into()))
                .collect();
            ratings.push(with(key, row));
        }
        for (dimension, reason) in &answer.reasons {
            reasons.push(with(key, vec![dimension.clone().into(), reason.clone().into(), 1i64.into()]));
        }
    }
    add_rows(tx, "survey_histogram_rollups", &["dimension", "bucket"], &COUNT_COLUMNS, ratings).await?;
    add_rows(tx, "survey_reason_rollups", &["dimension", "reason"], &["count"], reasons).await
}

/// Recomputes every rollup from the answers (after a bulk load wrote answers directly).
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    for table in ["survey_answer_rollups", "survey_histogram_rollups", "survey_reason_rollups"] {
        let sql = format!("DELETE FROM {table}");
        exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(e).await.map(|r| r.rows_affected()))?;
    }
    // Floor division on both backends (a negative instant stays in its hour).
    let hour = format!("((a.submitted_at - ((a.submitted_at % {HOUR_MS}) + {HOUR_MS}) % {HOUR_MS}) / {HOUR_MS})");
    let mut slices: Vec<(&str, String)> = vec![("", "''".to_owned())];
    for slice in Slice::ALL {
        let column = crate::surveys::slice_column(*slice);
        slices.push((slice.as_str(), format!("COALESCE(CAST(a.{column} AS TEXT), '')")));
    }
    let mut keys: Vec<(i64, &str, String)> = Vec::new();
    for span in SPANS {
        for (slice, value) in &slices {
            keys.push((span, slice, value.clone()));
        }
    }
    let bucket_counts = (0..BUCKET_WIDTH)
        .map(|i| format!("SUM(CASE WHEN r.rating % {BUCKET_WIDTH} = {i} THEN 1 ELSE 0 END)"))
        .collect::<Vec<_>>()
        .join(", ");
    let count_columns = COUNT_COLUMNS.join(", ");
    for (span, slice, value) in keys {
        let start = format!("({hour} - ((({hour} % {span}) + {span}) % {span}))");
        // PostgreSQL refuses a constant in GROUP BY: the all-answers slice groups without it.
        let by = if slice.is_empty() {
            start.clone()
        } else {
            format!("{value}, {start}")
        };
        let statements = [
            format!(
                "INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares) \
                 SELECT a.design_key, '{slice}', {value}, {span}, {start}, COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0) \
                 FROM survey_answers a GROUP BY a.design_key, {by}"
            ),
            format!(
                "INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, {count_columns}) \
                 SELECT a.design_key, '{slice}', {value}, {span}, {start}, r.dimension, r.rating / {BUCKET_WIDTH}, {bucket_counts} \
                 FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id \
                 GROUP BY a.design_key, {by}, r.dimension, r.rating / {BUCKET_WIDTH}"
            ),
            format!(
                "INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count) \
                 SELECT a.design_key, '{slice}', {value}, {span}, {start}, r.dimension, r.reason, COUNT(*) \
                 FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id GROUP BY a.design_key, {by}, r.dimension, r.reason"
            ),
        ];
        for sql in statements {
            exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(e).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

/// A period `[from, to)` cut into the whole blocks, days and hours inside it (read from
/// the rollups) and the minutes at its edges (counted from the answers). Each range of
/// rollup starts (in hours) nests inside the one before: the blocks inside the days,
/// the days inside the hours. A range that holds nothing is empty (`first == end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeriodSplit {
    /// The whole hours, `[first, end)` in hour numbers.
    pub hours: (i64, i64),
    /// The whole days inside `hours`, in hour numbers (multiples of [`DAY_HOURS`]).
    pub days: (i64, i64),
    /// The whole blocks inside `days`, in hour numbers (multiples of [`BLOCK_HOURS`]).
    pub blocks: (i64, i64),
    /// Instant ranges `[from, to)` counted from the answers.
    pub head: Option<(i64, i64)>,
    pub tail: Option<(i64, i64)>,
}

/// The multiples of `span` that start a whole span inside `[first, end)`; empty (at
/// `end`) when none does.
fn whole_spans((first, end): (i64, i64), span: i64) -> (i64, i64) {
    let start = first + (span - first.rem_euclid(span)) % span;
    let stop = end - end.rem_euclid(span);
    if start < stop { (start, stop) } else { (end, end) }
}

impl PeriodSplit {
    pub(crate) fn of(from_ms: i64, to_ms: i64) -> PeriodSplit {
        let (first, end) = whole_spans((from_ms, to_ms.max(from_ms)), HOUR_MS);
        if first >= end {
            return PeriodSplit {
                hours: (0, 0),
                days: (0, 0),
                blocks: (0, 0),
                head: (from_ms < to_ms).then_some((from_ms, to_ms)),
                tail: None,
            };
        }
        let hours = (first / HOUR_MS, end / HOUR_MS);
        let days = whole_spans(hours, DAY_HOURS);
        PeriodSplit {
            hours,
            days,
            blocks: whole_spans(days, BLOCK_HOURS),
            head: (from_ms < first).then_some((from_ms, first)),
            tail: (end < to_ms).then_some((end, to_ms)),
        }
    }

    /// Whether the rollups hold any of the period.
    pub(crate) fn has_rollups(&self) -> bool {
        self.hours.0 < self.hours.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;
    const D: i64 = 24 * HOUR_MS;

    #[test]
    fn a_period_splits_into_whole_blocks_days_hours_and_edges() {
        // 10 days + 5 ms to 20 days + 3 hours + 7 ms: whole hours from 01:00 of day 10
        // (hour 241) to 03:00 of day 20 (hour 483), days 11..20 whole.
        assert_eq!(
            PeriodSplit::of(10 * D + 5, 20 * D + 3 * H + 7),
            PeriodSplit {
                hours: (241, 483),
                days: (264, 480),
                blocks: (480, 480),
                head: Some((10 * D + 5, 10 * D + H)),
                tail: Some((20 * D + 3 * H, 20 * D + 3 * H + 7))
            }
        );
        assert_eq!(
            PeriodSplit::of(10 * D, 20 * D),
            PeriodSplit {
                hours: (240, 480),
                days: (240, 480),
                blocks: (480, 480),
                head: None,
                tail: None
            }
        );
        // Less than a day: hours only.
        assert_eq!(
            PeriodSplit::of(10 * D + 5, 10 * D + 5 * H),
            PeriodSplit {
                hours: (241, 245),
                days: (245, 245),
                blocks: (245, 245),
                head: Some((10 * D + 5, 10 * D + H)),
                tail: None
            }
        );
        // Less than a whole hour: the answers alone.
        assert_eq!(
            PeriodSplit::of(10 * D + 5, 10 * D + H + 5),
            PeriodSplit {
                hours: (0, 0),
                days: (0, 0),
                blocks: (0, 0),
                head: Some((10 * D + 5, 10 * D + H + 5)),
                tail: None
            }
        );
        // Before 1970: floor division keeps each instant in its own hour.
        assert_eq!(
            PeriodSplit::of(-D - 5, D),
            PeriodSplit {
                hours: (-24, 24),
                days: (-24, 24),
                blocks: (24, 24),
                head: Some((-D - 5, -D)),
                tail: None
            }
        );
        assert_eq!(
            PeriodSplit::of(5, 5),
            PeriodSplit {
                hours: (0, 0),
                days: (0, 0),
                blocks: (0, 0),
                head: None,
                tail: None
            }
        );
        assert!(!PeriodSplit::of(5, 5).has_rollups());
        // Two whole blocks inside: days 30..31 and 96..100 are read day by day.
        assert_eq!(PeriodSplit::of(30 * D, 100 * D).blocks, (32 * 24, 96 * 24));
        assert_eq!(PeriodSplit::of(30 * D, 60 * D).blocks, (60 * 24, 60 * 24));
    }
}

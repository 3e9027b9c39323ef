//! Daily rollups of survey answers, so a report over months reads a few thousand rows
//! instead of every answer. Ratings are rolled up as whole histograms, one row per
//! dimension (21 counts a row), so a report grouped by agent reads a row where it would
//! otherwise read one per rating value. Each answer adds to its UTC day, once for all answers (slice
//! `''`) and once per slice (team, agent, ...) with its value ('' when it had none), in
//! the transaction that stores it. A report's whole days come from here; the partial
//! days at its edges are counted from the answers themselves (see [`DaySplit`]).

use crate::Tx;
use crate::backend::{exec, exec_built};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::survey::{Answer, AnswerFacts, Slice};
use sea_query::{Alias, Expr, OnConflict, Query};
use std::collections::BTreeMap;

pub(crate) const DAY_MS: i64 = 86_400_000;
/// Days in a block, the coarser rollup that keeps long periods cheap.
pub(crate) const BLOCK_DAYS: i64 = 32;
/// The spans rows are kept for: a day and a block of days.
const SPANS: [i64; 2] = [1, BLOCK_DAYS];
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
const KEY: [&str; 5] = ["design_key", "slice", "slice_value", "span", "day"];

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
    let day = ms(at).div_euclid(DAY_MS);
    // Every slice value, once per span with the first day of that span.
    let keys: Vec<Vec<Expr>> = slice_values(facts)
        .into_iter()
        .flat_map(|(slice, value)| {
            SPANS.map(|span| {
                vec![
                    design_key.into(),
                    slice.into(),
                    value.clone().into(),
                    span.into(),
                    (day - day.rem_euclid(span)).into(),
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
        "survey_answer_days",
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
    add_rows(tx, "survey_histogram_days", &["dimension", "bucket"], &COUNT_COLUMNS, ratings).await?;
    add_rows(tx, "survey_reason_days", &["dimension", "reason"], &["count"], reasons).await
}

/// Recomputes every rollup from the answers (after a bulk load wrote answers directly).
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    for table in ["survey_answer_days", "survey_histogram_days", "survey_reason_days"] {
        let sql = format!("DELETE FROM {table}");
        exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(e).await.map(|r| r.rows_affected()))?;
    }
    // Floor division on both backends (a negative instant stays in its day).
    let day = format!("((a.submitted_at - ((a.submitted_at % {DAY_MS}) + {DAY_MS}) % {DAY_MS}) / {DAY_MS})");
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
        let start = format!("({day} - ((({day} % {span}) + {span}) % {span}))");
        // PostgreSQL refuses a constant in GROUP BY: the all-answers slice groups without it.
        let by = if slice.is_empty() {
            start.clone()
        } else {
            format!("{value}, {start}")
        };
        let statements = [
            format!(
                "INSERT INTO survey_answer_days (design_key, slice, slice_value, span, day, answers, scored, score_sum, score_squares) \
                 SELECT a.design_key, '{slice}', {value}, {span}, {start}, COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0) \
                 FROM survey_answers a GROUP BY a.design_key, {by}"
            ),
            format!(
                "INSERT INTO survey_histogram_days (design_key, slice, slice_value, span, day, dimension, bucket, {count_columns}) \
                 SELECT a.design_key, '{slice}', {value}, {span}, {start}, r.dimension, r.rating / {BUCKET_WIDTH}, {bucket_counts} \
                 FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id \
                 GROUP BY a.design_key, {by}, r.dimension, r.rating / {BUCKET_WIDTH}"
            ),
            format!(
                "INSERT INTO survey_reason_days (design_key, slice, slice_value, span, day, dimension, reason, count) \
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

/// A period `[from, to)` cut into the whole UTC days inside it (read from the rollups)
/// and the partial days at its edges (counted from the answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DaySplit {
    /// `[first, end)` in day numbers; `None` when no whole day fits.
    pub days: Option<(i64, i64)>,
    /// The whole blocks inside `days`, `[first, end)` in day numbers (multiples of
    /// [`BLOCK_DAYS`]); empty (`first == end`) when none fits. The days of `days` outside
    /// it are read day by day.
    pub blocks: (i64, i64),
    /// Instant ranges `[from, to)` counted from the answers.
    pub head: Option<(i64, i64)>,
    pub tail: Option<(i64, i64)>,
}

impl DaySplit {
    pub(crate) fn of(from_ms: i64, to_ms: i64) -> DaySplit {
        let first = from_ms.div_euclid(DAY_MS) + i64::from(from_ms.rem_euclid(DAY_MS) != 0);
        let end = to_ms.div_euclid(DAY_MS);
        if first >= end {
            return DaySplit {
                days: None,
                blocks: (0, 0),
                head: (from_ms < to_ms).then_some((from_ms, to_ms)),
                tail: None,
            };
        }
        let block_first = first + (BLOCK_DAYS - first.rem_euclid(BLOCK_DAYS)) % BLOCK_DAYS;
        let block_end = end - end.rem_euclid(BLOCK_DAYS);
        DaySplit {
            days: Some((first, end)),
            blocks: if block_first < block_end {
                (block_first, block_end)
            } else {
                (end, end)
            },
            head: (from_ms < first * DAY_MS).then_some((from_ms, first * DAY_MS)),
            tail: (end * DAY_MS < to_ms).then_some((end * DAY_MS, to_ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_splits_into_whole_days_and_edges() {
        let d = DAY_MS;
        assert_eq!(
            DaySplit::of(10 * d + 5, 20 * d + 7),
            DaySplit {
                days: Some((11, 20)),
                blocks: (20, 20),
                head: Some((10 * d + 5, 11 * d)),
                tail: Some((20 * d, 20 * d + 7))
            }
        );
        assert_eq!(
            DaySplit::of(10 * d, 20 * d),
            DaySplit {
                days: Some((10, 20)),
                blocks: (20, 20),
                head: None,
                tail: None
            }
        );
        assert_eq!(
            DaySplit::of(10 * d + 5, 11 * d + 5),
            DaySplit {
                days: None,
                blocks: (0, 0),
                head: Some((10 * d + 5, 11 * d + 5)),
                tail: None
            }
        );
        assert_eq!(
            DaySplit::of(-d - 5, d),
            DaySplit {
                days: Some((-1, 1)),
                blocks: (1, 1),
                head: Some((-d - 5, -d)),
                tail: None
            }
        );
        assert_eq!(
            DaySplit::of(5, 5),
            DaySplit {
                days: None,
                blocks: (0, 0),
                head: None,
                tail: None
            }
        );
        // Two whole blocks inside: days 30..31 and 96..100 are read day by day.
        assert_eq!(DaySplit::of(30 * d, 100 * d).blocks, (32, 96));
        assert_eq!(DaySplit::of(30 * d, 60 * d).blocks, (60, 60));
    }
}

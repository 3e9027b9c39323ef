//! Rollups of survey answers by the hour, the UTC day and the 32-day block, so a report
//! over months reads a few thousand rows instead of every answer. Ratings are rolled up
//! as whole histograms, one row per dimension (21 counts a row), so a report grouped by
//! agent reads a row where it would otherwise read one per rating value. Each answer adds
//! to its hour, day and block, once for all answers (slice `''`) and once per slice
//! (team, agent, ...) with its value ('' when it had none), in the transaction that
//! stores it; and to its day and block once per pair of slices (see [`pair_name`]), for
//! reports filtered by two slices or by one and grouped by another. A report's whole
//! blocks, days and hours come from here; only the minutes at its edges (a pair's partial
//! days) are counted from the answers themselves (see [`PeriodSplit`]).

use crate::backend::{Exec, exec, exec_built};
use crate::convert::ms;
use crate::error::StoreResult;
use crate::{Db, Tx};
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
/// The spans pair rows are kept for: days and blocks. Hour rows of 28 pairs would be most
/// of the database; a pair report counts its partial first and last days from the
/// answers instead (two days of answers, read through the period index).
const PAIR_SPANS: [i64; 2] = [DAY_HOURS, BLOCK_HOURS];
/// Ratings per histogram row: a row of bucket `b` counts ratings `b*21 ..= b*21 + 20`
/// (a design's scale spans at most 20 steps, so most designs fill bucket 0 alone).
pub(crate) const BUCKET_WIDTH: i64 = 21;
/// The count columns of a histogram row, `c0` for the bucket's first rating.
pub(crate) const COUNT_COLUMNS: [&str; BUCKET_WIDTH as usize] = [
    "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19", "c20",
];
/// The rollup tables, and after each its key columns past [`KEY`] and its amounts.
const TABLES: [(&str, &[&str], &[&str]); 3] = [
    ("survey_answer_rollups", &[], &["answers", "scored", "score_sum", "score_squares"]),
    ("survey_histogram_rollups", &["dimension", "bucket"], &COUNT_COLUMNS),
    ("survey_reason_rollups", &["dimension", "reason"], &["count"]),
];

/// Every pair of slices, each once, in [`Slice::ALL`] order (team before agent ...).
pub(crate) fn slice_pairs() -> impl Iterator<Item = (Slice, Slice)> {
    Slice::ALL
        .iter()
        .enumerate()
        .flat_map(|(i, &first)| Slice::ALL[i + 1..].iter().map(move |&second| (first, second)))
}

/// Two different slices in the order their pair's rows keep them.
pub(crate) fn ordered_pair(x: Slice, y: Slice) -> (Slice, Slice) {
    let at = |slice: Slice| Slice::ALL.iter().position(|&s| s == slice);
    if at(x) <= at(y) { (x, y) } else { (y, x) }
}

/// The rollup slice of a pair of slices (in [`ordered_pair`] order): `team+channel`.
pub(crate) fn pair_name((first, second): (Slice, Slice)) -> String {
    format!("{}+{}", first.as_str(), second.as_str())
}

/// A pair row's value: the first value's length in characters, `:`, then both values
/// (`2:12web` for team 12 and `web`). The length keeps it unambiguous whatever the values
/// hold; [`pair_value_sql`] writes the same.
pub(crate) fn pair_value(first: &str, second: &str) -> String {
    format!("{}:{first}{second}", first.chars().count())
}

/// The two values of a [`pair_value`]; `None` for any other text.
pub(crate) fn split_pair_value(value: &str) -> Option<(&str, &str)> {
    let (length, rest) = value.split_once(':')?;
    let length: usize = length.parse().ok()?;
    let cut = rest.char_indices().nth(length).map_or(rest.len(), |(at, _)| at);
    (rest[..cut].chars().count() == length).then(|| rest.split_at(cut))
}

/// SQL for [`pair_value`] of two text expressions (`LENGTH` counts characters on both
/// backends).
fn pair_value_sql(first: &str, second: &str) -> String {
    format!("(CAST(LENGTH({first}) AS TEXT) || ':' || {first} || {second})")
}

/// One rollup slice an answer adds to: its name, the answer's value, and the spans.
struct SliceKey {
    slice: String,
    value: String,
    spans: &'static [i64],
}

/// The rollup slices of an answer's facts: all answers (`''`, `''`), every slice with its
/// value ('' for none), and every pair of slices.
fn slice_keys(facts: &AnswerFacts) -> Vec<SliceKey> {
    let key = |slice: String, value: String, spans: &'static [i64]| SliceKey { slice, value, spans };
    std::iter::once(key(String::new(), String::new(), &SPANS))
        .chain(
            Slice::ALL
                .iter()
                .map(|&slice| key(slice.as_str().to_owned(), facts.value_of(slice), &SPANS)),
        )
        .chain(slice_pairs().map(|(first, second)| {
            let value = pair_value(&facts.value_of(first), &facts.value_of(second));
            key(pair_name((first, second)), value, &PAIR_SPANS)
        }))
        .collect()
}

/// The columns every rollup row starts with (its key without the table's own part).
const KEY: [&str; 5] = ["design_key", "slice", "slice_value", "span", "start_hour"];

/// Bound values per statement, under SQLite's limit of 32,766 (an answer to a design of
/// many dimensions adds hundreds of histogram rows of 28 values).
const MAX_VALUES: usize = 30_000;

/// Adds `rows` (values for [`KEY`], then `own_key`, then `amounts`) to a rollup table:
/// new keys are inserted, existing ones have the amounts added.
async fn add_rows(tx: &mut Tx, table: &str, own_key: &[&str], amounts: &[&str], rows: Vec<Vec<Expr>>) -> StoreResult<()> {
    let key: Vec<&str> = KEY.iter().chain(own_key).copied().collect();
    let per_statement = (MAX_VALUES / (key.len() + amounts.len())).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(key.iter().chain(amounts).map(|c| Alias::new(*c)));
        for row in chunk {
            insert.values_panic(row.clone());
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
    }
    Ok(())
}

/// Adds one stored answer to the rollups.
pub(crate) async fn add_answer(tx: &mut Tx, design_key: &str, facts: &AnswerFacts, answer: &Answer, at: Timestamp) -> StoreResult<()> {
    let hour = ms(at).div_euclid(HOUR_MS);
    // Every slice value, once per span with the first hour of that span.
    let keys: Vec<Vec<Expr>> = slice_keys(facts)
        .into_iter()
        .flat_map(|key| {
            key.spans.iter().map(move |&span| {
                vec![
                    design_key.into(),
                    key.slice.clone().into(),
                    key.value.clone().into(),
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

/// Which answers a rollup statement counts: all of them, or one design's in `[from, to)`
/// (instants in milliseconds).
#[derive(Clone, Copy)]
enum Scope<'a> {
    All,
    Design { key: &'a str, from: i64, to: i64 },
}

impl Scope<'_> {
    /// The condition on the answers `a`, with parameters `$1` to `$3` when scoped.
    fn answers(&self) -> &'static str {
        match self {
            Scope::All => "1 = 1",
            Scope::Design { .. } => "a.design_key = $1 AND a.submitted_at >= $2 AND a.submitted_at < $3",
        }
    }

    /// The condition on rollup rows of `span` starting inside the scope.
    fn rows(&self, span: i64) -> String {
        match self {
            Scope::All => format!("span = {span}"),
            Scope::Design { .. } => format!("span = {span} AND design_key = $1 AND start_hour >= $2 AND start_hour < $3"),
        }
    }

    /// `$2` and `$3` for [`Scope::rows`]: the scope in hours (it starts on an hour).
    fn in_hours(self) -> Self {
        match self {
            Scope::All => Scope::All,
            Scope::Design { key, from, to } => Scope::Design {
                key,
                from: from.div_euclid(HOUR_MS),
                to: to.div_euclid(HOUR_MS) + i64::from(to.rem_euclid(HOUR_MS) != 0),
            },
        }
    }
}

/// Runs a statement written for `scope` (binding its parameters when it has them).
async fn run(tx: &mut Tx, sql: &str, scope: Scope<'_>) -> StoreResult<()> {
    match scope {
        Scope::All => exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(e).await.map(|_| ()))?,
        Scope::Design { key, from, to } => {
            exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).bind(from).bind(to).execute(e).await.map(|_| ()))?
        }
    }
    Ok(())
}

/// The statements that add rows of `span` for `slice` (its value the SQL `value` of an
/// answer `a`) to the three rollup tables, counted from the scope's answers.
fn count_statements(slice: &str, value: &str, span: i64, scope: Scope<'_>) -> [String; 3] {
    // Floor division on both backends (a negative instant stays in its hour).
    let hour = format!("((a.submitted_at - ((a.submitted_at % {HOUR_MS}) + {HOUR_MS}) % {HOUR_MS}) / {HOUR_MS})");
    let start = format!("({hour} - ((({hour} % {span}) + {span}) % {span}))");
    // PostgreSQL refuses a constant in GROUP BY: the all-answers slice groups without it.
    let by = if slice.is_empty() {
        start.clone()
    } else {
        format!("{value}, {start}")
    };
    let answers = scope.answers();
    let bucket_counts = (0..BUCKET_WIDTH)
        .map(|i| format!("SUM(CASE WHEN r.rating % {BUCKET_WIDTH} = {i} THEN 1 ELSE 0 END)"))
        .collect::<Vec<_>>()
        .join(", ");
    let count_columns = COUNT_COLUMNS.join(", ");
    [
        format!(
            "INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares) \
             SELECT a.design_key, '{slice}', {value}, {span}, {start}, COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0) \
             FROM survey_answers a WHERE {answers} GROUP BY a.design_key, {by}"
        ),
        format!(
            "INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, {count_columns}) \
             SELECT a.design_key, '{slice}', {value}, {span}, {start}, r.dimension, r.rating / {BUCKET_WIDTH}, {bucket_counts} \
             FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id WHERE {answers} \
             GROUP BY a.design_key, {by}, r.dimension, r.rating / {BUCKET_WIDTH}"
        ),
        format!(
            "INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count) \
             SELECT a.design_key, '{slice}', {value}, {span}, {start}, r.dimension, r.reason, COUNT(*) \
             FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id WHERE {answers} \
             GROUP BY a.design_key, {by}, r.dimension, r.reason"
        ),
    ]
}

/// An answer's value of `slice` in SQL, as text ('' for none).
fn value_sql(slice: Slice) -> String {
    format!("COALESCE(CAST(a.{} AS TEXT), '')", crate::surveys::slice_column(slice))
}

/// Pairs of slices, quoted for an `IN` list of their names.
fn pair_names_sql(pairs: &[(Slice, Slice)]) -> String {
    pairs
        .iter()
        .map(|&pair| format!("'{}'", pair_name(pair)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds the pairs' day rows counted from the scope's answers.
async fn count_pair_days(tx: &mut Tx, scope: Scope<'_>, pairs: &[(Slice, Slice)]) -> StoreResult<()> {
    for &(first, second) in pairs {
        let value = pair_value_sql(&value_sql(first), &value_sql(second));
        for sql in count_statements(&pair_name((first, second)), &value, DAY_HOURS, scope) {
            run(tx, &sql, scope).await?;
        }
    }
    Ok(())
}

/// Adds the pairs' block rows summed from their day rows in the scope (whole blocks).
async fn sum_pair_blocks(tx: &mut Tx, scope: Scope<'_>, pairs: &[(Slice, Slice)]) -> StoreResult<()> {
    let block = format!("(start_hour - (((start_hour % {BLOCK_HOURS}) + {BLOCK_HOURS}) % {BLOCK_HOURS}))");
    let days = scope.rows(DAY_HOURS);
    let pairs = pair_names_sql(pairs);
    for (table, own_key, amounts) in TABLES {
        let key: Vec<&str> = ["design_key", "slice", "slice_value"]
            .into_iter()
            .chain(own_key.iter().copied())
            .collect();
        let sums: Vec<String> = amounts
            .iter()
            .map(|amount| {
                let kind = if amount.starts_with("score_") {
                    "DOUBLE PRECISION"
                } else {
                    "BIGINT"
                };
                format!("CAST(SUM({amount}) AS {kind})")
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({key}, span, start_hour, {amounts}) \
             SELECT {key}, {BLOCK_HOURS}, {block}, {sums} FROM {table} \
             WHERE {days} AND slice IN ({pairs}) GROUP BY {key}, {block}",
            key = key.join(", "),
            amounts = amounts.join(", "),
            sums = sums.join(", "),
        );
        run(tx, &sql, scope).await?;
    }
    Ok(())
}

/// Deletes the pairs' rows of `span` in the scope.
async fn delete_pair_rows(tx: &mut Tx, span: i64, scope: Scope<'_>, pairs: &[(Slice, Slice)]) -> StoreResult<()> {
    let (rows, pairs) = (scope.rows(span), pair_names_sql(pairs));
    for (table, _, _) in TABLES {
        run(tx, &format!("DELETE FROM {table} WHERE {rows} AND slice IN ({pairs})"), scope).await?;
    }
    Ok(())
}

/// Recomputes every rollup from the answers (after a bulk load wrote answers directly).
pub async fn rebuild(tx: &mut Tx) -> StoreResult<()> {
    for (table, _, _) in TABLES {
        run(tx, &format!("DELETE FROM {table}"), Scope::All).await?;
    }
    let mut slices: Vec<(&str, String)> = vec![("", "''".to_owned())];
    for slice in Slice::ALL {
        slices.push((slice.as_str(), value_sql(*slice)));
    }
    for span in SPANS {
        for (slice, value) in &slices {
            for sql in count_statements(slice, value, span, Scope::All) {
                run(tx, &sql, Scope::All).await?;
            }
        }
    }
    let pairs: Vec<(Slice, Slice)> = slice_pairs().collect();
    count_pair_days(tx, Scope::All, &pairs).await?;
    sum_pair_blocks(tx, Scope::All, &pairs).await?;
    set_pairs_filled(tx).await
}

// ---- pair rows for answers given before they were kept ----

/// Whether every answer is in the pair rows (false after an upgrade until
/// [`fill_pair_day`] has seen every day and [`set_pairs_filled`] was called).
pub async fn pairs_filled(ex: Exec<'_>) -> StoreResult<bool> {
    let filled: Option<bool> =
        exec!(ex, e => sqlx::query_scalar("SELECT pairs_filled FROM survey_rollup_state WHERE id = 1").fetch_optional(e).await)?;
    Ok(filled.unwrap_or(false))
}

pub async fn set_pairs_filled(tx: &mut Tx) -> StoreResult<()> {
    exec!(tx.exec(), e => sqlx::query("UPDATE survey_rollup_state SET pairs_filled = TRUE WHERE id = 1").execute(e).await.map(|_| ()))?;
    Ok(())
}

/// The designs that have answers.
pub async fn answered_designs(ex: Exec<'_>) -> StoreResult<Vec<String>> {
    let keys: Vec<String> =
        exec!(ex, e => sqlx::query_scalar("SELECT DISTINCT design_key FROM survey_answers ORDER BY design_key").fetch_all(e).await)?;
    Ok(keys)
}

/// When the design's first answer at or after `from` was given, if any.
pub async fn next_answer_at(ex: Exec<'_>, design_key: &str, from: Timestamp) -> StoreResult<Option<Timestamp>> {
    let at: Option<i64> = exec!(ex, e => sqlx::query_scalar("SELECT MIN(submitted_at) FROM survey_answers WHERE design_key = $1 AND submitted_at >= $2")
        .bind(design_key).bind(ms(from)).fetch_one(e).await)?;
    at.map(crate::convert::ts).transpose()
}

/// Sets a design's rows of one pair of slices for the UTC day holding `at` to a count of
/// its answers, and those of the 32-day block holding it to the sum of the block's day
/// rows (so filling the days of a block in order leaves its block rows right after the
/// last). One pair at a time keeps each transaction short (other writes wait for it). Answers
/// stored meanwhile add to the rows as usual; on PostgreSQL the answers table is locked
/// against new answers (and other nodes filling the same rows, all starting at once after
/// an upgrade) for the transaction, so none is counted twice or missed.
pub async fn fill_pair_day(tx: &mut Tx, design_key: &str, at: Timestamp, pair: (Slice, Slice)) -> StoreResult<()> {
    let pair = &[pair];
    if tx.is_postgres() {
        // Keeps out new answers and other nodes' fills (the mode conflicts with itself).
        exec!(tx.exec(), e => sqlx::query("LOCK TABLE survey_answers IN SHARE ROW EXCLUSIVE MODE").execute(e).await.map(|_| ()))?;
    }
    // The design's answers in the span of `span_hours` that holds `at`.
    let around = |span_hours: i64| {
        let span_ms = span_hours * HOUR_MS;
        let start = ms(at).div_euclid(span_ms) * span_ms;
        Scope::Design {
            key: design_key,
            from: start,
            to: start + span_ms,
        }
    };
    let day_scope = around(DAY_HOURS);
    delete_pair_rows(tx, DAY_HOURS, day_scope.in_hours(), pair).await?;
    count_pair_days(tx, day_scope, pair).await?;
    let block_scope = around(BLOCK_HOURS).in_hours();
    delete_pair_rows(tx, BLOCK_HOURS, block_scope, pair).await?;
    sum_pair_blocks(tx, block_scope, pair).await
}

/// Fills the pair rows of every answer given before they were kept, a transaction per
/// day and pair (a large database takes minutes; writes go on in between), then
/// marks them complete, from when reports read them. Does nothing when they are. A
/// restart starts again from the first day (each day's fill replaces its rows). Returns
/// how many days it filled.
pub async fn fill_pairs(db: &Db) -> StoreResult<usize> {
    if pairs_filled(db.read()).await? {
        return Ok(0);
    }
    let day_ms = DAY_HOURS * HOUR_MS;
    let mut days = 0;
    for design in answered_designs(db.read()).await? {
        let mut from = Timestamp::MIN;
        while let Some(at) = next_answer_at(db.read(), &design, from).await? {
            for pair in slice_pairs() {
                let key = design.clone();
                db.write(move |tx| Box::pin(async move { fill_pair_day(tx, &key, at, pair).await }))
                    .await?;
            }
            days += 1;
            from = crate::convert::ts((ms(at).div_euclid(day_ms) + 1) * day_ms)?;
        }
    }
    db.write(|tx| Box::pin(set_pairs_filled(tx))).await?;
    Ok(days)
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
        PeriodSplit::finest(from_ms, to_ms, HOUR_MS, |hours| (hours, whole_spans(hours, DAY_HOURS)))
    }

    /// The split for pair rows, which are kept for whole days and blocks only: the
    /// partial days at the edges are counted from the answers (at most two days of them).
    pub(crate) fn of_days(from_ms: i64, to_ms: i64) -> PeriodSplit {
        // No hours of their own: the hour ranges before and after the days are empty.
        PeriodSplit::finest(from_ms, to_ms, DAY_HOURS * HOUR_MS, |days| (days, days))
    }

    /// `[from, to)` over rows whose finest span is `finest_ms` long: `nest` turns the
    /// whole finest spans (in hour numbers) into the hours and days read.
    fn finest(from_ms: i64, to_ms: i64, finest_ms: i64, nest: impl Fn((i64, i64)) -> ((i64, i64), (i64, i64))) -> PeriodSplit {
        let (first, end) = whole_spans((from_ms, to_ms.max(from_ms)), finest_ms);
        if first >= end {
            return PeriodSplit {
                hours: (0, 0),
                days: (0, 0),
                blocks: (0, 0),
                head: (from_ms < to_ms).then_some((from_ms, to_ms)),
                tail: None,
            };
        }
        let (hours, days) = nest((first / HOUR_MS, end / HOUR_MS));
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

    #[test]
    fn a_pair_period_reads_whole_days_and_counts_partial_days_from_the_answers() {
        assert_eq!(
            PeriodSplit::of_days(10 * D + 5, 70 * D + 3 * H),
            PeriodSplit {
                hours: (11 * 24, 70 * 24),
                days: (11 * 24, 70 * 24),
                blocks: (32 * 24, 64 * 24),
                head: Some((10 * D + 5, 11 * D)),
                tail: Some((70 * D, 70 * D + 3 * H))
            }
        );
        // Under a whole day: the answers alone.
        let short = PeriodSplit::of_days(10 * D + H, 11 * D + 2 * H);
        assert_eq!((short.head, short.tail), (Some((10 * D + H, 11 * D + 2 * H)), None));
        assert!(!short.has_rollups());
        assert_eq!(PeriodSplit::of_days(-D, D).days, (-24, 24));
    }

    #[test]
    fn pair_values_split_back_into_their_two_values() {
        for (first, second) in [("12", "web"), ("", "web"), ("12", ""), ("", ""), ("华东", "1:2"), ("a:b", "3:c")] {
            let value = pair_value(first, second);
            assert_eq!(split_pair_value(&value), Some((first, second)), "{value}");
        }
        assert_eq!(pair_value("华东", "web"), "2:华东web");
        assert_eq!(split_pair_value("web"), None);
        assert_eq!(split_pair_value("5:ab"), None);
        assert_eq!(split_pair_value("x:ab"), None);
    }

    #[test]
    fn pairs_are_named_in_slice_order_each_once() {
        let names: Vec<String> = slice_pairs().map(pair_name).collect();
        assert_eq!(names.len(), 28);
        assert_eq!(names[0], "team+agent");
        assert_eq!(pair_name(ordered_pair(Slice::Channel, Slice::Team)), "team+channel");
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), 28);
    }
}

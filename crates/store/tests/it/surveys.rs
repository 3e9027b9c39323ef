//! Survey reports read whole hours from rollups and the minutes at their edges from the
//! answers: for random answers over days and random periods, filters and groupings, every
//! count equals a straightforward recomputation from the answers, before and after a
//! rebuild of the rollups.

use crate::support::{customer, exec_sql, write_one};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::survey::{Answer, AnswerFacts, AnswerInput, SendOrigin, Slice, builtin, parse_answer};
use kefu_store::Db;
use kefu_store::surveys::{self, AnswerFilter, NewSend};
use std::collections::BTreeMap;

backend_tests!(rollups_equal_a_recount_from_the_answers);

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// Days 40 and 41 hold a third of the answers, several an hour, so that periods with
/// edges there read hour rollups that count more than one answer.
const DENSE: (i64, i64) = (40 * DAY, 42 * DAY);

struct Given {
    facts: AnswerFacts,
    answer: Answer,
    at: Timestamp,
}

fn matches(g: &Given, filter: &AnswerFilter) -> bool {
    let value = |slice: Slice| match slice {
        Slice::Team => g.facts.team_id.map(|v| v.to_string()),
        Slice::Channel => g.facts.channel.clone(),
        Slice::Region => g.facts.region.clone(),
        _ => None,
    };
    filter.from.is_none_or(|f| g.at >= f)
        && filter.to.is_none_or(|t| g.at < t)
        && filter.slices.iter().all(|(slice, v)| value(*slice).as_deref() == Some(v.as_str()))
}

/// Deletes every pair row, as a database upgraded to pair rows has none of its earlier
/// answers, and marks them unfilled. In between, shows that two-slice reads use the pair
/// rows: with them gone and still marked filled, a period of whole days counts nothing.
async fn forget_pair_rows(db: &Db, design_key: &str, base: Timestamp) {
    for table in ["survey_answer_rollups", "survey_histogram_rollups", "survey_reason_rollups"] {
        exec_sql(db, format!("DELETE FROM {table} WHERE slice LIKE '%+%'")).await;
    }
    let filter = |slices: Vec<(Slice, String)>| AnswerFilter {
        design_key: design_key.to_owned(),
        from: Some(base),
        to: Some(base + SignedDuration::from_hours(100 * 24)),
        slices,
        low_only: false,
    };
    let two = filter(vec![(Slice::Team, "1".to_owned()), (Slice::Channel, "web".to_owned())]);
    assert!(surveys::rating_counts(db.read(), &two, None).await.unwrap().is_empty());
    assert_eq!(surveys::score_totals(db.read(), &two).await.unwrap().n, 0);
    let one = filter(vec![(Slice::Channel, "web".to_owned())]);
    assert!(surveys::group_totals(db.read(), &one, Slice::Team).await.unwrap().is_empty());
    assert!(
        surveys::score_totals(db.read(), &one).await.unwrap().n > 0,
        "single slices keep their rows"
    );
    exec_sql(db, "UPDATE survey_rollup_state SET pairs_filled = FALSE").await;
}

async fn rollups_equal_a_recount_from_the_answers(db: Db) {
    let design = surveys::latest_design(db.read(), builtin::SERVICE).await.unwrap().unwrap();
    let who = customer(&db, "回访客户", Some("rollup@example.com")).await;
    let mut rng = fastrand::Rng::with_seed(7);
    let base = Timestamp::from_millisecond(1_780_000_000_000 - 1_780_000_000_000 % DAY).unwrap();
    let mut given = Vec::new();
    for n in 0..600 {
        let mut input = AnswerInput::default();
        for q in ["skill", "attitude", "timeliness", "parts", "overall"] {
            input.ratings.insert(q.into(), rng.i32(1..=10));
        }
        if input.ratings["timeliness"] <= 4 {
            input
                .reasons
                .insert("timeliness".into(), vec![["late_arrival", "far_site"][rng.usize(0..2)].into()]);
        }
        let mut answer = parse_answer(&design.spec, input).unwrap();
        // A design's scale may start above 0 (at most 20 steps): ratings past 20 are
        // rolled up in a second histogram bucket. The store counts what it is given, so
        // some answers carry such ratings to cover that bucket too.
        if rng.u8(0..4) == 0 {
            for rating in &mut answer.ratings {
                rating.value += 20;
            }
        }
        let facts = AnswerFacts {
            team_id: [None, Some(1), Some(2)][rng.usize(0..3)],
            channel: Some(["web", "phone"][rng.usize(0..2)].into()),
            region: [None, Some("华东".to_owned())][rng.usize(0..2)].clone(),
            ..AnswerFacts::default()
        };
        let offset = if n % 3 == 0 {
            rng.i64(DENSE.0..DENSE.1)
        } else {
            rng.i64(0..100 * DAY)
        };
        let at = base + SignedDuration::from_millis(offset);
        let (send_design, customer_id) = (design.id, who.id);
        let (stored_facts, stored_answer) = (facts.clone(), answer.clone());
        write_one(&db, move |tx| {
            Box::pin(async move {
                let send = NewSend {
                    design_id: send_design,
                    ticket_id: None,
                    customer_id,
                    origin: SendOrigin::Manual,
                    created_by: None,
                    expires_at: at,
                    campaign_id: None,
                };
                let id = surveys::insert_send(tx.exec(), &send, at).await?;
                let send = surveys::send_by_id(tx.exec(), id).await?.unwrap();
                surveys::insert_answer(tx, &send, &stored_facts, &stored_answer, None, at).await
            })
        })
        .await
        .unwrap();
        given.push(Given { facts, answer, at });
    }

    // Rounds: as stored; after a rebuild; pair rows gone and not yet filled (an upgraded
    // database: counted from the answers); after the fill.
    for round in 0..4 {
        if round == 1 {
            write_one(&db, |tx| Box::pin(async move { kefu_store::survey_rollups::rebuild(tx).await }))
                .await
                .unwrap();
        }
        if round == 2 {
            forget_pair_rows(&db, &design.key, base).await;
        }
        if round == 3 {
            let days = kefu_store::survey_rollups::fill_pairs(&db).await.unwrap();
            assert!(days > 50, "the answers' days are filled ({days})");
            assert!(kefu_store::survey_rollups::pairs_filled(db.read()).await.unwrap());
        }
        for case in 0..60 {
            // Random edges, some exactly on day or hour boundaries, some inside the dense
            // days. Up to 100 days, so that whole 32-day blocks are read too.
            let (mut from, mut to) = if case % 5 == 4 {
                let from = rng.i64(DENSE.0 - 3 * HOUR..DENSE.1);
                (from, from + rng.i64(0..DAY + 5 * HOUR))
            } else {
                let from = rng.i64(-DAY..90 * DAY);
                (from, from + rng.i64(0..100 * DAY))
            };
            match case % 7 {
                0 => {
                    from -= from.rem_euclid(DAY);
                    to -= to.rem_euclid(DAY);
                }
                1 | 2 => {
                    from -= from.rem_euclid(HOUR);
                    to -= to.rem_euclid(HOUR);
                }
                _ => {}
            }
            let slices = match case % 4 {
                0 => vec![],
                1 => vec![(Slice::Channel, "web".to_owned())],
                2 => vec![(Slice::Team, "1".to_owned())],
                _ => vec![(Slice::Team, "2".to_owned()), (Slice::Region, "华东".to_owned())],
            };
            let group_by = [None, Some(Slice::Team), Some(Slice::Channel)][case % 3];
            let filter = AnswerFilter {
                design_key: design.key.clone(),
                from: Some(base + SignedDuration::from_millis(from)),
                to: Some(base + SignedDuration::from_millis(to)),
                slices,
                low_only: false,
            };
            let chosen: Vec<&Given> = given.iter().filter(|g| matches(g, &filter)).collect();
            let group_value = |g: &Given| match group_by {
                Some(Slice::Team) => g.facts.team_id.map(|v| v.to_string()),
                Some(Slice::Channel) => g.facts.channel.clone(),
                _ => None,
            };
            let mut expected: BTreeMap<(Option<String>, String, i64), i64> = BTreeMap::new();
            for g in &chosen {
                for r in &g.answer.ratings {
                    *expected
                        .entry((group_value(g), r.dimension.clone(), i64::from(r.value)))
                        .or_default() += 1;
                }
            }
            let mut got: BTreeMap<(Option<String>, String, i64), i64> = BTreeMap::new();
            for row in surveys::rating_counts(db.read(), &filter, group_by).await.unwrap() {
                *got.entry((row.group_value, row.dimension, row.rating)).or_default() += row.count;
            }
            assert_eq!(got, expected, "round {round} case {case}: ratings");

            let totals = surveys::score_totals(db.read(), &filter).await.unwrap();
            let sum: f64 = chosen.iter().filter_map(|g| g.answer.score).sum();
            assert_eq!(totals.n, chosen.len() as u64, "round {round} case {case}: answers");
            assert!((totals.sum - sum).abs() < 1e-6, "round {round} case {case}: score sum");

            let mut reasons: BTreeMap<(String, String), i64> = BTreeMap::new();
            for g in &chosen {
                for (d, r) in &g.answer.reasons {
                    *reasons.entry((d.clone(), r.clone())).or_default() += 1;
                }
            }
            let got_reasons: BTreeMap<(String, String), i64> = surveys::reason_counts(db.read(), &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|r| ((r.dimension, r.reason), r.count))
                .collect();
            assert_eq!(got_reasons, reasons, "round {round} case {case}: reasons");

            // A report reads all three at once (a filter on two slices: in one pass).
            let period = surveys::period_counts(db.read(), &filter, true).await.unwrap();
            let without_reasons = surveys::period_counts(db.read(), &filter, false).await.unwrap();
            assert!(without_reasons.reasons.is_empty(), "round {round} case {case}: reasons unasked");
            assert_eq!(
                (&without_reasons.ratings, without_reasons.scores.n),
                (&period.ratings, period.scores.n),
                "round {round} case {case}: the rest as with reasons"
            );
            let mut ungrouped: BTreeMap<(Option<String>, String, i64), i64> = BTreeMap::new();
            for ((_, dimension, rating), count) in &expected {
                *ungrouped.entry((None, dimension.clone(), *rating)).or_default() += count;
            }
            let got_period: BTreeMap<(Option<String>, String, i64), i64> = period
                .ratings
                .iter()
                .map(|r| ((r.group_value.clone(), r.dimension.clone(), r.rating), r.count))
                .collect();
            assert_eq!(got_period, ungrouped, "round {round} case {case}: period ratings");
            let squares: f64 = chosen.iter().filter_map(|g| g.answer.score).map(|s| s * s).sum();
            assert_eq!(period.scores.n, chosen.len() as u64, "round {round} case {case}: period answers");
            assert!(
                (period.scores.sum - sum).abs() < 1e-6,
                "round {round} case {case}: period score sum"
            );
            assert!(
                (period.scores.sum_of_squares - squares).abs() < 1e-3,
                "round {round} case {case}: period score squares"
            );
            let period_reasons: BTreeMap<(String, String), i64> =
                period.reasons.into_iter().map(|r| ((r.dimension, r.reason), r.count)).collect();
            assert_eq!(period_reasons, reasons, "round {round} case {case}: period reasons");

            if let Some(slice) = group_by {
                let mut counts: BTreeMap<Option<String>, (i64, u64, f64)> = BTreeMap::new();
                for g in &chosen {
                    let entry = counts.entry(group_value(g)).or_default();
                    entry.0 += 1;
                    if let Some(score) = g.answer.score {
                        entry.1 += 1;
                        entry.2 += score;
                    }
                }
                let got: BTreeMap<Option<String>, (i64, u64, f64)> = surveys::group_totals(db.read(), &filter, slice)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|g| g.answers > 0)
                    .map(|g| (g.group_value, (g.answers, g.scores.n, g.scores.sum)))
                    .collect();
                assert_eq!(
                    got.keys().collect::<Vec<_>>(),
                    counts.keys().collect::<Vec<_>>(),
                    "round {round} case {case}: groups"
                );
                for (group, (answers, scored, sum)) in &counts {
                    let (got_answers, got_scored, got_sum) = got[group];
                    assert_eq!(
                        (got_answers, got_scored),
                        (*answers, *scored),
                        "round {round} case {case}: {group:?}"
                    );
                    assert!((got_sum - sum).abs() < 1e-6, "round {round} case {case}: {group:?} score sum");
                }
            }
        }
    }
}

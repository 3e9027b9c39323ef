//! The KPI rollups' hourly department totals: refilled from the hourly rows a week of hours
//! at a time (an upgrade), they equal the sum of those rows, counters and percentiles. Long
//! reports, read in halves side by side, add up to the same as their days one by one.

use crate::support::write_one;
use kefu_domain::analytics::{Counter, DayKey, Delta, Dim, Dims, RowKey, SketchKind, Slice, Span, week_start};
use kefu_domain::enums::{Channel, Priority, TicketKind};
use kefu_store::Db;
use kefu_store::analytics::{
    DayGroup, DaySlice, Fill, RowFilter, RowGroup, clear_stale_days, daily_rows_width, filled, mark_stale_days, put_day_rows, put_rows,
    readable_daily_rows_width, refill_totals, set_daily_rows_width, set_filled, stale_days, sum_days, sum_rows, sum_totals,
};
use std::collections::BTreeMap;

backend_tests!(
    department_totals_are_refilled_from_the_hourly_rows,
    long_reports_read_in_halves_add_up_like_their_days
);

fn row(hour: i64, team: Option<i64>, channel: Channel, created: i64, frt_ms: &[i64]) -> (RowKey, Delta) {
    let mut delta = Delta::default();
    delta.add(Counter::Created, created);
    for &ms in frt_ms {
        delta.add_duration(SketchKind::FirstResponse, Counter::FirstResponseMs, ms);
        delta.add(Counter::FirstResponses, 1);
    }
    let dims = Dims {
        team_id: team,
        agent_id: None,
        channel,
        kind: TicketKind::Consultation,
        priority: Priority::Normal,
    };
    (RowKey { hour, dims }, delta)
}

async fn department_totals_are_refilled_from_the_hourly_rows(db: Db) {
    let rows = vec![
        row(500_000, Some(1), Channel::Chat, 3, &[10_000, 20_000]),
        row(500_000, None, Channel::Web, 2, &[90_000]),
        row(500_001, Some(2), Channel::Email, 1, &[]),
        row(500_009, Some(1), Channel::Chat, 4, &[30_000, 40_000, 50_000]),
    ];
    let stored = rows.clone();
    write_one(&db, move |tx| Box::pin(async move { put_rows(tx, &stored).await }))
        .await
        .unwrap();
    assert!(!filled(db.read(), Fill::HourTotals).await.unwrap());
    assert_eq!(
        sum_totals(db.read(), 0, i64::MAX).await.unwrap().get(Counter::Created),
        0,
        "nothing yet"
    );

    // Two hours per step: 500000 and 500001, then 500009, then nothing left.
    let mut after = i64::MIN;
    let mut steps = Vec::new();
    while let Some(last) = write_one(&db, move |tx| Box::pin(async move { refill_totals(tx, after, 2).await }))
        .await
        .unwrap()
    {
        steps.push(last);
        after = last;
    }
    assert_eq!(steps, vec![500_001, 500_009]);
    // Refilling again changes nothing (each step replaces its hours' totals).
    write_one(&db, |tx| Box::pin(async move { refill_totals(tx, i64::MIN, 100).await }))
        .await
        .unwrap();
    write_one(&db, |tx| Box::pin(async move { set_filled(tx, Fill::HourTotals).await }))
        .await
        .unwrap();
    assert!(filled(db.read(), Fill::HourTotals).await.unwrap());
    // A new database, nothing folded into it yet, has every daily slice complete.
    assert_eq!(daily_rows_width(db.read()).await.unwrap(), Some(5));
    for width in [None, Some(1), Some(5)] {
        write_one(&db, move |tx| Box::pin(async move { set_daily_rows_width(tx, width).await }))
            .await
            .unwrap();
        assert_eq!(daily_rows_width(db.read()).await.unwrap(), width);
        assert_eq!(readable_daily_rows_width(db.read()).await.unwrap(), width);
    }

    // A stale day hides the daily rows from reports until a fill takes it off the list;
    // a day a batch listed again after the fill read the list stays on it.
    let (monday, tuesday) = (jiff::civil::date(2026, 12, 7), jiff::civil::date(2026, 12, 8));
    let mark = |days: Vec<jiff::civil::Date>| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| Box::pin(async move { mark_stale_days(tx, &days).await }))
                .await
                .unwrap()
        }
    };
    mark(vec![monday, tuesday]).await;
    assert_eq!(readable_daily_rows_width(db.read()).await.unwrap(), None);
    let read = stale_days(db.read()).await.unwrap();
    assert_eq!(
        read.iter().map(|s| (s.day, s.marks)).collect::<Vec<_>>(),
        [(monday, 1), (tuesday, 1)]
    );
    mark(vec![tuesday]).await;
    write_one(&db, move |tx| Box::pin(async move { clear_stale_days(tx, &read).await }))
        .await
        .unwrap();
    let left = stale_days(db.read()).await.unwrap();
    assert_eq!(left.iter().map(|s| (s.day, s.marks)).collect::<Vec<_>>(), [(tuesday, 2)]);
    write_one(&db, move |tx| Box::pin(async move { clear_stale_days(tx, &left).await }))
        .await
        .unwrap();
    assert!(stale_days(db.read()).await.unwrap().is_empty());
    assert_eq!(readable_daily_rows_width(db.read()).await.unwrap(), Some(5));

    let mut expected = Delta::default();
    for (_, delta) in &rows {
        expected.merge(delta);
    }
    let all = sum_totals(db.read(), 500_000, 500_010).await.unwrap();
    for counter in [Counter::Created, Counter::FirstResponses, Counter::FirstResponseMs] {
        assert_eq!(all.get(counter), expected.get(counter), "{counter:?}");
    }
    let (got, want) = (
        all.sketch(SketchKind::FirstResponse).unwrap(),
        expected.sketch(SketchKind::FirstResponse).unwrap(),
    );
    assert_eq!(got.count(), 6);
    assert_eq!(got.quantile(0.5), want.quantile(0.5));
    assert_eq!(got.quantile(0.9), want.quantile(0.9));
    let first_hour = sum_totals(db.read(), 500_000, 500_001).await.unwrap();
    assert_eq!(first_hour.get(Counter::Created), 5, "one hour: the two rows of 500000");
}

/// The counters and the first-response median of each group, to compare sums.
fn summary(groups: Vec<(String, Delta)>) -> BTreeMap<String, (i64, i64, Option<i64>)> {
    groups
        .into_iter()
        .map(|(key, delta)| {
            let median = delta.sketch(SketchKind::FirstResponse).and_then(|s| s.quantile(0.5));
            (key, (delta.get(Counter::Created), delta.get(Counter::FirstResponses), median))
        })
        .collect()
}

async fn long_reports_read_in_halves_add_up_like_their_days(db: Db) {
    // Three agents with rows on most of 40 days, so both halves of the range hold every
    // agent; durations that differ per day so a lost or doubled row moves the median.
    let first = jiff::civil::date(2026, 3, 1);
    let agents = Slice::of(&[Dim::Agent]);
    let mut day_rows = Vec::new();
    let mut hour_rows = Vec::new();
    for n in 0..40i64 {
        let day = first.saturating_add(jiff::Span::new().days(n));
        for agent in 1..=3i64 {
            if (n + agent) % 5 == 0 {
                continue;
            }
            let mut delta = Delta::default();
            delta.add(Counter::Created, agent + n % 3);
            for k in 0..(1 + n % 4) {
                delta.add_duration(
                    SketchKind::FirstResponse,
                    Counter::FirstResponseMs,
                    1_000 * (n * 7 + agent * 13 + k),
                );
                delta.add(Counter::FirstResponses, 1);
            }
            day_rows.push((
                DayKey {
                    day,
                    span: Span::Day,
                    slice: agents,
                    value: agent.to_string(),
                },
                delta,
            ));
            // Hours 0-2 of each day: day 20's first row sits on the hour where the halves meet.
            let (mut key, mut delta) = row(480_000 + n * 24 + agent - 1, Some(agent), Channel::Chat, agent, &[(n + 1) * 60_000]);
            key.dims.agent_id = Some(agent);
            delta.add(Counter::AgentReplies, n);
            hour_rows.push((key, delta));
        }
    }
    let (days, hours) = (day_rows.clone(), hour_rows.clone());
    write_one(&db, move |tx| {
        Box::pin(async move {
            put_day_rows(tx, &days).await?;
            put_rows(tx, &hours).await
        })
    })
    .await
    .unwrap();

    let rows = DaySlice {
        slice: agents,
        values: vec![None],
    };
    let last = first.saturating_add(jiff::Span::new().days(39));
    let whole = summary(
        sum_days(db.read(), first, last, &rows, DayGroup::Dim(Dim::Agent), false)
            .await
            .unwrap(),
    );
    let mut day_by_day: BTreeMap<String, Delta> = BTreeMap::new();
    for n in 0..40i64 {
        let day = first.saturating_add(jiff::Span::new().days(n));
        for (agent, delta) in sum_days(db.read(), day, day, &rows, DayGroup::Dim(Dim::Agent), false)
            .await
            .unwrap()
        {
            day_by_day.entry(agent).or_default().merge(&delta);
        }
    }
    assert_eq!(whole.len(), 3);
    assert_eq!(whole, summary(day_by_day.into_iter().collect()), "halves side by side = day by day");
    // Inside a transaction the same reads run one after the other, with the same sums.
    let in_tx = write_one(&db, move |tx| {
        Box::pin(async move { sum_days(tx.exec(), first, last, &rows, DayGroup::Dim(Dim::Agent), false).await })
    })
    .await
    .unwrap();
    assert_eq!(summary(in_tx), whole);

    // Week rows, each the sum of its days (Monday to Sunday; 2026-03-01 is a Sunday): a
    // range read with them adds up like its days, wherever it starts and ends.
    let mut weeks: BTreeMap<DayKey, Delta> = BTreeMap::new();
    for (key, delta) in &day_rows {
        let week = DayKey {
            day: week_start(key.day),
            span: Span::Week,
            ..key.clone()
        };
        weeks.entry(week).or_default().merge(delta);
    }
    // A row only a week has: read when its whole week is in the range, never for a part.
    let marked = jiff::civil::date(2026, 3, 9);
    let mut marker = Delta::default();
    marker.add(Counter::Created, 1);
    let marker_key = DayKey {
        day: marked,
        span: Span::Week,
        slice: agents,
        value: "99".to_string(),
    };
    weeks.insert(marker_key, marker);
    let weeks: Vec<(DayKey, Delta)> = weeks.into_iter().collect();
    write_one(&db, move |tx| Box::pin(async move { put_day_rows(tx, &weeks).await }))
        .await
        .unwrap();
    let day = |n: i64| first.saturating_add(jiff::Span::new().days(n));
    let rows = DaySlice {
        slice: agents,
        values: vec![None],
    };
    for (from, to) in [(0, 39), (1, 39), (3, 17), (8, 14), (9, 15), (10, 30), (0, 6)] {
        let (from, to) = (day(from), day(to));
        let by_days = summary(
            sum_days(db.read(), from, to, &rows, DayGroup::Dim(Dim::Agent), false)
                .await
                .unwrap(),
        );
        let mut with_weeks = summary(sum_days(db.read(), from, to, &rows, DayGroup::Dim(Dim::Agent), true).await.unwrap());
        let whole_marked_week = from <= marked && marked.saturating_add(jiff::Span::new().days(6)) <= to;
        assert_eq!(with_weeks.remove("99").is_some(), whole_marked_week, "{from}..{to}");
        assert_eq!(with_weeks, by_days, "{from}..{to}");
    }

    // Hourly rows: 40 days of hours in halves = the same hours one day at a time.
    let (from, to) = (480_000, 480_000 + 40 * 24);
    let filter = RowFilter::default();
    let by_agent = summary(
        sum_rows(db.read(), from, to, &filter, Some(RowGroup::Dim(Dim::Agent)), true)
            .await
            .unwrap(),
    );
    let mut hour_by_hour: BTreeMap<String, Delta> = BTreeMap::new();
    for start in (from..to).step_by(24) {
        for (agent, delta) in sum_rows(db.read(), start, start + 24, &filter, Some(RowGroup::Dim(Dim::Agent)), true)
            .await
            .unwrap()
        {
            hour_by_hour.entry(agent).or_default().merge(&delta);
        }
    }
    assert_eq!(by_agent.len(), 3);
    assert_eq!(by_agent, summary(hour_by_hour.into_iter().collect()));
    let replies: i64 = hour_rows.iter().map(|(_, d)| d.get(Counter::AgentReplies)).sum();
    let total = sum_rows(db.read(), from, to, &filter, None, true).await.unwrap();
    assert_eq!(total[0].1.get(Counter::AgentReplies), replies);
}

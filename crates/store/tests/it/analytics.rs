//! The KPI rollups' hourly department totals: refilled from the hourly rows a week of hours
//! at a time (an upgrade), they equal the sum of those rows, counters and percentiles.

use crate::support::write_one;
use kefu_domain::analytics::{Counter, Delta, Dims, RowKey, SketchKind};
use kefu_domain::enums::{Channel, Priority, TicketKind};
use kefu_store::Db;
use kefu_store::analytics::{Fill, filled, put_rows, refill_totals, set_filled, sum_totals};

backend_tests!(department_totals_are_refilled_from_the_hourly_rows);

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
    assert!(!filled(db.read(), Fill::PairSlices).await.unwrap(), "each fill has its own flag");

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

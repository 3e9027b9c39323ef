//! The inbox's counters (see `kefu_domain::inbox`): moved by commands, read by the inbox,
//! rebuilt from the tickets after a bulk load.

use crate::backend::{Exec, exec, exec_built};
use crate::error::StoreResult;
use kefu_domain::entities::Id;
use kefu_domain::inbox::CountKey;
use sea_query::{OnConflict, Query};

/// Adds each delta to its counter (creating the counter at the delta).
pub async fn adjust_counts(ex: Exec<'_>, deltas: &[(CountKey, i64)]) -> StoreResult<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table("inbox_counts").columns(["scope", "subject_id", "n"]).on_conflict(
        OnConflict::columns(["scope", "subject_id"])
            .value("n", sea_query::Expr::cust("inbox_counts.n + excluded.n"))
            .to_owned(),
    );
    for (key, n) in deltas {
        let (scope, subject) = key.parts();
        insert.values_panic([scope.into(), subject.into(), (*n).into()]);
    }
    exec_built!(ex, insert, |e, sql, values| sqlx::query_with(sql, values)
        .execute(e)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The counters an agent's inbox shows: the agent's own, every team queue's, and the
/// total (a few dozen rows at most; the caller sums the queues it may see).
pub async fn counts_for_agent(ex: Exec<'_>, agent_id: Id) -> StoreResult<Vec<(CountKey, i64)>> {
    let rows: Vec<(String, i64, i64)> = exec!(ex, e => sqlx::query_as(
        "SELECT scope, subject_id, n FROM inbox_counts \
         WHERE scope IN ('unfinished', 'unassigned') \
            OR (subject_id = $1 AND scope IN ('assigned', 'waiting', 'owned_by_others'))")
        .bind(agent_id).fetch_all(e).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(scope, subject, n)| CountKey::from_parts(&scope, subject).map(|key| (key, n)))
        .collect())
}

/// Every counter, for tests and checks.
pub async fn all_counts(ex: Exec<'_>) -> StoreResult<Vec<(CountKey, i64)>> {
    let rows: Vec<(String, i64, i64)> = exec!(ex, e => sqlx::query_as(
        "SELECT scope, subject_id, n FROM inbox_counts WHERE n <> 0 ORDER BY scope, subject_id")
        .fetch_all(e).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(scope, subject, n)| CountKey::from_parts(&scope, subject).map(|key| (key, n)))
        .collect())
}

/// Counts every counter again from the tickets (after a bulk load, or to repair). Scans
/// the ticket table once per view: a maintenance command, never a page.
pub async fn rebuild_inbox_counts(mut ex: Exec<'_>) -> StoreResult<()> {
    const UNFINISHED: &str = "status NOT IN ('resolved', 'closed')";
    let statements = [
        "DELETE FROM inbox_counts".to_owned(),
        format!("INSERT INTO inbox_counts (scope, subject_id, n) SELECT 'unfinished', 0, COUNT(*) FROM tickets WHERE {UNFINISHED}"),
        format!(
            "INSERT INTO inbox_counts (scope, subject_id, n) SELECT 'assigned', assignee_id, COUNT(*) FROM tickets \
             WHERE assignee_id IS NOT NULL AND {UNFINISHED} GROUP BY assignee_id"
        ),
        "INSERT INTO inbox_counts (scope, subject_id, n) SELECT 'waiting', assignee_id, COUNT(*) FROM tickets \
         WHERE assignee_id IS NOT NULL AND status = 'pending' GROUP BY assignee_id"
            .to_owned(),
        format!(
            "INSERT INTO inbox_counts (scope, subject_id, n) SELECT 'unassigned', COALESCE(team_id, 0), COUNT(*) FROM tickets \
             WHERE assignee_id IS NULL AND {UNFINISHED} GROUP BY COALESCE(team_id, 0)"
        ),
        format!(
            "INSERT INTO inbox_counts (scope, subject_id, n) SELECT 'owned_by_others', owner_id, COUNT(*) FROM tickets \
             WHERE owner_id IS NOT NULL AND (assignee_id IS NULL OR assignee_id <> owner_id) AND {UNFINISHED} GROUP BY owner_id"
        ),
    ];
    for sql in statements {
        exec!(ex.reborrow(), e => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(e).await.map(|_| ()))?;
    }
    Ok(())
}

//! Bulk loading for demo data and benchmarks: many rows per statement, many statements per
//! transaction, ids given by the caller. Not for the request path: it bypasses the
//! per-command rules that the use cases enforce, so only generated, already-valid data
//! goes through here.

use crate::Db;
use crate::backend::{Exec, exec, exec_built};
use crate::error::{StoreError, StoreResult};
use sea_query::{InsertStatement, Query, SimpleExpr};

/// One row for a table: its values in the table's column order.
pub type Row = Vec<SimpleExpr>;

/// Rows for one table.
pub struct TableRows {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Row>,
}

/// The highest id in use in `table` (0 when empty), so a loader can number new rows.
pub async fn max_id(ex: Exec<'_>, table: &'static str) -> StoreResult<i64> {
    let sql = match table {
        "customers" => "SELECT COALESCE(MAX(id), 0) FROM customers",
        "tickets" => "SELECT COALESCE(MAX(id), 0) FROM tickets",
        "messages" => "SELECT COALESCE(MAX(id), 0) FROM messages",
        "ticket_events" => "SELECT COALESCE(MAX(id), 0) FROM ticket_events",
        "survey_sends" => "SELECT COALESCE(MAX(id), 0) FROM survey_sends",
        "survey_answers" => "SELECT COALESCE(MAX(id), 0) FROM survey_answers",
        _ => return Err(StoreError::Corrupt(format!("no bulk loading for {table}"))),
    };
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as(sql).fetch_one(e).await)?;
    Ok(n)
}

/// The last ticket number given out (1000 before the first ticket).
pub async fn last_ticket_number(ex: Exec<'_>) -> StoreResult<i64> {
    let (n,): (i64,) = exec!(ex, e => sqlx::query_as("SELECT COALESCE(MAX(number), 1000) FROM tickets").fetch_one(e).await)?;
    Ok(n)
}

/// The tables bulk loads give ids to (fixed names: the statement is built from them).
const IDENTITY_TABLES: [&str; 6] = [
    "customers",
    "tickets",
    "messages",
    "ticket_events",
    "survey_sends",
    "survey_answers",
];

/// Inserts every table's rows (in the order given, so references resolve) in one
/// transaction. Ticket numbering continues after the highest number loaded.
pub async fn load(db: &Db, tables: Vec<TableRows>) -> StoreResult<()> {
    let postgres = db.is_postgres();
    // Bound parameters per statement stay under both backends' limits (SQLite 32766).
    const MAX_PARAMS: usize = 30_000;
    db.write(move |tx| {
        Box::pin(async move {
            for table in tables {
                let per_statement = (MAX_PARAMS / table.columns.len()).max(1);
                let mut rows = table.rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let mut insert: InsertStatement = Query::insert();
                    insert.into_table(table.table).columns(table.columns.iter().copied());
                    for row in rows.by_ref().take(per_statement) {
                        insert.values_panic(row);
                    }
                    exec_built!(tx.exec(), insert, |e, sql, values| sqlx::query_with(sql, values)
                        .execute(e)
                        .await
                        .map(|r| r.rows_affected()))?;
                }
            }
            if postgres {
                // Rows came with their ids: move each identity sequence past them.
                for table in IDENTITY_TABLES {
                    let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))");
                    exec!(tx.exec(), e => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(e).await.map(|r| r.rows_affected()))?;
                }
            }
            Ok::<_, StoreError>(())
        })
    })
    .await
}

/// Recounts every agent's open assigned tickets (after a bulk load wrote tickets without
/// going through the commands that keep the count).
pub async fn recount_open_tickets(ex: Exec<'_>) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "UPDATE agents SET open_tickets = (SELECT COUNT(*) FROM tickets \
         WHERE tickets.assignee_id = agents.id AND tickets.status NOT IN ('resolved', 'closed'))")
        .execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

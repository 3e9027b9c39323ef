//! Portal visits, for self-service (deflection): whether a visit read an article the
//! request form suggested, and whether it filed a request after all.

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;

/// A suggested article was opened during the visit.
pub async fn note_read(ex: Exec<'_>, visit_hash: &str, at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO portal_visits (visit_hash, seen_at, first_read_at, reads) VALUES ($1, $2, $2, 1) \
         ON CONFLICT (visit_hash) DO UPDATE SET reads = portal_visits.reads + 1, \
           first_read_at = COALESCE(portal_visits.first_read_at, excluded.first_read_at)")
        .bind(visit_hash).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The visit filed a request (the first time counts).
pub async fn note_submission(ex: Exec<'_>, visit_hash: &str, at: Timestamp) -> StoreResult<()> {
    exec!(ex, e => sqlx::query(
        "INSERT INTO portal_visits (visit_hash, seen_at, submitted_at) VALUES ($1, $2, $2) \
         ON CONFLICT (visit_hash) DO UPDATE SET \
           submitted_at = COALESCE(portal_visits.submitted_at, excluded.submitted_at)")
        .bind(visit_hash).bind(ms(at)).execute(e).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Visits of a period, counted for the deflection report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitCounts {
    /// Visits that first read a suggested article in the period.
    pub reading: i64,
    /// Of those, visits that filed a request all the same.
    pub submitted_after_reading: i64,
    /// Of those, visits that filed nothing and first read before `settled_before`.
    pub deflected: i64,
    /// Visits that filed a request in the period without reading a suggestion.
    pub submitted_without_reading: i64,
}

pub async fn counts(ex: Exec<'_>, from: Timestamp, to: Timestamp, settled_before: Timestamp) -> StoreResult<VisitCounts> {
    let row: (i64, i64, i64, i64) = exec!(ex, e => sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN first_read_at >= $1 AND first_read_at < $2 THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN first_read_at >= $1 AND first_read_at < $2 AND submitted_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN first_read_at >= $1 AND first_read_at < $2 AND submitted_at IS NULL AND first_read_at < $3 THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN first_read_at IS NULL AND submitted_at >= $1 AND submitted_at < $2 THEN 1 ELSE 0 END), 0) \
         FROM portal_visits \
         WHERE (first_read_at >= $1 AND first_read_at < $2) OR (submitted_at >= $1 AND submitted_at < $2)")
        .bind(ms(from)).bind(ms(to)).bind(ms(settled_before)).fetch_one(e).await)?;
    Ok(VisitCounts {
        reading: row.0,
        submitted_after_reading: row.1,
        deflected: row.2,
        submitted_without_reading: row.3,
    })
}

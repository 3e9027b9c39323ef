//! The public pages' look: one row, and the logo's bytes in `attachment_contents`.

use crate::backend::{Exec, exec};
use crate::convert::ms;
use crate::error::StoreResult;
use jiff::Timestamp;
use kefu_domain::branding::Branding;

/// The branding, or the default (Kefu's own look) when none was ever set.
pub async fn branding(ex: Exec<'_>) -> StoreResult<Branding> {
    type Row = (String, String, String, String, String, Option<String>, Option<String>);
    let row: Option<Row> = exec!(ex, e => sqlx::query_as(
        "SELECT name_zh, name_en, welcome_zh, welcome_en, accent, logo_sha256, logo_type FROM portal_branding WHERE id = 1")
        .fetch_optional(e).await)?;
    Ok(row
        .map(
            |(name_zh, name_en, welcome_zh, welcome_en, accent, logo_sha256, logo_type)| Branding {
                name_zh,
                name_en,
                welcome_zh,
                welcome_en,
                accent,
                logo_type,
                logo_sha256,
            },
        )
        .unwrap_or_default())
}

/// Writes the branding; a new logo's bytes first (stored once per hash).
pub async fn save_branding(mut ex: Exec<'_>, branding: &Branding, logo: Option<&[u8]>, at: Timestamp) -> StoreResult<()> {
    if let (Some(bytes), Some(sha256)) = (logo, &branding.logo_sha256) {
        exec!(ex.reborrow(), e => sqlx::query(
            "INSERT INTO attachment_contents (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha256).bind(bytes).execute(e).await.map(|_| ()))?;
    }
    exec!(ex, e => sqlx::query(
        "INSERT INTO portal_branding (id, name_zh, name_en, welcome_zh, welcome_en, accent, logo_sha256, logo_type, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, welcome_zh = excluded.welcome_zh, \
         welcome_en = excluded.welcome_en, accent = excluded.accent, logo_sha256 = excluded.logo_sha256, \
         logo_type = excluded.logo_type, updated_at = excluded.updated_at")
        .bind(&branding.name_zh).bind(&branding.name_en).bind(&branding.welcome_zh).bind(&branding.welcome_en)
        .bind(&branding.accent).bind(&branding.logo_sha256).bind(&branding.logo_type).bind(ms(at))
        .execute(e).await.map(|_| ()))?;
    Ok(())
}

/// The logo's bytes.
pub async fn logo_bytes(ex: Exec<'_>) -> StoreResult<Option<(String, Vec<u8>)>> {
    let row: Option<(String, Vec<u8>)> = exec!(ex, e => sqlx::query_as(
        "SELECT b.logo_type, c.bytes FROM portal_branding b JOIN attachment_contents c ON c.sha256 = b.logo_sha256 \
         WHERE b.id = 1 AND b.logo_type IS NOT NULL")
        .fetch_optional(e).await)?;
    Ok(row)
}

//! Recording changes to how the department works (policies, calendars, rules, macros,
//! agents, teams, surveys) in the audit log, in the transaction of the change, and
//! reading the log back (admins only).

use crate::error::{AppError, AppResult};
use crate::{Actor, App, now};
use kefu_domain::audit::AuditEntry;
use kefu_domain::entities::Id;
use kefu_store::Tx;
use kefu_store::audit_log::{audit_entries, insert_audit_entry};
use serde::Serialize;

/// The most entries one page of the log holds.
pub const MAX_AUDIT_PAGE: u32 = 200;

/// Records `action` on `subject` by `actor` (`None`: the operator at the command line),
/// with the state after the change.
pub(crate) async fn audit(
    tx: &mut Tx,
    actor: Option<Id>,
    action: &str,
    subject: (&str, Option<Id>),
    data: &impl Serialize,
) -> AppResult<()> {
    let data = serde_json::to_value(data).map_err(|e| AppError::Internal(format!("audit data: {e}")))?;
    insert_audit_entry(tx.exec(), actor, action, subject.0, subject.1, &data, now()).await?;
    Ok(())
}

impl App {
    /// The log, newest first: `limit` entries (1–200) older than entry `before`.
    pub async fn audit_log(&self, actor: &Actor, before: Option<Id>, limit: Option<u32>) -> AppResult<Vec<AuditEntry>> {
        actor.require_admin("the audit log")?;
        let limit = limit.unwrap_or(50).clamp(1, MAX_AUDIT_PAGE);
        Ok(audit_entries(self.db().read(), before, limit).await?)
    }
}

//! The audit log: who changed how the department works, what, and when.

use crate::entities::Id;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: Id,
    /// The agent who made it; `null` for the machine's operator (the command line).
    pub actor_id: Option<Id>,
    /// What was done, as `subject.verb`, e.g. `sla_policy.update`.
    pub action: String,
    /// What it was done to (`sla_policy`, `calendar`, `rule`, `macro`, `agent`, `team`,
    /// `survey_design`, `survey_trigger`) and its id.
    pub subject_kind: String,
    pub subject_id: Option<Id>,
    /// The state after the change (or what was removed), as the API shows it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

//! The audit trail: who did what, when, from where, with the state before and after.

use crate::{DivisionCode, ZoneKey};

/// Who wrote, from where, and what the write concerns; the store adds the time and the before/after states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// `user:<name>`, `api:admin` or `cli:<login>`.
    pub actor: String,
    /// The client's address, or `cli`.
    pub origin: String,
    /// The zone the write concerns, if one.
    pub zone: Option<ZoneKey>,
    /// The province whose data the write concerns, if one (what a province user may see of the trail).
    pub province: Option<DivisionCode>,
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    /// ISO 8601 UTC.
    pub at: String,
    pub actor: String,
    pub origin: String,
    /// `import.batch`, `account.add`, `account.disable`, `account.enable`.
    pub action: String,
    pub zone: Option<ZoneKey>,
    pub province: Option<DivisionCode>,
    /// What was written: a batch name, a username.
    pub subject: String,
    /// JSON of the state before, where there was one.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which entries to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub zone: Option<ZoneKey>,
    pub actor: Option<String>,
    /// Entries at or after this ISO 8601 time.
    pub since: Option<String>,
    /// Only entries about this province (a province user's view).
    pub province: Option<DivisionCode>,
    pub limit: u32,
}

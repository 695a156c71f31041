//! Schema migrations. Each step is written once for both databases where their DDL agrees, as a template in
//! `crates/store/migrations/` with five placeholders a backend's [`Dialect`] fills in; what really differs
//! (triggers, the change log's transaction ids, SQLite's key-only tables) stays in the backend's own
//! `migrations/` folder and is appended to the shared part. The bookkeeping rules are shared too.

use crate::{Result, StoreError};

/// How a backend spells the few column types its DDL does not share.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// `{serial}`: a 64-bit key the database numbers itself.
    pub serial: &'static str,
    /// `{timestamp}`: a point in time.
    pub timestamp: &'static str,
    /// `{now}`: the current time, as a column default.
    pub now: &'static str,
    /// `{decimal}`: an exact decimal.
    pub decimal: &'static str,
    /// `{bytes}`: a file's content, whole.
    pub bytes: &'static str,
}

impl Dialect {
    /// Fills a template's placeholders.
    pub fn render(&self, template: &str) -> String {
        template
            .replace("{serial}", self.serial)
            .replace("{timestamp}", self.timestamp)
            .replace("{now}", self.now)
            .replace("{decimal}", self.decimal)
            .replace("{bytes}", self.bytes)
    }
}

/// The templates both backends render, by the name their migrations carry.
pub mod shared {
    pub const REFERENCE: &str = include_str!("../migrations/reference.sql");
    pub const BATCHES: &str = include_str!("../migrations/batches.sql");
    pub const ACCOUNTS: &str = include_str!("../migrations/accounts.sql");
    pub const AUDIT: &str = include_str!("../migrations/audit.sql");
    pub const LIFECYCLE: &str = include_str!("../migrations/lifecycle.sql");
    pub const REPORTS: &str = include_str!("../migrations/reports.sql");
    pub const POLICIES: &str = include_str!("../migrations/policies.sql");
    pub const REVIEW_FIXES: &str = include_str!("../migrations/review_fixes.sql");
    pub const JOBS: &str = include_str!("../migrations/jobs.sql");
    pub const REPORT_RETURNS: &str = include_str!("../migrations/report_returns.sql");
    pub const DOCUMENTS: &str = include_str!("../migrations/documents.sql");
    pub const EXPERT_PURPOSES: &str = include_str!("../migrations/expert_purposes.sql");
    pub const GRADES: &str = include_str!("../migrations/grades.sql");
    pub const REPORT_PROGRESS: &str = include_str!("../migrations/report_progress.sql");
    pub const INFORMATION_RECORDS: &str = include_str!("../migrations/information_records.sql");
    pub const CONTRACT_FLOWS: &str = include_str!("../migrations/contract_flows.sql");
    pub const CONTRACTS: &str = include_str!("../migrations/contracts.sql");
    pub const REGISTERS: &str = include_str!("../migrations/registers.sql");
    pub const LISTINGS: &str = include_str!("../migrations/listings.sql");
    pub const REWARD_LEDGER: &str = include_str!("../migrations/reward_ledger.sql");
    pub const CONTRACT_SEQUENCES: &str = include_str!("../migrations/contract_sequences.sql");
    pub const CONTRACT_NUMBERS: &str = include_str!("../migrations/contract_numbers.sql");
}

/// One schema step. Applied migrations are recorded with their checksum, so an edited migration is caught
/// instead of silently diverging databases.
#[derive(Debug, Clone)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: String,
    /// Checksums of earlier wordings of the same step that built the same schema: databases migrated before
    /// the migrations were written once for both backends recorded those.
    pub earlier_checksums: &'static [&'static str],
}

impl Migration {
    pub fn new(version: i64, name: &'static str, sql: impl Into<String>) -> Migration {
        Migration { version, name, sql: sql.into(), earlier_checksums: &[] }
    }

    pub fn formerly(self, earlier_checksums: &'static [&'static str]) -> Migration {
        Migration { earlier_checksums, ..self }
    }

    /// FNV-1a over the SQL text, as hex: a change detector, not a security measure.
    pub fn checksum(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.sql.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    fn accepts(&self, recorded: &str) -> bool {
        self.checksum() == recorded || self.earlier_checksums.contains(&recorded)
    }

    pub fn label(&self) -> String {
        format!("{:04} {}", self.version, self.name)
    }
}

/// What to apply, after checking what the database already has.
#[derive(Debug)]
pub struct MigrationPlan<'a> {
    pub pending: Vec<&'a Migration>,
}

/// Compares the migrations a database recorded (version, checksum) with those this build knows.
pub fn check_applied<'a>(known: &'a [Migration], applied: &[(i64, String)]) -> Result<MigrationPlan<'a>> {
    for (version, checksum) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(StoreError::Schema(format!(
                    "the database has migration {version}, which this build does not know: it was migrated by a newer ttdz"
                )));
            }
            Some(m) if !m.accepts(checksum) => {
                return Err(StoreError::Schema(format!("migration {} was changed after it was applied", m.label())));
            }
            Some(_) => {}
        }
    }
    let mut pending: Vec<&Migration> = known.iter().filter(|m| !applied.iter().any(|(v, _)| *v == m.version)).collect();
    pending.sort_by_key(|m| m.version);
    Ok(MigrationPlan { pending })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one() -> Migration {
        Migration::new(1, "one", "CREATE TABLE a (x INT);")
    }

    fn two() -> Migration {
        Migration::new(2, "two", "CREATE TABLE b (x INT);")
    }

    #[test]
    fn pending_are_the_unapplied_in_order() {
        let known = [two(), one()];
        let plan = check_applied(&known, &[]).unwrap();
        assert_eq!(plan.pending.iter().map(|m| m.version).collect::<Vec<_>>(), [1, 2]);
        let plan = check_applied(&known, &[(1, one().checksum())]).unwrap();
        assert_eq!(plan.pending.iter().map(|m| m.version).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn edited_or_unknown_migrations_are_refused() {
        assert!(matches!(check_applied(&[one()], &[(1, two().checksum())]), Err(StoreError::Schema(_))));
        assert!(matches!(
            check_applied(&[one()], &[(1, one().checksum()), (2, two().checksum())]),
            Err(StoreError::Schema(_))
        ));
    }

    #[test]
    fn an_earlier_wording_of_the_same_step_is_accepted() {
        let reworded = Migration::new(1, "one", "CREATE TABLE a (x INTEGER);");
        let earlier: &'static str = Box::leak(one().checksum().into_boxed_str());
        let known = [reworded.formerly(Box::leak(Box::new([earlier])))];
        assert!(check_applied(&known, &[(1, one().checksum())]).unwrap().pending.is_empty());
        assert!(matches!(check_applied(&known, &[(1, two().checksum())]), Err(StoreError::Schema(_))));
    }

    #[test]
    fn a_dialect_fills_every_placeholder_of_every_shared_template() {
        let dialect = Dialect { serial: "S", timestamp: "T", now: "N", decimal: "D", bytes: "B" };
        for template in [
            shared::REFERENCE,
            shared::BATCHES,
            shared::ACCOUNTS,
            shared::AUDIT,
            shared::LIFECYCLE,
            shared::REPORTS,
            shared::POLICIES,
            shared::REVIEW_FIXES,
            shared::JOBS,
            shared::REPORT_RETURNS,
            shared::DOCUMENTS,
            shared::EXPERT_PURPOSES,
            shared::GRADES,
            shared::REPORT_PROGRESS,
        ] {
            let sql = dialect.render(template);
            assert!(!sql.contains('{') && !sql.contains('}'), "a placeholder is left in:\n{sql}");
        }
    }
}

//! The store: what TTDZ keeps, behind one trait with an implementation per database (`ttdz-store-sqlite`,
//! `ttdz-store-postgres`). Both pass the same conformance suite (`ttdz-conformance`).
//!
//! Invariants every implementation keeps:
//! - `migrate` applies the schema and the shipped reference data in one transaction: a store is either at the new
//!   version with all its reference data, or unchanged.
//! - A division vintage, once stored, is never changed; a newer list is a new vintage.
//! - Decimal quantities are stored exactly (NUMERIC or canonical decimal text), never as binary floats.

mod migrations;
pub mod rows;
mod sync;

use async_trait::async_trait;
use rust_decimal::Decimal;
use ttdz_domain::audit::{AuditContext, AuditEntry, AuditQuery};
use ttdz_domain::contract::ContractRollup;
use ttdz_domain::measure::{Reported, SourceKind, SourcedValue, resolve};
use ttdz_domain::reference::{DemoData, ReferenceErrors};
use ttdz_domain::{
    CensusPopulation, Dataset, DivisionCode, DivisionSet, ElementCode, Indicator, PublishedFigure, Vintage, Zone,
    ZoneKey,
};

pub use migrations::{Migration, MigrationPlan, check_applied};
pub use sync::{SyncStep, reference_sync_plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be opened or reached: a configuration or environment problem.
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    /// The stored schema does not fit this build (edited or unknown migrations).
    #[error("the database schema does not fit this build of ttdz: {0}")]
    Schema(String),
    /// The request contradicts what is stored (a vintage loaded twice, say).
    #[error("{0}")]
    Conflict(String),
    /// Input data failed its checks; nothing was written.
    #[error("{0}")]
    Invalid(#[from] ReferenceErrors),
    /// Stored data no longer satisfies the domain's rules.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What `migrate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Schema migrations applied now, as `version name`.
    pub applied: Vec<String>,
    /// Reference datasets (re)loaded now.
    pub datasets_loaded: Vec<String>,
}

/// A dataset as stored (reference data, demo data or an import batch): the file checksum every value loaded from
/// it can be traced to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRecord {
    pub dataset: Dataset,
    pub kind: SourceKind,
    /// Order of recording among all datasets; higher is newer.
    pub revision: i64,
    /// Who recorded it, for batches.
    pub recorded_by: Option<String>,
    /// Data rows in its file, for batches.
    pub rows: Option<u64>,
    /// ISO 8601 UTC timestamp.
    pub loaded_at: String,
}

/// A stored division list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VintageInfo {
    pub vintage: Vintage,
    pub divisions: u64,
    pub dataset: String,
}

/// A value of a data element for a division and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionValue {
    pub element: ElementCode,
    pub division: DivisionCode,
    pub year: i32,
    pub value: Decimal,
    /// What the report cites for this value.
    pub note: Option<String>,
}

/// A value of a data element that exists only for a zone as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneValue {
    pub element: ElementCode,
    pub zone: ZoneKey,
    pub year: i32,
    pub value: Decimal,
    pub note: Option<String>,
}

/// Everything one import batch contributes. Stored whole, it replaces whatever the same batch contributed before.
#[derive(Debug, Clone)]
pub struct Batch {
    /// `name` identifies the batch (`values:<name>`, `contracts:<name>`); `sha256` is of the imported file.
    pub dataset: Dataset,
    pub kind: SourceKind,
    pub recorded_by: String,
    pub rows: u64,
    pub division_values: Vec<DivisionValue>,
    pub zone_values: Vec<ZoneValue>,
    pub rollups: Vec<ContractRollup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    /// False when the same file was stored for this batch already: nothing was written.
    pub changed: bool,
    /// True when an earlier version of the batch was replaced.
    pub replaced: bool,
}

impl BatchReport {
    /// `stored`, `replaced` (the batch's earlier contribution) or `unchanged` (the same file again).
    pub fn outcome(&self) -> &'static str {
        match (self.changed, self.replaced) {
            (false, _) => "unchanged",
            (true, true) => "replaced",
            (true, false) => "stored",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub figures: u64,
    /// False when the same demo data was already loaded and nothing changed.
    pub changed: bool,
}

/// The data element that census population is stored under (the denominator of Annex 2 rows 2 and 8).
pub const RESIDENT_POPULATION: &str = "resident_population";

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;

    /// Brings the schema up to this build's version and loads the reference data it ships, atomically.
    async fn migrate(&self, reference: &ReferenceData) -> Result<MigrationReport>;

    async fn datasets(&self) -> Result<Vec<DatasetRecord>>;

    /// Stored division lists, oldest first.
    async fn vintages(&self) -> Result<Vec<VintageInfo>>;

    /// The whole division list of a vintage, `None` if that vintage is not stored.
    async fn divisions(&self, vintage: Vintage) -> Result<Option<DivisionSet>>;

    /// Stores a new division list. Fails with `Conflict` if the vintage is already stored.
    async fn add_division_vintage(&self, set: &DivisionSet, dataset: &Dataset) -> Result<()>;

    /// The Annex 2 rows, in order.
    async fn indicators(&self) -> Result<Vec<Indicator>>;

    /// All zones, ordered by approval date (unknown last), then key.
    async fn zones(&self) -> Result<Vec<Zone>>;

    async fn zone(&self, key: &ZoneKey) -> Result<Option<Zone>>;

    /// Every stored value of one data element, for divisions and zones, with its source.
    async fn sourced_values(&self, element: &ElementCode) -> Result<Vec<SourcedValue>>;

    /// The effective values of one element after source precedence (see `measure::resolve`).
    async fn reported(&self, element: &ElementCode) -> Result<Reported> {
        Ok(resolve(self.sourced_values(element).await?))
    }

    /// Stores an import batch in one transaction, replacing the batch's earlier contribution. A batch whose file
    /// checksum is already stored under the same name changes nothing.
    async fn replace_batch(&self, batch: &Batch, audit: &AuditContext) -> Result<BatchReport>;

    /// Creates an account. Fails with `Conflict` if the username is taken.
    async fn add_account(
        &self,
        account: &ttdz_domain::account::Account,
        password_hash: &str,
        audit: &AuditContext,
    ) -> Result<()>;

    /// All accounts, by username.
    async fn accounts(&self) -> Result<Vec<ttdz_domain::account::Account>>;

    /// An account with its password hash, for logging in.
    async fn account_credentials(&self, username: &str) -> Result<Option<(ttdz_domain::account::Account, String)>>;

    /// Disables or enables an account (its sessions stop working at once); false if there is no such account.
    async fn set_account_disabled(&self, username: &str, disabled: bool, audit: &AuditContext) -> Result<bool>;

    /// A zone's place in the procedure, with its history; `None` for an unknown zone.
    async fn lifecycle(&self, zone: &ZoneKey) -> Result<Option<LifecycleState>>;

    /// Applies one step of the procedure with its audit entry, in one transaction. `Conflict` when the zone moved
    /// since `step.based_on`, or when a proposed zone's key is taken.
    async fn apply_lifecycle(&self, step: &LifecycleStep, audit: &AuditContext) -> Result<i64>;

    /// A zone-year's annual report.
    async fn annual_report(&self, zone: &ZoneKey, year: i32) -> Result<Option<AnnualReport>>;

    /// Saves a report's new state (its version one above `based_on`), with its values batch when the values
    /// changed and an audit entry for `action`, in one transaction. `Conflict` when the report moved since.
    async fn save_annual_report(
        &self,
        report: &AnnualReport,
        based_on: i64,
        values: Option<&Batch>,
        action: &str,
        audit: &AuditContext,
    ) -> Result<i64>;

    /// Registers a policy for its zone; answers its id.
    async fn add_policy(&self, policy: &ttdz_domain::policy::Policy, audit: &AuditContext) -> Result<i64>;

    async fn policy(&self, id: i64) -> Result<Option<ttdz_domain::policy::Policy>>;

    /// A zone's policies, oldest first, each with its checks, oldest first.
    async fn policies(
        &self,
        zone: &ZoneKey,
    ) -> Result<Vec<(ttdz_domain::policy::Policy, Vec<ttdz_domain::policy::PolicyCheck>)>>;

    async fn add_policy_check(&self, check: &ttdz_domain::policy::PolicyCheck, audit: &AuditContext) -> Result<()>;

    /// Adds a proposed experience; answers its id.
    async fn add_experience(&self, experience: &ttdz_domain::policy::Experience, audit: &AuditContext) -> Result<i64>;

    /// Publishes an experience on `on` (ISO date); false if there is none with that id.
    async fn publish_experience(&self, id: i64, on: &str, audit: &AuditContext) -> Result<bool>;

    /// Every experience, oldest first.
    async fn experiences(&self) -> Result<Vec<ttdz_domain::policy::Experience>>;

    /// Entries of the audit trail, oldest first. Writes append to it in their own transaction; nothing changes it.
    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    /// Records a session by the SHA-256 of its token.
    async fn create_session(&self, token_sha256: &str, username: &str, csrf_token: &str, expires_at: i64)
    -> Result<()>;

    /// The account and CSRF token of a session that has not expired at `now`, of an account not disabled.
    async fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(ttdz_domain::account::Account, String)>>;

    async fn delete_session(&self, token_sha256: &str) -> Result<()>;

    /// Records a failed login for `subject` at `at` (Unix seconds), forgetting failures older than an hour.
    async fn record_login_failure(&self, subject: &str, at: i64) -> Result<()>;

    /// Failed logins for `subject` since `since` (Unix seconds).
    async fn login_failures_since(&self, subject: &str, since: i64) -> Result<u64>;

    /// Contract roll-ups of one side, summed over all batches, for divisions whose code starts with `prefix`.
    async fn contract_rollups(&self, side: ttdz_domain::contract::Side, prefix: &str) -> Result<Vec<ContractRollup>>;

    /// Adds the demo data (published figures); loading the same data again changes nothing.
    async fn load_demo(&self, demo: &DemoData) -> Result<DemoReport>;

    /// Published figures loaded by `load_demo`, ordered by division, statistic and year.
    async fn published_figures(&self) -> Result<Vec<PublishedFigure>>;
}

pub use ttdz_domain::ReferenceData;

/// The census population rows of a reference set as element values, for stores to insert.
pub fn population_values(population: &[CensusPopulation]) -> Result<Vec<DivisionValue>> {
    let element = ElementCode::parse(RESIDENT_POPULATION).map_err(|e| StoreError::Corrupt(e.0))?;
    Ok(population
        .iter()
        .map(|p| DivisionValue {
            element: element.clone(),
            division: p.province,
            year: p.year,
            value: Decimal::from(p.persons),
            note: None,
        })
        .collect())
}

/// Adds up roll-ups of the same division, year, type and side (from different batches), in that order.
pub fn sum_rollups(rollups: Vec<ContractRollup>) -> Vec<ContractRollup> {
    let mut summed: std::collections::BTreeMap<_, ContractRollup> = std::collections::BTreeMap::new();
    for r in rollups {
        match summed.entry((r.division, r.year, r.contract_type, r.side)) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(r);
            }
            std::collections::btree_map::Entry::Occupied(mut e) => {
                let s = e.get_mut();
                s.contracts += r.contracts;
                s.turnover += r.turnover;
                s.tech_amount += r.tech_amount;
            }
        }
    }
    summed.into_values().collect()
}

/// The effective values of every element the indicators use, keyed by element.
pub async fn reported_for(
    store: &dyn Store,
    indicators: &[Indicator],
) -> Result<std::collections::HashMap<ElementCode, Reported>> {
    // Owned first: a borrowing iterator held across the awaits below would make the future less general than
    // axum handlers need.
    let elements: std::collections::BTreeSet<ElementCode> =
        indicators.iter().flat_map(|i| i.numerator.iter().chain(&i.denominator)).cloned().collect();
    let mut out = std::collections::HashMap::new();
    for element in elements {
        let reported = store.reported(&element).await?;
        out.insert(element, reported);
    }
    Ok(out)
}

/// The before and after states the audit trail keeps for a batch.
pub fn batch_audit_states(previous: Option<&(String, Option<i64>)>, batch: &Batch) -> (Option<String>, String) {
    let before = previous.map(|(sha, rows)| serde_json::json!({ "sha256": sha, "rows": rows }).to_string());
    let after = serde_json::json!({
        "sha256": batch.dataset.sha256,
        "kind": batch.kind.as_str(),
        "rows": batch.rows,
        "division_values": batch.division_values.len(),
        "zone_values": batch.zone_values.len(),
        "rollups": batch.rollups.len(),
    })
    .to_string();
    (before, after)
}

/// The state the audit trail keeps for an account.
pub fn account_audit_state(account: &ttdz_domain::account::Account) -> String {
    serde_json::json!({
        "username": account.username.as_str(),
        "role": account.role.as_str(),
        "province": account.province.map(|p| p.to_string()),
        "division": account.division.map(|d| d.to_string()),
        "zone": account.zone.as_ref().map(|z| z.to_string()),
        "disabled": account.disabled,
    })
    .to_string()
}

/// A zone's place in the procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleState {
    pub stage: ttdz_domain::lifecycle::Stage,
    /// First and last day of the current term, and whether it is assumed (the sources do not publish it).
    pub term: Option<(String, String, bool)>,
    /// Incremented by every step; a step names the version it was based on.
    pub version: i64,
    pub history: Vec<LifecycleEvent>,
    /// Experts assigned to review the plan, and whether each has.
    pub experts: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleEvent {
    pub id: i64,
    pub action: String,
    pub actor: String,
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    /// JSON.
    pub document: String,
}

/// One step, applied whole or not at all.
#[derive(Debug, Clone)]
pub struct LifecycleStep {
    pub zone: ZoneKey,
    /// The version the step was decided on (0 for a zone proposed now); another version means someone else moved
    /// first, and the step is refused with `Conflict`.
    pub based_on: i64,
    /// A zone to create with the step (a proposal).
    pub new_zone: Option<Zone>,
    pub action: ttdz_domain::lifecycle::Action,
    pub from: Option<ttdz_domain::lifecycle::Stage>,
    pub to: ttdz_domain::lifecycle::Stage,
    pub document: String,
    pub term: Option<(String, String)>,
    pub assign_experts: Vec<String>,
    pub reviewed_by: Option<String>,
}

/// The audit states of a step.
pub fn lifecycle_audit_states(step: &LifecycleStep) -> (Option<String>, String) {
    let before = step.from.map(|s| serde_json::json!({ "stage": s.as_str() }).to_string());
    let after = serde_json::json!({ "stage": step.to.as_str(), "action": step.action.as_str() }).to_string();
    (before, after)
}

/// The calendar year now (UTC).
pub fn current_year() -> i32 {
    today().0
}

/// A zone-year's annual report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReport {
    pub zone: ZoneKey,
    pub year: i32,
    pub status: ttdz_domain::report::ReportStatus,
    pub version: i64,
    pub text: String,
    /// JSON list of {element, division_code | zone_key, value} as drafted.
    pub values_json: String,
    /// `values_json` at the last submission.
    pub snapshot: Option<String>,
    /// ISO 8601 date of the last submission.
    pub submitted_at: Option<String>,
    pub late: bool,
    /// The ministry's comment on returning it.
    pub comment: Option<String>,
}

/// Today's date (UTC) as (year, month, day).
pub fn today() -> (i32, u32, u32) {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to the civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((yoe + era * 400 + i64::from(month <= 2)) as i32, month, day)
}

/// Today (UTC) as an ISO 8601 date.
pub fn today_iso() -> String {
    let (y, m, d) = today();
    format!("{y:04}-{m:02}-{d:02}")
}

/// `SELECT id, zone_key, level, issuer, number, issued, title, provisions FROM policies`
pub type PolicyRow = (i64, String, String, String, String, String, String, String);

pub fn policy_from_row(
    (id, zone, level, issuer, number, issued, title, provisions): PolicyRow,
) -> Result<ttdz_domain::policy::Policy> {
    let corrupt = |what: &str, e: ttdz_domain::ParseError| StoreError::Corrupt(format!("{what}: {e}"));
    Ok(ttdz_domain::policy::Policy {
        id,
        zone: ZoneKey::parse(&zone).map_err(|e| corrupt("zone key", e))?,
        level: ttdz_domain::policy::PolicyLevel::parse(&level).map_err(|e| corrupt("policy level", e))?,
        issuer,
        number,
        issued: issued.parse().map_err(|e| corrupt("issued", e))?,
        title,
        provisions,
    })
}

/// `SELECT policy_id, checked_on, checked_by, finding, evidence, annex_row FROM policy_checks`
pub type CheckRow = (i64, String, String, String, String, Option<i64>);

pub fn check_from_row((policy, on, by, finding, evidence, row): CheckRow) -> Result<ttdz_domain::policy::PolicyCheck> {
    let corrupt = |what: &str, e: ttdz_domain::ParseError| StoreError::Corrupt(format!("{what}: {e}"));
    Ok(ttdz_domain::policy::PolicyCheck {
        policy,
        checked_on: on.parse().map_err(|e| corrupt("checked_on", e))?,
        checked_by: by,
        finding: ttdz_domain::policy::Finding::parse(&finding).map_err(|e| corrupt("finding", e))?,
        evidence,
        annex_row: row.and_then(|r| u8::try_from(r).ok()),
    })
}

/// `SELECT id, zone_key, title, summary, policies, published_on FROM experiences`
pub type ExperienceRow = (i64, String, String, String, String, Option<String>);

pub fn experience_from_row(
    (id, zone, title, summary, policies, published_on): ExperienceRow,
) -> Result<ttdz_domain::policy::Experience> {
    Ok(ttdz_domain::policy::Experience {
        id,
        zone: ZoneKey::parse(&zone).map_err(|e| StoreError::Corrupt(format!("zone key: {e}")))?,
        title,
        summary,
        policies: serde_json::from_str(&policies)
            .map_err(|e| StoreError::Corrupt(format!("experience policies: {e}")))?,
        published_on,
    })
}

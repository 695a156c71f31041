//! The store: what TTDZ keeps, behind one trait with an implementation per database (`ttdz-store-sqlite`,
//! `ttdz-store-postgres`). Both pass the same conformance suite (`ttdz-conformance`).
//!
//! Invariants every implementation keeps:
//! - `migrate` applies the schema and the shipped reference data in one transaction: a store is either at the new
//!   version with all its reference data, or unchanged.
//! - A division vintage, once stored, is never changed; a newer list is a new vintage.
//! - Decimal quantities are stored exactly (NUMERIC or canonical decimal text), never as binary floats.

pub mod bulk;
mod migrations;
pub mod rows;
mod shared;
mod shared_contracts;
mod shared_data;
mod shared_listings;
mod shared_registers;
mod shared_rewards;
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

pub use migrations::{Dialect, Migration, MigrationPlan, check_applied, shared as shared_migrations};
pub use sync::{SyncStep, reference_sync_plan};

/// For the backends' expansions of the shared store macros, which name exact decimals.
#[doc(hidden)]
pub use rust_decimal::Decimal as ExactDecimal;

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
    /// Something a caller passed is not of the shape the store takes (a change cursor, say).
    #[error("{0}")]
    Malformed(String),
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
    /// For batches: the province it was recorded for; `None` for national writers.
    pub scope: Option<DivisionCode>,
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
    /// The province the batch was recorded for; `None` for national writers (the ministry, the command line).
    /// Only the same province or a national writer may replace it.
    pub scope: Option<DivisionCode>,
    pub rows: u64,
    pub division_values: Vec<DivisionValue>,
    pub zone_values: Vec<ZoneValue>,
    pub rollups: Vec<ContractRollup>,
    /// Seller's basic unit to buyer's, per year (contracts batches only).
    pub flows: Vec<ttdz_domain::contract::ContractFlow>,
    /// The numbers of the contracts the batch counts (contracts batches only): TTDZ registers none of them again,
    /// and its own numbering continues after those in its scheme.
    pub contract_numbers: ttdz_domain::counted::CountedNumbers,
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

/// Policies in force, checks of their implementation, and the experience library. Both backends run the same
/// statements, so it is implemented once, by [`impl_policy_store!`](crate::impl_policy_store), inside each backend
/// crate.
#[async_trait]
pub trait PolicyStore: Send + Sync {
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

    /// Stores an expert's grade of a row 13-15 for a zone and year, replacing the expert's earlier one.
    async fn save_grade(&self, grade: &ttdz_domain::policy::Grade, audit: &AuditContext) -> Result<()>;

    /// Every grade, oldest first by zone, year, row and expert.
    async fn grades(&self) -> Result<Vec<ttdz_domain::policy::Grade>>;
}

/// Accounts, sessions and failed logins. Implemented once for both backends by
/// [`impl_account_store!`](crate::impl_account_store).
#[async_trait]
pub trait AccountStore: Send + Sync {
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

    /// Replaces an account's password hash and ends its sessions; false when there is no such account.
    async fn set_password(&self, username: &str, password_hash: &str, audit: &AuditContext) -> Result<bool>;

    /// Records a session by the SHA-256 of its token (a login, in the audit trail).
    async fn create_session(
        &self,
        token_sha256: &str,
        username: &str,
        csrf_token: &str,
        expires_at: i64,
        audit: &AuditContext,
    ) -> Result<()>;

    /// The account and CSRF token of a session that has not expired at `now`, of an account not disabled.
    async fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(ttdz_domain::account::Account, String)>>;

    /// Ends a session (a logout, in the audit trail when there was one).
    async fn delete_session(&self, token_sha256: &str, audit: &AuditContext) -> Result<()>;

    /// Records a failed login for `subject` (what the throttle counts by) at `at` (Unix seconds), forgetting
    /// failures older than `LOGIN_FAILURE_MEMORY_SECONDS`; the audit trail names `username`.
    async fn record_login_failure(&self, subject: &str, username: &str, at: i64, audit: &AuditContext) -> Result<()>;

    /// When `subject`'s failed logins since `since` (Unix seconds) happened, oldest first.
    async fn login_failure_times(&self, subject: &str, since: i64) -> Result<Vec<i64>>;
}

/// Claims of scheduled jobs and the reminders they leave. Implemented once for both backends by
/// [`impl_job_store!`](crate::impl_job_store).
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims `job` for `period` (a day, say): true for the one caller that claims it first, on any instance.
    async fn claim_job(&self, job: &str, period: &str, audit: &AuditContext) -> Result<bool>;

    /// Leaves a reminder unless the same one (zone, kind, subject) is there already; true when it was added.
    async fn add_todo(&self, todo: &Todo, audit: &AuditContext) -> Result<bool>;

    /// Reminders, newest due first; for one province's zones only when `province` is given.
    async fn todos(&self, province: Option<&DivisionCode>) -> Result<Vec<Todo>>;
}

/// Annual reports with their versions. Implemented once for both backends by
/// [`impl_report_store!`](crate::impl_report_store).
#[async_trait]
pub trait ReportStore: Send + Sync {
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
}

/// Each zone's place in the procedure, its history and its experts. Implemented once for both backends by
/// [`impl_lifecycle_store!`](crate::impl_lifecycle_store).
#[async_trait]
pub trait LifecycleStore: Send + Sync {
    /// A zone's place in the procedure, with its history; `None` for an unknown zone.
    async fn lifecycle(&self, zone: &ZoneKey) -> Result<Option<LifecycleState>>;

    /// Applies one step of the procedure with its audit entry, in one transaction. `Conflict` when the zone moved
    /// since `step.based_on`, or when a proposed zone's key is taken.
    async fn apply_lifecycle(&self, step: &LifecycleStep, audit: &AuditContext) -> Result<i64>;
}

/// Division lists, the indicator catalog, zones and the demo's published figures, implemented once by
/// [`impl_reference_store!`](crate::impl_reference_store).
#[async_trait]
pub trait ReferenceStore: Send + Sync {
    /// Stored division lists, oldest first.
    async fn vintages(&self) -> Result<Vec<VintageInfo>>;

    /// The whole division list of a vintage, `None` if that vintage is not stored.
    async fn divisions(&self, vintage: Vintage) -> Result<Option<DivisionSet>>;

    /// Stores a new division list. Fails with `Conflict` if the vintage is already stored.
    async fn add_division_vintage(&self, set: &DivisionSet, dataset: &Dataset, audit: &AuditContext) -> Result<()>;

    /// The Annex 2 rows, in order.
    async fn indicators(&self) -> Result<Vec<Indicator>>;

    /// All zones, ordered by approval date (unknown last), then key.
    async fn zones(&self) -> Result<Vec<Zone>>;

    async fn zone(&self, key: &ZoneKey) -> Result<Option<Zone>>;

    /// Adds the demo data (published figures); loading the same data again changes nothing.
    async fn load_demo(&self, demo: &DemoData, audit: &AuditContext) -> Result<DemoReport>;

    /// Published figures loaded by `load_demo`, ordered by division, statistic and year.
    async fn published_figures(&self) -> Result<Vec<PublishedFigure>>;
}

/// Datasets and what they hold: values of data elements and contract roll-ups, stored batch by batch; implemented
/// once by [`impl_value_store!`](crate::impl_value_store).
#[async_trait]
pub trait ValueStore: Send + Sync {
    /// Every dataset, by name in byte order.
    async fn datasets(&self) -> Result<Vec<DatasetRecord>>;

    /// Every stored value of one data element, for divisions and zones, with its source.
    async fn sourced_values(&self, element: &ElementCode) -> Result<Vec<SourcedValue>>;

    /// The effective values of one element after source precedence (see `measure::resolve`).
    async fn reported(&self, element: &ElementCode) -> Result<Reported> {
        Ok(resolve(self.sourced_values(element).await?))
    }

    /// Stores an import batch in one transaction, replacing the batch's earlier contribution. A batch whose file
    /// checksum is already stored under the same name changes nothing.
    async fn replace_batch(&self, batch: &Batch, audit: &AuditContext) -> Result<BatchReport>;

    /// Contract roll-ups of one side, summed over all batches, for divisions whose code starts with `prefix`.
    async fn contract_rollups(&self, side: ttdz_domain::contract::Side, prefix: &str) -> Result<Vec<ContractRollup>>;

    /// Contracts and turnover from each seller's basic unit to each buyer's registered in `year`, by the batch (dataset)
    /// that brought them, ordered by batch, seller and buyer.
    async fn contract_flows(&self, year: i32) -> Result<Vec<(String, ttdz_domain::contract::ContractFlow)>>;

    /// The registration years that have contract flows, oldest first.
    async fn contract_flow_years(&self) -> Result<Vec<i32>>;
}

/// A document to attach: its format already recognised from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub zone: ZoneKey,
    /// The report's year; `None` for the procedure's documents.
    pub year: Option<i32>,
    /// What it is: `consent_letter`, `submission_letter`, `plan`, `approval`, `signed_report`, `evidence`.
    pub kind: String,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

/// A stored document, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: i64,
    pub zone: ZoneKey,
    pub year: Option<i32>,
    pub kind: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: u64,
    pub uploaded_by: String,
    /// ISO 8601 UTC.
    pub uploaded_at: String,
}

/// Documents attached to a zone's procedure or reports; implemented once by
/// [`impl_document_store!`](crate::impl_document_store).
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores a document whole, with its SHA-256, uploaded by the audit context's actor; answers its id.
    async fn add_document(&self, document: &NewDocument, audit: &AuditContext) -> Result<i64>;

    /// A zone's documents, oldest first, without their content.
    async fn documents(&self, zone: &ZoneKey) -> Result<Vec<DocumentRecord>>;

    /// One document with its content.
    async fn document(&self, id: i64) -> Result<Option<(DocumentRecord, Vec<u8>)>>;
}

/// The audit trail and the change log; implemented once by [`impl_audit_store!`](crate::impl_audit_store) but
/// for the change log's reader, which each database orders its own way.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Entries of the audit trail, oldest first. Writes append to it in their own transaction; nothing changes it.
    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    /// Committed changes after `cursor` (from the start without one), oldest first, at most `limit`. Following the
    /// cursors of what it returns, a reader never skips nor repeats a committed change, however writers commit.
    async fn changes(&self, after: Option<&str>, limit: u32) -> Result<Vec<Change>>;

    /// The number of committed changes in the log: it grows with every one, so what was computed from the data at
    /// one revision stays right until it differs.
    async fn data_revision(&self) -> Result<i64>;
}

/// A record of the information service as stored: the columns the store filters on, and the description as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformationRecord {
    pub id: i64,
    pub kind: ttdz_domain::achievement::RecordKind,
    /// The record's id where it came from; unique per kind.
    pub external_id: String,
    pub status: ttdz_domain::achievement::RecordStatus,
    /// The account that filed it; `None` for records imported from a registry.
    pub owner: Option<String>,
    pub division: Option<DivisionCode>,
    /// The import batch it came in, if any.
    pub batch: Option<String>,
    /// JSON of the domain's `Achievement` or `Demand`.
    pub body: String,
    /// The moderator's reasons when it was last returned.
    pub comment: Option<String>,
    pub version: i64,
    /// ISO 8601 UTC.
    pub created_at: String,
    pub updated_at: String,
    /// When it was last published, ISO 8601 UTC.
    pub published_at: Option<String>,
}

/// What an account follows of one kind of record, and how far it has read its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub username: String,
    pub kind: ttdz_domain::achievement::RecordKind,
    /// Technical field codes; empty: every field.
    pub fields: Vec<String>,
    /// Division codes or zone keys; empty: everywhere.
    pub areas: Vec<String>,
    /// The publication (time, record id) the digest was last read up to.
    pub read: Option<(String, i64)>,
}

/// An assessment of an achievement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub id: i64,
    pub record_id: i64,
    /// As the audit trail names the assessor (`user:NAME`).
    pub assessor: String,
    /// JSON of the domain's `Assessment`.
    pub body: String,
    /// ISO 8601 UTC.
    pub assessed_at: String,
}

/// A record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub kind: ttdz_domain::achievement::RecordKind,
    pub external_id: String,
    pub status: ttdz_domain::achievement::RecordStatus,
    pub owner: Option<String>,
    pub division: Option<DivisionCode>,
    pub body: String,
}

/// Which records to list, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFilter {
    pub kind: ttdz_domain::achievement::RecordKind,
    pub status: Option<ttdz_domain::achievement::RecordStatus>,
    pub owner: Option<String>,
    /// Records of divisions in this province only.
    pub province: Option<DivisionCode>,
    /// Records after this id (for paging).
    pub after: Option<i64>,
    pub limit: u32,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordImport {
    pub added: u64,
    pub updated: u64,
}

/// The achievements and demands of the information service. Every write is one audit entry (`achievement.*` or
/// `demand.*`) whose subject is the record's id, or `batch:NAME` for an import, so the change log says which
/// records to read again.
#[async_trait]
pub trait InformationStore: Send + Sync {
    /// Stores a new record; answers its id. An `external_id` its kind has already is `Conflict`.
    async fn add_record(&self, record: &NewRecord, audit: &AuditContext) -> Result<i64>;

    /// Stores a whole file's records under the batch `name`, all or none: a record whose kind and external id
    /// are stored already is replaced (its status set anew), the others added.
    async fn import_records(&self, records: &[NewRecord], name: &str, audit: &AuditContext) -> Result<RecordImport>;

    /// Replaces a record's description (and division), based on version `based_on` (`Conflict` if it moved);
    /// answers the new version.
    async fn update_record(
        &self,
        id: i64,
        based_on: i64,
        division: Option<&DivisionCode>,
        body: &str,
        audit: &AuditContext,
    ) -> Result<i64>;

    /// Moves a record to `status` by `action` (as the audit trail names it, e.g. `achievement.publish`), with the
    /// moderator's `comment` where it returns one; based on version `based_on`; answers the new version.
    async fn set_record_status(
        &self,
        id: i64,
        based_on: i64,
        status: ttdz_domain::achievement::RecordStatus,
        comment: Option<&str>,
        action: &str,
        audit: &AuditContext,
    ) -> Result<i64>;

    /// One record.
    async fn record(&self, id: i64) -> Result<Option<InformationRecord>>;

    /// Records as the filter says, by id.
    async fn records(&self, filter: &RecordFilter) -> Result<Vec<InformationRecord>>;

    /// The records an import batch stored.
    async fn records_of_batch(&self, name: &str) -> Result<Vec<InformationRecord>>;

    /// Published records of `kind` in the order they were published, after the publication (time, id) `after`.
    async fn published_after(
        &self,
        kind: ttdz_domain::achievement::RecordKind,
        after: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<InformationRecord>>;

    /// Adds an assessment of record `record_id` by the audit context's actor; answers its id.
    async fn add_assessment(&self, record_id: i64, body: &str, audit: &AuditContext) -> Result<i64>;

    /// The assessments of a record, oldest first.
    async fn assessments(&self, record_id: i64) -> Result<Vec<AssessmentRecord>>;

    /// What `username` follows of `kind`, if it follows anything.
    async fn subscription(
        &self,
        username: &str,
        kind: ttdz_domain::achievement::RecordKind,
    ) -> Result<Option<Subscription>>;

    /// Sets what an account follows of a kind (its reading position stays).
    async fn save_subscription(&self, subscription: &Subscription, audit: &AuditContext) -> Result<()>;

    /// Records that `username` has read its digest of `kind` up to the publication at `read_at` of record
    /// `read_id`.
    async fn mark_read(
        &self,
        username: &str,
        kind: ttdz_domain::achievement::RecordKind,
        read_at: &str,
        read_id: i64,
        audit: &AuditContext,
    ) -> Result<()>;
}

/// The data elements contract roll-ups make, per basic unit and year: 技术合同成交额, 技术交易额 and counts on the
/// seller side (输出), turnover and counts on the buyer side (吸纳). A registry's file and the contracts registered
/// in TTDZ both go through it.
pub fn contract_values(rollups: &[ContractRollup]) -> Vec<DivisionValue> {
    use ttdz_domain::contract::Side;
    let mut sums: std::collections::BTreeMap<(&'static str, DivisionCode, i32), Decimal> =
        std::collections::BTreeMap::new();
    for r in rollups {
        let (turnover, count, tech) = match r.side {
            Side::Seller => ("contract_turnover_yuan", "contract_count", Some("contract_tech_amount_yuan")),
            Side::Buyer => ("absorbed_contract_turnover_yuan", "absorbed_contract_count", None),
        };
        *sums.entry((turnover, r.division, r.year)).or_default() += r.turnover;
        *sums.entry((count, r.division, r.year)).or_default() += Decimal::from(r.contracts);
        if let Some(tech) = tech {
            *sums.entry((tech, r.division, r.year)).or_default() += r.tech_amount;
        }
    }
    sums.into_iter()
        .filter_map(|((element, division, year), value)| {
            Some(DivisionValue { element: ElementCode::parse(element).ok()?, division, year, value, note: None })
        })
        .collect()
}

/// A contract filed in TTDZ, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContract {
    pub id: i64,
    pub status: ttdz_domain::registration::ContractStatus,
    pub filed_by: String,
    pub filing: ttdz_domain::registration::ContractFiling,
    /// The registering locality, once registered.
    pub locality: Option<DivisionCode>,
    /// The registration year, once registered.
    pub year: Option<i32>,
    pub history: Vec<ContractEvent>,
    pub version: i64,
}

/// A step a contract went through.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContractEvent {
    /// ISO 8601.
    pub at: String,
    pub by: String,
    pub action: String,
    pub reason: Option<String>,
}

/// A registrar's or a seller's decision on a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractDecision {
    pub status: ttdz_domain::registration::ContractStatus,
    pub event: ContractEvent,
    /// For a registration: the registering locality and year (the number is made from them).
    pub registration: Option<(DivisionCode, i32)>,
    /// The technical part as the registrar corrected it.
    pub tech_amount: Option<Decimal>,
    /// An amendment's new terms (the contract keeps its number).
    pub filing: Option<ttdz_domain::registration::ContractFiling>,
}

/// Which contracts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractFilter {
    pub status: Option<ttdz_domain::registration::ContractStatus>,
    /// Seller divisions starting with these digits (a locality's).
    pub seller_prefix: Option<String>,
    pub filed_by: Option<String>,
    /// Registered in this year.
    pub year: Option<i32>,
}

/// Technology contracts filed and registered in TTDZ.
#[async_trait]
pub trait ContractStore: Send + Sync {
    /// Files a contract; answers its id.
    async fn add_contract(
        &self,
        filed_by: &str,
        filing: &ttdz_domain::registration::ContractFiling,
        event: &ContractEvent,
        audit: &AuditContext,
    ) -> Result<i64>;

    async fn contract(&self, id: i64) -> Result<Option<StoredContract>>;

    /// Contracts as the filter says, newest first.
    async fn contracts(&self, filter: &ContractFilter) -> Result<Vec<StoredContract>>;

    /// Takes `decision` on contract `id`, based on version `based_on` (`Conflict` if it moved). A registration gets
    /// the contract's own number or the next of its locality and year (`Conflict` if that number is registered
    /// already); a registration, revocation, cancellation or amendment of a registered contract moves the year's
    /// batch `registry:live:YEAR` by the contract's part, in the same transaction: the batch always equals one
    /// made from the year's registered contracts.
    async fn decide_contract(
        &self,
        id: i64,
        based_on: i64,
        decision: &ContractDecision,
        audit: &AuditContext,
    ) -> Result<StoredContract>;

    /// The numbers of every registered contract: a registry's file does not count them again.
    async fn registered_contract_numbers(&self) -> Result<Vec<String>>;

    /// The contracts batch whose registry file counts `contract_no`, if one does: such a contract was registered
    /// elsewhere, and TTDZ does not register it (and count it) again.
    async fn batch_counting(&self, contract_no: &str) -> Result<Option<String>>;
}

/// Taken by a registration and by the import of a registry file, so that neither misses the other's numbers.
pub const CONTRACT_NUMBERS_LOCK: &str = "contract-numbers";

/// Why a contract that a registry file counts is not registered in TTDZ.
pub fn counted_already(contract_no: &str, batch: &str) -> String {
    format!(
        "contract_no: {contract_no} is counted already by the registry file of batch {batch}: it was registered \
         elsewhere, and registering it here would count it twice"
    )
}

/// The batch `register:<element>` of a register: its year-end counts per division (see
/// [`ttdz_domain::register::counts`]) through `through`, from `entries` (all of the register's). The fingerprint
/// tells one state of the register from another, so a change that moves no entry writes nothing.
pub fn register_batch(
    register: ttdz_domain::register::Register,
    entries: &[StoredEntry],
    tree: &ttdz_domain::DivisionTree,
    through: i32,
) -> Batch {
    let plain: Vec<ttdz_domain::register::Entry> = entries.iter().map(|e| e.entry.clone()).collect();
    let mut fingerprint: u64 = 0xcbf2_9ce4_8422_2325;
    for e in entries {
        for b in format!("{}:{};", e.id, e.version).bytes() {
            fingerprint = (fingerprint ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let element = register.element();
    let division_values = ttdz_domain::register::counts(register, &plain, tree, through)
        .into_iter()
        .map(|c| DivisionValue {
            element: element.clone(),
            division: c.division,
            year: c.year,
            value: Decimal::from(c.entries),
            note: Some(format!("{} in force on 31 December", c.entries)),
        })
        .collect();
    Batch {
        dataset: Dataset {
            name: register.batch_name(),
            files: Vec::new(),
            sha256: format!("{}-{through}-{fingerprint:016x}", entries.len()),
            source: format!("the register of {} kept in TTDZ ({})", register.name_en(), register.name_zh()),
        },
        kind: SourceKind::Register,
        recorded_by: "ttdz registers".into(),
        scope: None,
        rows: entries.len() as u64,
        division_values,
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    }
}

/// A register entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub entry: ttdz_domain::register::Entry,
    pub version: i64,
    pub created_by: String,
}

/// A change to a register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterChange {
    Add(ttdz_domain::register::Entry),
    /// The entry `id` as it is now, based on version `based_on` (`Conflict` if it moved).
    Replace {
        id: i64,
        based_on: i64,
        entry: ttdz_domain::register::Entry,
    },
    /// An entry made in error goes; one that ended is replaced with its end date instead.
    Remove {
        id: i64,
        based_on: i64,
    },
}

/// The registers of the technology market whose year-end counts are Annex 2 data elements.
#[async_trait]
pub trait RegisterStore: Send + Sync {
    /// The entries of `register`, those standing in divisions whose codes start with `within` if given, by id.
    async fn register_entries(
        &self,
        register: ttdz_domain::register::Register,
        within: Option<&str>,
    ) -> Result<Vec<StoredEntry>>;

    async fn register_entry(&self, id: i64) -> Result<Option<StoredEntry>>;

    /// Makes `change` to `register` and, in the same transaction, rewrites the register's batch as `batch` makes it
    /// from all of its entries after the change; answers the entry's id. `Malformed` when there is no such entry in
    /// the register.
    async fn change_register(
        &self,
        register: ttdz_domain::register::Register,
        change: &RegisterChange,
        audit: &AuditContext,
        batch: &(dyn for<'e> Fn(&'e [StoredEntry]) -> Batch + Send + Sync),
    ) -> Result<i64>;

    /// Rewrites the batch of `register` as `batch` makes it from its entries, when it has any (a new year's
    /// counts begin so); answers whether anything changed.
    async fn recount_register(
        &self,
        register: ttdz_domain::register::Register,
        audit: &AuditContext,
        batch: &(dyn for<'e> Fn(&'e [StoredEntry]) -> Batch + Send + Sync),
    ) -> Result<bool>;
}

/// A listing as stored, with its bids in the order they were placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredListing {
    pub id: i64,
    pub owner: String,
    pub status: ttdz_domain::listing::ListingStatus,
    pub terms: ttdz_domain::listing::ListingTerms,
    pub bids: Vec<ttdz_domain::listing::Bid>,
    pub winning_bid: Option<i64>,
    /// The contract a deal drafted.
    pub contract_id: Option<i64>,
    /// Why it was withdrawn or closed as it was.
    pub reason: Option<String>,
    pub version: i64,
}

/// Which listings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    pub status: Option<ttdz_domain::listing::ListingStatus>,
    pub owner: Option<String>,
    /// Open listings whose last day is before this ISO date: those due to close.
    pub closed_before: Option<String>,
}

/// How a listing ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingOutcome {
    pub status: ttdz_domain::listing::ListingStatus,
    pub winning_bid: Option<i64>,
    pub reason: Option<String>,
    /// For a deal: the contract drafted for registration, filed by the seller, with its first step.
    pub contract: Option<(ttdz_domain::registration::ContractFiling, ContractEvent)>,
}

/// Listings and auctions of achievements, and their bids.
#[async_trait]
pub trait ListingStore: Send + Sync {
    /// Opens a listing for `owner`; answers its id.
    async fn add_listing(
        &self,
        owner: &str,
        terms: &ttdz_domain::listing::ListingTerms,
        audit: &AuditContext,
    ) -> Result<i64>;

    async fn listing(&self, id: i64) -> Result<Option<StoredListing>>;

    /// Listings as the filter says, newest first.
    async fn listings(&self, filter: &ListingFilter) -> Result<Vec<StoredListing>>;

    /// Places `bid` (the store numbers it) on listing `id`, based on version `based_on`: `Conflict` if another bid
    /// or a close came first, so the bid is checked again against what is there now.
    async fn add_bid(
        &self,
        id: i64,
        based_on: i64,
        bid: &ttdz_domain::listing::Bid,
        audit: &AuditContext,
    ) -> Result<StoredListing>;

    /// Ends open listing `id` as `outcome` says, based on version `based_on`; a deal's contract is filed in the same
    /// transaction (by the listing's owner) and its id kept on the listing.
    async fn end_listing(
        &self,
        id: i64,
        based_on: i64,
        outcome: &ListingOutcome,
        audit: &AuditContext,
    ) -> Result<StoredListing>;
}

/// A distribution in the reward ledger, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDistribution {
    pub id: i64,
    /// The institution's account that recorded it.
    pub owner: String,
    /// The institution's division.
    pub division: DivisionCode,
    pub distribution: ttdz_domain::reward::Distribution,
    /// ISO 8601 UTC.
    pub recorded_at: String,
}

/// The reward ledger of the institutions.
#[async_trait]
pub trait RewardStore: Send + Sync {
    /// Records a distribution for `owner`, an institution in `division`; answers it as stored.
    async fn add_distribution(
        &self,
        owner: &str,
        division: &DivisionCode,
        distribution: &ttdz_domain::reward::Distribution,
        audit: &AuditContext,
    ) -> Result<StoredDistribution>;

    /// The distributions recorded by `owner` if given, by institutions in divisions starting with `within` if
    /// given, oldest first.
    async fn distributions(&self, owner: Option<&str>, within: Option<&str>) -> Result<Vec<StoredDistribution>>;
}

/// Everything TTDZ keeps, one part per concern, and the schema they live in; implemented once by
/// [`impl_store!`](crate::impl_store).
#[async_trait]
pub trait Store:
    AccountStore
    + AuditStore
    + ContractStore
    + DocumentStore
    + InformationStore
    + JobStore
    + LifecycleStore
    + ListingStore
    + PolicyStore
    + ReferenceStore
    + RegisterStore
    + ReportStore
    + RewardStore
    + ValueStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;

    /// Brings the schema up to this build's version and loads the reference data it ships, atomically.
    async fn migrate(&self, reference: &ReferenceData, this_year: i32) -> Result<MigrationReport>;

    /// The schema migrations this build has and the database lacks, as `version name`; nothing is changed.
    /// `Schema` when the database was migrated by a newer build or a migration was edited.
    async fn pending_migrations(&self) -> Result<Vec<String>>;
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
    /// The ministry's own experts consulted on the zone, and whether each has given an opinion.
    pub consultants: Vec<(String, bool)>,
}

impl LifecycleState {
    /// The calendar years the current term begins and ends in.
    pub fn term_years(&self) -> Option<(i32, i32)> {
        let (start, end, _) = self.term.as_ref()?;
        let year = |day: &str| day.get(..4)?.parse().ok();
        Some((year(start)?, year(end)?))
    }
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
    /// The ministry's own experts appointed with the step (`appoint_experts`).
    pub appoint_consultants: Vec<String>,
    /// The consulted expert whose opinion the step records (`give_opinion`).
    pub consulted_by: Option<String>,
}

/// The audit states of a step.
pub fn lifecycle_audit_states(step: &LifecycleStep) -> (Option<String>, String) {
    let before = step.from.map(|s| serde_json::json!({ "stage": s.as_str() }).to_string());
    let after = serde_json::json!({ "stage": step.to.as_str(), "action": step.action.as_str() }).to_string();
    (before, after)
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
    /// `snapshot` when the ministry last returned the report: what it had asked to be changed.
    pub returned_snapshot: Option<String>,
    /// JSON list of {task, status, evidence}: the progress of each key task of the approved plan.
    pub progress_json: String,
    /// ISO 8601 date of the last submission.
    pub submitted_at: Option<String>,
    pub late: bool,
    /// The ministry's comment on returning it.
    pub comment: Option<String>,
}

/// A reminder a background job left: a report soon due, a term soon ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    pub zone: ZoneKey,
    /// The zone's province, who must act.
    pub province: DivisionCode,
    /// `report_due` or `term_end`.
    pub kind: String,
    /// The report's year, or the term's last day.
    pub subject: String,
    /// ISO 8601.
    pub due_on: String,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Pass it back to read what came after this change; opaque.
    pub cursor: String,
    /// What was written: `import`, `report`, `lifecycle`, `policy`, `experience`, `account`, `divisions`, `demo`,
    /// `reference`.
    pub kind: String,
    /// Which record: a batch name, a zone-year, a zone key, a policy id, a username, ...
    pub key: String,
    /// As the audit trail names it (`report.accept`, `import.batch`, ...).
    pub action: String,
    /// ISO 8601 UTC.
    pub at: String,
}

/// `SELECT cursor, kind, key, action, at FROM changes`, the cursor and the time as text.
pub type ChangeRow = (String, String, String, String, String);

impl From<ChangeRow> for Change {
    fn from((cursor, kind, key, action, at): ChangeRow) -> Change {
        Change { cursor, kind, key, action, at }
    }
}

/// The kind of change an audited action is, or `None` for actions that change no data (logins, logouts).
pub fn change_kind(action: &str) -> Option<&str> {
    let kind = action.split('.').next().unwrap_or(action);
    (kind != "auth").then_some(kind)
}

/// How long failed logins are remembered.
pub const LOGIN_FAILURE_MEMORY_SECONDS: i64 = 3600;

/// The term assumed for a shipped zone whose sources do not publish one: three years from the start of
/// `year`, the shortest the guideline allows (建设期原则上为3至5年).
pub fn assumed_term(year: i32) -> (String, String) {
    (format!("{year}-01-01"), format!("{}-12-31", year + 2))
}

/// Refuses to replace a batch recorded for another province: a batch belongs to the province it was recorded
/// for (`stored_scope`, `None` when nobody recorded it yet), and only that province or a national writer may
/// replace it.
pub fn check_batch_owner(batch: &Batch, stored: Option<Option<&str>>) -> Result<()> {
    match (stored, batch.scope) {
        (None, _) | (Some(_), None) => Ok(()),
        (Some(owner), Some(mine)) if owner == Some(mine.as_str()) => Ok(()),
        (Some(owner), Some(_)) => Err(StoreError::Conflict(format!(
            "batch '{}' belongs to {}: choose another batch name",
            batch.dataset.name,
            owner.map_or_else(|| "the ministry".to_owned(), |p| format!("province {p}"))
        ))),
    }
}

/// One value of an annual report as drafted: of an element for a member division, or for the zone as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportValue {
    pub element: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_key: Option<String>,
    /// Exact decimal text.
    pub value: String,
}

impl AnnualReport {
    /// The report of a zone-year before anyone has written it: an empty draft at version 0.
    pub fn blank(zone: &ZoneKey, year: i32) -> AnnualReport {
        AnnualReport {
            zone: zone.clone(),
            year,
            status: ttdz_domain::report::ReportStatus::Draft,
            version: 0,
            text: String::new(),
            values_json: "[]".into(),
            snapshot: None,
            returned_snapshot: None,
            progress_json: "[]".into(),
            submitted_at: None,
            late: false,
            comment: None,
        }
    }

    /// The drafted values, as stored; JSON that no longer parses is `Corrupt`, never read as no values.
    pub fn drafted(&self) -> Result<Vec<ReportValue>> {
        parse_report_values(&self.values_json, "values")
    }

    /// The values at the last submission.
    pub fn submitted(&self) -> Result<Option<Vec<ReportValue>>> {
        self.snapshot.as_deref().map(|json| parse_report_values(json, "snapshot")).transpose()
    }

    /// The values as they were when the ministry last returned the report.
    pub fn returned(&self) -> Result<Option<Vec<ReportValue>>> {
        self.returned_snapshot.as_deref().map(|json| parse_report_values(json, "returned_snapshot")).transpose()
    }

    /// The drafted values as element values of their divisions and of the zone.
    pub fn element_values(&self) -> Result<(Vec<DivisionValue>, Vec<ZoneValue>)> {
        let corrupt = |what: String| StoreError::Corrupt(format!("report {}-{}: {what}", self.zone, self.year));
        let (mut divisions, mut zones) = (Vec::new(), Vec::new());
        for v in self.drafted()? {
            let element = ElementCode::parse(&v.element).map_err(|e| corrupt(e.0))?;
            let value: Decimal = v.value.parse().map_err(|_| corrupt(format!("'{}' is not a decimal", v.value)))?;
            match (&v.division_code, &v.zone_key) {
                (Some(code), None) => {
                    let division = DivisionCode::parse(code).map_err(|e| corrupt(e.0))?;
                    divisions.push(DivisionValue { element, division, year: self.year, value, note: None });
                }
                (None, Some(_)) => {
                    zones.push(ZoneValue { element, zone: self.zone.clone(), year: self.year, value, note: None })
                }
                _ => return Err(corrupt(format!("{} names neither a division nor the zone", v.element))),
            }
        }
        Ok((divisions, zones))
    }

    /// The name of the batch the report's values are stored under once accepted.
    pub fn batch_name(&self) -> String {
        format!("report:{}-{}", self.zone, self.year)
    }

    /// The accepted report's values as the batch the indicators read from then on.
    pub fn accepted_batch(&self, zone_name: &str, recorded_by: String, scope: Option<DivisionCode>) -> Result<Batch> {
        let (division_values, zone_values) = self.element_values()?;
        Ok(Batch {
            dataset: Dataset {
                name: self.batch_name(),
                files: vec![format!("annual report {} {}", self.zone, self.year)],
                sha256: ttdz_domain::reference::sha256_hex(self.values_json.as_bytes()),
                source: format!("annual report of {zone_name} for {}, accepted", self.year),
            },
            kind: SourceKind::Reported,
            recorded_by,
            scope,
            rows: (division_values.len() + zone_values.len()) as u64,
            division_values,
            zone_values,
            rollups: Vec::new(),
            flows: Vec::new(),
            contract_numbers: Default::default(),
        })
    }
}

fn parse_report_values(json: &str, what: &str) -> Result<Vec<ReportValue>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("stored report {what} do not parse: {e}")))
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

#[cfg(test)]
mod audit_coverage {
    /// The methods of `Store` that only read (or only bring the schema up to date, which is not a user's write).
    /// Any other method writes, and must take the `AuditContext` its audit entry is made from; the conformance case
    /// `every_write_appends_to_the_audit_trail` calls each of them and counts the entries.
    const READS: &[&str] = &[
        "backend",
        "ping",
        "migrate",
        "pending_migrations",
        "datasets",
        "vintages",
        "divisions",
        "indicators",
        "zones",
        "zone",
        "sourced_values",
        "reported",
        "accounts",
        "account_credentials",
        "lifecycle",
        "annual_report",
        "policy",
        "policies",
        "experiences",
        "audit",
        "session",
        "login_failure_times",
        "contract_rollups",
        "contract_flows",
        "contract_flow_years",
        "published_figures",
        "changes",
        "data_revision",
        "todos",
        "documents",
        "document",
        "grades",
        "record",
        "records",
        "records_of_batch",
        "published_after",
        "subscription",
        "assessments",
        "contract",
        "contracts",
        "registered_contract_numbers",
        "batch_counting",
        "register_entries",
        "register_entry",
        "listing",
        "listings",
        "distributions",
    ];

    #[test]
    fn every_writing_store_method_takes_an_audit_context() {
        let source = include_str!("lib.rs");
        let mut writers = Vec::new();
        // Every part of the store: `Store` and the traits it is made of.
        let traits: Vec<&str> = source
            .match_indices("#[async_trait]\npub trait ")
            .map(|(start, _)| &source[start..start + source[start..].find("\n}\n").expect("its end")])
            .collect();
        assert!(traits.len() >= 2, "found {} store traits", traits.len());
        for signature in traits.iter().flat_map(|t| t.split("fn ").skip(1)) {
            let name: String = signature.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let params = &signature[..signature.find(')').expect("parameters")];
            if READS.contains(&name.as_str()) {
                assert!(!params.contains("AuditContext"), "{name} is listed as reading but takes an AuditContext");
            } else {
                assert!(params.contains("audit: &AuditContext"), "Store::{name} writes but takes no AuditContext");
                writers.push(name);
            }
        }
        assert!(writers.len() >= 16, "found the writers: {writers:?}");
    }
}

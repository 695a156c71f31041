//! TTDZ's use cases: what the platform does, as plain functions over a [`Context`] (the store, the clock, the
//! division trees and the deployment's settings), for whoever asks (a [`Viewer`]). The web crate and the command
//! line are adapters over them: they parse input, call a use case and render its answer, so the same question gets
//! the same figures from the API, the pages and the terminal.
//!
//! This crate knows no HTTP and no SQL. Its errors are the domain's (`AppError`); each adapter maps them in one
//! place (the web crate to statuses and stable codes, the binary to exit codes).

pub mod accounts;
pub mod annual;
pub mod catalog;
pub mod demo;
pub mod documents;
pub mod evaluation;
pub mod flows;
pub mod format;
pub mod imports;
pub mod indicators;
pub mod information;
pub mod jobs;
pub mod lifecycle;
pub mod listings;
pub mod market_statistics;
pub mod policies;
pub mod registers;
pub mod registration;
pub mod reports;
pub mod rewards;
pub mod verdict;
pub mod visibility;
pub mod workbench;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::RwLock;
use ttdz_domain::account::{Account, Role};
use ttdz_domain::{Clock, DivisionCode, DivisionTree, Vintage};
use ttdz_store::{Store, StoreError};

pub use evaluation::GroupThresholds;

/// Why a use case could not answer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record, or one the viewer may not know exists.
    #[error("{0}")]
    NotFound(String),
    /// A parameter is malformed or out of range.
    #[error("{0}")]
    Invalid(String),
    /// The credentials are wrong, or the session is gone.
    #[error("{0}")]
    Unauthorized(String),
    /// Too many tries: the next may come after `wait` seconds.
    #[error("{message}")]
    TooManyRequests { wait: u64, message: String },
    /// The viewer may not do or see this.
    #[error("{0}")]
    Forbidden(String),
    /// What the viewer sent breaks a rule: names the field.
    #[error("{0}")]
    Rejected(String),
    /// The record moved on since the version the change was based on, or the change contradicts what is stored.
    #[error("{0}")]
    Conflict(String),
    /// A submitted or accepted report cannot be edited.
    #[error("{0}")]
    Locked(String),
    /// A file's rows failed their checks: nothing was stored. Lists the first bad lines with their fields.
    #[error("{0}")]
    InvalidFile(ttdz_ingest::Problems),
    /// A file that cannot be read as what it claims to be, or that holds nothing to store.
    #[error("{0}")]
    UnreadableFile(String),
    /// What the viewer sent is larger than is accepted.
    #[error("{0}")]
    TooLarge(String),
    /// A computation the method does not allow with these data (a fault, not the viewer's).
    #[error("{0}")]
    Method(String),
    /// Cells of an uploaded workbook that are wrong: nothing was taken from it.
    #[error("{file}: {} cells are wrong", cells.len())]
    BadCells { file: String, cells: Vec<BadCell> },
    /// The machine could not do its part (a temporary file, a password hash): not the viewer's fault.
    #[error("{0}")]
    Environment(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A wrong cell of an uploaded workbook, by the editor input it belongs to.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BadCell {
    /// `{element}@{division_code}` or `{element}@zone`.
    pub input: String,
    /// What the cell held.
    pub value: String,
    pub reason: String,
}

/// The audit context of a change `viewer` makes to `zone`, from `origin` (the request's address or the command).
pub(crate) fn zone_audit(viewer: &Viewer, origin: &str, zone: &ttdz_domain::Zone) -> ttdz_domain::audit::AuditContext {
    ttdz_domain::audit::AuditContext {
        actor: viewer.label(),
        origin: origin.to_owned(),
        zone: Some(zone.key.clone()),
        province: Some(zone.province),
    }
}

/// The audit context of a change `viewer` makes from `origin` that concerns no one zone: of `province`'s, or
/// national.
pub(crate) fn audit(
    viewer: &Viewer,
    origin: &str,
    province: Option<ttdz_domain::DivisionCode>,
) -> ttdz_domain::audit::AuditContext {
    ttdz_domain::audit::AuditContext { actor: viewer.label(), origin: origin.to_owned(), zone: None, province }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// A division's name with its ancestors', as a reader places it: 江苏省 南京市 鼓楼区.
pub(crate) fn place_name(tree: &ttdz_domain::DivisionTree, code: &DivisionCode) -> String {
    tree.ancestors(code)
        .iter()
        .map(|d| d.name_zh.as_str())
        .chain(tree.get(code).map(|d| d.name_zh.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Who asks: the public, an account, the service holding the deployment's admin token, or an operator at the
/// server's command line (named by the login user). The service and the operator have the ministry's rights.
#[derive(Debug, Clone)]
pub enum Viewer {
    Public,
    Account(Account),
    Service,
    Operator(String),
}

impl Viewer {
    pub fn role(&self) -> Option<Role> {
        match self {
            Viewer::Public => None,
            Viewer::Account(account) => Some(account.role),
            Viewer::Service | Viewer::Operator(_) => Some(Role::Ministry),
        }
    }

    /// True when the viewer may act for this division as its province (or nationally).
    pub fn governs(&self, code: &DivisionCode) -> bool {
        match self {
            Viewer::Public => false,
            Viewer::Account(account) => account.governs(code),
            Viewer::Service | Viewer::Operator(_) => true,
        }
    }

    /// As the audit trail and the records name the viewer.
    pub fn label(&self) -> String {
        match self {
            Viewer::Public => "anonymous".into(),
            Viewer::Account(account) => format!("user:{}", account.username),
            Viewer::Service => "api:admin".into(),
            Viewer::Operator(user) => format!("cli:{user}"),
        }
    }

    /// Lets the ministry through (and the service and the operator, who have its rights); anyone else is told that
    /// only the ministry `does` this.
    pub fn must_be_ministry(&self, does: &str) -> Result<()> {
        if self.role() == Some(Role::Ministry) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("{} may not do this: only the ministry {does}", self.label())))
        }
    }

    /// The province a write by this viewer is recorded for: a province account's own; `None` for national
    /// writers (the ministry, the service).
    pub fn scope(&self) -> Option<DivisionCode> {
        match self {
            Viewer::Account(account) if account.role == Role::Province => account.province,
            _ => None,
        }
    }
}

/// How the end-of-term verdict is proposed: its thresholds, and the main indicators whose growth it weighs.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictSettings {
    pub thresholds: ttdz_domain::verdict::Thresholds,
    /// Annex 2 indicator codes; the guideline names 技术市场交易额 first among the indicators that must grow.
    pub main_indicators: Vec<String>,
}

impl Default for VerdictSettings {
    fn default() -> Self {
        VerdictSettings {
            thresholds: ttdz_domain::verdict::Thresholds::default(),
            main_indicators: vec!["contract_turnover".to_owned()],
        }
    }
}

/// What the deployment configures for the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Month and day by which each year's annual report is due (12-31: 每年12月底以前).
    pub report_due: (u32, u32),
    pub verdict: VerdictSettings,
    /// The performance groups of the comparative evaluation.
    pub groups: GroupThresholds,
    /// What time it is, and in which zone deadlines are judged (China Standard Time unless configured).
    pub clock: Clock,
    /// Where the search index lives and the users' dictionaries.
    pub search: information::SearchSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            report_due: (12, 31),
            verdict: VerdictSettings::default(),
            groups: GroupThresholds::default(),
            clock: Clock::default(),
            search: information::SearchSettings::default(),
        }
    }
}

/// Evaluations by (year asked, with robustness).
type EvaluationsByQuestion = HashMap<(Option<i32>, bool), evaluation::EvaluationView>;

/// What every use case works with: the store, the settings, and what is computed from the data once per data
/// revision.
///
/// A stored vintage never changes, so a tree, once loaded, stays right for as long as the process lives, on every
/// instance: caching it needs no invalidation. Which vintage is current is asked of the store each time, so a list
/// imported through another instance is seen at once. Figures and evaluations are kept with the data revision
/// (`Store::data_revision`, which grows with every committed change, whichever instance made it) they were computed
/// at, and computed again when it moves: every instance of a deployment serves them from memory and none serves them
/// stale.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    trees: RwLock<HashMap<Vintage, Arc<DivisionTree>>>,
    settings: Settings,
    /// What figures are computed from, as of a data revision (see `indicators::IndicatorData::current`).
    indicator_data: tokio::sync::Mutex<Option<(i64, Arc<indicators::IndicatorData>)>>,
    /// Comparative evaluations already computed at a data revision.
    evaluations: tokio::sync::Mutex<(i64, EvaluationsByQuestion)>,
    /// The search index, opened on first use; one writer at a time.
    search: tokio::sync::Mutex<Option<information::SearchState>>,
}

impl Context {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> Context {
        Context {
            inner: Arc::new(Inner {
                store,
                trees: RwLock::new(HashMap::new()),
                settings,
                indicator_data: tokio::sync::Mutex::new(None),
                evaluations: tokio::sync::Mutex::new((-1, HashMap::new())),
                search: tokio::sync::Mutex::new(None),
            }),
        }
    }

    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    pub fn shared_store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.inner.store)
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.settings.clock
    }

    /// The due date of `year`'s report, ISO 8601.
    pub fn report_due(&self, year: i32) -> String {
        let (m, d) = self.inner.settings.report_due;
        format!("{year:04}-{m:02}-{d:02}")
    }

    /// A year a question may be about: from the founding of the People's Republic (the earliest statistics) to ten
    /// years ahead (plan targets). Anything else is a mistake, and computing for it could cost without bound.
    pub fn check_year(&self, year: i64) -> Result<i32> {
        let last = i64::from(self.clock().year()) + 10;
        i32::try_from(year)
            .ok()
            .filter(|y| (1949..=last).contains(&i64::from(*y)))
            .ok_or_else(|| AppError::Invalid(format!("year {year} is out of range: give a year from 1949 to {last}")))
    }

    /// The tree of `vintage`, or of the newest stored vintage.
    pub async fn tree(&self, vintage: Option<Vintage>) -> Result<Arc<DivisionTree>> {
        let vintage = match vintage {
            Some(v) => v,
            None => match self.store().vintages().await?.last() {
                Some(info) => info.vintage,
                None => return Err(StoreError::Corrupt("no division list is stored".into()).into()),
            },
        };
        if let Some(tree) = self.inner.trees.read().await.get(&vintage) {
            return Ok(Arc::clone(tree));
        }
        let set = self
            .store()
            .divisions(vintage)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("division vintage {vintage} is not stored")))?;
        let tree = Arc::new(DivisionTree::new(set));
        self.inner.trees.write().await.insert(vintage, Arc::clone(&tree));
        Ok(tree)
    }
}

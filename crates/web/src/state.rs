use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::RwLock;
use ttdz_domain::{DivisionTree, Vintage};
use ttdz_store::{Store, StoreError};

/// What every request handler shares: the store, and division trees by vintage.
///
/// A stored vintage never changes, so a tree, once loaded, stays right for as long as the process lives, on every
/// instance: caching it needs no invalidation. Which vintage is current is asked of the store on each request,
/// so a list imported through another instance is seen at once.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    trees: RwLock<HashMap<Vintage, Arc<DivisionTree>>>,
    settings: Settings,
}

/// What the deployment configures.
#[derive(Clone)]
struct Settings {
    /// Bearer token of a service caller with the ministry's rights; without one, only accounts write.
    admin_token: Option<String>,
    /// Month and day by which each year's annual report is due (12-31: 每年12月底以前).
    report_due: (u32, u32),
    verdict: VerdictSettings,
    groups: crate::evaluation::GroupThresholds,
    /// What time it is, and in which zone deadlines are judged (China Standard Time unless configured).
    clock: ttdz_domain::Clock,
    /// Mark the session cookie `Secure` (served over HTTPS).
    secure_cookies: bool,
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

/// Why no division tree could be had.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("division vintage {0} is not stored")]
    NoSuchVintage(Vintage),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        let settings = Settings {
            admin_token: None,
            report_due: (12, 31),
            verdict: VerdictSettings::default(),
            groups: Default::default(),
            clock: ttdz_domain::Clock::default(),
            secure_cookies: false,
        };
        AppState { inner: Arc::new(Inner { store, trees: RwLock::new(HashMap::new()), settings }) }
    }

    /// Also accepts this bearer token, as a service caller with the ministry's rights.
    pub fn with_admin_token(self, token: String) -> AppState {
        self.configure(|s| s.admin_token = Some(token))
    }

    /// Sets the day each year's report is due by; call before the state is shared.
    pub fn with_report_due(self, month: u32, day: u32) -> AppState {
        self.configure(|s| s.report_due = (month, day))
    }

    /// Sets how the end-of-term verdict is proposed; call before the state is shared.
    pub fn with_verdict(self, verdict: VerdictSettings) -> AppState {
        self.configure(|s| s.verdict = verdict)
    }

    /// Sets the performance-group thresholds of the comparative evaluation; call before the state is shared.
    pub fn with_groups(self, groups: crate::evaluation::GroupThresholds) -> AppState {
        self.configure(|s| s.groups = groups)
    }

    /// Sets the clock (tests fix it; deployments choose the time zone); call before the state is shared.
    pub fn with_clock(self, clock: ttdz_domain::Clock) -> AppState {
        self.configure(|s| s.clock = clock)
    }

    /// Marks the session cookie `Secure`, for a deployment served over HTTPS.
    pub fn with_secure_cookies(self, secure: bool) -> AppState {
        self.configure(|s| s.secure_cookies = secure)
    }

    pub fn clock(&self) -> &ttdz_domain::Clock {
        &self.inner.settings.clock
    }

    pub fn secure_cookies(&self) -> bool {
        self.inner.settings.secure_cookies
    }

    /// A year a request may ask about: from the founding of the People's Republic (the earliest statistics) to
    /// ten years ahead (plan targets). Anything else is a mistake, and computing for it could cost without bound.
    pub fn check_year(&self, year: i64) -> Result<i32, crate::ApiError> {
        let last = i64::from(self.clock().year()) + 10;
        i32::try_from(year).ok().filter(|y| (1949..=last).contains(&i64::from(*y))).ok_or_else(|| {
            crate::ApiError::invalid(format!("year {year} is out of range: give a year from 1949 to {last}"))
        })
    }

    pub fn groups(&self) -> crate::evaluation::GroupThresholds {
        self.inner.settings.groups
    }

    fn configure(self, change: impl FnOnce(&mut Settings)) -> AppState {
        let mut settings = self.inner.settings.clone();
        change(&mut settings);
        let inner = Inner { store: Arc::clone(&self.inner.store), trees: RwLock::new(HashMap::new()), settings };
        AppState { inner: Arc::new(inner) }
    }

    pub fn verdict(&self) -> &VerdictSettings {
        &self.inner.settings.verdict
    }

    /// The due date of `year`'s report, ISO 8601.
    pub fn report_due(&self, year: i32) -> String {
        let (m, d) = self.inner.settings.report_due;
        format!("{year:04}-{m:02}-{d:02}")
    }

    /// True when `token` is the configured admin token.
    pub fn is_admin_token(&self, token: &str) -> bool {
        self.inner
            .settings
            .admin_token
            .as_ref()
            .is_some_and(|expected| constant_time_eq(token.as_bytes(), expected.as_bytes()))
    }

    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// The tree of `vintage`, or of the newest stored vintage.
    pub async fn tree(&self, vintage: Option<Vintage>) -> Result<Arc<DivisionTree>, TreeError> {
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
        let set = self.store().divisions(vintage).await?.ok_or(TreeError::NoSuchVintage(vintage))?;
        let tree = Arc::new(DivisionTree::new(set));
        self.inner.trees.write().await.insert(vintage, Arc::clone(&tree));
        Ok(tree)
    }
}

/// Compares without stopping at the first difference, so the time taken says nothing about the token.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

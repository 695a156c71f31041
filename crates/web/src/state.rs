use std::sync::Arc;

use ttdz_app::{Context, GroupThresholds, Settings, VerdictSettings};
use ttdz_domain::{DivisionTree, Vintage};
use ttdz_store::Store;

/// What every request handler shares: the use cases' `Context` (store, clock, division trees, settings) and what
/// only the web needs (the service token, how cookies are marked).
#[derive(Clone)]
pub struct AppState {
    app: Context,
    web: Arc<WebSettings>,
}

#[derive(Clone, Default)]
struct WebSettings {
    /// Bearer token of a service caller with the ministry's rights; without one, only accounts write.
    admin_token: Option<String>,
    /// Mark the session cookie `Secure` (served over HTTPS).
    secure_cookies: bool,
    /// Sets documents as PDF and draws their charts for Word.
    typesetter: Arc<ttdz_docs::Typesetter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState { app: Context::new(store, Settings::default()), web: Arc::new(WebSettings::default()) }
    }

    /// Also accepts this bearer token, as a service caller with the ministry's rights.
    pub fn with_admin_token(self, token: String) -> AppState {
        self.web(|w| w.admin_token = Some(token))
    }

    /// Marks the session cookie `Secure`, for a deployment served over HTTPS.
    pub fn with_secure_cookies(self, secure: bool) -> AppState {
        self.web(|w| w.secure_cookies = secure)
    }

    /// Reads the CJK fonts of PDF documents (and of the charts in Word) from `paths`.
    pub fn with_fonts(self, paths: Vec<std::path::PathBuf>) -> AppState {
        self.web(|w| w.typesetter = Arc::new(ttdz_docs::Typesetter::new(paths)))
    }

    /// Sets the day each year's report is due by; call before the state is shared.
    pub fn with_report_due(self, month: u32, day: u32) -> AppState {
        self.settings(|s| s.report_due = (month, day))
    }

    /// Sets how the end-of-term verdict is proposed; call before the state is shared.
    pub fn with_verdict(self, verdict: VerdictSettings) -> AppState {
        self.settings(|s| s.verdict = verdict)
    }

    /// Sets the performance-group thresholds of the comparative evaluation; call before the state is shared.
    pub fn with_groups(self, groups: GroupThresholds) -> AppState {
        self.settings(|s| s.groups = groups)
    }

    /// Sets the clock (tests fix it; deployments choose the time zone); call before the state is shared.
    pub fn with_clock(self, clock: ttdz_domain::Clock) -> AppState {
        self.settings(|s| s.clock = clock)
    }

    /// Sets where the search index lives and the users' dictionaries; call before the state is shared.
    pub fn with_search(self, search: ttdz_app::information::SearchSettings) -> AppState {
        self.settings(|s| s.search = search)
    }

    fn settings(self, change: impl FnOnce(&mut Settings)) -> AppState {
        let mut settings = self.app.settings().clone();
        change(&mut settings);
        AppState { app: Context::new(self.app.shared_store(), settings), web: self.web }
    }

    fn web(self, change: impl FnOnce(&mut WebSettings)) -> AppState {
        let mut web = (*self.web).clone();
        change(&mut web);
        AppState { app: self.app, web: Arc::new(web) }
    }

    pub fn typesetter(&self) -> Arc<ttdz_docs::Typesetter> {
        Arc::clone(&self.web.typesetter)
    }

    /// The use cases' context.
    pub fn app(&self) -> &Context {
        &self.app
    }

    pub fn clock(&self) -> &ttdz_domain::Clock {
        self.app.clock()
    }

    pub fn secure_cookies(&self) -> bool {
        self.web.secure_cookies
    }

    /// The due date of `year`'s report, ISO 8601.
    pub fn report_due(&self, year: i32) -> String {
        self.app.report_due(year)
    }

    /// A year a request may ask about (see `Context::check_year`); 400 otherwise.
    pub fn check_year(&self, year: i64) -> Result<i32, crate::ApiError> {
        Ok(self.app.check_year(year)?)
    }

    /// The tree of `vintage`, or of the newest stored vintage.
    pub async fn tree(&self, vintage: Option<Vintage>) -> Result<Arc<DivisionTree>, ttdz_app::AppError> {
        self.app.tree(vintage).await
    }

    /// True when `token` is the configured admin token.
    pub fn is_admin_token(&self, token: &str) -> bool {
        self.web.admin_token.as_ref().is_some_and(|expected| constant_time_eq(token.as_bytes(), expected.as_bytes()))
    }
}

/// Compares without stopping at the first difference, so the time taken says nothing about the token.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

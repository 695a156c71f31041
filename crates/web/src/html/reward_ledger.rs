//! The reward ledger in the browser (`/rewards/ledger`): an institution records the rewards it paid (the pool by
//! its own rule or the law's floor, each person's part by contribution) and reads its ledger with the totals per
//! achievement and person; a province reads its institutions', the ministry every one. The form posts to the API,
//! which calls the same use case.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use ttdz_app::rewards::LedgerView;

use super::{Desk, Page, PageError, csrf_of, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct LedgerParams {
    #[serde(default)]
    achievement: Option<String>,
}

#[derive(Template)]
#[template(path = "reward_ledger.html")]
struct LedgerTemplate {
    page: Page,
    csrf: String,
    ledger: LedgerView,
    /// (key, Chinese name, what the amount is)
    modes: Vec<(&'static str, &'static str, &'static str)>,
    achievement: String,
    this_year: i32,
}

impl LedgerTemplate {
    fn wan(&self, yuan: &str) -> String {
        ttdz_app::format::yuan_in_wan(yuan)
    }
}

pub async fn ledger(
    State(state): State<AppState>,
    Desk { page, caller, .. }: Desk,
    Query(asked): Query<LedgerParams>,
) -> Result<Response, PageError> {
    let viewer = caller.viewer();
    let achievement = asked.achievement.unwrap_or_default();
    let ledger = allowed!(page, ttdz_app::rewards::ledger(state.app(), &viewer, Some(&achievement)).await);
    Ok(render(&LedgerTemplate {
        csrf: csrf_of(&state, &caller).await,
        ledger,
        modes: ttdz_domain::reward::RewardMode::ALL.iter().map(|m| (m.as_str(), m.label_zh(), m.base_zh())).collect(),
        achievement,
        this_year: state.app().clock().year(),
        page,
    }))
}

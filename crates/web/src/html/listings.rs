//! Listing and auction in the browser (`/listings`): anyone reads the notices, their bids and results; an
//! institution lists its achievements, bids on others' while their notices run, and closes or withdraws its own.
//! Every form posts to the API, which calls the same use cases.

use askama::Template;
use axum::extract::{Extension, OriginalUri, Query, State};
use axum::response::Response;
use serde::Deserialize;
use ttdz_app::listings::{BidView, ListingView, Whose};
use ttdz_domain::account::Role;

use super::{Page, PageError, csrf_of, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ListingParams {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    mine: Option<String>,
    #[serde(default)]
    bidding: Option<String>,
}

#[derive(Template)]
#[template(path = "listings.html")]
struct ListingsTemplate {
    page: Page,
    csrf: String,
    /// Lists achievements (an institution).
    institution: bool,
    /// Bids, and so has bids of its own to list (an institution or a broker).
    bidder: bool,
    own_division: String,
    /// The price methods: key, Chinese name, shortest notice in days.
    methods: Vec<(&'static str, &'static str, i64)>,
    kinds: [&'static str; 5],
    status: String,
    whose: Whose,
    listings: Vec<ListingView>,
    problem: Option<String>,
}

impl ListingsTemplate {
    fn status_label(&self, l: &ListingView) -> &'static str {
        if self.page.lang == Lang::En { l.status } else { l.status_zh }
    }

    fn method_label(&self, l: &ListingView) -> &'static str {
        if self.page.lang == Lang::En { l.method } else { l.method_zh }
    }

    fn status_name(&self, status: &str) -> &'static str {
        match ttdz_domain::listing::ListingStatus::parse(status) {
            Some(s) if self.page.lang == Lang::En => s.as_str(),
            Some(s) => s.label_zh(),
            None => "",
        }
    }

    fn wan(&self, yuan: &str) -> String {
        ttdz_app::format::yuan_in_wan(yuan)
    }

    fn time(&self, iso: &str) -> String {
        ttdz_app::format::beijing_time(iso)
    }

    fn won(&self, l: &ListingView, b: &BidView) -> bool {
        l.winning_bid == Some(b.id)
    }

    fn filter_link(&self, status: &str) -> String {
        let whose = match self.whose {
            Whose::All => "",
            Whose::Listed => "&mine=1",
            Whose::Bidding => "&bidding=1",
        };
        format!("/listings?status={status}{whose}")
    }

    fn whose_is(&self, asked: &str) -> bool {
        matches!((self.whose, asked), (Whose::Listed, "mine") | (Whose::Bidding, "bidding"))
    }
}

pub async fn listings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    lang: Lang,
    uri: OriginalUri,
    Query(asked): Query<ListingParams>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let viewer = caller.viewer();
    let (institution, bidder, own_division) = match &viewer {
        ttdz_app::Viewer::Account(a) => (
            a.role == Role::Institution,
            ttdz_app::listings::BIDDERS.contains(&a.role),
            a.division.map(|d| d.to_string()).unwrap_or_default(),
        ),
        _ => (false, false, String::new()),
    };
    let on = |flag: &Option<String>| flag.as_deref().is_some_and(|m| !m.is_empty() && m != "0");
    let whose = match (institution && on(&asked.mine), bidder && on(&asked.bidding)) {
        (true, _) => Whose::Listed,
        (false, true) => Whose::Bidding,
        (false, false) => Whose::All,
    };
    let status = asked.status.unwrap_or_default();
    let (listings, problem) = match ttdz_app::listings::list(state.app(), &viewer, Some(&status), whose).await {
        // A status that is none is named above the whole list, as the registers page names its filters.
        Err(ttdz_app::AppError::Invalid(message)) => {
            (allowed!(page, ttdz_app::listings::list(state.app(), &viewer, None, whose).await), Some(message))
        }
        other => (allowed!(page, other), None),
    };
    Ok(render(&ListingsTemplate {
        csrf: csrf_of(&state, &caller).await,
        institution,
        bidder,
        own_division,
        methods: ttdz_app::listings::methods(),
        kinds: ["高校", "科研院所", "企业", "医疗机构", "其他"],
        status,
        whose,
        listings,
        problem,
        page,
    }))
}

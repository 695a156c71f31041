//! Listing and auction of achievements (挂牌交易, 拍卖; 三、(四) 公开挂牌): an institution offers an achievement for
//! transfer or licence under a public notice, with a reserve price and a period; other institutions and
//! enterprises bid; after the last day the seller closes it (or the daily job does), the winning bid is the price,
//! and the deal becomes a contract filed for registration in the seller's name. Anyone reads the notices; bidders'
//! names are seen by the seller, the officials and each bidder for their own bids.

use serde::{Deserialize, Serialize};
use ttdz_domain::DivisionCode;
use ttdz_domain::account::Role;
use ttdz_domain::achievement::RecordKind;
use ttdz_domain::audit::AuditContext;
use ttdz_domain::listing::{self, Bid, ListingInput, ListingStatus, PriceMethod};
use ttdz_domain::registration::{ContractFiling, FilingError};
use ttdz_store::{ContractEvent, ListingFilter, ListingOutcome, StoreError, StoredListing};

use crate::{AppError, Context, Viewer};

/// How often a bid is checked again when other bids keep coming first.
const BID_ATTEMPTS: usize = 5;

fn rejected(e: FilingError) -> AppError {
    AppError::Rejected(e.to_string())
}

/// A bid as its reader may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BidView {
    pub id: i64,
    /// The buyer: shown to the seller, the officials and the bidder; `None` to others.
    pub buyer_name: Option<String>,
    /// The account that placed it (the buyer's own, or a broker's or transfer institution's acting for it), to
    /// the same readers.
    pub bidder: Option<String>,
    pub buyer_division: Option<String>,
    /// Yuan, two decimals.
    pub amount_yuan: String,
    /// ISO 8601 time it was placed.
    pub at: String,
    /// Whether the viewer placed it.
    pub mine: bool,
}

/// A listing as its reader may see it, with what the reader may do with it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListingView {
    pub id: i64,
    /// `open`, `sold`, `unsold` or `withdrawn`.
    pub status: &'static str,
    pub status_zh: &'static str,
    /// `agreement`, `listing` or `auction`.
    pub method: &'static str,
    pub method_zh: &'static str,
    pub title: String,
    pub achievement_id: Option<i64>,
    pub notice: String,
    pub contract_type: String,
    pub reserve_yuan: String,
    pub seller_name: String,
    pub seller_division: String,
    pub seller_place: String,
    pub seller_kind: String,
    pub field: String,
    pub opens_on: String,
    pub closes_on: String,
    /// The bids placed, in order.
    pub bids: Vec<BidView>,
    /// The highest bid so far, yuan.
    pub highest_yuan: Option<String>,
    /// The bid that won, once sold.
    pub winning_bid: Option<i64>,
    /// The contract the deal drafted, for the seller and the officials.
    pub contract_id: Option<i64>,
    pub reason: Option<String>,
    pub version: i64,
    pub may_bid: bool,
    pub may_close: bool,
    pub may_withdraw: bool,
}

fn is_seller(viewer: &Viewer, l: &StoredListing) -> bool {
    matches!(viewer, Viewer::Account(a) if a.username.as_str() == l.owner)
}

/// The seller, the ministry (and the service, the operator) and the seller's province see who bid.
fn sees_bidders(viewer: &Viewer, l: &StoredListing) -> bool {
    is_seller(viewer, l)
        || match viewer {
            Viewer::Account(a) => a.role == Role::Province && viewer.governs(&l.terms.seller_division),
            other => other.role() == Some(Role::Ministry),
        }
}

fn may_bid(viewer: &Viewer, l: &StoredListing, today: &str) -> bool {
    matches!(viewer, Viewer::Account(a) if BIDDERS.contains(&a.role) && a.username.as_str() != l.owner)
        && l.status == ListingStatus::Open
        && l.terms.opens_on.as_str() <= today
        && today <= l.terms.closes_on.as_str()
}

fn may_end(viewer: &Viewer, l: &StoredListing) -> bool {
    l.status == ListingStatus::Open && (is_seller(viewer, l) || matches!(viewer, Viewer::Service | Viewer::Operator(_)))
}

fn view(viewer: &Viewer, tree: &ttdz_domain::DivisionTree, today: &str, l: StoredListing) -> ListingView {
    let sees = sees_bidders(viewer, &l);
    let me = match viewer {
        Viewer::Account(a) => Some(a.username.as_str()),
        _ => None,
    };
    let bids = l
        .bids
        .iter()
        .map(|b| {
            let mine = me == Some(b.bidder.as_str());
            let shown = sees || mine || l.winning_bid == Some(b.id);
            BidView {
                id: b.id,
                buyer_name: shown.then(|| b.buyer_name.clone()),
                bidder: shown.then(|| b.bidder.clone()),
                buyer_division: shown.then(|| b.buyer_division.to_string()),
                amount_yuan: format!("{:.2}", b.amount_yuan),
                at: b.at.clone(),
                mine,
            }
        })
        .collect();
    let t = &l.terms;
    ListingView {
        id: l.id,
        status: l.status.as_str(),
        status_zh: l.status.label_zh(),
        method: t.method.as_str(),
        method_zh: t.method.label_zh(),
        title: t.title.clone(),
        achievement_id: t.achievement_id,
        notice: t.notice.clone(),
        contract_type: t.contract_type.clone(),
        reserve_yuan: format!("{:.2}", t.reserve_yuan),
        seller_name: t.seller_name.clone(),
        seller_division: t.seller_division.to_string(),
        seller_place: crate::place_name(tree, &t.seller_division),
        seller_kind: t.seller_kind.clone(),
        field: t.field.clone(),
        opens_on: t.opens_on.clone(),
        closes_on: t.closes_on.clone(),
        bids,
        highest_yuan: l.bids.iter().map(|b| b.amount_yuan).max().map(|a| format!("{a:.2}")),
        winning_bid: l.winning_bid,
        contract_id: l.contract_id.filter(|_| sees),
        reason: l.reason.clone(),
        version: l.version,
        may_bid: may_bid(viewer, &l, today),
        may_close: may_end(viewer, &l) && today > t.closes_on.as_str(),
        may_withdraw: may_end(viewer, &l),
    }
}

/// Whose listings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Whose {
    #[default]
    All,
    /// Those the viewer listed.
    Listed,
    /// Those the viewer bid on: a buyer's, or a broker's or transfer institution's for its clients.
    Bidding,
}

/// The listings, newest first: every one, or those in `status`, or the viewer's own or those it bid on.
pub async fn list(
    ctx: &Context,
    viewer: &Viewer,
    status: Option<&str>,
    whose: Whose,
) -> Result<Vec<ListingView>, AppError> {
    let status = status
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            ListingStatus::parse(s)
                .ok_or_else(|| AppError::Invalid(format!("status: '{s}' is not open, sold, unsold or withdrawn")))
        })
        .transpose()?;
    let me = match (whose, viewer) {
        (Whose::All, _) => None,
        (_, Viewer::Account(a)) => Some(a.username.as_str().to_owned()),
        (_, _) => return Err(AppError::Unauthorized("sign in to see your own listings and bids".into())),
    };
    let owner = me.clone().filter(|_| whose == Whose::Listed);
    let found = ctx.store().listings(&ListingFilter { status, owner, closed_before: None }).await?;
    let bid_on = |l: &StoredListing| whose != Whose::Bidding || l.bids.iter().any(|b| Some(&b.bidder) == me.as_ref());
    let (tree, today) = (ctx.tree(None).await?, ctx.clock().today_iso());
    Ok(found.into_iter().filter(bid_on).map(|l| view(viewer, &tree, &today, l)).collect())
}

async fn stored(ctx: &Context, id: i64) -> Result<StoredListing, AppError> {
    ctx.store().listing(id).await?.ok_or_else(|| AppError::NotFound(format!("there is no listing {id}")))
}

async fn shown(ctx: &Context, viewer: &Viewer, l: StoredListing) -> Result<ListingView, AppError> {
    let tree = ctx.tree(None).await?;
    Ok(view(viewer, &tree, &ctx.clock().today_iso(), l))
}

/// One listing.
pub async fn get(ctx: &Context, viewer: &Viewer, id: i64) -> Result<ListingView, AppError> {
    let l = stored(ctx, id).await?;
    shown(ctx, viewer, l).await
}

/// Who bids: institutions (as buyers, or as transfer institutions for clients) and brokers (for clients).
pub const BIDDERS: [Role; 2] = [Role::Institution, Role::Broker];

fn bidder(viewer: &Viewer) -> Result<&ttdz_domain::account::Account, AppError> {
    match viewer {
        Viewer::Account(a) if BIDDERS.contains(&a.role) => Ok(a),
        Viewer::Public => Err(AppError::Unauthorized("sign in as an institution or a broker to bid".into())),
        _ => Err(AppError::Forbidden(format!("{} may not bid: institutions and brokers do", viewer.label()))),
    }
}

fn institution<'a>(viewer: &'a Viewer, does: &str) -> Result<&'a ttdz_domain::account::Account, AppError> {
    match viewer {
        Viewer::Account(a) if a.role == Role::Institution => Ok(a),
        Viewer::Public => Err(AppError::Unauthorized(format!("sign in as an institution to {does}"))),
        _ => Err(AppError::Forbidden(format!("{} may not {does}: institutions do", viewer.label()))),
    }
}

/// `code` as a basic unit (a county, or a city without counties) inside the account's own division.
async fn basic_unit_within(
    ctx: &Context,
    field: &str,
    code: &DivisionCode,
    own: Option<DivisionCode>,
) -> Result<(), AppError> {
    let tree = ctx.tree(None).await?;
    if tree.get(code).is_none() || tree.has_children(code) {
        return Err(AppError::Rejected(format!("{field}: '{code}' is not a county-level division code")));
    }
    if let Some(own) = own
        && !code.is_within(&own)
    {
        return Err(AppError::Rejected(format!("{field}: '{code}' is outside the account's division {own}")));
    }
    Ok(())
}

/// Opens a listing for the institution selling: every term by the rules of its price method; the achievement, if
/// named, must be the institution's own.
pub async fn open(ctx: &Context, viewer: &Viewer, origin: &str, input: ListingInput) -> Result<ListingView, AppError> {
    let account = institution(viewer, "list achievements")?;
    let terms = input.parse(&ctx.clock().today_iso()).map_err(rejected)?;
    basic_unit_within(ctx, "seller_division", &terms.seller_division, account.division).await?;
    if let Some(id) = terms.achievement_id {
        let own = ctx
            .store()
            .record(id)
            .await?
            .filter(|r| r.kind == RecordKind::Achievement && r.owner.as_deref() == Some(account.username.as_str()));
        if own.is_none() {
            return Err(AppError::Rejected(format!("achievement_id: {id} is not one of your achievements")));
        }
    }
    let audit = crate::audit(viewer, origin, Some(terms.seller_division.province()));
    let id = ctx.store().add_listing(account.username.as_str(), &terms, &audit).await?;
    get(ctx, viewer, id).await
}

/// A bid as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BidInput {
    /// The organisation that would buy: the bidder itself, or the client a broker or transfer institution acts
    /// for.
    pub buyer_name: String,
    /// Its basic unit (6 digits), anywhere; the account's own division by default.
    pub buyer_division: Option<String>,
    /// Yuan.
    pub amount_yuan: String,
}

/// Places a bid for an institution other than the seller: inside the period, at or above the reserve, and in an
/// auction above the highest bid (checked again if another bid came first).
pub async fn bid(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    id: i64,
    input: BidInput,
) -> Result<ListingView, AppError> {
    let account = bidder(viewer)?;
    let amount = ttdz_domain::registration::amount("amount_yuan", &input.amount_yuan).map_err(rejected)?;
    let buyer_name = input.buyer_name.trim();
    if buyer_name.is_empty() {
        return Err(AppError::Rejected("buyer_name: must not be empty".into()));
    }
    let division = match input.buyer_division.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(code) => DivisionCode::parse(code).map_err(|e| AppError::Rejected(format!("buyer_division: {e}")))?,
        None => account.division.ok_or_else(|| AppError::Rejected("buyer_division: must not be empty".into()))?,
    };
    // A broker or a transfer institution bids for clients wherever they are.
    basic_unit_within(ctx, "buyer_division", &division, None).await?;
    for _ in 0..BID_ATTEMPTS {
        let l = stored(ctx, id).await?;
        if l.owner == account.username.as_str() {
            return Err(AppError::Forbidden(format!("{} may not bid on its own listing", viewer.label())));
        }
        let today = ctx.clock().today_iso();
        listing::check_bid(&l.terms, l.status, &l.bids, amount, &today).map_err(rejected)?;
        let new = Bid {
            id: 0,
            bidder: account.username.as_str().to_owned(),
            buyer_name: buyer_name.to_owned(),
            buyer_division: division,
            amount_yuan: amount,
            at: ctx.clock().now().to_string(),
        };
        let audit = crate::audit(viewer, origin, Some(l.terms.seller_division.province()));
        match ctx.store().add_bid(id, l.version, &new, &audit).await {
            Err(StoreError::Conflict(_)) => continue,
            placed => return shown(ctx, viewer, placed?).await,
        }
    }
    Err(AppError::Conflict(format!("listing {id} is taking many bids at once: try again")))
}

/// How a seller closes a listing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// In an agreement, the bid the seller agreed with (the highest by default).
    pub bid_id: Option<i64>,
}

/// The contract a deal makes: the listing's terms, the winning buyer, the price as 成交额 and all of it technical,
/// signed on the day of the close; to be registered by the seller's registrar.
fn drafted(terms: &listing::ListingTerms, won: &Bid, today: &str) -> ContractFiling {
    ContractFiling {
        contract_no: None,
        title: terms.title.clone(),
        contract_type: terms.contract_type(),
        seller_name: terms.seller_name.clone(),
        buyer_name: won.buyer_name.clone(),
        seller_division: terms.seller_division,
        buyer_division: won.buyer_division,
        seller_kind: terms.seller_kind.clone(),
        field: terms.field.clone(),
        signed_on: today.to_owned(),
        turnover_yuan: won.amount_yuan,
        tech_amount_yuan: won.amount_yuan,
        non_technical: Vec::new(),
        // Income from transferring or licensing technology is exempt from VAT and counts as technology-transfer
        // income (财税〔2016〕36号).
        vat_exempt: true,
        transfer_income: true,
    }
}

/// Closes `l` for `by`, as `audit` records it.
async fn close_stored(
    ctx: &Context,
    (by, audit): (&str, &AuditContext),
    l: &StoredListing,
    chose: Option<i64>,
) -> Result<StoredListing, AppError> {
    let today = ctx.clock().today_iso();
    listing::may_close(&l.terms, &today).map_err(rejected)?;
    let won = listing::winning_bid(l.terms.method, &l.bids, chose).map_err(rejected)?;
    let outcome = match won {
        Some(b) => ListingOutcome {
            status: ListingStatus::Sold,
            winning_bid: Some(b.id),
            reason: None,
            contract: Some((
                drafted(&l.terms, b, &today),
                ContractEvent {
                    at: ctx.clock().now().to_string(),
                    by: by.to_owned(),
                    action: "file".into(),
                    reason: Some(format!("drafted from listing {} ({})", l.id, l.terms.method.label_zh())),
                },
            )),
        },
        None => ListingOutcome { status: ListingStatus::Unsold, winning_bid: None, reason: None, contract: None },
    };
    let audit = AuditContext { province: Some(l.terms.seller_division.province()), ..audit.clone() };
    Ok(ctx.store().end_listing(l.id, l.version, &outcome, &audit).await?)
}

/// Closes a listing after its last day: the winning bid's price, and a contract drafted for registration; without
/// bids, unsold.
pub async fn close(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (id, version): (i64, Option<i64>),
    input: CloseInput,
) -> Result<ListingView, AppError> {
    let mut l = stored(ctx, id).await?;
    if !may_end(viewer, &l) {
        return Err(refused_end(viewer, &l));
    }
    l.version = version.unwrap_or(l.version);
    let closed = close_stored(ctx, (&viewer.label(), &crate::audit(viewer, origin, None)), &l, input.bid_id).await?;
    shown(ctx, viewer, closed).await
}

fn refused_end(viewer: &Viewer, l: &StoredListing) -> AppError {
    if l.status != ListingStatus::Open {
        AppError::Conflict(format!("listing {} is {} already", l.id, l.status.as_str()))
    } else {
        AppError::Forbidden(format!("{} may not end listing {}: its seller does", viewer.label(), l.id))
    }
}

/// Why a seller takes a listing back.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    pub reason: String,
}

/// The seller takes a listing back before its close, saying why.
pub async fn withdraw(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (id, version): (i64, Option<i64>),
    input: &WithdrawInput,
) -> Result<ListingView, AppError> {
    let l = stored(ctx, id).await?;
    if !may_end(viewer, &l) {
        return Err(refused_end(viewer, &l));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::Rejected("reason: say why the listing is withdrawn".into()));
    }
    let outcome = ListingOutcome {
        status: ListingStatus::Withdrawn,
        winning_bid: None,
        reason: Some(reason.to_owned()),
        contract: None,
    };
    let audit = crate::audit(viewer, origin, Some(l.terms.seller_division.province()));
    let ended = ctx.store().end_listing(id, version.unwrap_or(l.version), &outcome, &audit).await?;
    shown(ctx, viewer, ended).await
}

/// Closes every open listing whose last day has passed, as its seller would without choosing (the highest bid
/// wins); answers how many. The daily job runs it, so a deal does not wait for the seller to come back.
pub async fn close_due(ctx: &Context, audit: &AuditContext) -> Result<usize, AppError> {
    let today = ctx.clock().today_iso();
    let due =
        ctx.store().listings(&ListingFilter { status: None, owner: None, closed_before: Some(today.clone()) }).await?;
    let mut closed = 0;
    for l in &due {
        match close_stored(ctx, (&audit.actor, audit), l, None).await {
            Ok(_) => closed += 1,
            // The seller closed it meanwhile.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

/// The three ways a price is determined, for forms.
pub fn methods() -> Vec<(&'static str, &'static str, i64)> {
    PriceMethod::ALL.iter().map(|m| (m.as_str(), m.label_zh(), m.notice_days())).collect()
}

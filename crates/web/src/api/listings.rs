//! Listing and auction of achievements over HTTP: anyone reads the notices; institutions list their achievements
//! and bid on others'; the seller closes after the last day (the deal becomes a contract filed for registration)
//! or withdraws with a reason, naming the version it is based on in `If-Match` if it likes.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use ttdz_app::listings::{self, BidInput, CloseInput, ListingView, Whose, WithdrawInput};
use ttdz_domain::listing::ListingInput;
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListingQuery {
    /// open, sold, unsold or withdrawn.
    status: Option<String>,
    /// Only the caller's own listings.
    #[serde(default)]
    mine: bool,
    /// Only the listings the caller bid on (for a buyer, or a broker acting for clients).
    #[serde(default)]
    bidding: bool,
}

/// The listings, newest first, with their bids (bidders named to the seller, the officials and each bidder for
/// their own) and what the caller may do with each.
#[utoipa::path(
    get, path = "/api/v1/listings", tag = "listings", params(ListingQuery),
    responses((status = 200, body = [ListingView]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ListingQuery>,
) -> Result<Json<Vec<ListingView>>, ApiError> {
    let whose = match (q.mine, q.bidding) {
        (true, true) => return Err(ApiError::invalid("mine and bidding: ask for one or the other")),
        (true, false) => Whose::Listed,
        (false, true) => Whose::Bidding,
        (false, false) => Whose::All,
    };
    Ok(Json(listings::list(state.app(), &caller.viewer(), q.status.as_deref(), whose).await?))
}

/// List an achievement (an institution): `title`, `notice` (the public notice), `method` (`agreement` 协议定价,
/// `listing` 挂牌交易 or `auction` 拍卖), `contract_type` (技术转让 or 技术许可), `reserve_yuan`, `seller_name`,
/// `seller_division` (a county-level code inside the institution's division), `seller_kind`, `field`, `opens_on`
/// (today or later) and `closes_on` (agreement and listing at least 15 days, auction 7, both ends counted),
/// optionally `achievement_id` (one of the institution's own). 422 names the field that breaks a rule.
#[utoipa::path(
    post, path = "/api/v1/listings", tag = "listings",
    request_body(content = Object, description = "The listing's terms"),
    responses(
        (status = 201, body = ListingView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(input): ApiJson<ListingInput>,
) -> Result<(StatusCode, Json<ListingView>), ApiError> {
    let view = listings::open(state.app(), &caller.viewer(), &origin.0, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One listing.
#[utoipa::path(
    get, path = "/api/v1/listings/{id}", tag = "listings", params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ListingView), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ListingView>, ApiError> {
    Ok(Json(listings::get(state.app(), &caller.viewer(), id).await?))
}

/// Bid (an institution other than the seller, or a broker; a broker or transfer institution bids for a client,
/// named with its county-level division anywhere): `buyer_name`, `amount_yuan`, optionally `buyer_division` (the account's own by
/// default). 422 names what is wrong: under the reserve, in an auction not above the highest bid,
/// before the notice opens or after it closed.
#[utoipa::path(
    post, path = "/api/v1/listings/{id}/bids", tag = "listings", params(("id" = i64, Path, example = 1)),
    request_body = BidInput,
    responses(
        (status = 201, body = ListingView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn bid(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(input): ApiJson<BidInput>,
) -> Result<(StatusCode, Json<ListingView>), ApiError> {
    let view = listings::bid(state.app(), &caller.viewer(), &origin.0, id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Close a listing after its last day (its seller): the highest bid wins (in an agreement, `bid_id` chooses) and
/// the deal is a contract filed for registration (`contract_id`); without bids it is unsold. 409 if it is not open
/// or moved on from the version in `If-Match`.
#[utoipa::path(
    post, path = "/api/v1/listings/{id}/close", tag = "listings", params(("id" = i64, Path, example = 1)),
    request_body = CloseInput,
    responses(
        (status = 200, body = ListingView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ListingView>, ApiError> {
    let version = super::reports::optional_if_match(&headers)?;
    // A close at the highest bid needs no body.
    let input: CloseInput = super::optional_body(&body)?;
    Ok(Json(listings::close(state.app(), &caller.viewer(), &origin.0, (id, version), input).await?))
}

/// Withdraw a listing before its close (its seller), with `reason`.
#[utoipa::path(
    post, path = "/api/v1/listings/{id}/withdraw", tag = "listings", params(("id" = i64, Path, example = 1)),
    request_body = WithdrawInput,
    responses(
        (status = 200, body = ListingView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> Result<Json<ListingView>, ApiError> {
    let version = super::reports::optional_if_match(&headers)?;
    Ok(Json(listings::withdraw(state.app(), &caller.viewer(), &origin.0, (id, version), &input).await?))
}

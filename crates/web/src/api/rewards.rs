//! The reward ledger over HTTP: an institution records the rewards it paid the people who made an achievement;
//! it reads its own ledger, a province its institutions', the ministry every one.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use serde::Deserialize;
use ttdz_app::rewards::{self, DistributionView, LedgerView};
use ttdz_domain::reward::DistributionInput;
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Only the distributions for this achievement (its name as recorded).
    achievement: Option<String>,
}

/// The ledger the caller may read: each distribution with its pool, basis and people, and the totals per
/// achievement and per person.
#[utoipa::path(
    get, path = "/api/v1/rewards/ledger", tag = "rewards", params(LedgerQuery),
    responses((status = 200, body = LedgerView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn ledger(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<LedgerView>, ApiError> {
    Ok(Json(rewards::ledger(state.app(), &caller.viewer(), q.achievement.as_deref()).await?))
}

/// Record a distribution (an institution): `achievement`, `mode` (transfer, license, equity, implementation),
/// `year`, `amount_yuan` (net income, shares or operating profit), `institution_ratio` where the institution has its
/// own rule, `lines` `[{name, share, amount_yuan?}]` (shares adding up to 1; amounts, when stated for every line,
/// adding up to exactly the pool), optionally `contract_id` (a registered contract of the institution) and
/// `achievement_id`. 422 names what is wrong: parts that do not add up to the pool, a sixth year of an
/// implementation.
#[utoipa::path(
    post, path = "/api/v1/rewards/ledger", tag = "rewards",
    request_body(content = Object, description = "The distribution"),
    responses(
        (status = 201, body = DistributionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn record(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(input): ApiJson<DistributionInput>,
) -> Result<(StatusCode, Json<DistributionView>), ApiError> {
    let view = rewards::record(state.app(), &caller.viewer(), &origin.0, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

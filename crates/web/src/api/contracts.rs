//! Technology contract registration over HTTP: institutions file, registrars of the seller's locality register,
//! refuse or revoke, the seller or the registrar cancels; each change may name the version it is based on in
//! `If-Match`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use ttdz_app::market_statistics::{self, RegistryStatistics};
use ttdz_app::registration::{self, ContractView, DecisionInput};
use ttdz_domain::registration::FilingInput;
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// File a contract (an institution, for a contract it sells). Body: the fields of a registry's contracts file
/// (`contract_type` 技术开发/技术转让/技术许可/技术咨询/技术服务, `seller_division` and `buyer_division` as county-level
/// codes, `seller_kind`, `field`, `signed_on`, `turnover_yuan`, `tech_amount_yuan`, as text or numbers), optionally
/// `contract_no`, `title`, `seller_name`, `buyer_name`, `non_technical` items `[{name, amount_yuan}]` (with the
/// technical part they make up the turnover), `vat_exempt`, `transfer_income`. 201 with `status` "filed"; 422
/// naming the field that breaks a rule (技术交易额 above 成交额, a date that does not exist or is yet to come, a
/// `contract_no` that a stored registry file already counts).
#[utoipa::path(
    post, path = "/api/v1/contracts", tag = "contracts",
    request_body(content = Object, description = "The contract as filed"),
    responses(
        (status = 201, body = ContractView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn file(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(input): ApiJson<FilingInput>,
) -> Result<(StatusCode, Json<ContractView>), ApiError> {
    let view = registration::file(state.app(), &caller.viewer(), &origin.0, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContractQuery {
    /// filed, registered, refused, revoked or cancelled.
    status: Option<String>,
}

/// The contracts the caller deals with, newest first: an institution its own, a registrar its locality's, a
/// province its own, the ministry every one.
#[utoipa::path(
    get, path = "/api/v1/contracts", tag = "contracts", params(ContractQuery),
    responses((status = 200, body = [ContractView]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ContractQuery>,
) -> Result<Json<Vec<ContractView>>, ApiError> {
    Ok(Json(registration::list(state.app(), &caller.viewer(), q.status.as_deref()).await?))
}

/// One contract with its steps and what the caller may do to it.
#[utoipa::path(
    get, path = "/api/v1/contracts/{id}", tag = "contracts", params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ContractView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(registration::get(state.app(), &caller.viewer(), id).await?))
}

/// A step on a contract: `register` (a registrar of the seller's locality; optional `tech_amount_yuan`, the
/// technical part corrected; the number is the year, the locality and its sequence), `refuse`, `revoke` (the
/// registrar, with `reason`), `cancel` (the institution that filed it or the registrar, with `reason`). A
/// registration raises the seller's 技术合同成交额 for the year by the contract's amount at once; a revocation or a
/// cancellation takes it back. 409 if the contract cannot take the step, or moved on from the version in `If-Match`,
/// or its number is registered already or counted by a stored registry file (it was registered elsewhere).
#[utoipa::path(
    post, path = "/api/v1/contracts/{id}/{action}", tag = "contracts",
    params(("id" = i64, Path, example = 1), ("action" = String, Path, example = "register")),
    request_body = DecisionInput,
    responses(
        (status = 200, body = ContractView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ContractView>, ApiError> {
    let version = super::reports::optional_if_match(&headers)?;
    // A registration as filed needs no body.
    let input: DecisionInput = super::optional_body(&body)?;
    let view = registration::decide(state.app(), &caller.viewer(), &origin.0, (id, &action, version), &input).await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// Registration year (default: this year).
    year: Option<i32>,
    /// The month reported, 1-12 (default: this month of this year, December of another).
    month: Option<u8>,
}

/// The registry's statistics for the caller's area (a registrar's locality, a province, the nation for the
/// ministry): the contracts registered in the month asked and from January through it, by type, field, seller kind
/// and month, and the flows to and from other provinces; exact yuan.
#[utoipa::path(
    get, path = "/api/v1/contracts/statistics", tag = "contracts", params(StatisticsQuery),
    responses(
        (status = 200, body = RegistryStatistics), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn statistics(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> Result<Json<RegistryStatistics>, ApiError> {
    Ok(Json(market_statistics::statistics(state.app(), &caller.viewer(), q.year, q.month).await?))
}

/// The same statistics as the monthly workbook a province sends upward: a sheet per breakdown and the flows,
/// amounts in 万元, each sheet with its source line.
#[utoipa::path(
    get, path = "/api/v1/contracts/statistics.xlsx", tag = "contracts", params(StatisticsQuery),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    )
)]
pub async fn statistics_workbook(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> Result<axum::response::Response, ApiError> {
    let stats = market_statistics::statistics(state.app(), &caller.viewer(), q.year, q.month).await?;
    let bytes = market_statistics::workbook(&stats)?;
    let name = format!("contract-statistics-{}-{:02}.xlsx", stats.year, stats.month);
    Ok(super::data::xlsx_response(StatusCode::OK, &name, bytes))
}

//! The JSON API under `/api/v1`. Every handler is registered through `routes!`, which also puts it in the OpenAPI
//! document: a route cannot exist without being documented.

mod accounts;
mod annual;
mod auth_routes;
mod contracts;
mod data;
mod documents;
mod information;
mod lifecycle;
mod listings;
mod policies;
mod registers;
pub(crate) mod reports;
mod rewards;
pub(crate) mod verdict;

pub use accounts::OWN_ACTIONS;
pub use data::MAX_UPLOAD_BYTES;
pub(crate) use data::split_shares;

use axum::Json;
use axum::extract::{Extension, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use ttdz_domain::{DivisionCode, Vintage};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{IntoParams, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;
use crate::views::{
    DatasetView, DivisionDetail, DivisionView, HealthView, IndicatorView, PublishedFigureView, ZoneView,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "TTDZ API",
        description = "National S&T Achievement Transformation Demonstration Zones (国家科技成果转化示范区, \
                       国科发创〔2017〕304号): divisions, zones, the Annex 2 indicator system and their data. \
                       Errors are JSON objects with a stable `error` code and a `message`.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "auth", description = "Logging in and out, your password and your own actions"),
        (name = "accounts", description = "Accounts, administered by the ministry"),
        (name = "documents", description = "Documents of the procedure and the reports"),
        (name = "audit", description = "The audit trail of every write"),
        (name = "lifecycle", description = "The procedure of the guideline, per zone"),
        (name = "reports", description = "Annual reports: draft values, submission, return or acceptance"),
        (name = "policies", description = "Policies in force, checks of their implementation, the experience library"),
        (name = "divisions", description = "Administrative divisions (GB/T 2260), by code vintage"),
        (name = "zones", description = "The demonstration zones"),
        (name = "indicators", description = "The indicator system of Annex 2"),
        (name = "data", description = "Datasets, imports and published figures, with their sources"),
        (name = "evaluation", description = "Comparative evaluation of the zones"),
        (name = "contracts", description = "Technology contract registration (技术合同认定登记)"),
        (name = "listings", description = "Listing and auction of achievements (挂牌交易, 拍卖): notices, bids, results"),
        (name = "registers", description = "Registers of transfer institutions, brokers, investors, maker spaces and incubated firms, whose year-end counts are Annex 2 figures"),
        (name = "rewards", description = "Rewards for the people who made an achievement (Article 45)"),
    ),
    components(schemas(ErrorBody, ErrorCode))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(list_divisions))
        .routes(routes!(get_division))
        .routes(routes!(list_zones))
        .routes(routes!(get_zone))
        .routes(routes!(list_indicators))
        .routes(routes!(list_datasets))
        .routes(routes!(list_published_figures))
        .routes(routes!(data::list_elements))
        .routes(routes!(data::zone_indicators))
        .routes(routes!(data::division_indicators))
        .routes(routes!(data::national_indicators))
        .routes(routes!(data::import_values))
        .routes(routes!(data::download_template, data::upload_template))
        .routes(routes!(data::list_evaluations))
        .routes(routes!(data::zone_evaluation))
        .routes(routes!(data::flows))
        .routes(routes!(data::reward_calc))
        .routes(routes!(rewards::ledger, rewards::record))
        .routes(routes!(contracts::file, contracts::list))
        .routes(routes!(contracts::get))
        .routes(routes!(contracts::statistics))
        .routes(routes!(contracts::statistics_workbook))
        .routes(routes!(contracts::decide))
        .routes(routes!(listings::list, listings::open))
        .routes(routes!(listings::get))
        .routes(routes!(listings::bid))
        .routes(routes!(listings::close))
        .routes(routes!(listings::withdraw))
        .routes(routes!(registers::list_registers))
        .routes(routes!(registers::entries, registers::add))
        .routes(routes!(registers::replace, registers::remove))
        .routes(routes!(auth_routes::login))
        .routes(routes!(auth_routes::logout))
        .routes(routes!(auth_routes::me))
        .routes(routes!(data::audit_trail))
        .routes(routes!(lifecycle::get_lifecycle))
        .routes(routes!(lifecycle::take_step))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::put_values))
        .routes(routes!(reports::submit_report))
        .routes(routes!(reports::return_report))
        .routes(routes!(reports::accept_report))
        .routes(routes!(reports::read_template))
        .routes(routes!(policies::list_policies, policies::add_policy))
        .routes(routes!(policies::add_check))
        .routes(routes!(policies::list_experiences))
        .routes(routes!(policies::propose_experience))
        .routes(routes!(policies::publish_experience))
        .routes(routes!(verdict::zone_verdict))
        .routes(routes!(list_todos))
        .routes(routes!(accounts::list_accounts, accounts::create_account))
        .routes(routes!(accounts::disable_account))
        .routes(routes!(accounts::enable_account))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::own_actions))
        .routes(routes!(documents::list_documents, documents::attach_document))
        .routes(routes!(documents::download_document))
        .routes(routes!(policies::list_grades, policies::grade))
        .routes(routes!(information::achievements::search))
        .routes(routes!(information::achievements::file))
        .routes(routes!(information::achievements::get, information::achievements::edit))
        .routes(routes!(information::achievements::act))
        .routes(routes!(information::achievements::matches))
        .routes(routes!(information::achievements::import))
        .routes(routes!(information::demands::search))
        .routes(routes!(information::demands::file))
        .routes(routes!(information::demands::get, information::demands::edit))
        .routes(routes!(information::demands::act))
        .routes(routes!(information::demands::matches))
        .routes(routes!(information::demands::import))
        .routes(routes!(information::desk))
        .routes(routes!(information::get_subscription, information::follow))
        .routes(routes!(information::digest))
        .routes(routes!(information::read))
        .routes(routes!(information::list_assessments, information::assess))
        .routes(routes!(information::valuation))
        .routes(routes!(annual::national_summary))
        .routes(routes!(annual::term_report))
}

/// The OpenAPI document of every route, generated from the handlers.
pub fn openapi() -> OpenApiDoc {
    let mut doc = router().into_openapi();
    let openapi_path = utoipa::openapi::path::PathItem::new(
        utoipa::openapi::HttpMethod::Get,
        utoipa::openapi::path::OperationBuilder::new()
            .operation_id(Some("openapi"))
            .summary(Some("This OpenAPI 3 document"))
            .tag("system")
            .response("200", utoipa::openapi::Response::new("The document, as JSON")),
    );
    doc.paths.paths.insert("/api/v1/openapi.json".into(), openapi_path);
    doc
}

pub async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such API route; see /api/v1/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this route does not take that method")
}

/// The largest JSON body a route takes (uploads have their own limit).
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// A JSON request body, parsed into a typed request whose unknown and missing fields are refused. Every rejection
/// is a JSON error naming what is wrong: not JSON (415), over `MAX_JSON_BYTES` (413), a NUL character in any text
/// (422: no database keeps one), a field missing, unknown or of the wrong type (422).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, _state: &S) -> Result<Self, ApiError> {
        let json =
            request.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON_BYTES).await.map_err(|_| {
            ApiError::new(ErrorCode::PayloadTooLarge, format!("the body is larger than {} KiB", MAX_JSON_BYTES >> 10))
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::invalid_document(format!("the body is not JSON: {e}")))?;
        // PostgreSQL refuses a NUL in text and SQLite keeps it: neither is wanted, so no text may carry one.
        if let Some(path) = nul_in(&value, "body") {
            return Err(ApiError::invalid_document(format!("{path} contains the NUL character")));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError::invalid_document(format!("the body does not fit this route: {e}")))
    }
}

/// Where in `value` a text (or a key) holds a NUL character, as a path like `body.values[2].note`.
fn nul_in(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then(|| path.to_owned()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') { Some(format!("a key of {path}")) } else { nul_in(v, &format!("{path}.{k}")) }
        }),
        _ => None,
    }
}

/// Query parameters whose rejection is a JSON `invalid_parameter` error, not axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| ApiError::invalid(e.body_text()))
    }
}

/// A year in a path (`.../reports/2026`): a number within `AppState::check_year`'s range, else 400.
pub(crate) fn year_in_path(state: &AppState, text: &str) -> Result<i32, ApiError> {
    let year: i64 = text.trim().parse().map_err(|_| ApiError::invalid(format!("'{text}' is not a year")))?;
    state.check_year(year)
}

/// An optional `?year=` within `AppState::check_year`'s range.
pub(crate) fn year_param(state: &AppState, year: Option<i64>) -> Result<Option<i32>, ApiError> {
    year.map(|y| state.check_year(y)).transpose()
}

pub(crate) fn parse_code(s: &str) -> Result<DivisionCode, ApiError> {
    DivisionCode::parse(s).map_err(|e| ApiError::invalid(e.0))
}

fn parse_vintage(v: Option<i64>) -> Result<Option<Vintage>, ApiError> {
    v.map(Vintage::new).transpose().map_err(|e| ApiError::invalid(e.0))
}

/// Whether the service and its database answer.
#[utoipa::path(
    get, path = "/api/v1/health", tag = "system",
    responses(
        (status = 200, description = "Up", body = HealthView),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    )
)]
async fn health(State(state): State<AppState>) -> Result<Json<HealthView>, ApiError> {
    let health = ttdz_app::catalog::health(state.app()).await?;
    Ok(Json(HealthView {
        status: "ok",
        backend: health.backend,
        version: env!("CARGO_PKG_VERSION"),
        division_vintage: health.division_vintage,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DivisionQuery {
    /// 6-digit code of the parent; without it, the provinces.
    #[param(example = "320000")]
    parent: Option<String>,
    /// Code-list year; without it, the newest stored.
    #[param(example = 2023)]
    vintage: Option<i64>,
}

/// Children of a division, or the provinces.
#[utoipa::path(
    get, path = "/api/v1/divisions", tag = "divisions", params(DivisionQuery),
    responses(
        (status = 200, description = "Ordered by code", body = [DivisionView]),
        (status = 400, description = "Malformed code or vintage", body = ErrorBody),
        (status = 404, description = "Unknown parent or vintage", body = ErrorBody),
    )
)]
async fn list_divisions(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DivisionQuery>,
) -> Result<Json<Vec<DivisionView>>, ApiError> {
    let parent = q.parent.as_deref().map(parse_code).transpose()?;
    let tree = state.tree(parse_vintage(q.vintage)?).await?;
    let list = match parent {
        None => tree.provinces().map(|d| DivisionView::new(d, &tree)).collect(),
        Some(code) => {
            if tree.get(&code).is_none() {
                return Err(ApiError::not_found(format!("no division {code} in vintage {}", tree.vintage())));
            }
            tree.children(&code).map(|d| DivisionView::new(d, &tree)).collect()
        }
    };
    Ok(Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VintageQuery {
    /// Code-list year; without it, the newest stored.
    vintage: Option<i64>,
}

/// One division, with its ancestors, children, basic units, the zones covering it and (for provinces) census
/// population.
#[utoipa::path(
    get, path = "/api/v1/divisions/{code}", tag = "divisions",
    params(("code" = String, Path, description = "6-digit GB/T 2260 code", example = "320100"), VintageQuery),
    responses(
        (status = 200, body = DivisionDetail),
        (status = 400, description = "Malformed code or vintage", body = ErrorBody),
        (status = 404, description = "No such division", body = ErrorBody),
    )
)]
async fn get_division(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VintageQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<DivisionDetail>, ApiError> {
    let code = parse_code(&code)?;
    let tree = state.tree(parse_vintage(q.vintage)?).await?;
    let division = tree
        .get(&code)
        .ok_or_else(|| ApiError::not_found(format!("no division {code} in vintage {}", tree.vintage())))?;
    let zones = ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await?;
    let population = ttdz_app::catalog::census(state.app(), &code).await?;
    Ok(Json(DivisionDetail::new(division, &tree, &zones, population.as_ref().map(|(c, d)| (c, d.as_str())))))
}

/// A reminder the background jobs left.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TodoView {
    #[schema(example = "jiangsu-sunan")]
    pub zone: String,
    /// `report_due` (the year's report is due within 30 days and not submitted) or `term_end` (the construction
    /// term ends within 90 days).
    #[schema(example = "report_due")]
    pub kind: String,
    /// The report's year, or the term's last day.
    pub subject: String,
    /// ISO 8601.
    pub due_on: String,
}

/// Reminders: reports soon due, terms soon ending; the ministry sees every zone's, a province its own.
#[utoipa::path(
    get, path = "/api/v1/todos", tag = "reports",
    responses((status = 200, body = [TodoView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
async fn list_todos(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<TodoView>>, ApiError> {
    let todos = ttdz_app::jobs::reminders_for(state.app(), &caller.viewer()).await?;
    Ok(Json(
        todos
            .into_iter()
            .map(|t| TodoView { zone: t.zone.to_string(), kind: t.kind, subject: t.subject, due_on: t.due_on })
            .collect(),
    ))
}

/// All zones, approved ones first by approval date.
#[utoipa::path(
    get, path = "/api/v1/zones", tag = "zones",
    responses((status = 200, body = [ZoneView]))
)]
async fn list_zones(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<ZoneView>>, ApiError> {
    let tree = state.tree(None).await?;
    let zones = ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await?;
    Ok(Json(zones.iter().map(|z| ZoneView::new(z, &tree)).collect()))
}

/// One zone.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}", tag = "zones",
    params(("key" = String, Path, description = "Zone key", example = "jiangsu-sunan")),
    responses(
        (status = 200, body = ZoneView),
        (status = 404, description = "No such zone", body = ErrorBody),
    )
)]
async fn get_zone(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ZoneView>, ApiError> {
    // A string that cannot be a key, or a zone not yet public, names no zone: 404, like any other unknown key.
    let zone = zone_of(&state, &caller, &key).await?;
    let tree = state.tree(None).await?;
    Ok(Json(ZoneView::new(&zone, &tree)))
}

/// The zone with this key as `caller` may see it. A string that cannot be a key, an unknown key and a zone not yet
/// public to the caller all answer the same 404.
pub(crate) async fn zone_of(state: &AppState, caller: &Caller, key: &str) -> Result<ttdz_domain::Zone, ApiError> {
    ttdz_app::visibility::zone_for(state.app(), &caller.viewer(), key)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no zone with key '{key}'")))
}

/// The 16 rows of Annex 2, in order, names and units exactly as printed.
#[utoipa::path(
    get, path = "/api/v1/indicators", tag = "indicators",
    responses((status = 200, body = [IndicatorView]))
)]
async fn list_indicators(State(state): State<AppState>) -> Result<Json<Vec<IndicatorView>>, ApiError> {
    let indicators = ttdz_app::catalog::indicators(state.app()).await?;
    Ok(Json(indicators.iter().map(IndicatorView::from).collect()))
}

/// Every dataset and import batch loaded into this store, with file checksums. The public sees who recorded a
/// batch as an organisation (`ministry`, `province:320000`), not an account, and no uploaded file names.
#[utoipa::path(
    get, path = "/api/v1/datasets", tag = "data",
    responses((status = 200, body = [DatasetView]))
)]
async fn list_datasets(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<DatasetView>>, ApiError> {
    let records = ttdz_app::catalog::datasets(state.app(), &caller.viewer()).await?;
    Ok(Json(records.into_iter().map(DatasetView::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FigureQuery {
    /// Only figures about this division or the divisions under it (6-digit code).
    division: Option<String>,
}

/// Figures published by statistics bureaus and the press (demo data, present after `ttdz demo load`), each with
/// its source URL and a note on its reliability.
#[utoipa::path(
    get, path = "/api/v1/published-figures", tag = "data", params(FigureQuery),
    responses(
        (status = 200, body = [PublishedFigureView]),
        (status = 400, description = "Malformed code", body = ErrorBody),
    )
)]
async fn list_published_figures(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<FigureQuery>,
) -> Result<Json<Vec<PublishedFigureView>>, ApiError> {
    let within = q.division.as_deref().map(parse_code).transpose()?;
    let within: Vec<DivisionCode> = within.into_iter().collect();
    let figures = ttdz_app::catalog::published_figures(state.app(), &within).await?;
    Ok(Json(figures.iter().map(PublishedFigureView::from).collect()))
}

/// A JSON body that may be left out (or blank): then the input's default.
fn optional_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, crate::error::ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| crate::error::ApiError::invalid_document(format!("the body: {e}")))
}

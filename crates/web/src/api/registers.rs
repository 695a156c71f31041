//! The registers of the technology market over HTTP: anyone reads them; the ministry and the provinces' S&T
//! departments keep them, each change naming the version it is based on in `If-Match` if it likes.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use ttdz_app::registers::{self, EntryView, RegisterInfo, RegisterListing};
use ttdz_domain::register::EntryInput;
use utoipa::IntoParams;

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The six registers, the Annex 2 row each one's count feeds, who keeps it, and the fields of its entries.
#[utoipa::path(get, path = "/api/v1/registers", tag = "registers", responses((status = 200, body = [RegisterInfo])))]
pub async fn list_registers() -> Json<Vec<RegisterInfo>> {
    Json(registers::registers())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// Only the entries standing inside this division (6 digits).
    division: Option<String>,
    /// Only the entries in force on 31 December of this year: those its figure counts.
    year: Option<i64>,
}

/// A register's entries, inside a division and in force at a year's end if asked: the records behind the figure
/// an indicator report cites as `register:<register>`.
#[utoipa::path(
    get, path = "/api/v1/registers/{register}", tag = "registers",
    params(("register" = String, Path, example = "tech_brokers"), EntriesQuery),
    responses(
        (status = 200, body = RegisterListing), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn entries(
    State(state): State<AppState>,
    Path(register): Path<String>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> Result<Json<RegisterListing>, ApiError> {
    let listing = registers::list(state.app(), &caller.viewer(), &register, q.division.as_deref(), q.year).await?;
    Ok(Json(listing))
}

/// Add an entry: `name`, `division` (a basic unit), `from` (recognised, certified or admitted on), optionally
/// `until`, and the register's own fields (see `GET /api/v1/registers`; brokers may carry `trainings`
/// `[{date, course, hours}]`). The register's counts, and so the figures, change at once. 422 names the field.
#[utoipa::path(
    post, path = "/api/v1/registers/{register}", tag = "registers",
    params(("register" = String, Path, example = "tech_brokers")),
    request_body(content = Object, description = "The entry"),
    responses(
        (status = 201, body = EntryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    Path(register): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let view = registers::add(state.app(), &caller.viewer(), &origin.0, &register, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Replace an entry whole: to correct it, or to end it with `until` (the years it was in force keep counting it).
/// 409 if it moved on from the version in `If-Match`.
#[utoipa::path(
    put, path = "/api/v1/registers/{register}/{id}", tag = "registers",
    params(("register" = String, Path, example = "tech_brokers"), ("id" = i64, Path, example = 1)),
    request_body(content = Object, description = "The entry"),
    responses(
        (status = 200, body = EntryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    Path((register, id)): Path<(String, i64)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Json<EntryView>, ApiError> {
    let at = (register.as_str(), id, super::reports::optional_if_match(&headers)?);
    Ok(Json(registers::replace(state.app(), &caller.viewer(), &origin.0, at, input).await?))
}

/// Remove an entry made in error (one that ended is ended with `until` instead). 409 if it moved on from the
/// version in `If-Match`.
#[utoipa::path(
    delete, path = "/api/v1/registers/{register}/{id}", tag = "registers",
    params(("register" = String, Path, example = "tech_brokers"), ("id" = i64, Path, example = 1)),
    responses(
        (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    Path((register, id)): Path<(String, i64)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let at = (register.as_str(), id, super::reports::optional_if_match(&headers)?);
    registers::remove(state.app(), &caller.viewer(), &origin.0, at).await?;
    Ok(StatusCode::NO_CONTENT)
}

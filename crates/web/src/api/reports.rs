//! Annual reports over HTTP: the province edits a zone-year's draft values and text, submits, and the ministry
//! returns or accepts. Every change names the version it is based on in `If-Match` (428 without it, 409 when stale);
//! submitted reports are locked until returned or accepted (409 `locked`), accepted ones for good.

use axum::Json;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use ttdz_app::reports::{self, ReportInput, ReportView, ReturnInput, TemplateValue};
use ttdz_domain::report::ReportAction;

use super::ApiJson;
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

/// The report as JSON, with its version as the `ETag` to send back in `If-Match`.
fn respond(view: ReportView) -> Response {
    let etag = format!("\"{}\"", view.version);
    let mut response = Json(view).into_response();
    if let Ok(v) = etag.parse() {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The version a change was based on, from `If-Match` (the `ETag` of the report the client saw). Without it the
/// change would overwrite whatever is there now, so it is refused (428).
pub(crate) fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            "send If-Match with the version (ETag) the change is based on, e.g. If-Match: \"3\"",
        ));
    };
    let text = raw.to_str().unwrap_or("");
    text.trim().trim_start_matches("W/").trim_matches('"').parse::<i64>().map_err(|_| {
        ApiError::new(ErrorCode::PreconditionRequired, format!("If-Match: '{text}' is not a version such as \"3\""))
    })
}

/// The version in `If-Match` if the client sent one: where a change without it is allowed to apply to the record as
/// it stands.
pub(crate) fn optional_if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    headers.get(header::IF_MATCH).map(|_| if_match(headers)).transpose()
}

/// A zone-year's annual report: status, due date and lateness, text, values, and after a return what changed
/// since the submission. Before acceptance it is visible to the ministry, the zone's province and the experts
/// assigned to the zone only. With an extension (`2024.docx`, `.pdf`, `.html`, `.md`, `.json`), the report as a
/// document: the zone and its members, every Annex 2 row with value, the year before, growth, the plan's target,
/// attainment and source, the featured indicators, the charts (attainment, every indicator's trend), the key
/// tasks' progress and the written report once accepted; a year without data says so. A PDF needs the CJK font
/// installed (503 `unavailable` names it otherwise).
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/reports/{year}", tag = "reports",
    params(
        ("key" = String, Path, example = "jiangsu-sunan"),
        ("year" = String, Path, description = "YEAR, or YEAR.docx, YEAR.pdf, YEAR.html, YEAR.md, YEAR.json", example = "2024"),
    ),
    responses(
        (status = 200, body = ReportView, description = "The report; with an extension, the document"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn get_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    if year.contains('.') {
        return super::annual::annual_report(&state, &caller, &key, &year).await;
    }
    let year = super::year_in_path(&state, &year)?;
    Ok(respond(reports::get(state.app(), &caller.viewer(), &key, year).await?))
}

/// Replace the draft values (and, with `text`, the written sections) of a zone-year's report. Body:
/// `{values: [{element, division_code?, value}], text?}`. The values stay private (to the ministry, the zone's
/// province and its assigned experts) until the ministry accepts the report. `If-Match: "<version>"` is required
/// (428 without it); a stale one answers 409; a submitted or accepted report answers 409 `locked`.
#[utoipa::path(
    put, path = "/api/v1/zones/{key}/values/{year}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    request_body = ReportInput,
    responses(
        (status = 200, body = ReportView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
pub async fn put_values(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReportInput>,
) -> Result<Response, ApiError> {
    let year = super::year_in_path(&state, &year)?;
    let base = if_match(&headers)?;
    let report = reports::edit(state.app(), &caller.viewer(), &origin.0, (&key, year), base, body).await?;
    Ok(respond(report))
}

/// Who asks, from where, and with which `If-Match`.
struct Asker<'a> {
    caller: &'a Caller,
    origin: &'a Origin,
    headers: &'a HeaderMap,
}

async fn transition(
    state: &AppState,
    key: &str,
    year: &str,
    asker: Asker<'_>,
    action: ReportAction,
    comment: Option<String>,
) -> Result<Response, ApiError> {
    let Asker { caller, origin, headers } = asker;
    let year = super::year_in_path(state, year)?;
    let base = if_match(headers)?;
    let report = reports::decide(state.app(), &caller.viewer(), &origin.0, (key, year), base, action, comment).await?;
    Ok(respond(report))
}

/// Submit the report; lateness against the due date (12-31 unless configured, in China Standard Time unless
/// configured) is recorded. `If-Match` required.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/submit", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    responses(
        (status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
pub async fn submit_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let asker = Asker { caller: &caller, origin: &origin, headers: &headers };
    transition(&state, &key, &year, asker, ReportAction::Submit, None).await
}

/// Return the report to the province with a comment; it can be edited again, and its values stay private.
/// `If-Match` required.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/return", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    request_body = ReturnInput,
    responses(
        (status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 428, body = ErrorBody),
    )
)]
pub async fn return_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReturnInput>,
) -> Result<Response, ApiError> {
    let asker = Asker { caller: &caller, origin: &origin, headers: &headers };
    transition(&state, &key, &year, asker, ReportAction::Return, Some(body.comment)).await
}

/// Accept the report: it is final, and its values become the published figures of the zone-year. `If-Match`
/// required.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/accept", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    responses(
        (status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 428, body = ErrorBody),
    )
)]
pub async fn accept_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let asker = Asker { caller: &caller, origin: &origin, headers: &headers };
    transition(&state, &key, &year, asker, ReportAction::Accept, None).await
}

/// Read a filled reporting template into the report editor's inputs, storing nothing (multipart field `file`):
/// each value by its input, `{element}@{division_code}` or `{element}@zone`. A workbook with wrong cells answers 422
/// `invalid_file` with every one in `cells`, by its input, with what it held and why it is wrong.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/template", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    request_body(content_type = "multipart/form-data", description = "`file`: the filled workbook"),
    responses(
        (status = 200, body = [TemplateValue]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn read_template(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    mut multipart: Multipart,
) -> Result<Json<Vec<TemplateValue>>, ApiError> {
    let year = super::year_in_path(&state, &year)?;
    let (name, bytes) = super::data::workbook_field(&mut multipart).await?;
    let values = reports::read_template(state.app(), &caller.viewer(), (&key, year), &name, &bytes).await?;
    Ok(Json(values))
}

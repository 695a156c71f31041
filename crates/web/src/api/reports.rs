//! Annual reports over HTTP: the province edits a zone-year's draft values and text, submits, and the ministry
//! returns or accepts. Every change names the version it is based on in `If-Match` (428 without it, 409 when stale);
//! submitted reports are locked until returned or accepted (409 `locked`), accepted ones for good.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ttdz_domain::DivisionCode;
use ttdz_domain::element::{ElementSpec, Scope, parse_amount};
use ttdz_domain::limits::{LONG_TEXT, REPORT_TEXT, check_text};
use ttdz_domain::report::{ReportAction, ReportError, ReportStatus, next_status};
use ttdz_store::{AnnualReport, ReportValue};
use utoipa::ToSchema;

use super::{ApiJson, zone_of};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ValueChange {
    pub element: String,
    /// 6-digit code or zone key.
    pub area: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub zone: String,
    pub year: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: &'static str,
    /// Send as `If-Match` with the next edit; also the `ETag` of this answer.
    pub version: i64,
    /// ISO 8601.
    pub due: String,
    pub submitted_at: Option<String>,
    pub late: bool,
    pub comment: Option<String>,
    pub text: String,
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<ReportValue>,
    /// After a return: what changed, value by value, since the submission.
    pub changes_since_submission: Vec<ValueChange>,
}

/// One value as a client sends it: `value` a number or a decimal text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    #[schema(example = "tech_brokers")]
    pub element: String,
    /// For an element reported per division: a member division (6-digit code); left out for zone-level elements.
    #[schema(example = "320100")]
    pub division_code: Option<String>,
    #[schema(value_type = String, example = "120")]
    pub value: Value,
}

/// A report's draft: every value (the list replaces the earlier one) and, optionally, the written sections.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub values: Vec<ValueInput>,
    /// The written sections; left out, the earlier text stays.
    pub text: Option<String>,
}

/// The ministry's return of a report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// Why it is returned, for the province.
    pub comment: String,
}

fn report_error(e: ReportError) -> ApiError {
    match e {
        ReportError::Forbidden { .. } => ApiError::forbidden(e.to_string()),
        ReportError::Locked { .. } => ApiError::new(ErrorCode::Locked, e.to_string()),
        ReportError::OutOfOrder { .. } => ApiError::conflict(e.to_string()),
    }
}

fn values_by_area(list: &[ReportValue]) -> BTreeMap<(String, String), String> {
    list.iter()
        .filter_map(|v| {
            let area = v.division_code.clone().or_else(|| v.zone_key.clone())?;
            Some(((v.element.clone(), area), v.value.clone()))
        })
        .collect()
}

fn view(report: AnnualReport, due: String) -> Result<ReportView, ApiError> {
    let values = report.drafted()?;
    let changes = match (report.submitted()?, report.status) {
        (Some(snapshot), ReportStatus::Returned | ReportStatus::Draft) => {
            let (before, after) = (values_by_area(&snapshot), values_by_area(&values));
            let keys: BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
            keys.into_iter()
                .filter(|k| before.get(k) != after.get(k))
                .map(|k| ValueChange {
                    before: before.get(&k).cloned(),
                    after: after.get(&k).cloned(),
                    element: k.0,
                    area: k.1,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(ReportView {
        zone: report.zone.to_string(),
        year: report.year,
        status: report.status.as_str(),
        version: report.version,
        due,
        submitted_at: report.submitted_at,
        late: report.late,
        comment: report.comment,
        text: report.text,
        values,
        changes_since_submission: changes,
    })
}

fn respond(report: AnnualReport, due: String) -> Result<Response, ApiError> {
    let etag = format!("\"{}\"", report.version);
    let mut response = Json(view(report, due)?).into_response();
    if let Ok(v) = etag.parse() {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
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

/// A zone-year's annual report: status, due date and lateness, text, values, and after a return what changed
/// since the submission. Before acceptance it is visible to the ministry, the zone's province and the experts
/// assigned to the zone only.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/reports/{year}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = i64, Path, example = 2026)),
    responses((status = 200, body = ReportView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let year = super::year_in_path(&state, &year)?;
    let zone = zone_of(&state, &caller, &key).await?;
    let report =
        state.store().annual_report(&zone.key, year).await?.unwrap_or_else(|| AnnualReport::blank(&zone.key, year));
    if report.status != ReportStatus::Accepted
        && !ttdz_app::visibility::oversees_zone(state.app(), &caller.viewer(), &zone).await?
    {
        return Err(ApiError::not_found(format!("no published {year} report of zone {key}")));
    }
    respond(report, state.report_due(year))
}

/// Checks drafted values against the element dictionary and the zone, as the canonical list stored with the report.
fn checked_values(
    items: &[ValueInput],
    zone: &ttdz_domain::Zone,
    tree: &ttdz_domain::DivisionTree,
) -> Result<Vec<ReportValue>, ApiError> {
    let area = tree.area_of(&zone.members);
    let mut seen = BTreeSet::new();
    let mut canonical = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let bad = |m: String| ApiError::invalid_document(format!("values[{i}]: {m}"));
        let code = item.element.as_str();
        let spec = ElementSpec::find(code).ok_or_else(|| bad(format!("unknown element '{code}'")))?;
        let raw = match &item.value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return Err(bad("value must be a number".into())),
        };
        let value = parse_amount(&raw).map_err(|e| bad(format!("value: {e}")))?;
        if value.is_sign_negative() {
            return Err(bad("value cannot be negative".into()));
        }
        let (division_code, zone_key) = match (item.division_code.as_deref(), spec.scope) {
            (Some(d), Scope::Division) => {
                let division = DivisionCode::parse(d).map_err(|e| bad(format!("division_code: {e}")))?;
                let inside =
                    tree.get(&division).is_some() && tree.leaves_under(&division).iter().all(|u| area.contains(u));
                if !inside {
                    return Err(bad(format!("division_code: {division} is not in zone {}", zone.key)));
                }
                (Some(division.to_string()), None)
            }
            (None, Scope::Zone) => (None, Some(zone.key.to_string())),
            (Some(_), Scope::Zone) => {
                return Err(bad(format!("{code} is reported for the zone as a whole: leave out division_code")));
            }
            (None, Scope::Division) => return Err(bad(format!("{code} needs a division_code"))),
        };
        let area_label = division_code.clone().unwrap_or_else(|| "the zone".to_owned());
        if !seen.insert((code.to_owned(), area_label.clone())) {
            return Err(bad(format!("{code} for {area_label} is given twice")));
        }
        canonical.push(ReportValue { element: code.to_owned(), division_code, zone_key, value: value.to_string() });
    }
    Ok(canonical)
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
    let zone = zone_of(&state, &caller, &key).await?;
    if !caller.governs(&zone.province) {
        return Err(ApiError::forbidden(format!("{} may not report for zone {key}", caller.label())));
    }
    let role = caller.role().ok_or_else(|| ApiError::unauthorized("log in first"))?;
    let base = if_match(&headers)?;
    let current = state.store().annual_report(&zone.key, year).await?;
    next_status(current.as_ref().map(|r| r.status), ReportAction::Edit, role).map_err(report_error)?;
    let report = current.unwrap_or_else(|| AnnualReport::blank(&zone.key, year));
    let text = match body.text {
        Some(text) => {
            check_text("text", &text, REPORT_TEXT).map_err(|e| ApiError::invalid_document(e.0))?;
            text
        }
        None => report.text.clone(),
    };
    let tree = state.tree(None).await?;
    let values = checked_values(&body.values, &zone, &tree)?;
    let values_json = serde_json::to_string(&values)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot keep the values: {e}")))?;
    let updated = AnnualReport { text, values_json, ..report };
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    let version = state.store().save_annual_report(&updated, base, None, "edit", &audit).await?;
    respond(AnnualReport { version, ..updated }, state.report_due(year))
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
    let zone = zone_of(state, caller, key).await?;
    if !caller.governs(&zone.province) {
        return Err(ApiError::forbidden(format!("{} may not act on zone {key}", caller.label())));
    }
    let role = caller.role().ok_or_else(|| ApiError::unauthorized("log in first"))?;
    let base = if_match(headers)?;
    let current = state.store().annual_report(&zone.key, year).await?;
    let status = next_status(current.as_ref().map(|r| r.status), action, role).map_err(report_error)?;
    let report = current.ok_or_else(|| ApiError::not_found("no report"))?;
    let mut updated = AnnualReport { status, ..report };
    let mut published = None;
    match action {
        ReportAction::Submit => {
            let today = state.clock().today_iso();
            // ISO dates order as text; the day is China's (or the configured zone's), not UTC's.
            updated.late = today > state.report_due(year);
            updated.submitted_at = Some(today);
            updated.snapshot = Some(updated.values_json.clone());
            updated.comment = None;
        }
        ReportAction::Return => updated.comment = comment,
        // From acceptance on, the values are figures everyone reads.
        ReportAction::Accept => {
            published = Some(updated.accepted_batch(&zone.name_zh, caller.label(), Some(zone.province))?);
        }
        ReportAction::Edit => {}
    }
    let audit = caller.audit(origin, Some(zone.key.clone()), Some(zone.province));
    let version = state.store().save_annual_report(&updated, base, published.as_ref(), action.as_str(), &audit).await?;
    respond(AnnualReport { version, ..updated }, state.report_due(year))
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
    let comment = body.comment.trim();
    if comment.is_empty() {
        return Err(ApiError::invalid_document("comment: a return needs a comment for the province"));
    }
    check_text("comment", comment, LONG_TEXT).map_err(|e| ApiError::invalid_document(e.0))?;
    let asker = Asker { caller: &caller, origin: &origin, headers: &headers };
    transition(&state, &key, &year, asker, ReportAction::Return, Some(comment.to_owned())).await
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

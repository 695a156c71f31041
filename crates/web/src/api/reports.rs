//! Annual reports over HTTP: the province edits a zone-year's draft values and text, submits, and the ministry
//! returns or accepts. Submitted and accepted reports are locked (409 `locked`); a stale edit is refused (409).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use ttdz_domain::element::{ElementSpec, Scope, parse_amount};
use ttdz_domain::measure::SourceKind;
use ttdz_domain::report::{ReportAction, ReportError, ReportStatus, next_status};
use ttdz_domain::{Dataset, DivisionCode, ZoneKey};
use ttdz_store::{AnnualReport, Batch, DivisionValue, ZoneValue};
use utoipa::ToSchema;

use super::zone_of;
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
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
    pub values: Value,
    /// After a return: what changed, value by value, since the submission.
    pub changes_since_submission: Vec<ValueChange>,
}

fn report_error(e: ReportError) -> ApiError {
    match e {
        ReportError::Forbidden { .. } => ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
        ReportError::Locked { .. } => ApiError::new(StatusCode::CONFLICT, "locked", e.to_string()),
        ReportError::OutOfOrder { .. } => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
    }
}

fn year_of(year: &str) -> Result<i32, ApiError> {
    year.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
        .ok_or_else(|| ApiError::invalid(format!("'{year}' is not a year")))
}

fn values_by_area(json: &str) -> BTreeMap<(String, String), String> {
    let list: Vec<Value> = serde_json::from_str(json).unwrap_or_default();
    list.iter()
        .filter_map(|v| {
            let area = v.get("division_code").or_else(|| v.get("zone_key"))?.as_str()?.to_owned();
            Some(((v.get("element")?.as_str()?.to_owned(), area), v.get("value")?.as_str()?.to_owned()))
        })
        .collect()
}

fn view(report: AnnualReport, due: String) -> ReportView {
    let changes = match (&report.snapshot, report.status) {
        (Some(snapshot), ReportStatus::Returned | ReportStatus::Draft) => {
            let (before, after) = (values_by_area(snapshot), values_by_area(&report.values_json));
            let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
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
    ReportView {
        zone: report.zone.to_string(),
        year: report.year,
        status: report.status.as_str(),
        version: report.version,
        due,
        submitted_at: report.submitted_at,
        late: report.late,
        comment: report.comment,
        text: report.text,
        values: serde_json::from_str(&report.values_json).unwrap_or(Value::Null),
        changes_since_submission: changes,
    }
}

fn respond(report: AnnualReport, due: String) -> Response {
    let etag = format!("\"{}\"", report.version);
    let mut response = Json(view(report, due)).into_response();
    if let Ok(v) = etag.parse() {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The version an edit was based on: `If-Match`, or the current one when the client sends none.
fn based_on(headers: &HeaderMap, current: i64) -> Result<i64, ApiError> {
    match headers.get(header::IF_MATCH).and_then(|h| h.to_str().ok()) {
        None => Ok(current),
        Some(v) => v
            .trim_matches('"')
            .parse::<i64>()
            .map_err(|_| ApiError::invalid(format!("If-Match: '{v}' is not a report version"))),
    }
}

fn blank(zone: &ZoneKey, year: i32) -> AnnualReport {
    AnnualReport {
        zone: zone.clone(),
        year,
        status: ReportStatus::Draft,
        version: 0,
        text: String::new(),
        values_json: "[]".into(),
        snapshot: None,
        submitted_at: None,
        late: false,
        comment: None,
    }
}

fn stale(e: ttdz_store::StoreError) -> ApiError {
    match e {
        ttdz_store::StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
        other => other.into(),
    }
}

/// A zone-year's annual report: status, due date and lateness, text, values, and after a return what changed
/// since the submission. Before acceptance it is visible to the ministry and the zone's province only.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/reports/{year}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = String, Path, example = "2026")),
    responses((status = 200, body = ReportView), (status = 404, body = ErrorBody))
)]
pub async fn get_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let zone = zone_of(&state, &caller, &key).await?;
    let report = state.store().annual_report(&zone.key, year).await?.unwrap_or_else(|| blank(&zone.key, year));
    if report.status != ReportStatus::Accepted && !caller.governs(&zone.province) {
        return Err(ApiError::not_found(format!("no published {year} report of zone {key}")));
    }
    Ok(respond(report, state.report_due(year)))
}

/// Replace the draft values (and, with an object body, the text) of a zone-year's report. Body: a JSON array of
/// {element, division_code?, value}, or {values: [...], text}. `If-Match: "<version>"` makes a stale edit fail
/// with 409; a submitted or accepted report answers 409 `locked`.
#[utoipa::path(
    put, path = "/api/v1/zones/{key}/values/{year}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = String, Path, example = "2026")),
    request_body(content = Object, description = "[{element, division_code?, value}] or {values, text}"),
    responses(
        (status = 200, body = ReportView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn put_values(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let year = year_of(&year)?;
    let zone = zone_of(&state, &caller, &key).await?;
    if !caller.governs(&zone.province) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{} may not report for zone {key}", caller.label()),
        ));
    }
    let role = caller.role().ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "log in first"))?;
    let current = state.store().annual_report(&zone.key, year).await?;
    next_status(current.as_ref().map(|r| r.status), ReportAction::Edit, role).map_err(report_error)?;
    let report = current.unwrap_or_else(|| blank(&zone.key, year));
    let (items, text) = match &body {
        Value::Array(items) => (items.clone(), report.text.clone()),
        Value::Object(o) => (
            o.get("values").and_then(Value::as_array).cloned().unwrap_or_default(),
            o.get("text").and_then(Value::as_str).map_or_else(|| report.text.clone(), str::to_owned),
        ),
        _ => {
            return Err(ApiError::invalid("the body is a list of {element, division_code?, value}, or {values, text}"));
        }
    };
    let tree = state.tree(None).await?;
    let area = tree.area_of(&zone.members);
    let mut division_values = Vec::new();
    let mut zone_values = Vec::new();
    let mut canonical = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let bad = |m: String| ApiError::invalid(format!("values[{i}]: {m}"));
        let code = item.get("element").and_then(Value::as_str).unwrap_or("");
        let spec = ElementSpec::find(code).ok_or_else(|| bad(format!("unknown element '{code}'")))?;
        let raw = match item.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(bad("value must be a number".into())),
        };
        let value = parse_amount(&raw).map_err(|e| bad(e.0))?;
        if value.is_sign_negative() {
            return Err(bad("value cannot be negative".into()));
        }
        let element = spec.element_code();
        match (item.get("division_code").and_then(Value::as_str), spec.scope) {
            (Some(d), Scope::Division) => {
                let division = DivisionCode::parse(d).map_err(|e| bad(e.0))?;
                let inside =
                    tree.leaves_under(&division).iter().all(|u| area.contains(u)) && tree.get(&division).is_some();
                if !inside {
                    return Err(bad(format!("{division} is not in zone {key}")));
                }
                canonical.push(serde_json::json!({"element": code, "division_code": d, "value": value.to_string()}));
                division_values.push(DivisionValue { element, division, year, value, note: None });
            }
            (None, Scope::Zone) => {
                canonical.push(serde_json::json!({"element": code, "zone_key": key, "value": value.to_string()}));
                zone_values.push(ZoneValue { element, zone: zone.key.clone(), year, value, note: None });
            }
            (Some(_), Scope::Zone) => {
                return Err(bad(format!("{code} is reported for the zone as a whole: leave out division_code")));
            }
            (None, Scope::Division) => return Err(bad(format!("{code} needs a division_code"))),
        }
    }
    let values_json = Value::Array(canonical).to_string();
    let batch = Batch {
        dataset: Dataset {
            name: format!("report:{key}-{year}"),
            files: vec![format!("annual report {key} {year}")],
            sha256: ttdz_domain::reference::sha256_hex(values_json.as_bytes()),
            source: format!("annual report of {} for {year}", zone.name_zh),
        },
        kind: SourceKind::Reported,
        recorded_by: caller.label(),
        rows: items.len() as u64,
        division_values,
        zone_values,
        rollups: Vec::new(),
    };
    let base = based_on(&headers, report.version)?;
    let updated = AnnualReport { text, values_json, ..report };
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    let version =
        state.store().save_annual_report(&updated, base, Some(&batch), "edit", &audit).await.map_err(stale)?;
    Ok(respond(AnnualReport { version, ..updated }, state.report_due(year)))
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
    let year = year_of(year)?;
    let zone = zone_of(state, caller, key).await?;
    if !caller.governs(&zone.province) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{} may not act on zone {key}", caller.label()),
        ));
    }
    let role = caller.role().ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "log in first"))?;
    let current = state.store().annual_report(&zone.key, year).await?;
    let status = next_status(current.as_ref().map(|r| r.status), action, role).map_err(report_error)?;
    let report = current.ok_or_else(|| ApiError::not_found("no report"))?;
    let base = based_on(headers, report.version)?;
    let mut updated = AnnualReport { status, ..report };
    match action {
        ReportAction::Submit => {
            let today = ttdz_store::today_iso();
            // ISO dates order as text.
            updated.late = today > state.report_due(year);
            updated.submitted_at = Some(today);
            updated.snapshot = Some(updated.values_json.clone());
            updated.comment = None;
        }
        ReportAction::Return => updated.comment = comment,
        ReportAction::Accept | ReportAction::Edit => {}
    }
    let audit = caller.audit(origin, Some(zone.key.clone()), Some(zone.province));
    let version =
        state.store().save_annual_report(&updated, base, None, action.as_str(), &audit).await.map_err(stale)?;
    Ok(respond(AnnualReport { version, ..updated }, state.report_due(year)))
}

/// Submit the report; lateness against the due date (12-31 unless configured) is recorded.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/submit", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = String, Path, example = "2026")),
    responses((status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn submit_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    transition(
        &state,
        &key,
        &year,
        Asker { caller: &caller, origin: &origin, headers: &headers },
        ReportAction::Submit,
        None,
    )
    .await
}

/// Return the report to the province with a comment (body: {comment}); it can be edited again.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/return", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = String, Path, example = "2026")),
    request_body(content = Object, description = "{comment}"),
    responses((status = 200, body = ReportView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn return_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let comment = body.get("comment").and_then(Value::as_str).map(str::trim).filter(|c| !c.is_empty());
    let comment = comment.ok_or_else(|| ApiError::invalid("a return needs a comment: {\"comment\": \"...\"}"))?;
    transition(
        &state,
        &key,
        &year,
        Asker { caller: &caller, origin: &origin, headers: &headers },
        ReportAction::Return,
        Some(comment.to_owned()),
    )
    .await
}

/// Accept the report: its values stand, and it is published.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/reports/{year}/accept", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("year" = String, Path, example = "2026")),
    responses((status = 200, body = ReportView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn accept_report(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    transition(
        &state,
        &key,
        &year,
        Asker { caller: &caller, origin: &origin, headers: &headers },
        ReportAction::Accept,
        None,
    )
    .await
}

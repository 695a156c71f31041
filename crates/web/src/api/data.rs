//! Data: the element dictionary, indicators per area with provenance, and uploads of values.

use axum::Json;

use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use ttdz_app::imports;
use ttdz_domain::ZoneKey;
use ttdz_domain::element::{ELEMENTS, Measure, Scope};
use ttdz_domain::measure::Area;
use utoipa::{IntoParams, ToSchema};

use super::{ApiQuery, parse_code};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody, ErrorCode, ProblemView};
use crate::state::AppState;
use crate::views::ElementView;
use ttdz_app::indicators::AreaIndicatorsView;
use ttdz_app::indicators::area_indicators;

/// The largest values upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 32 << 20;

/// The data elements: what values can be reported, in which unit, per division or per zone.
#[utoipa::path(get, path = "/api/v1/elements", tag = "indicators", responses((status = 200, body = [ElementView])))]
pub async fn list_elements() -> Json<Vec<ElementView>> {
    Json(
        ELEMENTS
            .iter()
            .map(|e| ElementView {
                code: e.code,
                name_zh: e.name_zh,
                name_en: e.name_en,
                unit_zh: e.unit_zh,
                measure: match e.measure {
                    Measure::Stock => "stock",
                    Measure::Flow => "flow",
                },
                scope: match e.scope {
                    Scope::Division => "division",
                    Scope::Zone => "zone",
                },
            })
            .collect(),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year; without it, the latest year with data.
    #[param(example = 2023)]
    pub(super) year: Option<i64>,
}

/// A zone's Annex 2 indicators for a year, each with its figures, their sources, and growth over the year before.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/indicators", tag = "indicators",
    params(("key" = String, Path, description = "Zone key", example = "jiangsu-sunan"), YearQuery),
    responses((status = 200, body = AreaIndicatorsView), (status = 404, body = ErrorBody))
)]
pub async fn zone_indicators(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<AreaIndicatorsView>, ApiError> {
    let zone = super::zone_of(&state, &caller, &key).await?;
    Ok(Json(
        area_indicators(
            state.app(),
            &caller.viewer(),
            Area::Zone(zone.key),
            zone.name_zh,
            super::year_param(&state, q.year)?,
        )
        .await?,
    ))
}

/// A division's Annex 2 indicators for a year: its own reported values, or the sums of its parts.
#[utoipa::path(
    get, path = "/api/v1/divisions/{code}/indicators", tag = "indicators",
    params(("code" = String, Path, description = "6-digit GB/T 2260 code", example = "320000"), YearQuery),
    responses((status = 200, body = AreaIndicatorsView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn division_indicators(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<AreaIndicatorsView>, ApiError> {
    let code = parse_code(&code)?;
    let tree = state.tree(None).await?;
    let division = tree.get(&code).ok_or_else(|| ApiError::not_found(format!("no division {code}")))?;
    Ok(Json(
        area_indicators(
            state.app(),
            &caller.viewer(),
            Area::Division(code),
            division.name_zh.clone(),
            super::year_param(&state, q.year)?,
        )
        .await?,
    ))
}

/// The national indicators for a year: over all divisions, each counted once whatever zones it lies in.
#[utoipa::path(
    get, path = "/api/v1/national/indicators", tag = "indicators", params(YearQuery),
    responses((status = 200, body = AreaIndicatorsView))
)]
pub async fn national_indicators(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<YearQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<AreaIndicatorsView>, ApiError> {
    Ok(Json(
        area_indicators(
            state.app(),
            &caller.viewer(),
            Area::Nation,
            "全国".to_owned(),
            super::year_param(&state, q.year)?,
        )
        .await?,
    ))
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOutcome {
    #[schema(example = "values:jiangsu-2023.csv")]
    pub batch: String,
    pub rows: u64,
    pub values: usize,
    /// Rows left out (only with `skip_invalid`), with their lines and reasons.
    pub skipped: Vec<ProblemView>,
    /// `stored`, `replaced` (the batch's earlier contribution) or `unchanged` (the same file again).
    #[schema(example = "stored")]
    pub outcome: &'static str,
}

impl ImportOutcome {
    fn new(stored: imports::Stored, rows: u64, skipped: Vec<ProblemView>) -> ImportOutcome {
        ImportOutcome { batch: stored.batch, rows, values: stored.values, skipped, outcome: stored.report.outcome() }
    }
}

/// Upload a long-format values file (CSV, or .xlsx with the same columns on its first sheet:
/// `division_code|zone_key,year,element,value[,unit][,source]`) as one batch. Multipart fields: `file` (required), `batch` (default: the file's name), `skip_invalid` (`true` to
/// store the good rows and list the bad). A file with bad rows is refused whole by default.
#[utoipa::path(
    post, path = "/api/v1/imports/values", tag = "data",
    request_body(content_type = "multipart/form-data", description = "`file`, optional `batch` and `skip_invalid`"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ImportOutcome),
        (status = 401, description = "No or wrong bearer token", body = ErrorBody),
        (status = 403, description = "Writes are not enabled on this server", body = ErrorBody),
        (status = 413, description = "Larger than 32 MiB", body = ErrorBody),
        (status = 422, description = "Bad rows: nothing was stored", body = ErrorBody),
    )
)]
pub async fn import_values(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    mut multipart: Multipart,
) -> Result<Json<ImportOutcome>, ApiError> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut batch: Option<String> = None;
    let mut skip_invalid = false;
    let bad_upload = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::PayloadTooLarge, format!("uploads are limited to {} MiB", MAX_UPLOAD_BYTES >> 20))
        } else {
            ApiError::invalid(format!("unreadable upload: {}", e.body_text()))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(bad_upload)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_owned();
                file = Some((name, field.bytes().await.map_err(bad_upload)?.to_vec()));
            }
            Some("batch") => batch = Some(field.text().await.map_err(bad_upload)?.trim().to_owned()),
            Some("skip_invalid") => skip_invalid = field.text().await.map_err(bad_upload)?.trim() == "true",
            _ => {}
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| ApiError::invalid("the multipart field 'file' is missing"))?;
    let (ctx, viewer) = (state.app(), caller.viewer());
    let parsed = imports::parse_values(ctx, &file_name, &bytes, skip_invalid).await?;
    let (rows, skipped) = (parsed.rows, parsed.problems.listed.iter().cloned().map(ProblemView::from).collect());
    let stored = imports::store_values(ctx, &viewer, &origin.0, (&file_name, batch.as_deref()), parsed).await?;
    Ok(Json(ImportOutcome::new(stored, rows, skipped)))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `2023.xlsx` → 2023.
fn template_year(state: &AppState, file: &str) -> Result<i32, ApiError> {
    let year = file
        .strip_suffix(".xlsx")
        .ok_or_else(|| ApiError::not_found(format!("no template '{file}': ask for YEAR.xlsx")))?;
    super::year_in_path(state, year)
}

pub(super) fn xlsx_response(status: StatusCode, name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{name}\"");
    (status, [(header::CONTENT_TYPE, XLSX.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

/// The Excel reporting template of a zone and year: a sheet per indicator category, a row per data element and
/// member division, last year's value beside each input, everything but the inputs locked.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/template/{file}", tag = "data",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("file" = String, Path, description = "YEAR.xlsx", example = "2023.xlsx")),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody))
)]
pub async fn download_template(
    State(state): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<axum::response::Response, ApiError> {
    let year = template_year(&state, &file)?;
    let template = imports::template(state.app(), &caller.viewer(), &key, year).await?;
    let bytes = template.write().map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(xlsx_response(StatusCode::OK, &format!("{key}-{file}"), bytes))
}

/// Upload a filled reporting template (multipart field `file`). All or nothing: when any cell is bad the answer
/// is 422 with the same workbook, each bad cell marked and commented (header `X-TTDZ-Bad-Cells` counts them).
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/template/{file}", tag = "data",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("file" = String, Path, description = "YEAR.xlsx", example = "2023.xlsx")),
    request_body(content_type = "multipart/form-data", description = "`file`: the filled workbook"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ImportOutcome),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Bad cells: the workbook with them marked; or an unreadable file (JSON)"),
    )
)]
pub async fn upload_template(
    State(state): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    mut multipart: Multipart,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (ctx, viewer) = (state.app(), caller.viewer());
    let template = imports::template_to_fill(ctx, &viewer, &key, template_year(&state, &file)?).await?;
    let (name, bytes) = workbook_field(&mut multipart).await?;
    match imports::read_filled(&template, &name, &bytes)? {
        Err(marked) => {
            let bad = marked.problems().len();
            let out = marked.write().map_err(|e| ApiError::new(ErrorCode::InvalidFile, e.to_string()))?;
            let mut response =
                xlsx_response(StatusCode::UNPROCESSABLE_ENTITY, &format!("{key}-{}-errors.xlsx", template.year), out);
            if let Ok(v) = bad.to_string().parse() {
                response.headers_mut().insert("x-ttdz-bad-cells", v);
            }
            Ok(response)
        }
        Ok(filled) => {
            let upload = (name.as_str(), bytes.as_slice(), None);
            let stored = imports::store_template(ctx, &viewer, &origin.0, &template, upload, filled).await?;
            let rows = stored.values as u64;
            Ok(Json(ImportOutcome::new(stored, rows, Vec::new())).into_response())
        }
    }
}

/// The workbook of an upload: the multipart field `file`, with its file name.
pub(crate) async fn workbook_field(multipart: &mut Multipart) -> Result<(String, Vec<u8>), ApiError> {
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| ApiError::invalid(e.body_text()))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("template.xlsx").to_owned();
            upload = Some((name, field.bytes().await.map_err(|e| ApiError::invalid(e.body_text()))?.to_vec()));
        }
    }
    upload.ok_or_else(|| ApiError::invalid("the multipart field 'file' is missing"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// The year; without it, the latest year with data.
    #[param(example = 2023)]
    year: Option<i64>,
    /// Also how stable the ranking is under other choices of method: a seeded Monte Carlo with sensitivity
    /// indices and their bootstrap intervals.
    robustness: Option<bool>,
}

/// Every zone evaluated for a year: normalised indicators, category and overall scores, ranks and performance
/// groups, with the method used; with `robustness=true`, also the ranking's uncertainty and sensitivity.
#[utoipa::path(
    get, path = "/api/v1/evaluations", tag = "evaluation", params(EvaluationQuery),
    responses((status = 200, body = ttdz_app::evaluation::EvaluationView), (status = 400, body = ErrorBody))
)]
pub async fn list_evaluations(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> Result<Json<ttdz_app::evaluation::EvaluationView>, ApiError> {
    let year = super::year_param(&state, q.year)?;
    let view = if q.robustness == Some(true) {
        ttdz_app::evaluation::evaluate_zones_with_robustness(state.app(), year).await?
    } else {
        ttdz_app::evaluation::evaluate_zones(state.app(), year).await?
    };
    Ok(Json(view))
}

/// One zone's evaluation for a year, among all zones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneEvaluation {
    pub year: Option<i32>,
    pub method: ttdz_app::evaluation::MethodView,
    /// How many zones were compared.
    pub zones_compared: usize,
    pub evaluation: Option<ttdz_app::evaluation::ZoneEvaluationView>,
    pub excluded: Vec<ttdz_app::evaluation::ExcludedIndicator>,
}

#[utoipa::path(
    get, path = "/api/v1/zones/{key}/evaluation", tag = "evaluation",
    params(("key" = String, Path, example = "jiangsu-sunan"), YearQuery),
    responses((status = 200, body = ZoneEvaluation), (status = 404, body = ErrorBody))
)]
pub async fn zone_evaluation(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ZoneEvaluation>, ApiError> {
    super::zone_of(&state, &caller, &key).await?;
    let all = ttdz_app::evaluation::evaluate_zones(state.app(), super::year_param(&state, q.year)?).await?;
    Ok(Json(ZoneEvaluation {
        year: all.year,
        method: all.method,
        zones_compared: all.zones.len(),
        evaluation: all.zones.into_iter().find(|z| z.key == key),
        excluded: all.excluded,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries about this zone.
    zone: Option<String>,
    /// Only entries by this actor (`user:<name>`, `cli:<login>`, `api:admin`).
    actor: Option<String>,
    /// Only entries at or after this ISO 8601 time, e.g. 2026-11-01T00:00:00Z.
    since: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
    /// At most this many entries (default and maximum 10,000).
    limit: Option<u32>,
}

/// One write, as the audit trail keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub origin: String,
    pub action: String,
    pub zone: Option<String>,
    pub province: Option<String>,
    pub subject: String,
    /// The state before, as JSON text; null for a creation.
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<ttdz_domain::audit::AuditEntry> for AuditEntryView {
    fn from(e: ttdz_domain::audit::AuditEntry) -> Self {
        AuditEntryView {
            id: e.id,
            at: e.at,
            actor: e.actor,
            origin: e.origin,
            action: e.action,
            zone: e.zone.map(|z| z.to_string()),
            province: e.province.map(|p| p.to_string()),
            subject: e.subject,
            before: e.before,
            after: e.after,
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// The audit trail, oldest first: every write with who, when, from where, and the state before and after. The
/// ministry sees all of it, a province the entries about its own province.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses(
        (status = 200, body = [AuditEntryView], description = "JSON, or CSV with format=csv"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    )
)]
pub async fn audit_trail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let filter = ttdz_app::catalog::AuditFilter {
        zone: q.zone.as_deref().map(ZoneKey::parse).transpose().map_err(|e| ApiError::invalid(e.0))?,
        actor: q.actor.clone(),
        since: q.since.clone(),
        limit: q.limit,
    };
    let entries: Vec<AuditEntryView> = ttdz_app::catalog::audit_trail(state.app(), &caller.viewer(), filter)
        .await?
        .into_iter()
        .map(AuditEntryView::from)
        .collect();
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(entries).into_response()),
        Some("csv") => {
            let mut out = String::from("id,at,actor,origin,action,zone,province,subject,before,after\n");
            for e in &entries {
                let fields = [
                    e.id.to_string(),
                    e.at.clone(),
                    e.actor.clone(),
                    e.origin.clone(),
                    e.action.clone(),
                    e.zone.clone().unwrap_or_default(),
                    e.province.clone().unwrap_or_default(),
                    e.subject.clone(),
                    e.before.clone().unwrap_or_default(),
                    e.after.clone().unwrap_or_default(),
                ];
                out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
                out.push('\n');
            }
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
                ],
                out,
            )
                .into_response())
        }
        Some(other) => Err(ApiError::invalid(format!("format = '{other}' is not json or csv"))),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowQuery {
    /// The year; without it, the latest year with flows.
    #[param(example = 2024)]
    year: Option<i64>,
    /// `zone` (default: between the zones, and everywhere else) or `province`.
    #[param(example = "zone")]
    level: Option<String>,
}

/// The technology flow of a year (技术流向): registered contracts from the seller's place to the buyer's, between the
/// zones (and everywhere else) or between the provinces; each place's outflow, inflow and contracts within, and every
/// pair of places with contracts between them (成交额 in yuan, exact).
#[utoipa::path(
    get, path = "/api/v1/flows", tag = "evaluation", params(FlowQuery),
    responses((status = 200, body = ttdz_app::flows::FlowView), (status = 400, body = ErrorBody))
)]
pub async fn flows(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<FlowQuery>,
) -> Result<Json<ttdz_app::flows::FlowView>, ApiError> {
    let year = super::year_param(&state, q.year)?;
    let level = match q.level.as_deref() {
        None => ttdz_app::flows::FlowLevel::Zone,
        Some(l) => ttdz_app::flows::FlowLevel::parse(l)
            .ok_or_else(|| ApiError::invalid(format!("level: '{l}' is not zone or province")))?,
    };
    Ok(Json(ttdz_app::flows::flows(state.app(), &caller.viewer(), level, year).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RewardQuery {
    /// `transfer`, `license`, `equity` or `implementation`.
    #[param(example = "transfer")]
    mode: String,
    /// Yuan: the net income (transfer, licence), the shares' value (equity), or the year's operating profit
    /// (implementation).
    #[param(example = "1000000")]
    amount: String,
    /// The institution's own share where it has a rule or an agreement (`0.7` or `70%`); without it, the law's floor.
    #[param(example = "0.7")]
    institution_ratio: Option<String>,
    /// Who shares the pool: `name:share` separated by commas, the shares adding up to 1.
    #[param(example = "张三:0.6,李四:0.4")]
    shares: Option<String>,
}

/// The inventors' reward (促进科技成果转化法 第四十五条): the pool for the people who made the achievement, by the
/// institution's own rule where it has one (`basis` "institution rule") and by the law's floors where it has none
/// (`basis` "statute": 50% of a transfer's or licence's net income, 50% of the shares, 5% of the operating profit
/// each year for three to five years); with `shares`, each person's part, adding up to exactly the pool.
#[utoipa::path(
    get, path = "/api/v1/rewards/calc", tag = "rewards", params(RewardQuery),
    responses((status = 200, body = ttdz_app::rewards::RewardView), (status = 422, body = ErrorBody))
)]
pub async fn reward_calc(ApiQuery(q): ApiQuery<RewardQuery>) -> Result<Json<ttdz_app::rewards::RewardView>, ApiError> {
    let shares = split_shares(q.shares.as_deref());
    Ok(Json(ttdz_app::rewards::calculate(&q.mode, &q.amount, q.institution_ratio.as_deref(), &shares)?))
}

/// `name:share` pairs separated by commas (either width) or semicolons.
pub(crate) fn split_shares(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default().split([',', '，', ';', '；']).map(str::to_owned).collect()
}

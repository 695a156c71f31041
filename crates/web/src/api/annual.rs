//! Documents over HTTP: the annual report of a zone, its end-of-term evaluation and the national summary of a year,
//! each as Word (.docx), Markdown (.md) or its model (.json): the same figures the pages show.

use axum::extract::{Extension, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ttdz_docs::{Document, Format};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The year and format a file name such as `2024.docx` asks for.
fn year_and_format(state: &AppState, file: &str) -> Result<(i32, Format), ApiError> {
    let wrong = || ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json"));
    let (year, extension) = file.split_once('.').ok_or_else(wrong)?;
    let format = Format::parse(extension).ok_or_else(wrong)?;
    Ok((super::year_in_path(state, year)?, format))
}

/// `doc` as a file to download, named `name`.
fn download(doc: &impl Document, format: Format, name: &str) -> Result<Response, ApiError> {
    let body =
        ttdz_docs::render(doc, format).map_err(|e| ApiError::new(crate::error::ErrorCode::Internal, e.to_string()))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    let headers =
        [(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)];
    Ok((headers, body).into_response())
}

/// The annual report of a zone for a year (`YEAR.docx`, `YEAR.md` or `YEAR.json`): the zone and its members, every
/// Annex 2 row with value, the year before, growth, the plan's target, attainment and source, the featured
/// indicators, the key tasks' progress and the written report once accepted; a year without data says so.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/annual/{file}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("file" = String, Path, description = "YEAR.docx, YEAR.md or YEAR.json", example = "2024.docx")),
    responses((status = 200, description = "The document"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn annual_report(
    State(state): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let (year, format) = year_and_format(&state, &file)?;
    let doc = ttdz_app::annual::annual(state.app(), &caller.viewer(), &key, year).await?;
    download(&doc, format, &format!("{key}-{file}"))
}

/// The national summary of a year (`YEAR.docx`, `YEAR.md` or `YEAR.json`): every zone compared (rank, score,
/// relative to the average, group, target attainment), the indicators left out and why, and the replicable
/// experience the ministry has published.
#[utoipa::path(
    get, path = "/api/v1/national/summary/{file}", tag = "reports",
    params(("file" = String, Path, description = "YEAR.docx, YEAR.md or YEAR.json", example = "2024.md")),
    responses((status = 200, description = "The document"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn national_summary(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let (year, format) = year_and_format(&state, &file)?;
    let doc = ttdz_app::annual::national(state.app(), Some(year)).await?;
    download(&doc, format, &format!("national-{file}"))
}

/// The end-of-term evaluation of a zone weighed on a year (`YEAR.docx`, `YEAR.md` or `YEAR.json`): the proposed
/// verdict with every reason, the targets' attainment, and the year's indicators; for the ministry, the zone's
/// province and the experts assigned to it.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/term/{file}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("file" = String, Path, description = "YEAR.docx, YEAR.md or YEAR.json", example = "2024.md")),
    responses(
        (status = 200, description = "The document"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn term_report(
    State(state): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let (year, format) = year_and_format(&state, &file)?;
    let doc = ttdz_app::annual::term(state.app(), &caller.viewer(), &key, Some(year)).await?;
    download(&doc, format, &format!("{key}-term-{file}"))
}

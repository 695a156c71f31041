//! The annual report of a zone for a year as a document: Word (.docx), Markdown (.md) or its model (.json), the
//! same figures the zone page shows.

use axum::extract::{Extension, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

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
    let (year, format) = file
        .split_once('.')
        .ok_or_else(|| ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json")))?;
    let year = super::year_in_path(&state, year)?;
    let doc = ttdz_app::annual::annual(state.app(), &caller.viewer(), &key, year).await?;
    let name = format!("{key}-{year}.{format}");
    let disposition = format!("attachment; filename=\"{name}\"");
    let (content_type, body): (&str, Vec<u8>) = match format {
        "docx" => {
            (DOCX, ttdz_docs::docx(&doc).map_err(|e| ApiError::new(crate::error::ErrorCode::Internal, e.to_string()))?)
        }
        "md" => ("text/markdown; charset=utf-8", ttdz_docs::markdown(&doc).into_bytes()),
        "json" => (
            "application/json",
            serde_json::to_vec(&doc).map_err(|e| ApiError::new(crate::error::ErrorCode::Internal, e.to_string()))?,
        ),
        _ => return Err(ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json"))),
    };
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
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
    let (year, format) = file
        .split_once('.')
        .ok_or_else(|| ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json")))?;
    let year = super::year_in_path(&state, year)?;
    let doc = ttdz_app::annual::national(state.app(), Some(year)).await?;
    let disposition = format!("attachment; filename=\"national-{year}.{format}\"");
    let internal = |e: String| ApiError::new(crate::error::ErrorCode::Internal, e);
    let (content_type, body): (&str, Vec<u8>) = match format {
        "docx" => (DOCX, ttdz_docs::national_docx(&doc).map_err(|e| internal(e.to_string()))?),
        "md" => ("text/markdown; charset=utf-8", ttdz_docs::national_markdown(&doc).into_bytes()),
        "json" => ("application/json", serde_json::to_vec(&doc).map_err(|e| internal(e.to_string()))?),
        _ => return Err(ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json"))),
    };
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
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
    let (year, format) = file
        .split_once('.')
        .ok_or_else(|| ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json")))?;
    let year = super::year_in_path(&state, year)?;
    let doc = ttdz_app::annual::term(state.app(), &caller.viewer(), &key, Some(year)).await?;
    let disposition = format!("attachment; filename=\"{key}-term-{year}.{format}\"");
    let internal = |e: String| ApiError::new(crate::error::ErrorCode::Internal, e);
    let (content_type, body): (&str, Vec<u8>) = match format {
        "docx" => (DOCX, ttdz_docs::term_docx(&doc).map_err(|e| internal(e.to_string()))?),
        "md" => ("text/markdown; charset=utf-8", ttdz_docs::term_markdown(&doc).into_bytes()),
        "json" => ("application/json", serde_json::to_vec(&doc).map_err(|e| internal(e.to_string()))?),
        _ => return Err(ApiError::not_found(format!("'{file}' is not YEAR.docx, YEAR.md or YEAR.json"))),
    };
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}

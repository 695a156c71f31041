//! Documents over HTTP: the annual report of a zone, its end-of-term evaluation and the national summary of a year,
//! each as Word (.docx), PDF, one web page (.html), Markdown (.md) or its model (.json): the same figures the pages
//! show.

use axum::extract::{Extension, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ttdz_docs::{Document, DocumentError, Format};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

/// The year and format a file name such as `2024.docx` asks for.
pub(super) fn year_and_format(state: &AppState, file: &str) -> Result<(i32, Format), ApiError> {
    let wrong = || {
        let formats: Vec<String> = Format::ALL.iter().map(|(e, _)| format!("YEAR.{e}")).collect();
        ApiError::not_found(format!("'{file}' is not one of {}", formats.join(", ")))
    };
    let (year, extension) = file.split_once('.').ok_or_else(wrong)?;
    let format = Format::parse(extension).ok_or_else(wrong)?;
    Ok((super::year_in_path(state, year)?, format))
}

/// `doc` as a file named `name`: a web page opens in the browser, the other formats download. Laying out a PDF or
/// drawing a Word document's charts takes a second of processor time: it runs on a blocking thread, never on the
/// threads that answer other requests.
async fn download(
    state: &AppState,
    doc: impl Document + Send + 'static,
    format: Format,
    name: &str,
) -> Result<Response, ApiError> {
    let typesetter = state.typesetter();
    let body = tokio::task::spawn_blocking(move || ttdz_docs::render(&doc, format, &typesetter))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("laying out the document failed: {e}")))?
        .map_err(|e| match e {
            DocumentError::Unavailable(why) => ApiError::new(ErrorCode::Unavailable, why),
            DocumentError::Write(why) => ApiError::new(ErrorCode::Internal, why),
        })?;
    let disposition = if format == Format::Html {
        format!("inline; filename=\"{name}\"")
    } else {
        format!("attachment; filename=\"{name}\"")
    };
    let mut response =
        ([(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
            .into_response();
    if format == Format::Html {
        // The page carries its own styles and charts and needs nothing else: no script, nothing fetched.
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
        );
    }
    Ok(response)
}

/// The annual report of zone `key` for the year and format `file` names (`2024.pdf`).
pub(super) async fn annual_report(
    state: &AppState,
    caller: &Caller,
    key: &str,
    file: &str,
) -> Result<Response, ApiError> {
    let (year, format) = year_and_format(state, file)?;
    let doc = ttdz_app::annual::annual(state.app(), &caller.viewer(), key, year).await?;
    download(state, doc, format, &format!("{key}-{file}")).await
}

/// The national summary of a year (`YEAR.docx`, `.pdf`, `.html`, `.md` or `.json`): every zone compared (rank, score,
/// relative to the average, group, target attainment), the indicators left out and why, and the replicable
/// experience the ministry has published.
#[utoipa::path(
    get, path = "/api/v1/national/summary/{file}", tag = "reports",
    params(("file" = String, Path, description = "YEAR.docx, YEAR.pdf, YEAR.html, YEAR.md or YEAR.json", example = "2024.md")),
    responses((status = 200, description = "The document"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn national_summary(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let (year, format) = year_and_format(&state, &file)?;
    let doc = ttdz_app::annual::national(state.app(), Some(year)).await?;
    download(&state, doc, format, &format!("national-{file}")).await
}

/// The end-of-term evaluation of a zone weighed on a year (`YEAR.docx`, `.pdf`, `.html`, `.md` or `.json`): the proposed
/// verdict with every reason, the targets' attainment, and the year's indicators; for the ministry, the zone's
/// province and the experts assigned to it.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/term/{file}", tag = "reports",
    params(("key" = String, Path, example = "jiangsu-sunan"), ("file" = String, Path, description = "YEAR.docx, YEAR.pdf, YEAR.html, YEAR.md or YEAR.json", example = "2024.md")),
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
    download(&state, doc, format, &format!("{key}-term-{file}")).await
}

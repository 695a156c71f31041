//! Documents over HTTP: attached to a zone's procedure or one year's report (multipart), listed per zone and
//! downloaded as they were uploaded, to those who may see what they belong to.

use axum::Json;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ttdz_app::documents::{self, DocumentView, Upload};

use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A zone's documents the caller may see, oldest first: the procedure's with the zone itself, a report's once the
/// report is accepted (before, for the ministry, the zone's province and its assigned experts).
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/documents", tag = "documents",
    params(("key" = String, Path, example = "jiangsu-sunan")),
    responses((status = 200, body = [DocumentView]), (status = 404, body = ErrorBody))
)]
pub async fn list_documents(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    Ok(Json(documents::list(state.app(), &caller.viewer(), &key).await?))
}

/// Attach a document (multipart: `file`, `kind`, and `year` for a report's documents). Kinds: `consent_letter`,
/// `submission_letter`, `plan` and, for a year, `signed_report` and `evidence` by the zone's province;
/// `approval` by the ministry. The format is recognised from the content (PDF, Word .docx, Excel .xlsx, PNG,
/// JPEG) and must agree with the file's name; empty files and files over 20 MiB are refused.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/documents", tag = "documents",
    params(("key" = String, Path, example = "jiangsu-sunan")),
    request_body(content_type = "multipart/form-data", description = "`file`, `kind`, `year`"),
    responses(
        (status = 201, body = DocumentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn attach_document(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| ApiError::invalid(e.body_text());
    let (mut kind, mut year, mut file) = (String::new(), None, None);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("kind") => kind = field.text().await.map_err(bad)?,
            Some("year") => {
                let text = field.text().await.map_err(bad)?;
                if !text.trim().is_empty() {
                    let y = text.trim().parse::<i64>().map_err(|_| ApiError::invalid(format!("year: '{text}'")))?;
                    year = Some(state.check_year(y)?);
                }
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| ApiError::invalid("the multipart field 'file' is missing"))?;
    let upload = Upload { kind: &kind, year, file_name: &file_name, bytes: &bytes };
    let view = documents::attach(state.app(), &caller.viewer(), &origin.0, &key, upload).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Download a document as it was uploaded, with its SHA-256 in `X-TTDZ-SHA256`.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, description = "The file"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn download_document(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let (view, content) = documents::get(state.app(), &caller.viewer(), id).await?;
    let mut response = content.into_response();
    let headers = response.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).map_err(|e| ApiError::invalid(e.to_string()));
    headers.insert(header::CONTENT_TYPE, value(&view.media_type)?);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The name in UTF-8, percent-encoded (RFC 6266 and 5987), and an ASCII fallback of the same ending.
    let encoded: String = view
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let ending = view.file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("bin");
    let disposition = format!("attachment; filename=\"document-{id}.{ending}\"; filename*=UTF-8''{encoded}");
    headers.insert(header::CONTENT_DISPOSITION, value(&disposition)?);
    headers.insert("x-ttdz-sha256", value(&view.sha256)?);
    Ok(response)
}

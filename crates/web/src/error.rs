use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use ttdz_store::StoreError;
use utoipa::ToSchema;

/// The body of every API error: a stable machine-readable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code: `not_found`, `invalid_parameter`, `invalid_file`, `unauthorized`, `forbidden`,
    /// `payload_too_large`, `method_not_allowed`, `unavailable`, `internal`.
    #[schema(example = "not_found")]
    pub error: &'static str,
    #[schema(example = "no zone with key 'atlantis'")]
    pub message: String,
    /// For `invalid_file`: the bad lines (the first 50), each with its line, field and reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ProblemView>>,
    /// For `invalid_file`: how many lines were bad in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad_lines: Option<u64>,
}

/// One bad line of an uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    pub line: u64,
    pub field: Option<&'static str>,
    pub reason: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, body: ErrorBody { error, message: message.into(), problems: None, bad_lines: None } }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unreachable(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database is not reachable")
            }
            other => {
                // The details stay in the log: they can name tables and servers.
                tracing::error!(error = %other, "store error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

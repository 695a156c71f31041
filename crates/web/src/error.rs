use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use ttdz_store::StoreError;
use utoipa::ToSchema;

/// The body of every API error: a stable machine-readable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code: `not_found`, `invalid_parameter`, `method_not_allowed`, `unavailable`, `internal`.
    #[schema(example = "not_found")]
    pub error: &'static str,
    #[schema(example = "no zone with key 'atlantis'")]
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, body: ErrorBody { error: "not_found", message: message.into() } }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: ErrorBody { error: "invalid_parameter", message: message.into() },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unreachable(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    body: ErrorBody { error: "unavailable", message: "the database is not reachable".into() },
                }
            }
            other => {
                // The details stay in the log: they can name tables and servers.
                tracing::error!(error = %other, "store error");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    body: ErrorBody { error: "internal", message: "internal error; see the server log".into() },
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

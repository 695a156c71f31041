//! API errors: a stable code, the HTTP status it means (decided here and nowhere else), and a message for people.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use ttdz_store::StoreError;
use utoipa::ToSchema;

/// The stable machine-readable code of every error the API answers; each has one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 404: no such route or record, or one the caller may not know exists.
    NotFound,
    /// 400: a query or path parameter is malformed or out of range.
    InvalidParameter,
    /// 422: a request body is malformed, misses a required field, has an unknown one, or a value breaks a rule.
    InvalidDocument,
    /// 422: an uploaded file has bad lines or cells (listed in `problems`); nothing was stored.
    InvalidFile,
    /// 401: not logged in, or the token or session is no longer valid.
    Unauthorized,
    /// 403: logged in, but this role or scope may not do this.
    Forbidden,
    /// 409: the record moved on since the version the change was based on, or the change contradicts what is stored.
    Conflict,
    /// 409: a submitted or accepted report cannot be edited.
    Locked,
    /// 428: a change must name the version it was based on in `If-Match`.
    PreconditionRequired,
    /// 413: the body or a field is larger than allowed.
    PayloadTooLarge,
    /// 415: the body is not of the content type the route takes.
    UnsupportedMediaType,
    /// 405: the route does not take this method.
    MethodNotAllowed,
    /// 429: too many failed logins from this address for this username; wait as `Retry-After` says.
    TooManyRequests,
    /// 503: the database does not answer.
    Unavailable,
    /// 500: a fault of the server; the details are in its log.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::NotFound,
        ErrorCode::InvalidParameter,
        ErrorCode::InvalidDocument,
        ErrorCode::InvalidFile,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::Locked,
        ErrorCode::PreconditionRequired,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MethodNotAllowed,
        ErrorCode::TooManyRequests,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidDocument | ErrorCode::InvalidFile => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::Conflict | ErrorCode::Locked => StatusCode::CONFLICT,
            ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code of an error response that was not made here (a framework rejection), by its status.
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::InvalidDocument,
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::FORBIDDEN => ErrorCode::Forbidden,
            StatusCode::CONFLICT => ErrorCode::Conflict,
            StatusCode::PRECONDITION_REQUIRED => ErrorCode::PreconditionRequired,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyRequests,
            StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
            s if s.is_client_error() => ErrorCode::InvalidParameter,
            _ => ErrorCode::Internal,
        }
    }
}

/// The body of every API error: a stable machine-readable code and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "not_found")]
    pub error: ErrorCode,
    #[schema(example = "no zone with key 'atlantis'")]
    pub message: String,
    /// For `invalid_file`: the bad lines (the first 50), each with its line, field and reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ProblemView>>,
    /// For `invalid_file`: how many lines were bad in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad_lines: Option<u64>,
    /// For `invalid_file` from a workbook: every wrong cell, by the report editor input it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<ttdz_app::BadCell>>,
}

/// One bad line of an uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    pub line: u64,
    pub field: Option<&'static str>,
    pub reason: String,
}

impl From<ttdz_ingest::Problem> for ProblemView {
    fn from(p: ttdz_ingest::Problem) -> Self {
        ProblemView { line: p.line, field: p.field, reason: p.reason }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub body: ErrorBody,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            body: ErrorBody { error, message: message.into(), problems: None, bad_lines: None, cells: None },
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.body.error.status()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// A malformed or out-of-range query or path parameter.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidParameter, message)
    }

    /// A request body that breaks a rule: names the field.
    pub fn invalid_document(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidDocument, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Conflict, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Unauthorized, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::conflict(m),
            StoreError::Invalid(e) => ApiError::invalid_document(e.to_string()),
            StoreError::Malformed(m) => ApiError::invalid(m),
            StoreError::Unreachable(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(ErrorCode::Unavailable, "the database is not reachable")
            }
            other => {
                // The details stay in the log: they can name tables and servers.
                tracing::error!(error = %other, "store error");
                ApiError::new(ErrorCode::Internal, "internal error; see the server log")
            }
        }
    }
}

impl From<ttdz_app::AppError> for ApiError {
    fn from(e: ttdz_app::AppError) -> Self {
        use ttdz_app::AppError;
        match e {
            AppError::NotFound(m) => ApiError::not_found(m),
            AppError::Invalid(m) => ApiError::invalid(m),
            AppError::Unauthorized(m) => ApiError::unauthorized(m),
            AppError::TooManyRequests { wait, message } => {
                let mut e = ApiError::new(ErrorCode::TooManyRequests, message);
                e.retry_after = Some(wait);
                e
            }
            AppError::Forbidden(m) => ApiError::forbidden(m),
            AppError::Rejected(m) => ApiError::invalid_document(m),
            AppError::Conflict(m) => ApiError::conflict(m),
            AppError::Locked(m) => ApiError::new(ErrorCode::Locked, m),
            AppError::TooLarge(m) => ApiError::new(ErrorCode::PayloadTooLarge, m),
            AppError::UnreadableFile(m) => ApiError::new(ErrorCode::InvalidFile, m),
            AppError::InvalidFile(problems) => {
                let mut e = ApiError::new(ErrorCode::InvalidFile, problems.to_string());
                e.body.bad_lines = Some(problems.bad_lines);
                e.body.problems = Some(problems.listed.into_iter().map(ProblemView::from).collect());
                e
            }
            AppError::Method(m) => {
                tracing::error!(error = %m, "evaluation failed");
                ApiError::new(ErrorCode::Internal, m)
            }
            AppError::BadCells { file, cells } => {
                let mut e = ApiError::new(ErrorCode::InvalidFile, format!("{file}: {} cells are wrong", cells.len()));
                e.body.cells = Some(cells);
                e
            }
            AppError::Environment(m) => {
                tracing::error!(error = %m, "the machine could not do its part");
                ApiError::new(ErrorCode::Internal, m)
            }
            AppError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

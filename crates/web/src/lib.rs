//! TTDZ's HTTP face: the JSON API under `/api/v1` (with its OpenAPI document generated from the handlers) and the
//! Chinese-first HTML pages, served by one axum router over an [`AppState`].
//!
//! This crate turns requests into calls of the use cases (`ttdz-app`) and their answers into JSON or HTML. It knows
//! no SQL and calls no store method: the store it is given goes to the use cases' `Context`.

pub mod api;
mod assets;
pub mod auth;
mod error;
pub mod html;
mod i18n;
mod state;
pub mod views;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: the address is already in use (is another ttdz running? choose another --port)")]
    AddressInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
}

/// The whole application: every route, with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .layer(axum::extract::DefaultBodyLimit::max(api::MAX_UPLOAD_BYTES))
        .route("/api/v1/openapi.json", axum::routing::get(api::openapi_json))
        .nest("/api", Router::new().fallback(api::not_found))
        .merge(html::router())
        .merge(assets::router())
        .method_not_allowed_fallback(api::method_not_allowed)
        // After routing, so that the matched route's access rule applies; unmatched paths fall through to 404.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::enforce))
        .with_state(state)
        .layer(axum::middleware::from_fn(api_errors_as_json))
        .layer(axum::middleware::map_response(security_headers))
        .layer(TraceLayer::new_for_http())
}

/// The largest framework error body turned into a JSON error; longer ones keep only their status's meaning.
const MAX_REJECTION_TEXT: usize = 4096;

/// Every error under `/api/` is JSON `{error, message}`, including the ones the framework answers before a handler
/// runs (a bad path parameter, a body of the wrong content type or over the size limit): their plain text becomes
/// the message, and the status decides the code.
async fn api_errors_as_json(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    // Only plain-text (or empty) errors are the framework's; JSON is ours, and a workbook with its bad cells
    // marked is a deliberate answer.
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !api || !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let text = match axum::body::to_bytes(response.into_body(), MAX_REJECTION_TEXT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { text };
    let mut response = ApiError::new(error::ErrorCode::for_status(status), message).into_response();
    // The status stays the framework's (e.g. 400 for a bad path number); the body says the same in JSON.
    *response.status_mut() = status;
    response
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // A response that set its own policy (a standalone document) keeps it.
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"));
    response
}

/// A bound, not yet running server. Binding to port 0 picks a free port: tests run the real application that way.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(addr: SocketAddr, state: AppState) -> Result<Application, StartError> {
        let listener = TcpListener::bind(addr).await.map_err(|source| match source.kind() {
            io::ErrorKind::AddrInUse => StartError::AddressInUse { addr },
            _ => StartError::Bind { addr, source },
        })?;
        Ok(Application { listener, router: router(state) })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await
    }
}

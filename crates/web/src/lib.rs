//! TTDZ's HTTP face: the JSON API under `/api/v1` (with its OpenAPI document generated from the handlers) and the
//! Chinese-first HTML pages, served by one axum router over an [`AppState`].
//!
//! This crate turns requests into store calls and domain computations and back into JSON or HTML. It knows no SQL:
//! everything it reads comes through `ttdz_store::Store`.

pub mod api;
mod assets;
pub mod auth;
mod error;
pub mod evaluation;
pub mod html;
mod i18n;
mod report;
mod state;
pub mod views;
pub mod visibility;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::{AppState, VerdictSettings};

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
        .layer(axum::middleware::map_response(security_headers))
        .layer(TraceLayer::new_for_http())
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
    );
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

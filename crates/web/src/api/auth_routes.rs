//! Logging in and out. A login answers a bearer token (for API clients) and sets the same token as an HttpOnly,
//! SameSite=Strict session cookie (for the browser), with the CSRF token that cookie-authenticated writes repeat.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use ttdz_app::accounts::{self, SESSION_SECONDS};

use super::ApiJson;
use crate::auth::{Caller, Origin, SESSION_COOKIE};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// With the session cookie, repeat this in `X-CSRF-Token` on every write.
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub username: String,
    pub role: String,
    pub province: Option<String>,
    pub division: Option<String>,
    pub zone: Option<String>,
}

/// Log in. Wrong username, wrong password and a disabled account all answer the same 401, in the same time.
/// Failures are counted per client address and username: after five, each further try from that address for
/// that username must wait twice as long as the last (1 s, 2 s, 4 s, ... up to 15 minutes; 429 with
/// `Retry-After`), while the same user logging in from elsewhere is not held up.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Extension(origin): Extension<Origin>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let session = accounts::log_in(state.app(), &origin.0, &request.username, &request.password).await?;
    let (token, csrf_token, expires_at) = (session.token, session.csrf_token, session.expires_at);
    let secure = if state.secure_cookies() { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}");
    let mut response = Json(LoginResponse { token, csrf_token, expires_at }).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Log out: the session's token stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
) -> Result<Response, ApiError> {
    if let Caller::Account { token_digest, .. } = &caller {
        accounts::log_out(state.app(), &caller.viewer(), &origin.0, token_digest).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = AccountView), (status = 401, body = ErrorBody)))]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<AccountView> {
    Json(match caller {
        Caller::Account { account, .. } => AccountView {
            username: account.username.to_string(),
            role: account.role.to_string(),
            province: account.province.map(|p| p.to_string()),
            division: account.division.map(|d| d.to_string()),
            zone: account.zone.map(|z| z.to_string()),
        },
        other => {
            AccountView { username: other.label(), role: "ministry".into(), province: None, division: None, zone: None }
        }
    })
}

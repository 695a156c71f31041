//! Logging in and out. A login answers a bearer token (for API clients) and sets the same token as an HttpOnly,
//! SameSite=Strict session cookie (for the browser), with the CSRF token that cookie-authenticated writes repeat.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{
    Caller, MAX_FAILURES_PER_MINUTE, SESSION_COOKIE, SESSION_SECONDS, new_token, now, token_digest, verify_password,
};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
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

/// Log in. Wrong username, wrong password and a disabled account all answer the same 401, in the same time;
/// ten failures for one username within a minute answer 429 until the minute has passed.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody),
    )
)]
pub async fn login(State(state): State<AppState>, Json(request): Json<LoginRequest>) -> Result<Response, ApiError> {
    let store = state.store();
    let at = now();
    if store.login_failures_since(&request.username, at - 60).await? >= MAX_FAILURES_PER_MINUTE {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "too many failed logins; wait a minute",
        ));
    }
    let credentials = store.account_credentials(&request.username).await?;
    let valid = verify_password(&request.password, credentials.as_ref().map(|(_, hash)| hash.as_str()));
    let account = match credentials {
        Some((account, _)) if valid && !account.disabled => account,
        _ => {
            store.record_login_failure(&request.username, at).await?;
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong username or password"));
        }
    };
    let (token, csrf_token) = (new_token(), new_token());
    let expires_at = at + SESSION_SECONDS;
    store.create_session(&token_digest(&token), account.username.as_str(), &csrf_token, expires_at).await?;
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}");
    let mut response = Json(LoginResponse { token, csrf_token, expires_at }).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Log out: the session's token stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Response, ApiError> {
    if let Caller::Account { token_digest, .. } = &caller {
        state.store().delete_session(token_digest).await?;
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

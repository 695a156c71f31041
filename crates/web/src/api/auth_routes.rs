//! Logging in and out. A login answers a bearer token (for API clients) and sets the same token as an HttpOnly,
//! SameSite=Strict session cookie (for the browser), with the CSRF token that cookie-authenticated writes repeat.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use ttdz_domain::account::Username;
use ttdz_store::LOGIN_FAILURE_MEMORY_SECONDS;

use super::ApiJson;
use crate::auth::{Caller, Origin, SESSION_COOKIE, SESSION_SECONDS, new_token, token_digest, verify_password};
use crate::error::{ApiError, ErrorBody, ErrorCode};
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
    let store = state.store();
    let at = state.clock().unix();
    let wrong = || ApiError::unauthorized("wrong username or password");
    // A name no account can have is checked like any other (same time, same answer) but never stored.
    let Ok(username) = Username::parse(&request.username) else {
        verify_password(&request.password, None);
        return Err(wrong());
    };
    let subject = format!("{} {username}", origin.0);
    let failures = store.login_failure_times(&subject, at - LOGIN_FAILURE_MEMORY_SECONDS).await?;
    if let Some(wait) = login_delay(&failures, at) {
        let mut e = ApiError::new(
            ErrorCode::TooManyRequests,
            format!("too many failed logins for {username} from this address; try again in {wait} s"),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let credentials = store.account_credentials(username.as_str()).await?;
    let valid = verify_password(&request.password, credentials.as_ref().map(|(_, hash)| hash.as_str()));
    let audit = Caller::Anonymous.audit(&origin, None, None);
    let account = match credentials {
        Some((account, _)) if valid && !account.disabled => account,
        _ => {
            store.record_login_failure(&subject, username.as_str(), at, &audit).await?;
            return Err(wrong());
        }
    };
    let (token, csrf_token) = (new_token(), new_token());
    let expires_at = at + SESSION_SECONDS;
    let audit = ttdz_domain::audit::AuditContext { actor: format!("user:{}", account.username), ..audit };
    store.create_session(&token_digest(&token), account.username.as_str(), &csrf_token, expires_at, &audit).await?;
    let secure = if state.secure_cookies() { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}");
    let mut response = Json(LoginResponse { token, csrf_token, expires_at }).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Failures allowed before each further try must wait.
pub const FREE_LOGIN_FAILURES: usize = 5;
/// The longest wait between tries.
pub const MAX_LOGIN_DELAY_SECONDS: u64 = 900;

/// Seconds still to wait at `now` after the failures at `times` (oldest first), if any: after the free ones,
/// 2^(n - free) seconds from the last failure.
pub fn login_delay(times: &[i64], now: i64) -> Option<u64> {
    let beyond = times.len().checked_sub(FREE_LOGIN_FAILURES)?;
    let delay = 1u64.checked_shl(u32::try_from(beyond).ok()?).unwrap_or(u64::MAX).min(MAX_LOGIN_DELAY_SECONDS);
    let last = *times.last()?;
    let until = last.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
    (now < until).then(|| u64::try_from(until - now).unwrap_or(1))
}

/// Log out: the session's token stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
) -> Result<Response, ApiError> {
    if let Caller::Account { token_digest, .. } = &caller {
        state.store().delete_session(token_digest, &caller.audit(&origin, None, None)).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_beyond_five_doubles_the_wait() {
        assert_eq!(login_delay(&[100, 101, 102, 103], 104), None);
        assert_eq!(login_delay(&[100, 101, 102, 103, 104], 104), Some(1));
        assert_eq!(login_delay(&[100, 101, 102, 103, 104], 105), None);
        assert_eq!(login_delay(&[100, 101, 102, 103, 104, 105, 106], 106), Some(4));
        assert_eq!(login_delay(&[0; 80], 0), Some(MAX_LOGIN_DELAY_SECONDS));
    }
}

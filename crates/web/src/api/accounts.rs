//! Accounts over HTTP: the ministry creates, lists, disables and enables accounts and resets their passwords;
//! everyone signed in changes their own password and reads their own recent actions.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use ttdz_domain::account::{Account, Role, Username};
use ttdz_domain::{DivisionCode, ZoneKey};
use utoipa::ToSchema;

use super::ApiJson;
use super::data::AuditEntryView;
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// An account as the ministry administers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountRecordView {
    #[schema(example = "jiangsu-kjt")]
    pub username: String,
    /// `ministry`, `province`, `expert`, `institution` or `registrar`.
    pub role: String,
    pub province: Option<String>,
    pub division: Option<String>,
    pub zone: Option<String>,
    pub disabled: bool,
}

impl From<Account> for AccountRecordView {
    fn from(a: Account) -> Self {
        AccountRecordView {
            username: a.username.to_string(),
            role: a.role.to_string(),
            province: a.province.map(|p| p.to_string()),
            division: a.division.map(|d| d.to_string()),
            zone: a.zone.map(|z| z.to_string()),
            disabled: a.disabled,
        }
    }
}

/// A new account. Empty codes count as left out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[schema(example = "jiangsu-kjt")]
    pub username: String,
    /// ministry, province, expert, institution, registrar or broker.
    #[schema(example = "province")]
    pub role: String,
    /// 6-digit province code: for province, registrar and institution accounts.
    #[schema(example = "320000")]
    pub province: Option<String>,
    /// 6-digit code of a city or county, for accounts of a city or county.
    pub division: Option<String>,
    /// A zone key, for an expert of one zone.
    pub zone: Option<String>,
    /// At least 10 characters.
    pub password: String,
}

impl NewAccount {
    fn account(&self) -> Result<Account, ApiError> {
        fn field(name: &'static str) -> impl Fn(ttdz_domain::ParseError) -> ApiError {
            move |e| ApiError::invalid_document(format!("{name}: {}", e.0))
        }
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let province = given(&self.province).map(|p| DivisionCode::parse(&p)).transpose().map_err(field("province"))?;
        let division = given(&self.division).map(|d| DivisionCode::parse(&d)).transpose().map_err(field("division"))?;
        let zone = given(&self.zone).map(|z| ZoneKey::parse(&z)).transpose().map_err(field("zone"))?;
        Account::new(
            Username::parse(self.username.trim()).map_err(field("username"))?,
            Role::parse(self.role.trim()).map_err(field("role"))?,
            province,
            division,
            zone,
        )
        .map_err(|e| ApiError::invalid_document(e.to_string()))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// At least 10 characters.
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters, not the current one.
    pub new_password: String,
}

/// Every account, by username: the ministry's.
#[utoipa::path(
    get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = [AccountRecordView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<AccountRecordView>>, ApiError> {
    let accounts = ttdz_app::accounts::list(state.app(), &caller.viewer()).await?;
    Ok(Json(accounts.into_iter().map(AccountRecordView::from).collect()))
}

/// Create an account (the ministry): its province, division and zone must exist; audited.
#[utoipa::path(
    post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccount,
    responses(
        (status = 201, body = AccountRecordView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountRecordView>), ApiError> {
    let account = body.account()?;
    ttdz_app::accounts::create(state.app(), &caller.viewer(), &origin.0, &account, &body.password).await?;
    Ok((StatusCode::CREATED, Json(AccountRecordView::from(account))))
}

/// Disable an account (the ministry): it can no longer log in, and its sessions stop.
#[utoipa::path(
    post, path = "/api/v1/accounts/{username}/disable", tag = "accounts",
    params(("username" = String, Path, example = "jiangsu-kjt")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn disable_account(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
) -> Result<StatusCode, ApiError> {
    ttdz_app::accounts::disable(state.app(), &caller.viewer(), &origin.0, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a disabled account again (the ministry).
#[utoipa::path(
    post, path = "/api/v1/accounts/{username}/enable", tag = "accounts",
    params(("username" = String, Path, example = "jiangsu-kjt")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn enable_account(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
) -> Result<StatusCode, ApiError> {
    ttdz_app::accounts::enable(state.app(), &caller.viewer(), &origin.0, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set a new password for an account (the ministry, for someone who lost theirs); its sessions end.
#[utoipa::path(
    post, path = "/api/v1/accounts/{username}/password", tag = "accounts", request_body = NewPassword,
    params(("username" = String, Path, example = "jiangsu-kjt")),
    responses(
        (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let viewer = caller.viewer();
    ttdz_app::accounts::reset_password(state.app(), &viewer, &origin.0, &username, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change your own password, giving the current one; every session of the account ends, this one too.
#[utoipa::path(
    post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let viewer = caller.viewer();
    let (current, new) = (&body.current_password, &body.new_password);
    ttdz_app::accounts::change_password(state.app(), &viewer, &origin.0, current, new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your own writes of the last 90 days, newest first (at most 200).
#[utoipa::path(
    get, path = "/api/v1/auth/actions", tag = "auth",
    responses((status = 200, body = [AuditEntryView]), (status = 401, body = ErrorBody))
)]
pub async fn own_actions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    let entries = ttdz_app::catalog::own_actions(state.app(), &caller.viewer(), OWN_ACTIONS).await?;
    Ok(Json(entries.into_iter().map(AuditEntryView::from).collect()))
}

/// How many of their own actions a page and the API show.
pub const OWN_ACTIONS: u32 = 200;

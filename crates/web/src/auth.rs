//! Who is calling, and what they may do. Every route has an access rule (`rule`); a route without one is denied.
//! Callers are anonymous, an account (by bearer token or session cookie), or the service holding the configured
//! admin token (acting with the ministry's rights).

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ttdz_domain::DivisionCode;
use ttdz_domain::account::{Account, Role};

use ttdz_app::accounts::token_digest;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "ttdz_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Where a request came from (the client's address), for the audit trail.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// The caller of a request, put into the request's extensions by the access middleware.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Account {
        account: Account,
        token_digest: String,
    },
    /// The holder of the configured admin token.
    Service,
}

impl Caller {
    /// The caller as the use cases know it; the rules of who may do what are the `Viewer`'s.
    pub fn viewer(&self) -> ttdz_app::Viewer {
        match self {
            Caller::Anonymous => ttdz_app::Viewer::Public,
            Caller::Account { account, .. } => ttdz_app::Viewer::Account(account.clone()),
            Caller::Service => ttdz_app::Viewer::Service,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.viewer().role()
    }

    pub fn governs(&self, code: &DivisionCode) -> bool {
        self.viewer().governs(code)
    }

    pub fn label(&self) -> String {
        self.viewer().label()
    }
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Authenticated,
    Roles(&'static [Role]),
}

/// Who writes data, and reads the trail of writes: the ministry (all of it), a province (its own).
const DATA_WRITERS: &[Role] = &[Role::Ministry, Role::Province];

/// The access rule of every route; `None` means the route is denied to everyone.
pub fn rule(method: &Method, path: &str) -> Option<Access> {
    let public_read = [
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/divisions",
        "/api/v1/divisions/{code}",
        "/api/v1/divisions/{code}/indicators",
        "/api/v1/zones",
        "/api/v1/zones/{key}",
        "/api/v1/zones/{key}/indicators",
        "/api/v1/zones/{key}/evaluation",
        "/api/v1/zones/{key}/template/{file}",
        "/api/v1/national/indicators",
        "/api/v1/evaluations",
        "/api/v1/flows",
        "/api/v1/rewards/calc",
        "/api/v1/indicators",
        "/api/v1/elements",
        "/api/v1/datasets",
        "/api/v1/published-figures",
        // A report's documents are shown to those who oversee the zone until the report is accepted.
        "/api/v1/zones/{key}/documents",
        "/api/v1/documents/{id}",
        // Checks are shown to the ministry, the zone's province and the experts assigned to it only.
        "/api/v1/zones/{key}/policies",
        // Proposed entries are shown to the ministry and the zone's province only.
        "/api/v1/experiences",
        // Published records for everyone; drafts and those under review for their owner and moderators only.
        "/api/v1/achievements/search",
        "/api/v1/achievements/{id}",
        "/api/v1/achievements/{id}/matches",
        "/api/v1/demands/search",
        "/api/v1/demands/{id}",
        "/api/v1/demands/{id}/matches",
        "/api/v1/achievements/{id}/assessments",
        "/api/v1/national/summary/{file}",
        "/api/v1/registers",
        "/api/v1/registers/{register}",
        // Notices are public; bidders are named to the seller, the officials and each bidder for their own.
        "/api/v1/listings",
        "/api/v1/listings/{id}",
    ];
    match (method.clone(), path) {
        (Method::GET, p) if public_read.contains(&p) => Some(Access::Public),
        (Method::GET, p) if crate::html::PAGES.contains(&p) => Some(Access::Public),
        (Method::GET, "/assets/app.css" | "/assets/app.js" | "/assets/icon.svg") => Some(Access::Public),
        (Method::POST, "/api/v1/auth/login") => Some(Access::Public),
        (Method::POST, "/api/v1/auth/logout" | "/api/v1/auth/password")
        | (Method::GET, "/api/v1/auth/me" | "/api/v1/auth/actions") => Some(Access::Authenticated),
        (Method::GET | Method::POST, "/api/v1/accounts")
        | (
            Method::POST,
            "/api/v1/accounts/{username}/disable"
            | "/api/v1/accounts/{username}/enable"
            | "/api/v1/accounts/{username}/password",
        ) => Some(Access::Roles(&[Role::Ministry])),
        (Method::POST, "/api/v1/imports/values" | "/api/v1/zones/{key}/template/{file}") => {
            Some(Access::Roles(DATA_WRITERS))
        }
        (Method::GET, "/api/v1/audit" | "/api/v1/todos") => Some(Access::Roles(DATA_WRITERS)),
        // Public, but a zone before approval is visible to its province, its experts and the ministry only.
        (Method::GET, "/api/v1/zones/{key}/lifecycle") => Some(Access::Public),
        // Each action names its roles (domain::lifecycle); the handler checks them and the caller's scope.
        (Method::POST, "/api/v1/zones/{key}/lifecycle/{action}") => Some(Access::Authenticated),
        // Private until accepted: the handler shows a report to the ministry and the zone's province only.
        (Method::GET, "/api/v1/zones/{key}/reports/{year}") => Some(Access::Public),
        (Method::PUT, "/api/v1/zones/{key}/values/{year}")
        | (Method::POST, "/api/v1/zones/{key}/reports/{year}/submit" | "/api/v1/zones/{key}/reports/{year}/template") => {
            Some(Access::Roles(&[Role::Province]))
        }
        (Method::POST, "/api/v1/zones/{key}/reports/{year}/return" | "/api/v1/zones/{key}/reports/{year}/accept") => {
            Some(Access::Roles(&[Role::Ministry]))
        }
        (
            Method::POST,
            "/api/v1/zones/{key}/policies" | "/api/v1/zones/{key}/experiences" | "/api/v1/zones/{key}/documents",
        ) => Some(Access::Roles(DATA_WRITERS)),
        (Method::POST, "/api/v1/policies/{id}/checks") => {
            Some(Access::Roles(&[Role::Ministry, Role::Province, Role::Expert]))
        }
        (Method::POST, "/api/v1/experiences/{id}/publish") => Some(Access::Roles(&[Role::Ministry])),
        (Method::POST, "/api/v1/zones/{key}/grades") => Some(Access::Roles(&[Role::Expert])),
        (Method::GET, "/api/v1/zones/{key}/grades") => {
            Some(Access::Roles(&[Role::Ministry, Role::Province, Role::Expert]))
        }
        (Method::POST, "/api/v1/achievements" | "/api/v1/demands") => Some(Access::Roles(&[Role::Institution])),
        (Method::POST, "/api/v1/contracts") => Some(Access::Roles(&[Role::Institution])),
        (Method::POST, "/api/v1/listings" | "/api/v1/rewards/ledger") => Some(Access::Roles(&[Role::Institution])),
        (Method::POST, "/api/v1/listings/{id}/bids") => Some(Access::Roles(&ttdz_app::listings::BIDDERS)),
        (Method::GET, "/api/v1/rewards/ledger") => {
            Some(Access::Roles(&[Role::Institution, Role::Province, Role::Ministry]))
        }
        // The handler decides by the listing: its seller ends it.
        (Method::POST, "/api/v1/listings/{id}/close" | "/api/v1/listings/{id}/withdraw") => Some(Access::Authenticated),
        // The handler decides by the contract: its filer, the registrars of its seller's locality, its province.
        (
            Method::GET,
            "/api/v1/contracts"
            | "/api/v1/contracts/{id}"
            | "/api/v1/contracts/statistics"
            | "/api/v1/contracts/statistics.xlsx",
        )
        | (Method::POST, "/api/v1/contracts/{id}/{action}") => Some(Access::Authenticated),
        // The handler decides by the register and the entry's place: the ministry keeps all, a province its own.
        (Method::POST, "/api/v1/registers/{register}")
        | (Method::PUT | Method::DELETE, "/api/v1/registers/{register}/{id}") => {
            Some(Access::Roles(&[Role::Ministry, Role::Province]))
        }
        // A calculator: it stores nothing.
        (Method::POST, "/api/v1/valuation") => Some(Access::Public),
        (Method::POST, "/api/v1/achievements/{id}/assessments") => {
            Some(Access::Roles(&[Role::Expert, Role::Institution, Role::Ministry]))
        }
        (Method::POST, "/api/v1/achievements/import" | "/api/v1/demands/import") => {
            Some(Access::Roles(&[Role::Ministry]))
        }
        // The handler decides by the record: its owner edits, submits, withdraws; its province moderates.
        (Method::PUT, "/api/v1/achievements/{id}" | "/api/v1/demands/{id}")
        | (Method::POST, "/api/v1/achievements/{id}/{action}" | "/api/v1/demands/{id}/{action}")
        | (Method::GET, "/api/v1/information/desk") => Some(Access::Authenticated),
        (Method::GET | Method::PUT, "/api/v1/subscriptions/{kind}")
        | (Method::GET, "/api/v1/subscriptions/{kind}/digest")
        | (Method::POST, "/api/v1/subscriptions/{kind}/read") => Some(Access::Authenticated),
        // The handler narrows a province to its own zones and an expert to the zones it is assigned to.
        (Method::GET, "/api/v1/zones/{key}/verdict" | "/api/v1/zones/{key}/term/{file}") => {
            Some(Access::Roles(&[Role::Ministry, Role::Province, Role::Expert]))
        }
        _ => None,
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Identifies the caller: a bearer token (the admin token or a session's), else the session cookie (whose unsafe
/// requests must repeat the session's CSRF token in `X-CSRF-Token`), else anonymous.
async fn identify(state: &AppState, headers: &HeaderMap, method: &Method) -> Result<Caller, ApiError> {
    let unauthorized = || ApiError::new(ErrorCode::Unauthorized, "the token or session is not valid (any more)");
    if let Some(bearer) =
        headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "))
    {
        if state.is_admin_token(bearer) {
            return Ok(Caller::Service);
        }
        let digest = token_digest(bearer);
        let (account, _) = ttdz_app::accounts::session(state.app(), &digest).await?.ok_or_else(unauthorized)?;
        return Ok(Caller::Account { account, token_digest: digest });
    }
    let Some(cookie) = session_cookie(headers) else { return Ok(Caller::Anonymous) };
    let digest = token_digest(&cookie);
    let (account, csrf) = ttdz_app::accounts::session(state.app(), &digest).await?.ok_or_else(unauthorized)?;
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let given = headers.get(CSRF_HEADER).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !safe && !crate::state::constant_time_eq(given.as_bytes(), csrf.as_bytes()) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "a request with the session cookie needs the X-CSRF-Token of its session",
        ));
    }
    Ok(Caller::Account { account, token_digest: digest })
}

/// Applied to every matched route: looks up its rule (none: denied), identifies the caller, and lets the request
/// through only when the rule allows it.
pub async fn enforce(
    State(state): State<AppState>,
    path: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let Some(access) = path.as_ref().and_then(|p| rule(&method, p.as_str())) else {
        // A method the route has no rule for: 405 where another method has one, else closed. Either way the
        // request goes no further.
        let other_methods = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH];
        if path.as_ref().is_some_and(|p| other_methods.iter().any(|m| rule(m, p.as_str()).is_some())) {
            return ApiError::new(ErrorCode::MethodNotAllowed, "this route does not take that method").into_response();
        }
        return ApiError::new(ErrorCode::Forbidden, "this route has no access rule, so it is closed").into_response();
    };
    let caller = match identify(&state, request.headers(), &method).await {
        Ok(c) => c,
        // A browser whose session expired still reads public pages, as the public.
        Err(_) if access == Access::Public => Caller::Anonymous,
        Err(e) => return e.into_response(),
    };
    let allowed = match (access, caller.role()) {
        (Access::Public, _) => Ok(()),
        (_, None) => Err(ApiError::new(ErrorCode::Unauthorized, "log in first (POST /api/v1/auth/login)")),
        (Access::Authenticated, Some(_)) => Ok(()),
        (Access::Roles(roles), Some(role)) if roles.contains(&role) => Ok(()),
        (Access::Roles(roles), Some(role)) => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "the {role} role may not do this (allowed: {})",
                roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    };
    if let Err(e) = allowed {
        return e.into_response();
    }
    let origin = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
    let personal = !matches!(caller, Caller::Anonymous);
    request.extensions_mut().insert(caller);
    request.extensions_mut().insert(Origin(origin));
    let mut response = next.run(request).await;
    // What a signed-in caller sees may be private (drafts, checks, the workbench): no cache may keep it.
    if personal {
        response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response.headers_mut().insert(header::VARY, axum::http::HeaderValue::from_static("Authorization, Cookie"));
    response
}

//! Policies over HTTP: each zone's policies in force (public), checks of their implementation (seen by the
//! ministry, experts and the zone's province), and the experience library, whose entries the province proposes and
//! the ministry publishes (可复制可推广).

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use ttdz_domain::PartialDate;
use ttdz_domain::policy::{Experience, Finding, Policy, PolicyCheck, PolicyLevel};
use utoipa::ToSchema;

use super::{ApiJson, zone_of};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// ISO 8601, to the precision given.
    pub checked_on: String,
    pub checked_by: String,
    /// `implemented`, `partial` or `not_implemented`.
    pub finding: &'static str,
    pub evidence: String,
    /// The qualitative row of Annex 2 the check informs (13, 14 or 15).
    pub annex_row: Option<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    pub id: i64,
    pub zone: String,
    /// `national` or `local`.
    pub level: &'static str,
    pub issuer: String,
    #[schema(example = "国科发创〔2017〕304号")]
    pub number: String,
    pub issued: String,
    pub title: String,
    pub provisions: String,
    /// Oldest first; present for the ministry, experts and the zone's province only.
    pub checks: Option<Vec<CheckView>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    /// `national` or `local`.
    pub level: String,
    pub issuer: String,
    pub number: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub issued: String,
    pub title: String,
    pub provisions: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheck {
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub checked_on: String,
    /// `implemented`, `partial` or `not_implemented`.
    pub finding: String,
    pub evidence: String,
    pub annex_row: Option<u8>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExperience {
    pub title: String,
    pub summary: String,
    /// Ids of the zone's registered policies it rests on.
    #[serde(default)]
    pub policies: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperienceView {
    pub id: i64,
    pub zone: String,
    pub title: String,
    pub summary: String,
    pub policies: Vec<i64>,
    /// ISO 8601; absent while proposed (visible to the ministry and the zone's province only).
    pub published_on: Option<String>,
}

fn forbidden(caller: &Caller, what: &str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, format!("{} may not {what}", caller.label()))
}

fn check_view(check: PolicyCheck) -> CheckView {
    CheckView {
        checked_on: check.checked_on.to_string(),
        checked_by: check.checked_by,
        finding: check.finding.as_str(),
        evidence: check.evidence,
        annex_row: check.annex_row,
    }
}

fn policy_view(policy: Policy, checks: Option<Vec<PolicyCheck>>) -> PolicyView {
    PolicyView {
        id: policy.id,
        zone: policy.zone.to_string(),
        level: policy.level.as_str(),
        issuer: policy.issuer,
        number: policy.number,
        issued: policy.issued.to_string(),
        title: policy.title,
        provisions: policy.provisions,
        checks: checks.map(|c| c.into_iter().map(check_view).collect()),
    }
}

fn experience_view(experience: Experience) -> ExperienceView {
    ExperienceView {
        id: experience.id,
        zone: experience.zone.to_string(),
        title: experience.title,
        summary: experience.summary,
        policies: experience.policies,
        published_on: experience.published_on,
    }
}

/// A zone's policies in force, oldest first, with the checks of their implementation for those who may see them.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/policies", tag = "policies",
    params(("key" = String, Path, example = "jiangsu-sunan")),
    responses((status = 200, body = Vec<PolicyView>), (status = 404, body = ErrorBody))
)]
pub async fn list_policies(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<PolicyView>>, ApiError> {
    let zone = zone_of(&state, &caller, &key).await?;
    let checks = ttdz_app::visibility::oversees_zone(state.app(), &caller.viewer(), &zone).await?;
    let policies = state.store().policies(&zone.key).await?;
    Ok(Json(policies.into_iter().map(|(p, c)| policy_view(p, checks.then_some(c))).collect()))
}

/// Register a policy in force in a zone: its province or the ministry.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/policies", tag = "policies",
    params(("key" = String, Path, example = "jiangsu-sunan")), request_body = NewPolicy,
    responses(
        (status = 201, body = PolicyView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn add_policy(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewPolicy>,
) -> Result<(StatusCode, Json<PolicyView>), ApiError> {
    let zone = zone_of(&state, &caller, &key).await?;
    if !caller.governs(&zone.province) {
        return Err(forbidden(&caller, &format!("register policies of zone {key}")));
    }
    let policy = Policy {
        id: 0,
        zone: zone.key.clone(),
        level: PolicyLevel::parse(body.level.trim()).map_err(|e| ApiError::invalid_document(format!("level: {e}")))?,
        issuer: body.issuer.trim().to_owned(),
        number: body.number.trim().to_owned(),
        issued: body.issued.trim().parse().map_err(|e| ApiError::invalid_document(format!("issued: {e}")))?,
        title: body.title.trim().to_owned(),
        provisions: body.provisions.trim().to_owned(),
    };
    policy.check().map_err(|e| ApiError::invalid_document(e.0))?;
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    let id = state.store().add_policy(&policy, &audit).await?;
    Ok((StatusCode::CREATED, Json(policy_view(Policy { id, ..policy }, Some(Vec::new())))))
}

/// Record a check of a policy's implementation: the ministry, an expert, or the zone's province.
#[utoipa::path(
    post, path = "/api/v1/policies/{id}/checks", tag = "policies",
    params(("id" = i64, Path, example = 1)), request_body = NewCheck,
    responses(
        (status = 201, body = PolicyView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn add_check(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewCheck>,
) -> Result<(StatusCode, Json<PolicyView>), ApiError> {
    let policy = state.store().policy(id).await?.ok_or_else(|| ApiError::not_found(format!("no policy {id}")))?;
    let zone = zone_of(&state, &caller, policy.zone.as_str()).await?;
    // Checks drive the verdict: an expert records them only where assigned, as for plan reviews.
    if !ttdz_app::visibility::oversees_zone(state.app(), &caller.viewer(), &zone).await? {
        return Err(forbidden(&caller, &format!("check the policies of zone {}", zone.key)));
    }
    let check = PolicyCheck {
        policy: id,
        checked_on: body
            .checked_on
            .trim()
            .parse::<PartialDate>()
            .map_err(|e| ApiError::invalid_document(format!("checked_on: {e}")))?,
        checked_by: caller.label(),
        finding: Finding::parse(body.finding.trim())
            .map_err(|e| ApiError::invalid_document(format!("finding: {e}")))?,
        evidence: body.evidence.trim().to_owned(),
        annex_row: body.annex_row,
    };
    check.check().map_err(|e| ApiError::invalid_document(e.0))?;
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    state.store().add_policy_check(&check, &audit).await?;
    let checks = state.store().policies(&zone.key).await?.into_iter().find(|(p, _)| p.id == id).map(|(_, c)| c);
    Ok((StatusCode::CREATED, Json(policy_view(policy, checks))))
}

/// The experience library: published entries for everyone; proposed ones also for the ministry and the proposing
/// zone's province.
#[utoipa::path(
    get, path = "/api/v1/experiences", tag = "policies",
    responses((status = 200, body = Vec<ExperienceView>))
)]
pub async fn list_experiences(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<ExperienceView>>, ApiError> {
    // Nothing of a zone the caller may not see, published or not.
    let zones = ttdz_app::visibility::zones_for(state.app(), &caller.viewer()).await?;
    let governs = |e: &Experience| zones.iter().any(|z| z.key == e.zone && caller.governs(&z.province));
    let visible = |e: &Experience| zones.iter().any(|z| z.key == e.zone);
    let library = state.store().experiences().await?;
    Ok(Json(
        library
            .into_iter()
            .filter(|e| visible(e) && (e.published_on.is_some() || governs(e)))
            .map(experience_view)
            .collect(),
    ))
}

/// Propose an entry for the experience library: the zone's province or the ministry.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/experiences", tag = "policies",
    params(("key" = String, Path, example = "jiangsu-sunan")), request_body = NewExperience,
    responses(
        (status = 201, body = ExperienceView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn propose_experience(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewExperience>,
) -> Result<(StatusCode, Json<ExperienceView>), ApiError> {
    let zone = zone_of(&state, &caller, &key).await?;
    if !caller.governs(&zone.province) {
        return Err(forbidden(&caller, &format!("propose experience of zone {key}")));
    }
    let registered: Vec<i64> = state.store().policies(&zone.key).await?.into_iter().map(|(p, _)| p.id).collect();
    if let Some(stray) = body.policies.iter().find(|id| !registered.contains(id)) {
        return Err(ApiError::invalid_document(format!("policies: {stray} is not a registered policy of zone {key}")));
    }
    let experience = Experience {
        id: 0,
        zone: zone.key.clone(),
        title: body.title.trim().to_owned(),
        summary: body.summary.trim().to_owned(),
        policies: body.policies,
        published_on: None,
    };
    experience.check().map_err(|e| ApiError::invalid_document(e.0))?;
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    let id = state.store().add_experience(&experience, &audit).await?;
    Ok((StatusCode::CREATED, Json(experience_view(Experience { id, ..experience }))))
}

/// Publish a proposed entry nationwide, dated today: the ministry. Publishing twice answers 409.
#[utoipa::path(
    post, path = "/api/v1/experiences/{id}/publish", tag = "policies",
    params(("id" = i64, Path, example = 1)),
    responses(
        (status = 200, body = ExperienceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn publish_experience(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
) -> Result<Json<ExperienceView>, ApiError> {
    let experience = state
        .store()
        .experiences()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no experience {id}")))?;
    let zone = zone_of(&state, &caller, experience.zone.as_str()).await?;
    let today = state.clock().today_iso();
    let audit = caller.audit(&origin, Some(zone.key.clone()), Some(zone.province));
    // The store publishes only what is not published yet, so two ministers at once cannot both succeed.
    if !state.store().publish_experience(id, &today, &audit).await? {
        return Err(ApiError::new(ErrorCode::Conflict, format!("experience {id} is already published")));
    }
    Ok(Json(experience_view(Experience { published_on: Some(today), ..experience })))
}

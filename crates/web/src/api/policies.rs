//! Policies over HTTP: each zone's policies in force (public), checks of their implementation (seen by the
//! ministry, assigned experts and the zone's province), and the experience library, whose entries the province
//! proposes and the ministry publishes (可复制可推广). The rules live in `ttdz_app::policies`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use ttdz_app::policies::{self, ExperienceView, GradeView, NewCheck, NewExperience, NewGrade, NewPolicy, PolicyView};

use super::ApiJson;
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

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
    Ok(Json(policies::list(state.app(), &caller.viewer(), &key).await?))
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
    let policy = policies::add(state.app(), &caller.viewer(), &origin.0, &key, body).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

/// Record a check of a policy's implementation: the ministry, an expert assigned to the zone, or its province.
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
    let policy = policies::add_check(state.app(), &caller.viewer(), &origin.0, id, body).await?;
    Ok((StatusCode::CREATED, Json(policy)))
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
    Ok(Json(policies::experiences(state.app(), &caller.viewer()).await?))
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
    let experience = policies::propose(state.app(), &caller.viewer(), &origin.0, &key, body).await?;
    Ok((StatusCode::CREATED, Json(experience)))
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
    Ok(Json(policies::publish(state.app(), &caller.viewer(), &origin.0, id).await?))
}

/// An expert assigned to the zone grades one of rows 13-15 for a year on the row's rubric (1-5), with reasons,
/// evidence and the zone's policies cited; grading again replaces the expert's earlier grade. The row's value on
/// the indicator pages is the mean of the experts' grades.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/grades", tag = "policies", request_body = NewGrade,
    params(("key" = String, Path, example = "jiangsu-sunan")),
    responses(
        (status = 200, body = GradeView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn grade(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<NewGrade>,
) -> Result<Json<GradeView>, ApiError> {
    Ok(Json(policies::grade(state.app(), &caller.viewer(), &origin.0, &key, body).await?))
}

/// A zone's grades of rows 13-15 with their reasons: for the ministry, the zone's province and its experts.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/grades", tag = "policies",
    params(("key" = String, Path, example = "jiangsu-sunan")),
    responses(
        (status = 200, body = [GradeView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn list_grades(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<GradeView>>, ApiError> {
    Ok(Json(policies::grades(state.app(), &caller.viewer(), &key).await?))
}

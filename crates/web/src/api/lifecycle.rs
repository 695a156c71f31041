//! The procedure over HTTP: a zone's place in it, and its steps. The rules live in `ttdz_app::lifecycle`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use serde::Deserialize;
use serde_json::Value;
use ttdz_app::lifecycle::{self, LifecycleView};
use ttdz_domain::lifecycle::Action;
use utoipa::ToSchema;

use super::ApiJson;
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A step of the procedure. The version it was decided on goes in `If-Match` (the `version` of the lifecycle the
/// client saw); only a proposal, which creates the zone, needs none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// What the step carries; see each action's description in the guide.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub document: Value,
}

/// A zone's place in the procedure (四、建设程序): stage, term, history, and the actions the caller may take now.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/lifecycle", tag = "lifecycle",
    params(("key" = String, Path, example = "jiangsu-sunan")),
    responses((status = 200, body = LifecycleView), (status = 404, body = ErrorBody))
)]
pub async fn get_lifecycle(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<LifecycleView>, ApiError> {
    Ok(Json(lifecycle::get(state.app(), &caller.viewer(), &key).await?))
}

/// Take a step of the procedure, with the version it was decided on in `If-Match` and the step's `document`:
/// propose_demand {name, short_name, members, demand, idea, consent}; draft_plan {sections (Annex 1), targets
/// [{indicator, year, value}], tasks, featured}; record_plan (a zone approved before TTDZ) the same and
/// {approval_number}; assign_experts {experts}; review_plan {score, comment, conflict_of_interest}; return_plan
/// {comments}; start_construction {term_start, term_end} (3-5 years); evaluate_term {summary}; rectify / revoke /
/// continue {reasons}; appoint_experts {experts}; give_opinion {opinion, conflict_of_interest}.
#[utoipa::path(
    post, path = "/api/v1/zones/{key}/lifecycle/{action}", tag = "lifecycle", request_body = StepRequest,
    params(("key" = String, Path, example = "jiangsu-sunan"), ("action" = String, Path, example = "evaluate_term")),
    responses(
        (status = 200, body = LifecycleView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Out of order (naming the stage), or based on an old version", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 428, body = ErrorBody),
    )
)]
pub async fn take_step(
    State(state): State<AppState>,
    Path((key, action)): Path<(String, String)>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<StepRequest>,
) -> Result<Json<LifecycleView>, ApiError> {
    let action = Action::parse(&action).map_err(|e| ApiError::not_found(e.0))?;
    let based_on = if action == Action::ProposeDemand { 0 } else { super::reports::if_match(&headers)? };
    let step = (action, based_on);
    Ok(Json(lifecycle::take_step(state.app(), &caller.viewer(), &origin.0, &key, step, &request.document).await?))
}

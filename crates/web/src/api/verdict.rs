//! The proposed end-of-term verdict over HTTP: the record of the term gathered from the evaluation, the annual
//! reports and the policy checks, and the proposal `ttdz_domain::verdict::propose` makes of it. The workbench shows
//! the same proposal beside each zone under construction.

use axum::Json;
use axum::extract::{Extension, Path, State};
use ttdz_app::verdict::VerdictView;

use super::ApiQuery;
use super::data::YearQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The proposed end-of-term verdict of a zone, with its reasons and the record it rests on; for the ministry, the
/// zone's province and the experts assigned to the zone. `year` defaults to the last year of the term, or this
/// year if earlier.
#[utoipa::path(
    get, path = "/api/v1/zones/{key}/verdict", tag = "evaluation",
    params(("key" = String, Path, example = "jiangsu-sunan"), YearQuery),
    responses(
        (status = 200, body = VerdictView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn zone_verdict(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<VerdictView>, ApiError> {
    let year = q.year.map(|y| state.check_year(y)).transpose()?;
    Ok(Json(ttdz_app::verdict::get(state.app(), &caller.viewer(), &key, year).await?))
}

//! Policies in the browser (`/zones/{key}/policies`): the policies in force in a zone with every implementation
//! check, a form to register a policy, one to record a check of each, and one to propose an entry of the experience
//! library, for those who oversee the zone. The ministry publishes proposals on `/experiences`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use ttdz_app::policies::{ExperienceView, PolicyView};
use ttdz_domain::account::Role;

use super::{Desk, Page, PageError, csrf_of, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesTemplate {
    page: Page,
    key: String,
    zone_name: String,
    csrf: String,
    policies: Vec<PolicyView>,
    proposals: Vec<ExperienceView>,
    /// Registers policies and proposes experience: the zone's province (and the ministry).
    governs: bool,
    today: String,
    grades: Vec<ttdz_app::policies::GradeView>,
    /// An expert assigned to the zone grades rows 13-15.
    can_grade: bool,
    rubrics: &'static [ttdz_domain::policy::Rubric],
    /// The year a grade is for by default: the last complete one.
    grade_year: i32,
}

pub async fn zone_policies(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Desk { page, caller, .. }: Desk,
) -> Result<Response, PageError> {
    let (ctx, viewer) = (state.app(), caller.viewer());
    let zone = allowed!(page, ttdz_app::visibility::visible_zone(ctx, &viewer, &key).await);
    if !attempt!(page, ttdz_app::visibility::oversees_zone(ctx, &viewer, &zone).await) {
        let why = format!("{} · {}", zone.short_name_zh, page.t.policies_overseers_only);
        return Err(PageError::Forbidden(page, why));
    }
    let policies = attempt!(page, ttdz_app::policies::list(ctx, &viewer, &key).await);
    let proposals = attempt!(page, ttdz_app::policies::experiences(ctx, &viewer).await)
        .into_iter()
        .filter(|e| e.zone == key)
        .collect();
    let grades = attempt!(page, ttdz_app::policies::grades(ctx, &viewer, &key).await);
    Ok(render(&PoliciesTemplate {
        grades,
        can_grade: caller.role() == Some(Role::Expert),
        rubrics: &ttdz_domain::policy::RUBRICS,
        grade_year: state.clock().year() - 1,
        key: zone.key.to_string(),
        zone_name: zone.short_name_zh.clone(),
        csrf: csrf_of(&state, &caller).await,
        policies,
        proposals,
        governs: matches!(caller.role(), Some(Role::Ministry | Role::Province)) && caller.governs(&zone.province),
        today: state.clock().today_iso(),
        page,
    }))
}

//! The annual report editor (`/zones/{key}/reports/{year}/edit`): the province enters every element per member
//! division and for the zone, beside last year's figure, with checks as it types; fills the inputs from the Excel
//! template; writes the sections; saves with the version the page was made from (a stale page is told so and keeps
//! what was typed) and submits. The ministry reads the same page and accepts or returns the report with a comment.
//! Every write goes through the API, as the other pages' forms do.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use ttdz_app::reports::{EditorSection, ValueChange};
use ttdz_domain::report::ReportAction;

use super::{Desk, Page, PageError, csrf_of, render};
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "report_edit.html")]
struct ReportEditTemplate {
    page: Page,
    key: String,
    zone_name: String,
    year: i32,
    status: &'static str,
    version: i64,
    due: String,
    submitted_at: String,
    late: bool,
    comment: Option<String>,
    text: String,
    sections: Vec<EditorSection>,
    changes: Vec<ValueChange>,
    csrf: String,
    can_edit: bool,
    /// The written report: the province's (a city or county team enters only its figures).
    can_write: bool,
    can_submit: bool,
    can_decide: bool,
    /// For a city or county team: the division whose figures it enters.
    team: Option<String>,
    documents: Vec<ttdz_app::documents::DocumentView>,
    /// The province files the signed report and evidence of the year.
    can_file: bool,
    tasks: Vec<(u32, ttdz_domain::lifecycle::PlanTask, Option<ttdz_app::reports::TaskProgress>)>,
    /// The featured indicators the report states: the indicator, its input, the value so far.
    featured: Vec<(ttdz_domain::FeaturedIndicator, String, Option<String>)>,
}

impl ReportEditTemplate {
    fn task_statuses(&self) -> Vec<(&'static str, &'static str)> {
        ttdz_domain::lifecycle::TaskStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), if self.page.lang == Lang::Zh { s.label_zh() } else { s.as_str() }))
            .collect()
    }

    fn target_of(&self, indicator: &ttdz_domain::FeaturedIndicator) -> String {
        indicator.target(self.year).map_or_else(|| "—".to_owned(), |t| t.normalize().to_string())
    }

    fn stated(progress: &Option<ttdz_app::reports::TaskProgress>, status: &str) -> bool {
        progress.as_ref().is_some_and(|p| p.status == status)
    }

    fn status_label(&self) -> &'static str {
        let t = self.page.t;
        if self.version == 0 {
            return t.report_none;
        }
        match self.status {
            "draft" => t.report_draft,
            "submitted" => t.report_submitted,
            "returned" => t.report_returned,
            "accepted" => t.report_accepted,
            _ => t.report_none,
        }
    }

    fn element_name(&self, row: &ttdz_app::reports::EditorRow) -> &'static str {
        if self.page.lang == Lang::En { row.element.name_en } else { row.element.name_zh }
    }
}

pub async fn report_editor(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
    Desk { page, caller, .. }: Desk,
) -> Result<Response, PageError> {
    let Ok(year) = year.parse::<i64>().map_err(|_| ()).and_then(|y| state.app().check_year(y).map_err(|_| ())) else {
        return Err(PageError::NotFound(page));
    };
    let editor = allowed!(page, ttdz_app::reports::editor(state.app(), &caller.viewer(), &key, year).await);
    let csrf = csrf_of(&state, &caller).await;
    let documents = attempt!(page, ttdz_app::documents::list(state.app(), &caller.viewer(), &key).await)
        .into_iter()
        .filter(|d| d.year == Some(year))
        .collect();
    let can_file = super::procedure::files(&caller, &editor.zone, ttdz_domain::document::DocumentKind::SignedReport);
    let can = |a: ReportAction| editor.actions.contains(&a);
    let report = editor.report;
    Ok(render(&ReportEditTemplate {
        key: editor.zone.key.to_string(),
        zone_name: editor.zone.short_name_zh.clone(),
        year,
        status: report.status,
        version: report.version,
        due: report.due,
        submitted_at: report.submitted_at.unwrap_or_default(),
        late: report.late,
        comment: report.comment,
        text: report.text,
        sections: editor.sections,
        changes: report.changes_since_submission,
        csrf,
        can_edit: can(ReportAction::Edit),
        can_write: can(ReportAction::Edit) && editor.team.is_none(),
        can_submit: can(ReportAction::Submit) || (can(ReportAction::Edit) && editor.team.is_none()),
        team: editor.team.map(|t| t.to_string()),
        can_decide: can(ReportAction::Accept),
        documents,
        can_file,
        tasks: editor.tasks,
        featured: editor.featured,
        page,
    }))
}

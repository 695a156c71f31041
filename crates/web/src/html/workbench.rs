//! The signed-in pages: the login form and each role's workbench. A province sees its to-do (this year's reports due
//! or returned, plans to revise or to send on), the ministry every zone's state with overdue reports and what awaits
//! its decision, an expert the plans assigned to them with the review form. Forms post JSON to the API through
//! `/assets/app.js`, with the session's CSRF token, so the pages add no write path of their own.

use askama::Template;
use axum::extract::{Extension, OriginalUri, State};
use axum::response::{IntoResponse, Redirect, Response};
use ttdz_app::workbench::Task;
use ttdz_domain::lifecycle::Stage;
use ttdz_domain::report::ReportStatus;

use super::{Page, PageError, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    page: Page,
}

pub async fn login(lang: Lang, uri: OriginalUri, Extension(caller): Extension<Caller>) -> Response {
    if caller.role().is_some() {
        return Redirect::to("/workbench").into_response();
    }
    render(&LoginTemplate { page: Page::new(lang, &uri) })
}

/// One zone as the ministry or a province oversees it.
pub struct ZoneRow {
    pub key: String,
    pub name: String,
    pub stage: String,
    pub term_end: String,
    /// This year's report.
    pub report: String,
    /// Years whose report is past due and not sent.
    pub overdue: String,
    /// The proposed verdict of the term so far, for a zone under construction or evaluated.
    pub verdict: String,
}

/// Something the caller should do, with where to do it.
pub struct Todo {
    pub text: String,
    pub href: String,
}

/// A plan waiting for this expert's review.
pub struct Review {
    pub key: String,
    pub name: String,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchTemplate {
    page: Page,
    who: String,
    role: &'static str,
    csrf: String,
    year: i32,
    due: String,
    todos: Vec<Todo>,
    zones: Vec<ZoneRow>,
    reviews: Vec<Review>,
    consultations: Vec<Review>,
}

fn stage_label(lang: Lang, stage: Stage) -> String {
    match lang {
        Lang::Zh => stage.label_zh().to_owned(),
        Lang::En => stage.as_str().replace('_', " "),
    }
}

fn report_label(page: &Page, status: Option<ReportStatus>) -> &'static str {
    match status {
        None => page.t.report_none,
        Some(ReportStatus::Draft) => page.t.report_draft,
        Some(ReportStatus::Submitted) => page.t.report_submitted,
        Some(ReportStatus::Returned) => page.t.report_returned,
        Some(ReportStatus::Accepted) => page.t.report_accepted,
    }
}

pub async fn workbench(
    State(state): State<AppState>,
    super::Desk { page, caller, role }: super::Desk,
) -> Result<Response, PageError> {
    let lang = page.lang;
    let csrf = super::csrf_of(&state, &caller).await;
    let agenda = attempt!(page, ttdz_app::workbench::agenda(state.app(), &caller.viewer()).await);
    let t = page.t;
    let todos = agenda
        .items
        .iter()
        .map(|item| {
            let name = &item.zone.short_name_zh;
            let text = match &item.task {
                Task::EnterFigures { year, due } => {
                    format!("{name}: {} {year} ({} {due})", t.todo_enter_figures, t.due_on)
                }
                Task::SubmitReport { year, due } => {
                    format!("{name}: {} {year} ({} {due})", t.todo_submit_report, t.due_on)
                }
                Task::ReportReturned { year, comment } => {
                    format!("{name}: {year} {}: {comment}", t.todo_report_returned)
                }
                Task::DecideReport { year } => format!("{name}: {} {year}", t.todo_decide_report),
                Task::DecideVerdict => {
                    let zone = agenda.zones.iter().find(|z| z.zone.key == item.zone.key);
                    let verdict = zone.and_then(|z| z.verdict.as_ref()).map_or("—", |v| verdict_label(lang, v));
                    format!("{name}: {} {verdict}", t.todo_decide_verdict)
                }
                Task::RevisePlan => format!("{name}: {}", t.todo_revise_plan),
                Task::SendPlan => format!("{name}: {}", t.todo_send_plan),
                Task::DecidePlan => format!("{name}: {}", t.todo_decide_plan),
                Task::Reminder(reminder) => match reminder.kind.as_str() {
                    "term_end" => format!("{name}: {} {}", t.reminder_term_end, reminder.due_on),
                    _ => format!(
                        "{name}: {} {} ({} {})",
                        t.reminder_report_due, reminder.subject, t.due_on, reminder.due_on
                    ),
                },
            };
            let key = &item.zone.key;
            let href = match &item.task {
                Task::SubmitReport { year, .. }
                | Task::EnterFigures { year, .. }
                | Task::ReportReturned { year, .. }
                | Task::DecideReport { year } => {
                    format!("/zones/{key}/reports/{year}/edit")
                }
                Task::Reminder(r) if r.kind == "report_due" => format!("/zones/{key}/reports/{}/edit", r.subject),
                _ => format!("/zones/{key}/procedure"),
            };
            Todo { text, href }
        })
        .collect();
    let zones = agenda
        .zones
        .iter()
        .map(|z| ZoneRow {
            key: z.zone.key.to_string(),
            name: z.zone.short_name_zh.clone(),
            stage: stage_label(lang, z.stage),
            term_end: z.term_end.clone().unwrap_or_else(|| "—".into()),
            report: report_label(&page, z.report).to_owned(),
            overdue: z.overdue.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
            verdict: z.verdict.as_ref().map_or("—", |v| verdict_label(lang, v)).to_owned(),
        })
        .collect();
    let consultations = agenda
        .consultations
        .iter()
        .map(|r| Review { key: r.zone.key.to_string(), name: r.zone.short_name_zh.clone(), version: r.version })
        .collect();
    let reviews = agenda
        .reviews
        .iter()
        .map(|r| Review { key: r.zone.key.to_string(), name: r.zone.short_name_zh.clone(), version: r.version })
        .collect();
    let year = state.clock().year();
    Ok(render(&WorkbenchTemplate {
        who: caller.label(),
        role: role.as_str(),
        csrf,
        year,
        due: state.report_due(year),
        todos,
        zones,
        reviews,
        consultations,
        page,
    }))
}

fn verdict_label(lang: Lang, verdict: &ttdz_app::verdict::VerdictView) -> &'static str {
    if lang == Lang::Zh { verdict.verdict_zh } else { verdict.verdict }
}

//! The signed-in pages: the login form and each role's workbench. A province sees its to-do (this year's reports due
//! or returned, plans to revise or to send on), the ministry every zone's state with overdue reports and what awaits
//! its decision, an expert the plans assigned to them with the review form. Forms post JSON to the API through
//! `/assets/app.js`, with the session's CSRF token, so the pages add no write path of their own.

use askama::Template;
use axum::extract::{Extension, OriginalUri, State};
use axum::response::{IntoResponse, Redirect, Response};
use ttdz_domain::Zone;
use ttdz_domain::account::Role;
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
    lang: Lang,
    uri: OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let Some(role) = caller.role() else { return Ok(Redirect::to("/login").into_response()) };
    let page = Page::new(lang, &uri);
    let store = state.store();
    let csrf = match &caller {
        Caller::Account { token_digest, .. } => {
            attempt!(page, store.session(token_digest, state.clock().unix()).await).map(|(_, csrf)| csrf)
        }
        _ => None,
    }
    .unwrap_or_default();
    let (y, today) = (state.clock().year(), state.clock().today_iso());
    let due = state.report_due(y);
    let zones: Vec<Zone> = attempt!(page, store.zones().await);
    // One comparative evaluation of this year serves every zone's proposed verdict.
    let evaluation = if role == Role::Expert {
        None
    } else {
        Some(attempt!(
            page,
            ttdz_app::evaluation::evaluate_zones(state.app(), Some(y)).await.map_err(|e| e.to_string())
        ))
    };
    let (mut todos, mut rows, mut reviews) = (Vec::new(), Vec::new(), Vec::new());
    for zone in &zones {
        let Some(lifecycle) = attempt!(page, store.lifecycle(&zone.key).await) else { continue };
        let name = zone.short_name_zh.clone();
        let zone_href = format!("/zones/{}", zone.key);
        if role == Role::Expert {
            let me = match &caller {
                Caller::Account { account, .. } => Some(account.username.as_str()),
                _ => None,
            };
            if lifecycle.stage == Stage::PlanDrafted
                && lifecycle.experts.iter().any(|(u, done)| !done && Some(u.as_str()) == me)
            {
                reviews.push(Review { key: zone.key.to_string(), name, version: lifecycle.version });
            }
            continue;
        }
        if !caller.governs(&zone.province) {
            continue;
        }
        let building = lifecycle.stage == Stage::UnderConstruction;
        // Every year of the term so far owes a report; one not sent by its due date is overdue.
        let first_year = lifecycle.term.as_ref().and_then(|(start, _, _)| start.get(..4)?.parse::<i32>().ok());
        let report_years = if building { first_year.map_or(y..=y, |first| first.min(y)..=y) } else { y..=y - 1 };
        let t = page.t;
        let todo = |text: String| Todo { text, href: zone_href.clone() };
        let (mut current, mut overdue) = (None, Vec::new());
        for year in report_years {
            let report = attempt!(page, store.annual_report(&zone.key, year).await);
            let status = report.as_ref().map(|r| r.status);
            let unsent = matches!(status, None | Some(ReportStatus::Draft | ReportStatus::Returned));
            let year_due = state.report_due(year);
            if unsent && today > year_due {
                overdue.push(year);
            }
            match role {
                Role::Province if unsent => {
                    todos.push(todo(format!("{name}: {} {year} ({} {year_due})", t.todo_submit_report, t.due_on)));
                    if let Some(comment) = report.as_ref().and_then(|r| r.comment.as_deref()) {
                        todos.push(todo(format!("{name}: {year} {}: {comment}", t.todo_report_returned)));
                    }
                }
                Role::Ministry if status == Some(ReportStatus::Submitted) => {
                    todos.push(todo(format!("{name}: {} {year}", t.todo_decide_report)));
                }
                _ => {}
            }
            if year == y {
                current = Some(status);
            }
        }
        let verdict = if matches!(lifecycle.stage, Stage::UnderConstruction | Stage::Evaluated) {
            let proposal = ttdz_app::verdict::propose_for(state.app(), zone, None, evaluation.as_ref()).await;
            let proposal = attempt!(page, proposal.map_err(|e| e.to_string()));
            Some(if lang == Lang::Zh { proposal.verdict_zh } else { proposal.verdict })
        } else {
            None
        };
        match (role, lifecycle.stage) {
            (Role::Ministry, Stage::Evaluated) => {
                todos.push(todo(format!("{name}: {} {}", t.todo_decide_verdict, verdict.unwrap_or("—"))))
            }
            (Role::Province, Stage::PlanReturned) => todos.push(todo(format!("{name}: {}", t.todo_revise_plan))),
            (Role::Province, Stage::PlanReviewed) => todos.push(todo(format!("{name}: {}", t.todo_send_plan))),
            (Role::Ministry, Stage::PlanSubmitted) => todos.push(todo(format!("{name}: {}", t.todo_decide_plan))),
            _ => {}
        }
        rows.push(ZoneRow {
            key: zone.key.to_string(),
            name: zone.short_name_zh.clone(),
            stage: stage_label(lang, lifecycle.stage),
            term_end: lifecycle.term.as_ref().map(|(_, end, _)| end.clone()).unwrap_or_else(|| "—".into()),
            report: current.map_or_else(|| "—".to_owned(), |status| report_label(&page, status).to_owned()),
            overdue: overdue.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
            verdict: verdict.unwrap_or("—").to_owned(),
        });
    }
    // The reminders the background jobs left: the ministry sees all, a province its own.
    if matches!(role, Role::Ministry | Role::Province) {
        for reminder in attempt!(page, ttdz_app::jobs::reminders_for(state.app(), &caller.viewer()).await) {
            // A province's own unsent report is on its list already (above); the reminder adds nothing there.
            if role == Role::Province && reminder.kind == "report_due" {
                continue;
            }
            let name = zones.iter().find(|z| z.key == reminder.zone).map_or("", |z| z.short_name_zh.as_str());
            let text = match reminder.kind.as_str() {
                "term_end" => format!("{name}: {} {}", page.t.reminder_term_end, reminder.due_on),
                _ => format!(
                    "{name}: {} {} ({} {})",
                    page.t.reminder_report_due, reminder.subject, page.t.due_on, reminder.due_on
                ),
            };
            todos.push(Todo { text, href: format!("/zones/{}", reminder.zone) });
        }
    }
    Ok(render(&WorkbenchTemplate {
        who: caller.label(),
        role: role.as_str(),
        csrf,
        year: y,
        due,
        todos,
        zones: rows,
        reviews,
        page,
    }))
}

//! Background jobs, run inside `ttdz serve` or by `ttdz worker`. Each job claims its period (a day) in the store
//! before it runs, so with several servers on one database it runs once a day; what it leaves is idempotent too (a
//! reminder is added once, however often the job runs).

use std::time::Duration;

use jiff::civil::Date;
use ttdz_domain::audit::AuditContext;
use ttdz_domain::lifecycle::Stage;
use ttdz_domain::report::ReportStatus;
use ttdz_store::Todo;

use ttdz_domain::account::Role;

use crate::{AppError, Context, Viewer};

/// Days before an annual report is due that its province is reminded.
pub const REPORT_REMINDER_DAYS: i32 = 30;
/// Days before a construction term ends that the zone's province is reminded.
pub const TERM_REMINDER_DAYS: i32 = 90;

fn audit(job: &str) -> AuditContext {
    AuditContext { actor: format!("job:{job}"), origin: "worker".to_owned(), zone: None, province: None }
}

/// Runs every job whose period has not been claimed yet; answers how many reminders were added.
pub async fn run_due(ctx: &Context) -> Result<usize, AppError> {
    let today = ctx.clock().today();
    if ctx.store().claim_job("register_counts", &today.to_string(), &audit("register_counts")).await? {
        crate::registers::recount(ctx, &audit("register_counts")).await?;
    }
    if ctx.store().claim_job("listing_close", &today.to_string(), &audit("listing_close")).await? {
        crate::listings::close_due(ctx, &audit("listing_close")).await?;
    }
    if !ctx.store().claim_job("reminders", &today.to_string(), &audit("reminders")).await? {
        return Ok(0);
    }
    reminders(ctx, today).await
}

/// The reminders due on `today`: for every zone under construction (or rectifying), the year's report when it is
/// due within `REPORT_REMINDER_DAYS` and not submitted yet, and the term when it ends within `TERM_REMINDER_DAYS`.
pub async fn reminders(ctx: &Context, today: Date) -> Result<usize, AppError> {
    let store = ctx.store();
    let mut added = 0;
    let days_until = |date: Date| date.since(today).ok().map(|span| span.get_days());
    for zone in store.zones().await? {
        let Some(state) = store.lifecycle(&zone.key).await? else { continue };
        if !matches!(state.stage, Stage::UnderConstruction | Stage::Rectifying) {
            continue;
        }
        let year = i32::from(today.year());
        let due: Option<Date> = ctx.report_due(year).parse().ok();
        if let Some(due) = due.filter(|d| days_until(*d).is_some_and(|n| (0..=REPORT_REMINDER_DAYS).contains(&n))) {
            let report = store.annual_report(&zone.key, year).await?;
            let handed_in =
                report.is_some_and(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted));
            if !handed_in {
                let todo = Todo {
                    zone: zone.key.clone(),
                    province: zone.province,
                    kind: "report_due".to_owned(),
                    subject: year.to_string(),
                    due_on: due.to_string(),
                };
                added += usize::from(store.add_todo(&todo, &audit("reminders")).await?);
            }
        }
        let end: Option<Date> = state.term.as_ref().and_then(|(_, end, _)| end.parse().ok());
        if let Some(end) = end.filter(|e| days_until(*e).is_some_and(|n| (0..=TERM_REMINDER_DAYS).contains(&n))) {
            let todo = Todo {
                zone: zone.key.clone(),
                province: zone.province,
                kind: "term_end".to_owned(),
                subject: end.to_string(),
                due_on: end.to_string(),
            };
            added += usize::from(store.add_todo(&todo, &audit("reminders")).await?);
        }
    }
    Ok(added)
}

/// Runs the due jobs now and then every `every`, for as long as the process lives; a failure is logged and tried
/// again at the next turn.
pub async fn run_forever(ctx: Context, every: Duration) {
    loop {
        match run_due(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminders = n, "background jobs ran"),
            Err(e) => tracing::warn!(error = %e, "background jobs failed; trying again later"),
        }
        tokio::time::sleep(every).await;
    }
}

/// The reminders the jobs left, newest due first, as `viewer` may see them: the ministry every zone's, a province
/// its own zones'; nobody else's.
pub async fn reminders_for(ctx: &Context, viewer: &Viewer) -> Result<Vec<Todo>, AppError> {
    let scope = match viewer.role() {
        Some(Role::Ministry) => None,
        Some(Role::Province) => {
            Some(viewer.scope().ok_or_else(|| AppError::Forbidden("a province account without its province".into()))?)
        }
        _ => return Err(AppError::Forbidden(format!("{} has no reminders", viewer.label()))),
    };
    Ok(ctx.store().todos(scope.as_ref()).await?)
}

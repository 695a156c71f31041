//! What each signed-in role has to do, zone by zone. A province: the reports its zones owe (every year of the term
//! so far, each due on its date), reports the ministry returned, plans to revise or send on; a city or county team
//! of it, the figures to enter for its division. The ministry: reports and plans awaiting its decision, terms
//! evaluated and awaiting its verdict, and every zone's state with its overdue reports. An expert: the plans
//! assigned to them that they have not reviewed, and the zones on which the ministry awaits their opinion. The
//! ministry and the provinces also see the reminders the background jobs left.

use ttdz_domain::Zone;
use ttdz_domain::account::Role;
use ttdz_domain::lifecycle::Stage;
use ttdz_domain::report::ReportStatus;
use ttdz_store::Todo;

use crate::verdict::VerdictView;
use crate::{AppError, Context, Result, Viewer};

/// One thing to do.
#[derive(Debug)]
pub enum Task {
    SubmitReport {
        year: i32,
        due: String,
    },
    /// A city or county team enters its division's figures into the report the province submits.
    EnterFigures {
        year: i32,
        due: String,
    },
    /// The ministry returned the report with this comment.
    ReportReturned {
        year: i32,
        comment: String,
    },
    DecideReport {
        year: i32,
    },
    /// The term is evaluated: the ministry confirms or overrides the proposed verdict.
    DecideVerdict,
    RevisePlan,
    SendPlan,
    DecidePlan,
    /// A reminder a background job left (a report or a term end coming up).
    Reminder(Todo),
}

#[derive(Debug)]
pub struct Item {
    pub zone: Zone,
    pub task: Task,
}

/// A zone as the ministry or its province oversees it.
#[derive(Debug)]
pub struct ZoneState {
    pub zone: Zone,
    pub stage: Stage,
    pub term_end: Option<String>,
    /// This year's report: `None` when there is none yet.
    pub report: Option<ReportStatus>,
    /// Years whose report is past due and not sent.
    pub overdue: Vec<i32>,
    /// The proposed verdict of the term so far, for a zone under construction or evaluated.
    pub verdict: Option<VerdictView>,
}

/// A plan waiting for this expert's review, at the version the review is based on.
#[derive(Debug)]
pub struct Review {
    pub zone: Zone,
    pub version: i64,
}

#[derive(Debug, Default)]
pub struct Agenda {
    pub items: Vec<Item>,
    pub zones: Vec<ZoneState>,
    pub reviews: Vec<Review>,
    /// Zones on which the ministry consults this expert and awaits the opinion.
    pub consultations: Vec<Review>,
}

/// The viewer's agenda for this year. The public has none.
pub async fn agenda(ctx: &Context, viewer: &Viewer) -> Result<Agenda> {
    let Some(role) = viewer.role() else {
        return Err(AppError::Unauthorized("sign in to see what you have to do".into()));
    };
    let store = ctx.store();
    let (this_year, today) = (ctx.clock().year(), ctx.clock().today_iso());
    let zones = crate::visibility::zones_for(ctx, viewer).await?;
    let mut agenda = Agenda::default();
    if role == Role::Expert {
        let me = match viewer {
            Viewer::Account(account) => account.username.as_str(),
            _ => return Ok(agenda),
        };
        for zone in zones {
            let Some(lifecycle) = store.lifecycle(&zone.key).await? else { continue };
            if lifecycle.stage == Stage::PlanDrafted && lifecycle.experts.iter().any(|(u, done)| !done && u == me) {
                agenda.reviews.push(Review { zone, version: lifecycle.version });
            } else if lifecycle.consultants.iter().any(|(u, done)| !done && u == me) {
                agenda.consultations.push(Review { zone, version: lifecycle.version });
            }
        }
        return Ok(agenda);
    }
    if !matches!(role, Role::Ministry | Role::Province) {
        return Ok(agenda);
    }
    if let Viewer::Account(account) = viewer
        && account.local_team().is_some()
    {
        for zone in zones.iter().filter(|z| crate::visibility::local_team_in(viewer, z).is_some()) {
            let Some(lifecycle) = store.lifecycle(&zone.key).await? else { continue };
            let report = store.annual_report(&zone.key, this_year).await?;
            if lifecycle.stage == Stage::UnderConstruction && !report.is_some_and(|r| r.status.is_sent()) {
                let due = ctx.report_due(this_year);
                agenda.items.push(Item { zone: zone.clone(), task: Task::EnterFigures { year: this_year, due } });
            }
        }
        return Ok(agenda);
    }
    // One comparative evaluation of this year serves every zone's proposed verdict.
    let evaluation = crate::evaluation::evaluate_zones(ctx, Some(this_year)).await?;
    for zone in zones.iter().filter(|z| viewer.governs(&z.province)) {
        let Some(lifecycle) = store.lifecycle(&zone.key).await? else { continue };
        let mut task = |task| agenda.items.push(Item { zone: zone.clone(), task });
        let building = lifecycle.stage == Stage::UnderConstruction;
        // Every year of the term so far owes a report; before construction, none does.
        let owed = match (building, lifecycle.term_years()) {
            (true, Some((first, _))) => first.min(this_year)..=this_year,
            (true, None) => this_year..=this_year,
            (false, _) => this_year..=this_year - 1,
        };
        let (mut current, mut overdue) = (None, Vec::new());
        for year in owed {
            let report = store.annual_report(&zone.key, year).await?;
            let status = report.as_ref().map(|r| r.status);
            let sent = status.is_some_and(ReportStatus::is_sent);
            let due = ctx.report_due(year);
            if !sent && today > due {
                overdue.push(year);
            }
            match role {
                Role::Province if !sent => {
                    task(Task::SubmitReport { year, due });
                    if let Some(comment) = report.and_then(|r| r.comment) {
                        task(Task::ReportReturned { year, comment });
                    }
                }
                Role::Ministry if status == Some(ReportStatus::Submitted) => task(Task::DecideReport { year }),
                _ => {}
            }
            if year == this_year {
                current = status;
            }
        }
        match (role, lifecycle.stage) {
            (Role::Ministry, Stage::Evaluated) => task(Task::DecideVerdict),
            (Role::Province, Stage::PlanReturned) => task(Task::RevisePlan),
            (Role::Province, Stage::PlanReviewed) => task(Task::SendPlan),
            (Role::Ministry, Stage::PlanSubmitted) => task(Task::DecidePlan),
            _ => {}
        }
        let verdict = if matches!(lifecycle.stage, Stage::UnderConstruction | Stage::Evaluated) {
            Some(crate::verdict::propose_for(ctx, zone, None, Some(&evaluation)).await?)
        } else {
            None
        };
        agenda.zones.push(ZoneState {
            zone: zone.clone(),
            stage: lifecycle.stage,
            term_end: lifecycle.term.as_ref().map(|(_, end, _)| end.clone()),
            report: current,
            overdue,
            verdict,
        });
    }
    for reminder in crate::jobs::reminders_for(ctx, viewer).await? {
        // A province's own unsent report is on its list already; the reminder adds nothing there.
        if role == Role::Province && reminder.kind == "report_due" {
            continue;
        }
        let Some(zone) = zones.iter().find(|z| z.key == reminder.zone) else { continue };
        agenda.items.push(Item { zone: zone.clone(), task: Task::Reminder(reminder) });
    }
    Ok(agenda)
}

//! Annual reports (年度建设情况书面报告): the province edits a zone-year's draft values and written sections and
//! submits; the ministry returns it with a comment or accepts it. Every change names the version it is based on;
//! submitted reports are locked until returned or accepted, accepted ones for good, and a report's values become
//! figures only on acceptance.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ttdz_domain::DivisionCode;
use ttdz_domain::element::{ElementSpec, Scope, parse_amount};
use ttdz_domain::limits::{LONG_TEXT, REPORT_TEXT, check_text};
use ttdz_domain::report::{ReportAction, ReportError, ReportStatus, next_status};
use ttdz_store::{AnnualReport, ReportValue};

use crate::{AppError, Context, Viewer, zone_audit};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueChange {
    pub element: String,
    /// 6-digit code or zone key.
    pub area: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub zone: String,
    pub year: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: &'static str,
    /// Send as `If-Match` with the next edit; also the `ETag` of this answer.
    pub version: i64,
    /// ISO 8601.
    pub due: String,
    pub submitted_at: Option<String>,
    pub late: bool,
    pub comment: Option<String>,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub values: Vec<ReportValue>,
    /// The progress of the approved plan's key tasks, as the report states it.
    pub progress: Vec<TaskProgress>,
    /// After a return: what changed, value by value, since the submission; once submitted again, what changed since
    /// the ministry returned it.
    pub changes_since_submission: Vec<ValueChange>,
}

/// One value as a client sends it: `value` a number or a decimal text.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    #[cfg_attr(feature = "openapi", schema(example = "tech_brokers"))]
    pub element: String,
    /// For an element reported per division: a member division (6-digit code); left out for zone-level elements.
    #[cfg_attr(feature = "openapi", schema(example = "320100"))]
    pub division_code: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "120"))]
    pub value: Value,
}

/// A report's draft: every value (the list replaces the earlier one) and, optionally, the written sections.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub values: Vec<ValueInput>,
    /// The written sections; left out, the earlier text stays.
    pub text: Option<String>,
    /// The progress of each key task of the approved plan; left out, the earlier statement stays.
    #[serde(default)]
    pub progress: Option<Vec<TaskProgress>>,
}

/// Where one key task of the approved plan stands, as the report states it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskProgress {
    /// The task's number in the plan, from 1.
    pub task: u32,
    /// `done`, `on_track` or `late`.
    pub status: String,
    pub evidence: String,
}

/// The ministry's return of a report.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// Why it is returned, for the province.
    pub comment: String,
}

fn report_error(e: ReportError) -> AppError {
    match e {
        ReportError::Forbidden { .. } => AppError::Forbidden(e.to_string()),
        ReportError::Locked { .. } => AppError::Locked(e.to_string()),
        ReportError::OutOfOrder { .. } => AppError::Conflict(e.to_string()),
    }
}

fn values_by_area(list: &[ReportValue]) -> BTreeMap<(String, String), String> {
    list.iter()
        .filter_map(|v| {
            let area = v.division_code.clone().or_else(|| v.zone_key.clone())?;
            Some(((v.element.clone(), area), v.value.clone()))
        })
        .collect()
}

fn view(report: AnnualReport, due: String) -> Result<ReportView, AppError> {
    let values = report.drafted()?;
    // While the province revises: what changed since it submitted. Once it submits again: what changed since the
    // ministry returned it, for the ministry to check.
    let earlier = match report.status {
        ReportStatus::Returned | ReportStatus::Draft => report.submitted()?,
        ReportStatus::Submitted | ReportStatus::Accepted => report.returned()?,
    };
    let changes = match earlier {
        Some(snapshot) => {
            let (before, after) = (values_by_area(&snapshot), values_by_area(&values));
            let keys: BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
            keys.into_iter()
                .filter(|k| before.get(k) != after.get(k))
                .map(|k| ValueChange {
                    before: before.get(&k).cloned(),
                    after: after.get(&k).cloned(),
                    element: k.0,
                    area: k.1,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(ReportView {
        zone: report.zone.to_string(),
        year: report.year,
        status: report.status.as_str(),
        version: report.version,
        due,
        submitted_at: report.submitted_at,
        late: report.late,
        comment: report.comment,
        text: report.text,
        values,
        progress: serde_json::from_str(&report.progress_json).map_err(|e| {
            ttdz_store::StoreError::Corrupt(format!("progress of {}-{}: {e}", report.zone, report.year))
        })?,
        changes_since_submission: changes,
    })
}

/// A zone-year's annual report: status, due date and lateness, text, values, and after a return what changed since
/// the submission. Before acceptance it is visible to those who oversee the zone only.
pub async fn get(ctx: &Context, viewer: &Viewer, key: &str, year: i32) -> Result<ReportView, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    let report =
        ctx.store().annual_report(&zone.key, year).await?.unwrap_or_else(|| AnnualReport::blank(&zone.key, year));
    if report.status != ReportStatus::Accepted && !crate::visibility::oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::NotFound(format!("no published {year} report of zone {key}")));
    }
    view(report, ctx.report_due(year))
}

/// Checks drafted values against the element dictionary, the featured indicators the zone's plan has it state
/// (`reported`), and the zone, as the canonical list stored with the report.
fn checked_values(
    items: &[ValueInput],
    zone: &ttdz_domain::Zone,
    tree: &ttdz_domain::DivisionTree,
    reported: &[ttdz_domain::ElementCode],
) -> Result<Vec<ReportValue>, AppError> {
    let area = tree.area_of(&zone.members);
    let mut seen = BTreeSet::new();
    let mut canonical = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let bad = |m: String| AppError::Rejected(format!("values[{i}]: {m}"));
        let code = item.element.as_str();
        let raw = match &item.value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return Err(bad("value must be a number".into())),
        };
        let value = parse_amount(&raw).map_err(|e| bad(format!("value: {e}")))?;
        // A featured indicator the plan has the report state: one value for the zone, of any sign.
        let scope = if reported.iter().any(|r| r.as_str() == code) {
            Scope::Zone
        } else {
            let spec = ElementSpec::find(code).ok_or_else(|| {
                bad(format!("unknown element '{code}' (neither a data element nor a featured indicator of the plan)"))
            })?;
            spec.check_value(value).map_err(|e| bad(format!("value: {e}")))?;
            spec.scope
        };
        let (division_code, zone_key) = match (item.division_code.as_deref(), scope) {
            (Some(d), Scope::Division) => {
                let division = DivisionCode::parse(d).map_err(|e| bad(format!("division_code: {e}")))?;
                let inside =
                    tree.get(&division).is_some() && tree.leaves_under(&division).iter().all(|u| area.contains(u));
                if !inside {
                    return Err(bad(format!("division_code: {division} is not in zone {}", zone.key)));
                }
                (Some(division.to_string()), None)
            }
            (None, Scope::Zone) => (None, Some(zone.key.to_string())),
            (Some(_), Scope::Zone) => {
                return Err(bad(format!("{code} is reported for the zone as a whole: leave out division_code")));
            }
            (None, Scope::Division) => return Err(bad(format!("{code} needs a division_code"))),
        };
        let area_label = division_code.clone().unwrap_or_else(|| "the zone".to_owned());
        if !seen.insert((code.to_owned(), area_label.clone())) {
            return Err(bad(format!("{code} for {area_label} is given twice")));
        }
        canonical.push(ReportValue { element: code.to_owned(), division_code, zone_key, value: value.to_string() });
    }
    Ok(canonical)
}

/// Checks a report's statement of task progress against the approved plan's `tasks` tasks: each task once, by its
/// number, with a status and evidence.
fn checked_progress(progress: &[TaskProgress], tasks: usize) -> Result<(), AppError> {
    let mut seen = BTreeSet::new();
    for (i, p) in progress.iter().enumerate() {
        let bad = |m: String| AppError::Rejected(format!("progress[{i}].{m}"));
        if p.task == 0 || p.task as usize > tasks {
            return Err(bad(format!("task: {} is not a task of the approved plan, which has {tasks}", p.task)));
        }
        if !seen.insert(p.task) {
            return Err(bad(format!("task: task {} is stated twice", p.task)));
        }
        ttdz_domain::lifecycle::TaskStatus::parse(&p.status).map_err(|e| bad(format!("status: {}", e.0)))?;
        if p.evidence.trim().is_empty() {
            return Err(bad("evidence: say what shows it".into()));
        }
        check_text("evidence", &p.evidence, LONG_TEXT).map_err(|e| bad(e.0))?;
    }
    Ok(())
}

/// Whether a drafted value is for `team`'s division or one inside it.
fn inside(team: DivisionCode, value: &ReportValue) -> bool {
    value.division_code.as_deref().and_then(|d| DivisionCode::parse(d).ok()).is_some_and(|d| d.is_within(&team))
}

/// A city or county team's values in the draft: every value it sends must be for its own division (or one inside
/// it); they replace the draft's values there, and every other value stays as drafted.
fn merged_for_team(
    team: DivisionCode,
    drafted: Vec<ReportValue>,
    sent: Vec<ReportValue>,
) -> Result<Vec<ReportValue>, AppError> {
    if let Some((i, v)) = sent.iter().enumerate().find(|(_, v)| !inside(team, v)) {
        let area = v.division_code.clone().unwrap_or_else(|| "the zone as a whole".to_owned());
        return Err(AppError::Forbidden(format!(
            "values[{i}]: {area} is not {team}, the division this city or county team reports for"
        )));
    }
    Ok(drafted.into_iter().filter(|v| !inside(team, v)).chain(sent).collect())
}

/// Replaces the draft's values (and, with `text`, its written sections), based on version `based_on`. A city or
/// county team replaces only its own division's values.
pub async fn edit(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (key, year): (&str, i32),
    based_on: i64,
    body: ReportInput,
) -> Result<ReportView, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    let team = crate::visibility::local_team_in(viewer, &zone);
    if !viewer.governs(&zone.province) && team.is_none() {
        return Err(AppError::Forbidden(format!("{} may not report for zone {key}", viewer.label())));
    }
    let role = viewer.role().ok_or_else(|| AppError::Forbidden("log in first".into()))?;
    let current = ctx.store().annual_report(&zone.key, year).await?;
    next_status(current.as_ref().map(|r| r.status), ReportAction::Edit, role).map_err(report_error)?;
    let report = current.unwrap_or_else(|| AnnualReport::blank(&zone.key, year));
    let text = match body.text {
        Some(_) if team.is_some() => {
            return Err(AppError::Rejected(
                "text: the written report is the province's; a city or county team enters its own figures".into(),
            ));
        }
        Some(text) => {
            check_text("text", &text, REPORT_TEXT).map_err(|e| AppError::Rejected(e.0))?;
            text
        }
        None => report.text.clone(),
    };
    let tree = ctx.tree(None).await?;
    let lifecycle = ctx.store().lifecycle(&zone.key).await?;
    let featured = lifecycle.as_ref().map(crate::lifecycle::approved_featured).transpose()?.unwrap_or_default();
    let reported: Vec<_> = featured.iter().filter_map(ttdz_domain::FeaturedIndicator::reported_element).collect();
    let mut values = checked_values(&body.values, &zone, &tree, &reported)?;
    if let Some(team) = team {
        values = merged_for_team(team, report.drafted()?, values)?;
    }
    let progress_json = match body.progress {
        Some(_) if team.is_some() => {
            return Err(AppError::Rejected("progress: the plan's tasks are reported by the province".into()));
        }
        Some(progress) => {
            let tasks = lifecycle.as_ref().map(crate::lifecycle::approved_tasks).transpose()?.unwrap_or_default();
            checked_progress(&progress, tasks.len())?;
            serde_json::to_string(&progress).map_err(|e| AppError::Method(format!("cannot keep the progress: {e}")))?
        }
        None => report.progress_json.clone(),
    };
    let values_json =
        serde_json::to_string(&values).map_err(|e| AppError::Method(format!("cannot keep the values: {e}")))?;
    let updated = AnnualReport { text, values_json, progress_json, ..report };
    let version =
        ctx.store().save_annual_report(&updated, based_on, None, "edit", &zone_audit(viewer, origin, &zone)).await?;
    view(AnnualReport { version, ..updated }, ctx.report_due(year))
}

/// Submits (`Submit`), returns with `comment` (`Return`) or accepts (`Accept`) the report, based on version
/// `based_on`. Lateness is judged on the clock's calendar day; acceptance stores the values as figures.
pub async fn decide(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (key, year): (&str, i32),
    based_on: i64,
    action: ReportAction,
    comment: Option<String>,
) -> Result<ReportView, AppError> {
    if action == ReportAction::Return {
        let c = comment.as_deref().map(str::trim).unwrap_or("");
        if c.is_empty() {
            return Err(AppError::Rejected("comment: a return needs a comment for the province".into()));
        }
        check_text("comment", c, LONG_TEXT).map_err(|e| AppError::Rejected(e.0))?;
    }
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    if !viewer.governs(&zone.province) {
        return Err(AppError::Forbidden(format!("{} may not act on zone {key}", viewer.label())));
    }
    let role = viewer.role().ok_or_else(|| AppError::Forbidden("log in first".into()))?;
    let current = ctx.store().annual_report(&zone.key, year).await?;
    let status = next_status(current.as_ref().map(|r| r.status), action, role).map_err(report_error)?;
    let report = current.ok_or_else(|| AppError::NotFound("no report".into()))?;
    let mut updated = AnnualReport { status, ..report };
    let mut published = None;
    match action {
        ReportAction::Submit => {
            let today = ctx.clock().today_iso();
            // ISO dates order as text; the day is China's (or the configured zone's), not UTC's.
            updated.late = today > ctx.report_due(year);
            updated.submitted_at = Some(today);
            updated.snapshot = Some(updated.values_json.clone());
            updated.comment = None;
        }
        ReportAction::Return => {
            updated.comment = comment.map(|c| c.trim().to_owned());
            updated.returned_snapshot = updated.snapshot.clone();
        }
        // From acceptance on, the values are figures everyone reads.
        ReportAction::Accept => {
            published = Some(updated.accepted_batch(&zone.name_zh, viewer.label(), Some(zone.province))?);
        }
        ReportAction::Edit => {}
    }
    let audit = zone_audit(viewer, origin, &zone);
    let version =
        ctx.store().save_annual_report(&updated, based_on, published.as_ref(), action.as_str(), &audit).await?;
    view(AnnualReport { version, ..updated }, ctx.report_due(year))
}

/// One input of the report editor: an element for a member division or for the zone as a whole, beside last
/// year's accepted figure, with the value drafted so far.
#[derive(Debug)]
pub struct EditorRow {
    pub element: &'static ElementSpec,
    /// `{element}@{division_code}`, or `{element}@zone` for an element reported for the zone as a whole.
    pub input: String,
    pub area_name: String,
    /// The member division's code; `None` for the zone as a whole.
    pub division: Option<DivisionCode>,
    /// Last year's figure, as the public reads it.
    pub previous: Option<String>,
    pub value: Option<String>,
    /// Whether the viewer enters this value (a city or county team: its own division's only).
    pub editable: bool,
}

/// The inputs of one category of Annex 2, in the order of the Excel template.
#[derive(Debug)]
pub struct EditorSection {
    pub category_zh: String,
    pub rows: Vec<EditorRow>,
}

/// A zone-year's report as the people who oversee the zone work on it: the report, the inputs laid out as the Excel
/// template lays them out, and what this viewer may do with it now.
#[derive(Debug)]
pub struct Editor {
    pub zone: ttdz_domain::Zone,
    pub report: ReportView,
    pub sections: Vec<EditorSection>,
    /// Of `Edit`, `Submit`, `Return` and `Accept`, those the viewer may take now.
    pub actions: Vec<ReportAction>,
    /// For a city or county team: its division, the only one whose values it edits (and not the written report).
    pub team: Option<DivisionCode>,
    /// The approved plan's key tasks, numbered from 1, with the progress the report states for each.
    pub tasks: Vec<(u32, ttdz_domain::lifecycle::PlanTask, Option<TaskProgress>)>,
    /// The featured indicators (row 16) the plan has the report state, each with its input (`{code}@zone`), the
    /// value drafted so far and the plan's target for the year.
    pub featured: Vec<(ttdz_domain::FeaturedIndicator, String, Option<String>)>,
}

/// The name of a value's input in the editor.
fn input_name(element: &str, division: Option<&str>) -> String {
    format!("{element}@{}", division.unwrap_or("zone"))
}

/// The report editor of a zone-year, for those who oversee the zone.
pub async fn editor(ctx: &Context, viewer: &Viewer, key: &str, year: i32) -> Result<Editor, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    if !crate::visibility::oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::Forbidden(format!("{} does not oversee zone {key}", viewer.label())));
    }
    let stored = ctx.store().annual_report(&zone.key, year).await?;
    let status = stored.as_ref().map(|r| r.status);
    let report = view(stored.unwrap_or_else(|| AnnualReport::blank(&zone.key, year)), ctx.report_due(year))?;
    let team = crate::visibility::local_team_in(viewer, &zone);
    let actions = match viewer.role() {
        Some(role) if viewer.governs(&zone.province) => {
            [ReportAction::Edit, ReportAction::Submit, ReportAction::Return, ReportAction::Accept]
                .into_iter()
                .filter(|a| next_status(status, *a, role).is_ok())
                // Nothing to submit before a draft is saved.
                .filter(|a| *a != ReportAction::Submit || status.is_some())
                .collect()
        }
        Some(role) if team.is_some() && next_status(status, ReportAction::Edit, role).is_ok() => {
            vec![ReportAction::Edit]
        }
        _ => Vec::new(),
    };
    let drafted: BTreeMap<String, &str> =
        report.values.iter().map(|v| (input_name(&v.element, v.division_code.as_deref()), v.value.as_str())).collect();
    let template = crate::imports::template(ctx, viewer, key, year).await?;
    let sections = template
        .sheets
        .iter()
        .map(|sheet| EditorSection {
            category_zh: sheet.category_zh.clone(),
            rows: sheet
                .rows
                .iter()
                .map(|row| {
                    let (division, area_name) = match &row.area {
                        ttdz_xlsx::RowArea::Division { code, name } => (Some(*code), name.clone()),
                        ttdz_xlsx::RowArea::Zone { name, .. } => (None, name.clone()),
                    };
                    let input = input_name(row.element.code, division.map(|d| d.to_string()).as_deref());
                    EditorRow {
                        element: row.element,
                        editable: team.is_none_or(|t| division.is_some_and(|d| d.is_within(&t))),
                        value: drafted.get(&input).map(|v| (*v).to_owned()),
                        input,
                        area_name,
                        division,
                        previous: row.previous.map(|p| p.normalize().to_string()),
                    }
                })
                .collect(),
        })
        .collect();
    let lifecycle = ctx.store().lifecycle(&zone.key).await?;
    let featured = lifecycle
        .as_ref()
        .map(crate::lifecycle::approved_featured)
        .transpose()?
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.reported_element().is_some())
        .map(|f| {
            let input = input_name(f.code.as_str(), None);
            let value = drafted.get(&input).map(|v| (*v).to_owned());
            (f, input, value)
        })
        .collect();
    let plan = lifecycle.as_ref().map(crate::lifecycle::approved_tasks).transpose()?.unwrap_or_default();
    let tasks = plan
        .into_iter()
        .zip(1..)
        .map(|(task, n)| {
            let stated = report.progress.iter().find(|p| p.task == n).cloned();
            (n, task, stated)
        })
        .collect();
    Ok(Editor { zone, report, sections, actions, team, tasks, featured })
}

/// A value read from a filled template, by the editor input it fills.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateValue {
    #[cfg_attr(feature = "openapi", schema(example = "tech_brokers@320100"))]
    pub input: String,
    pub value: String,
}

/// Reads a filled template into the editor's inputs, storing nothing: the values, or `BadCells` naming each bad
/// cell with its input, what was typed and why it is wrong.
pub async fn read_template(
    ctx: &Context,
    viewer: &Viewer,
    (key, year): (&str, i32),
    file_name: &str,
    bytes: &[u8],
) -> Result<Vec<TemplateValue>, AppError> {
    let template = crate::imports::template_to_fill(ctx, viewer, key, year).await?;
    match crate::imports::read_filled(&template, file_name, bytes)? {
        Ok(filled) => Ok(filled
            .division_values
            .iter()
            .map(|v| TemplateValue {
                input: input_name(v.element.as_str(), Some(&v.division.to_string())),
                value: v.value.to_string(),
            })
            .chain(
                filled
                    .zone_values
                    .iter()
                    .map(|v| TemplateValue { input: input_name(v.element.as_str(), None), value: v.value.to_string() }),
            )
            .collect()),
        Err(marked) => {
            let cells = marked
                .sheets
                .iter()
                .flat_map(|s| &s.rows)
                .filter_map(|row| {
                    let reason = row.entered.error.clone()?;
                    let division = match &row.area {
                        ttdz_xlsx::RowArea::Division { code, .. } => Some(code.to_string()),
                        ttdz_xlsx::RowArea::Zone { .. } => None,
                    };
                    Some(crate::BadCell {
                        input: input_name(row.element.code, division.as_deref()),
                        value: row.entered.value.clone(),
                        reason,
                    })
                })
                .collect();
            Err(AppError::BadCells { file: file_name.to_owned(), cells })
        }
    }
}

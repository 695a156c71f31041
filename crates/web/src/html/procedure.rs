//! The procedure in the browser: a zone's stage, term and history with each step's document, and a form for every
//! step the viewer may take now (`/zones/{key}/procedure`); the plan editor in the outline of Annex 1 with the
//! indicator targets per year (`/zones/{key}/plan/edit`); a province's new demand (`/zones/new`). The forms post to
//! the lifecycle API with the version the page was made from.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use ttdz_app::verdict::VerdictView;
use ttdz_domain::IndicatorKind;
use ttdz_domain::account::Role;
use ttdz_domain::document::DocumentKind;
use ttdz_domain::lifecycle::{Action, GENERAL_REQUIREMENTS, PLAN_SECTIONS, Stage};

use super::{Desk, Page, PageError, csrf_of, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

fn action_label(lang: Lang, action: &str) -> String {
    match (lang, Action::parse(action)) {
        (Lang::Zh, Ok(a)) => a.label_zh().to_owned(),
        _ => action.replace('_', " "),
    }
}

fn stage_label(lang: Lang, stage: &str) -> String {
    match (lang, Stage::parse(stage)) {
        (Lang::Zh, Ok(s)) => s.label_zh().to_owned(),
        _ => stage.replace('_', " "),
    }
}

/// A step's document as lines of (field, text): nested fields joined with dots, lists with commas.
fn document_lines(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                document_lines(&key, v, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            let texts: Vec<String> =
                items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect();
            out.push((prefix.to_owned(), texts.join(", ")));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                document_lines(&format!("{prefix}[{}]", i + 1), item, out);
            }
        }
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        Value::Null => {}
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// Whether the caller files documents of this kind for the zone: the ministry its approval, the zone's province
/// the rest (the use case decides; this only offers the form).
pub(super) fn files(caller: &Caller, zone: &ttdz_domain::Zone, kind: DocumentKind) -> bool {
    match kind.filed_by() {
        Role::Ministry => caller.role() == Some(Role::Ministry),
        _ => matches!(caller.role(), Some(Role::Province)) && caller.governs(&zone.province),
    }
}

/// A zone the viewer may see, and its procedure as the viewer may see it.
async fn zone_and_procedure(
    ctx: &ttdz_app::Context,
    viewer: &ttdz_app::Viewer,
    key: &str,
) -> Result<(ttdz_domain::Zone, ttdz_app::lifecycle::LifecycleView), ttdz_app::AppError> {
    Ok((ttdz_app::visibility::visible_zone(ctx, viewer, key).await?, ttdz_app::lifecycle::get(ctx, viewer, key).await?))
}

struct HistoryLine {
    action: String,
    actor: String,
    at: String,
    to: String,
    details: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedureTemplate {
    page: Page,
    key: String,
    zone_name: String,
    stage: String,
    term: Option<(String, String, bool)>,
    version: i64,
    csrf: String,
    history: Vec<HistoryLine>,
    experts: Vec<(String, bool)>,
    consultants: Vec<(String, bool)>,
    actions: Vec<&'static str>,
    expert_choices: Vec<String>,
    verdict: Option<VerdictView>,
    /// A term of three years from next January, for the start-construction form.
    default_term: (String, String),
    today: String,
    documents: Vec<ttdz_app::documents::DocumentView>,
    /// The kinds of the procedure's documents the viewer may file, with their labels.
    can_file: Vec<(&'static str, &'static str)>,
}

impl ProcedureTemplate {
    fn can(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }

    fn verdict_label(&self, verdict: &str) -> String {
        match (self.page.lang, verdict) {
            (Lang::Zh, "rectify") => "整改".into(),
            (Lang::Zh, "revoke") => "撤销".into(),
            (Lang::Zh, "continue") => "后续支持".into(),
            _ => verdict.to_owned(),
        }
    }

    /// The ministry's decisions at the end of a term, each with its label.
    fn decisions(&self) -> [(&'static str, &'static str); 3] {
        let t = self.page.t;
        [("continue", t.procedure_continue), ("rectify", t.procedure_rectify), ("revoke", t.procedure_revoke)]
    }

    fn proposed(&self, verdict: &str) -> bool {
        self.verdict.as_ref().is_some_and(|v| v.verdict == verdict)
    }
}

pub async fn procedure(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Desk { page, caller, .. }: Desk,
) -> Result<Response, PageError> {
    let lang = page.lang;
    let (ctx, viewer) = (state.app(), caller.viewer());
    let (zone, lifecycle) = allowed!(page, zone_and_procedure(ctx, &viewer, &key).await);
    let actions: Vec<&'static str> = lifecycle.allowed_actions.iter().map(|a| a.action).collect();
    let expert_choices = if actions.contains(&"assign_experts") || actions.contains(&"appoint_experts") {
        attempt!(page, ttdz_app::accounts::experts(ctx, &viewer).await)
            .into_iter()
            .map(|a| a.username.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let verdict = if matches!(lifecycle.stage, "evaluated" | "under_construction" | "rectifying")
        && matches!(caller.role(), Some(Role::Ministry | Role::Province))
    {
        ttdz_app::verdict::get(ctx, &viewer, &key, None).await.ok()
    } else {
        None
    };
    let history = lifecycle
        .history
        .iter()
        .rev()
        .map(|e| {
            let mut details = Vec::new();
            document_lines("", &e.document, &mut details);
            HistoryLine {
                action: action_label(lang, &e.action),
                actor: e.actor.clone(),
                at: e.at.clone(),
                to: stage_label(lang, &e.to),
                details,
            }
        })
        .collect();
    let documents = attempt!(page, ttdz_app::documents::list(ctx, &viewer, &key).await)
        .into_iter()
        .filter(|d| d.year.is_none())
        .collect();
    let can_file = DocumentKind::ALL
        .into_iter()
        .filter(|k| !k.of_a_year() && files(&caller, &zone, *k))
        .map(|k| (k.as_str(), if lang == Lang::Zh { k.label_zh() } else { k.as_str() }))
        .collect();
    let next = state.clock().year() + 1;
    Ok(render(&ProcedureTemplate {
        documents,
        can_file,
        key: zone.key.to_string(),
        zone_name: zone.name_zh.clone(),
        stage: stage_label(lang, lifecycle.stage),
        term: lifecycle.term.as_ref().map(|t| (t.start.clone(), t.end.clone(), t.assumed)),
        version: lifecycle.version,
        csrf: csrf_of(&state, &caller).await,
        history,
        experts: lifecycle.experts.iter().map(|e| (e.username.clone(), e.reviewed)).collect(),
        consultants: lifecycle.consultants.iter().map(|e| (e.username.clone(), e.reviewed)).collect(),
        actions,
        expert_choices,
        verdict,
        default_term: (format!("{next}-01-01"), format!("{}-12-31", next + 2)),
        today: state.clock().today_iso(),
        page,
    }))
}

/// One row of the targets grid: an indicator and its target input per year.
struct TargetRow {
    code: String,
    name: String,
    unit: String,
    /// (year, input value)
    cells: Vec<(i32, String)>,
}

/// A featured indicator in the plan editor: its fields by name, and its targets by year.
type FeaturedBlock = (std::collections::BTreeMap<&'static str, String>, Vec<(i32, String)>);

#[derive(Template)]
#[template(path = "plan_edit.html")]
struct PlanEditTemplate {
    page: Page,
    key: String,
    zone_name: String,
    version: i64,
    csrf: String,
    /// (path of the field, its heading, the text so far)
    sections: Vec<(String, String, String)>,
    years: Vec<i32>,
    targets: Vec<TargetRow>,
    comments: Option<String>,
    /// The plan's key tasks so far, and blank rows to add more: (title, owner, deadline, expected output).
    tasks: Vec<(String, String, String, String)>,
    /// The plan's featured indicators so far and a blank row, each with its fields by name and targets by year.
    featured: Vec<FeaturedBlock>,
    /// The data elements a featured indicator may divide: (code, name).
    elements: Vec<(&'static str, &'static str)>,
    /// `draft_plan`, or `record_plan` for a zone approved before TTDZ.
    action: &'static str,
    approval_number: String,
}

pub async fn plan_editor(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Desk { page, caller, .. }: Desk,
) -> Result<Response, PageError> {
    let lang = page.lang;
    let (ctx, viewer) = (state.app(), caller.viewer());
    let (zone, lifecycle) = allowed!(page, zone_and_procedure(ctx, &viewer, &key).await);
    let may = |action: Action| lifecycle.allowed_actions.iter().any(|a| a.action == action.as_str());
    let action = match (may(Action::DraftPlan), may(Action::RecordPlan)) {
        (true, _) => Action::DraftPlan,
        (false, true) => Action::RecordPlan,
        (false, false) => {
            let why = format!("{}: {}", lifecycle.stage_zh, page.t.plan_not_now);
            return Err(PageError::Forbidden(page, why));
        }
    };
    // The plan drafted (or recorded) last: returned plans are revised, not written again; and the ministry's
    // comments on it.
    let last = |action: &str| lifecycle.history.iter().rev().find(|e| e.action == action).map(|e| &e.document);
    let draft = last(action.as_str()).cloned().unwrap_or(Value::Null);
    let comments = (lifecycle.stage == "plan_returned")
        .then(|| last("return_plan").and_then(|d| d.get("comments")).and_then(Value::as_str).map(str::to_owned))
        .flatten();
    let mut sections = Vec::new();
    for section in PLAN_SECTIONS {
        if section == "总体要求" {
            for part in GENERAL_REQUIREMENTS {
                let text = draft["sections"][section][part].as_str().unwrap_or_default().to_owned();
                sections.push((format!("{section}.{part}"), format!("{section} · {part}"), text));
            }
        } else {
            let text = draft["sections"][section].as_str().unwrap_or_default().to_owned();
            sections.push((section.to_owned(), section.to_owned(), text));
        }
    }
    // A plan drafted now sets targets for the five years from next; a plan recorded, for the years it has been
    // in force (the last five) to the end of the current term.
    let this_year = state.clock().year();
    let years: Vec<i32> = if action == Action::RecordPlan {
        let term_end = lifecycle.term.as_ref().and_then(|t| t.end.get(..4)?.parse().ok()).unwrap_or(this_year);
        (this_year - 4..=term_end.max(this_year)).collect()
    } else {
        (this_year + 1..=this_year + 5).collect()
    };
    let drafted = |code: &str, year: i32| -> String {
        draft["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["indicator"] == code && t["year"] == year)
            .map(|t| t["value"].as_str().map_or_else(|| t["value"].to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let indicators = attempt!(page, ttdz_app::catalog::indicators(ctx).await);
    let targets = indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Quantitative)
        .map(|i| TargetRow {
            code: i.code.to_string(),
            name: if lang == Lang::En { i.name_en.clone() } else { i.name_zh.clone() },
            unit: i.unit_zh.clone(),
            cells: years.iter().map(|y| (*y, drafted(i.code.as_str(), *y))).collect(),
        })
        .collect();
    let mut tasks: Vec<(String, String, String, String)> = draft["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let field = |name: &str| t[name].as_str().unwrap_or_default().to_owned();
            (field("title"), field("owner"), field("deadline"), field("output"))
        })
        .collect();
    tasks.extend(std::iter::repeat_n(Default::default(), 3));
    let mut featured: Vec<_> = draft["featured"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let text = |v: &Value| {
                v.as_str().map_or_else(|| if v.is_null() { String::new() } else { v.to_string() }, str::to_owned)
            };
            let fields = ["code", "name", "unit", "direction", "measure", "numerator", "denominator", "factor"]
                .into_iter()
                .map(|k| (k, text(&f[k])))
                .collect();
            let targets = years
                .iter()
                .map(|y| {
                    let t = f["targets"].as_array().into_iter().flatten().find(|t| t["year"] == *y);
                    (*y, t.map(|t| text(&t["value"])).unwrap_or_default())
                })
                .collect();
            (fields, targets)
        })
        .collect();
    featured.push((Default::default(), years.iter().map(|y| (*y, String::new())).collect()));
    let elements = ttdz_domain::element::ELEMENTS.iter().map(|e| (e.code, e.name_zh)).collect();
    Ok(render(&PlanEditTemplate {
        action: action.as_str(),
        approval_number: draft["approval_number"].as_str().unwrap_or_default().to_owned(),
        featured,
        elements,
        tasks,
        key: zone.key.to_string(),
        zone_name: zone.name_zh.clone(),
        version: lifecycle.version,
        csrf: csrf_of(&state, &caller).await,
        sections,
        years,
        targets,
        comments,
        page,
    }))
}

/// A prefecture with its counties, for choosing a new zone's members.
struct MemberChoice {
    code: String,
    name: String,
    counties: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "zone_new.html")]
struct ZoneNewTemplate {
    page: Page,
    province_name: String,
    csrf: String,
    choices: Vec<MemberChoice>,
}

pub async fn new_zone(State(state): State<AppState>, Desk { page, caller, .. }: Desk) -> Result<Response, PageError> {
    let province = match &caller {
        Caller::Account { account, .. } if account.role == Role::Province => account.province,
        _ => None,
    };
    let Some(province) = province else {
        let why = page.t.zone_new_province_only.to_owned();
        return Err(PageError::Forbidden(page, why));
    };
    let tree = attempt!(page, state.tree(None).await);
    let province_name = tree.get(&province).map_or_else(|| province.to_string(), |d| d.name_zh.clone());
    let choices = tree
        .children(&province)
        .map(|city| MemberChoice {
            code: city.code.to_string(),
            name: city.name_zh.clone(),
            counties: tree.children(&city.code).map(|c| (c.code.to_string(), c.name_zh.clone())).collect(),
        })
        .collect();
    Ok(render(&ZoneNewTemplate { province_name, csrf: csrf_of(&state, &caller).await, choices, page }))
}

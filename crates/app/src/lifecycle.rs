//! The procedure (四、建设程序): a zone's place in it, and its steps from the province's demand through the plan,
//! its review and approval, construction, the evaluation before the term ends and the ministry's decision. The
//! order and who may take each step are the domain's (`ttdz_domain::lifecycle`); here the caller's scope, each
//! step's document and the version the step was decided on.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use ttdz_domain::account::Role;
use ttdz_domain::lifecycle::{
    Action, GENERAL_REQUIREMENTS, LifecycleError, PLAN_SECTIONS, Stage, allowed, check_term, next_stage,
};
use ttdz_domain::limits::{DOCUMENT_BYTES, LONG_TEXT, check_text};
use ttdz_domain::{DivisionCode, PartialDate, Zone, ZoneKey};
use ttdz_store::{LifecycleState, LifecycleStep, StoreError};

use crate::{AppError, Context, Viewer, zone_audit};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermView {
    pub start: String,
    pub end: String,
    /// True where the sources do not publish the term and TTDZ assumed one.
    pub assumed: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventView {
    pub action: String,
    pub actor: String,
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: Value,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionView {
    pub action: &'static str,
    pub label_zh: &'static str,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpertView {
    pub username: String,
    pub reviewed: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LifecycleView {
    pub zone: String,
    #[cfg_attr(feature = "openapi", schema(example = "under_construction"))]
    pub stage: &'static str,
    pub stage_zh: &'static str,
    pub term: Option<TermView>,
    /// Send it back with the next step: a step based on an older version is refused (409).
    pub version: i64,
    pub history: Vec<EventView>,
    pub experts: Vec<ExpertView>,
    /// The ministry's own experts consulted on the zone; `reviewed` once each has given an opinion.
    pub consultants: Vec<ExpertView>,
    /// What the caller may do now.
    pub allowed_actions: Vec<ActionView>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Rejected(message.into())
}

/// Who took a step, as the viewer may see it: the account for those who oversee the zone, otherwise its role.
fn actor_for(actor: &str, oversees: bool, roles: &HashMap<String, Role>) -> String {
    if oversees {
        return actor.to_owned();
    }
    match actor.strip_prefix("user:") {
        Some(name) => roles.get(name).map_or_else(|| "account".to_owned(), |r| r.as_str().to_owned()),
        None if actor.starts_with("api:") => Role::Ministry.as_str().to_owned(),
        None => actor.split(':').next().unwrap_or(actor).to_owned(),
    }
}

async fn view(ctx: &Context, zone: &Zone, state: LifecycleState, viewer: &Viewer) -> Result<LifecycleView, AppError> {
    let oversees = crate::visibility::oversees(viewer, zone, Some(&state));
    let roles = if oversees {
        HashMap::new()
    } else {
        ctx.store().accounts().await?.into_iter().map(|a| (a.username.to_string(), a.role)).collect()
    };
    let key = &zone.key;
    // What the viewer may do now: its role's steps from this stage, for a zone it acts for (an expert: one whose
    // plan it is assigned to review and has not).
    let acts_for = match viewer {
        Viewer::Account(account) if account.role == Role::Expert => {
            let pending =
                |list: &[(String, bool)]| list.iter().any(|(u, done)| u == account.username.as_str() && !done);
            pending(&state.experts) || pending(&state.consultants)
        }
        _ => viewer.governs(&zone.province),
    };
    let actions = match viewer.role() {
        Some(role) if acts_for => {
            allowed(Some(state.stage), role).into_iter().filter(|a| !drafted_here(*a, &state)).collect()
        }
        _ => Vec::new(),
    };
    Ok(LifecycleView {
        zone: key.to_string(),
        stage: state.stage.as_str(),
        stage_zh: state.stage.label_zh(),
        term: state.term.map(|(start, end, assumed)| TermView { start, end, assumed }),
        version: state.version,
        history: state
            .history
            .into_iter()
            .map(|e| {
                Ok(EventView {
                    actor: actor_for(&e.actor, oversees, &roles),
                    document: serde_json::from_str(&e.document)
                        .map_err(|err| StoreError::Corrupt(format!("lifecycle event {} of {key}: {err}", e.id)))?,
                    action: e.action,
                    at: e.at,
                    from: e.from,
                    to: e.to,
                })
            })
            .collect::<Result<_, AppError>>()?,
        // Who reviews a plan, and whom the ministry consults, is for those who oversee the zone.
        experts: if oversees {
            state.experts.into_iter().map(|(username, reviewed)| ExpertView { username, reviewed }).collect()
        } else {
            Vec::new()
        },
        consultants: if oversees {
            state.consultants.into_iter().map(|(username, reviewed)| ExpertView { username, reviewed }).collect()
        } else {
            Vec::new()
        },
        allowed_actions: actions
            .into_iter()
            .map(|a| ActionView { action: a.as_str(), label_zh: a.label_zh() })
            .collect(),
    })
}

/// Whether `action` records a plan for a zone whose plan was drafted in TTDZ: that plan is the zone's, and only a
/// zone approved before TTDZ has one recorded.
fn drafted_here(action: Action, state: &LifecycleState) -> bool {
    action == Action::RecordPlan && state.history.iter().any(|e| e.action == Action::DraftPlan.as_str())
}

/// The zone and its procedure, if the viewer may see them: before approval even its existence is private.
async fn visible_state(ctx: &Context, key: &str, viewer: &Viewer) -> Result<(Zone, LifecycleState), AppError> {
    let missing = || AppError::NotFound(format!("no zone with key '{key}'"));
    let parsed = ZoneKey::parse(key).map_err(|_| missing())?;
    let zone = ctx.store().zone(&parsed).await?.ok_or_else(missing)?;
    let lifecycle = ctx.store().lifecycle(&parsed).await?.ok_or_else(missing)?;
    if !crate::visibility::may_see(viewer, &zone, Some(&lifecycle)) {
        return Err(missing());
    }
    Ok((zone, lifecycle))
}

/// A zone's place in the procedure: stage, term, history, and the actions the viewer may take now.
pub async fn get(ctx: &Context, viewer: &Viewer, key: &str) -> Result<LifecycleView, AppError> {
    let (zone, lifecycle) = visible_state(ctx, key, viewer).await?;
    view(ctx, &zone, lifecycle, viewer).await
}

/// A step's document within `DOCUMENT_BYTES`, each text within `LONG_TEXT` characters.
fn check_document(doc: &Value) -> Result<(), AppError> {
    let size = doc.to_string().len();
    if size > DOCUMENT_BYTES {
        return Err(AppError::TooLarge(format!(
            "document is {size} bytes as JSON; at most {DOCUMENT_BYTES} are accepted"
        )));
    }
    fn texts(v: &Value, path: &str) -> Result<(), AppError> {
        match v {
            Value::String(s) => check_text(path, s, LONG_TEXT).map_err(|e| invalid(e.0)),
            Value::Array(items) => items.iter().enumerate().try_for_each(|(i, x)| texts(x, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().try_for_each(|(k, x)| texts(x, &format!("{path}.{k}"))),
            _ => Ok(()),
        }
    }
    texts(doc, "document")
}

fn text<'a>(doc: &'a Value, field: &str) -> Result<&'a str, AppError> {
    doc.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("document.{field} must be a non-empty text")))
}

/// The key tasks a plan document lists (`tasks`: title, owner, deadline, expected output), each checked.
pub fn plan_tasks(doc: &Value) -> Result<Vec<ttdz_domain::lifecycle::PlanTask>, AppError> {
    let Some(tasks) = doc.get("tasks") else { return Ok(Vec::new()) };
    let tasks = tasks.as_array().ok_or_else(|| invalid("document.tasks must be a list"))?;
    tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let field = |name: &str| {
                text(t, name).map(str::to_owned).map_err(|_| invalid(format!("document.tasks[{i}].{name} is missing")))
            };
            Ok(ttdz_domain::lifecycle::PlanTask {
                title: field("title")?,
                owner: field("owner")?,
                deadline: field("deadline")?
                    .parse()
                    .map_err(|e| invalid(format!("document.tasks[{i}].deadline: {e}")))?,
                output: field("output")?,
            })
        })
        .collect()
}

/// The featured indicators (row 16) a plan document defines (`featured`: code, name, unit, direction, targets per
/// year, and either `measure: "reported"` (the annual report states the value) or a numerator and optionally a
/// denominator among the data elements and a factor), each checked.
pub fn plan_featured(doc: &Value) -> Result<Vec<ttdz_domain::FeaturedIndicator>, AppError> {
    let Some(list) = doc.get("featured") else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| invalid("document.featured must be a list"))?;
    let mut codes = std::collections::BTreeSet::new();
    list.iter()
        .enumerate()
        .map(|(i, f)| {
            let at = |field: &str| format!("document.featured[{i}].{field}");
            let field =
                |name: &str| text(f, name).map(str::to_owned).map_err(|_| invalid(format!("{} is missing", at(name))));
            let code = ttdz_domain::IndicatorCode::parse(&field("code")?)
                .map_err(|e| invalid(format!("{}: {}", at("code"), e.0)))?;
            if !codes.insert(code.clone()) {
                return Err(invalid(format!("{}: {code} is defined twice", at("code"))));
            }
            let element = |name: &str| -> Result<Option<ttdz_domain::ElementCode>, AppError> {
                let Some(given) = f.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()) else {
                    return Ok(None);
                };
                let spec = ttdz_domain::element::ElementSpec::find(given).ok_or_else(|| {
                    invalid(format!("{}: unknown data element '{given}' (see /api/v1/elements)", at(name)))
                })?;
                Ok(Some(spec.element_code()))
            };
            let reported = match f.get("measure").and_then(Value::as_str).map(str::trim) {
                None | Some("" | "ratio") => false,
                Some("reported") => true,
                Some(other) => {
                    return Err(invalid(format!("{}: '{other}' is neither 'ratio' nor 'reported'", at("measure"))));
                }
            };
            let measure = if reported {
                if let Some(field) = ["numerator", "denominator", "factor"].into_iter().find(|k| f.get(*k).is_some()) {
                    return Err(invalid(format!(
                        "{}: a featured indicator the annual report states has no formula",
                        at(field)
                    )));
                }
                if ttdz_domain::element::ElementSpec::find(code.as_str()).is_some() {
                    return Err(invalid(format!(
                        "{}: {code} is a data element of Annex 2; a reported featured indicator needs a code of its own",
                        at("code")
                    )));
                }
                ttdz_domain::FeaturedMeasure::Reported
            } else {
                let numerator = element("numerator")?.ok_or_else(|| {
                    invalid(format!("{} is missing (or set measure to 'reported' for a value the annual report states)", at("numerator")))
                })?;
                let factor = match f.get("factor").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)) {
                    None => rust_decimal::Decimal::ONE,
                    Some(text) => ttdz_domain::element::parse_amount(text.trim())
                        .map_err(|e| invalid(format!("{}: {e}", at("factor"))))?,
                };
                if factor.is_zero() {
                    return Err(invalid(format!("{}: a factor of 0 makes every value 0", at("factor"))));
                }
                ttdz_domain::FeaturedMeasure::Ratio { numerator, denominator: element("denominator")?, factor }
            };
            let direction = ttdz_domain::Direction::parse(&field("direction")?)
                .map_err(|e| invalid(format!("{}: {}", at("direction"), e.0)))?;
            let targets = f
                .get("targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(j, t)| {
                    let year = t.get("year").and_then(Value::as_i64).filter(|y| (2000..=2200).contains(y));
                    let year = year.ok_or_else(|| invalid(format!("{}[{j}].year must be a year", at("targets"))))?;
                    let value = t.get("value").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                    let value = ttdz_domain::element::parse_amount(value.unwrap_or_default().trim())
                        .map_err(|e| invalid(format!("{}[{j}].value: {e}", at("targets"))))?;
                    Ok((year as i32, value))
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(ttdz_domain::FeaturedIndicator {
                code,
                name_zh: field("name")?,
                unit_zh: f.get("unit").and_then(Value::as_str).unwrap_or_default().trim().to_owned(),
                direction,
                measure,
                targets,
            })
        })
        .collect()
}

/// The plan a zone builds on: its last plan drafted (a zone's approval follows its last draft), or for a zone
/// approved before TTDZ, the approved plan recorded since.
pub fn last_plan(state: &LifecycleState) -> Result<Option<Value>, AppError> {
    let is_plan = |action: &str| action == Action::DraftPlan.as_str() || action == Action::RecordPlan.as_str();
    let Some(plan) = state.history.iter().rev().find(|e| is_plan(&e.action)) else { return Ok(None) };
    let doc = serde_json::from_str(&plan.document)
        .map_err(|e| StoreError::Corrupt(format!("plan of lifecycle event {}: {e}", plan.id)))?;
    Ok(Some(doc))
}

/// The featured indicators of the plan a zone builds on.
pub fn approved_featured(state: &LifecycleState) -> Result<Vec<ttdz_domain::FeaturedIndicator>, AppError> {
    last_plan(state)?.map_or(Ok(Vec::new()), |plan| plan_featured(&plan))
}

/// The key tasks of the plan a zone builds on.
pub fn approved_tasks(state: &LifecycleState) -> Result<Vec<ttdz_domain::lifecycle::PlanTask>, AppError> {
    last_plan(state)?.map_or(Ok(Vec::new()), |plan| plan_tasks(&plan))
}

/// Checks the construction plan against the outline of Annex 1 and the indicator system.
fn check_plan(doc: &Value, indicators: &[ttdz_domain::Indicator]) -> Result<(), AppError> {
    let sections =
        doc.get("sections").ok_or_else(|| invalid("document.sections is missing (the outline of Annex 1)"))?;
    for section in PLAN_SECTIONS {
        if section == "总体要求" {
            let general = sections.get(section).ok_or_else(|| invalid("document.sections.总体要求 is missing"))?;
            for part in GENERAL_REQUIREMENTS {
                text(general, part)
                    .map_err(|_| invalid(format!("document.sections.总体要求.{part} must be a non-empty text")))?;
            }
        } else {
            text(sections, section)
                .map_err(|_| invalid(format!("document.sections.{section} must be a non-empty text")))?;
        }
    }
    plan_tasks(doc)?;
    plan_featured(doc)?;
    let targets =
        doc.get("targets").and_then(Value::as_array).ok_or_else(|| invalid("document.targets must be a list"))?;
    if targets.is_empty() {
        return Err(invalid("document.targets: the plan sets the zone's indicator targets per year"));
    }
    for (i, t) in targets.iter().enumerate() {
        let code = text(t, "indicator").map_err(|_| invalid(format!("document.targets[{i}].indicator is missing")))?;
        if !indicators.iter().any(|x| x.code.as_str() == code) {
            return Err(invalid(format!("document.targets[{i}].indicator: '{code}' is not an Annex 2 indicator")));
        }
        if !t.get("year").and_then(Value::as_i64).is_some_and(|y| (2000..=2200).contains(&y)) {
            return Err(invalid(format!("document.targets[{i}].year must be a year")));
        }
        let value = t.get("value").map(|v| v.to_string()).unwrap_or_default();
        ttdz_domain::element::parse_amount(value.trim_matches('"'))
            .map_err(|e| invalid(format!("document.targets[{i}].value: {e}")))?;
    }
    Ok(())
}

/// The active expert accounts a step's `document.experts` names.
async fn named_experts(ctx: &Context, doc: &Value) -> Result<Vec<String>, AppError> {
    let names = doc
        .get("experts")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| invalid("document.experts must list usernames"))?;
    let accounts = ctx.store().accounts().await?;
    names
        .iter()
        .map(|name| {
            let name = name.as_str().unwrap_or("");
            if accounts.iter().any(|a| a.username.as_str() == name && a.role == Role::Expert && !a.disabled) {
                Ok(name.to_owned())
            } else {
                Err(invalid(format!("document.experts: {name} is not an active expert account")))
            }
        })
        .collect()
}

/// An expert with a conflict of interest recuses rather than reviews or advises.
fn declared_no_conflict(doc: &Value) -> Result<(), AppError> {
    if doc.get("conflict_of_interest").and_then(Value::as_bool) != Some(false) {
        return Err(AppError::Forbidden(
            "document.conflict_of_interest must be declared false; an expert with a conflict recuses".into(),
        ));
    }
    Ok(())
}

fn lifecycle_error(e: LifecycleError) -> AppError {
    match e {
        LifecycleError::Forbidden { .. } => AppError::Forbidden(e.to_string()),
        LifecycleError::OutOfOrder { .. } => AppError::Conflict(e.to_string()),
        LifecycleError::Document(m) => invalid(m),
    }
}

/// The zone a province proposes (`propose_demand`): its members must be divisions of the proposing province.
async fn proposed_zone(ctx: &Context, viewer: &Viewer, zone_key: &ZoneKey, doc: &Value) -> Result<Zone, AppError> {
    let Viewer::Account(account) = viewer else {
        return Err(AppError::Forbidden("a zone is proposed by its province".into()));
    };
    let province = account.province.ok_or_else(|| AppError::Forbidden("a zone is proposed by its province".into()))?;
    let tree = ctx.tree(None).await?;
    let members = doc
        .get("members")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| invalid("document.members must list the zone's divisions (6-digit codes)"))?
        .iter()
        .map(|m| {
            let code = m
                .as_str()
                .and_then(|s| DivisionCode::parse(s).ok())
                .ok_or_else(|| invalid(format!("document.members: {m} is not a 6-digit code")))?;
            if tree.get(&code).is_none() || !code.is_within(&province) {
                return Err(invalid(format!("document.members: {code} is not a division of province {province}")));
            }
            Ok(code)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(twice) = members.iter().enumerate().find_map(|(i, m)| members[..i].contains(m).then_some(m)) {
        return Err(invalid(format!("document.members: {twice} is listed twice")));
    }
    text(doc, "demand")?;
    text(doc, "idea")?;
    if doc.get("consent").and_then(Value::as_bool) != Some(true) {
        return Err(invalid("document.consent must be true: the provincial government consents to the demand"));
    }
    Ok(Zone {
        key: zone_key.clone(),
        name_zh: text(doc, "name")?.to_owned(),
        short_name_zh: text(doc, "short_name")?.to_owned(),
        province,
        members,
        approved: None,
        approval_note: "proposed through TTDZ".to_owned(),
        approval_note_zh: "经本平台提出需求".to_owned(),
        source_zh: format!("{} 提出", viewer.label()),
        source: format!("proposed by {}", viewer.label()),
    })
}

/// Takes a step of the procedure, decided on version `based_on` of the zone's procedure (ignored for
/// `propose_demand`, which creates the zone). `document` carries what the step needs: propose_demand {name,
/// short_name, members, demand, idea, consent}; draft_plan {sections (Annex 1), targets [{indicator, year,
/// value}], tasks, featured}; record_plan (a zone approved before TTDZ) the same and {approval_number};
/// assign_experts {experts}; review_plan {score, comment, conflict_of_interest}; return_plan {comments};
/// start_construction {term_start, term_end} (3-5 years); evaluate_term {summary}; rectify / revoke / continue
/// {reasons}.
pub async fn take_step(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    (action, based_on): (Action, i64),
    doc: &Value,
) -> Result<LifecycleView, AppError> {
    let role = viewer.role().ok_or_else(|| AppError::Forbidden("log in first".into()))?;
    check_document(doc)?;
    let store = ctx.store();
    let zone_key = ZoneKey::parse(key).map_err(|e| AppError::Invalid(e.0))?;

    let (zone, current) = if action == Action::ProposeDemand {
        if store.zone(&zone_key).await?.is_some() {
            return Err(AppError::Conflict(format!("the zone key {key} is taken")));
        }
        next_stage(None, action, role).map_err(lifecycle_error)?;
        (proposed_zone(ctx, viewer, &zone_key, doc).await?, None)
    } else {
        let (zone, lifecycle) = visible_state(ctx, key, viewer).await?;
        (zone, Some(lifecycle))
    };

    // Who acts for which zone: the ministry for all, a province for its own, an expert where assigned and not
    // done yet.
    let reviewer = match viewer {
        Viewer::Account(account) if account.role == Role::Expert => Some(account.username.as_str()),
        _ => None,
    };
    let in_scope = match reviewer {
        Some(name) => current.as_ref().is_some_and(|c| {
            let pending = |list: &[(String, bool)]| list.iter().any(|(u, done)| u == name && !done);
            if action == Action::GiveOpinion { pending(&c.consultants) } else { pending(&c.experts) }
        }),
        None => viewer.governs(&zone.province),
    };
    if !in_scope {
        return Err(AppError::Forbidden(format!("{} may not act on zone {key}", viewer.label())));
    }
    let stage = current.as_ref().map(|c| c.stage);
    let to = next_stage(stage, action, role)
        .map_err(lifecycle_error)?
        .ok_or_else(|| AppError::Conflict(format!("{} leads to no stage", action.as_str())))?;

    let mut step = LifecycleStep {
        zone: zone_key.clone(),
        based_on: if action == Action::ProposeDemand { 0 } else { based_on },
        new_zone: None,
        action,
        from: stage,
        to,
        document: doc.to_string(),
        term: None,
        assign_experts: Vec::new(),
        reviewed_by: None,
        appoint_consultants: Vec::new(),
        consulted_by: None,
    };
    match action {
        Action::ProposeDemand => step.new_zone = Some(zone.clone()),
        Action::DraftPlan => check_plan(doc, &store.indicators().await?)?,
        Action::RecordPlan => {
            if current.as_ref().is_some_and(|c| drafted_here(action, c)) {
                return Err(AppError::Conflict(format!(
                    "zone {key} was approved on a plan drafted in TTDZ; a plan is recorded only for a zone approved before"
                )));
            }
            check_plan(doc, &store.indicators().await?)?;
            text(doc, "approval_number")?;
        }
        Action::AssignExperts => step.assign_experts = named_experts(ctx, doc).await?,
        Action::AppointExperts => step.appoint_consultants = named_experts(ctx, doc).await?,
        Action::GiveOpinion => {
            declared_no_conflict(doc)?;
            text(doc, "opinion")?;
            let name = reviewer.ok_or_else(|| AppError::Forbidden("an opinion is given by an expert".into()))?;
            step.consulted_by = Some(name.to_owned());
        }
        Action::ReviewPlan => {
            declared_no_conflict(doc)?;
            if !doc.get("score").and_then(Value::as_f64).is_some_and(|s| (0.0..=100.0).contains(&s)) {
                return Err(invalid("document.score must be from 0 to 100"));
            }
            text(doc, "comment")?;
            let name = reviewer.ok_or_else(|| AppError::Forbidden("a plan is reviewed by an expert".into()))?;
            step.reviewed_by = Some(name.to_owned());
            // The plan is reviewed when the last assigned expert has reviewed it.
            let others_pending = current.as_ref().is_some_and(|c| c.experts.iter().any(|(u, done)| !done && u != name));
            step.to = if others_pending { Stage::PlanDrafted } else { Stage::PlanReviewed };
        }
        Action::SubmitPlan => {}
        Action::ApprovePlan => {
            text(doc, "approval_number")?;
            text(doc, "approved_on")?
                .parse::<PartialDate>()
                .map_err(|e| invalid(format!("document.approved_on: {e}")))?;
        }
        Action::ReturnPlan => {
            text(doc, "comments")?;
        }
        Action::StartConstruction => {
            let date = |f: &str| -> Result<PartialDate, AppError> {
                text(doc, f)?.parse::<PartialDate>().map_err(|e| invalid(format!("document.{f}: {e}")))
            };
            let (start, end) = (date("term_start")?, date("term_end")?);
            check_term(&start, &end).map_err(lifecycle_error)?;
            step.term = Some((start.to_string(), end.to_string()));
        }
        Action::EvaluateTerm => {
            text(doc, "summary")?;
        }
        Action::Rectify | Action::Revoke | Action::Continue => {
            text(doc, "reasons")?;
        }
    }
    store.apply_lifecycle(&step, &zone_audit(viewer, origin, &zone)).await?;
    let lifecycle =
        store.lifecycle(&zone_key).await?.ok_or_else(|| AppError::NotFound(format!("zone {key} vanished")))?;
    view(ctx, &zone, lifecycle, viewer).await
}

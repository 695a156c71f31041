//! Policies in force in each zone (public), checks of their implementation (seen by those who oversee the zone),
//! and the experience library, whose entries the province proposes and the ministry publishes nationwide
//! (可复制可推广).

use serde::{Deserialize, Serialize};
use ttdz_domain::policy::{Experience, Finding, Policy, PolicyCheck, PolicyLevel};
use ttdz_domain::{PartialDate, Zone};

use crate::visibility::{oversees_zone, visible_zone, zone_for, zones_for};
use crate::{AppError, Context, Viewer, zone_audit};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckView {
    /// ISO 8601, to the precision given.
    pub checked_on: String,
    pub checked_by: String,
    /// `implemented`, `partial` or `not_implemented`.
    pub finding: &'static str,
    pub evidence: String,
    /// The qualitative row of Annex 2 the check informs (13, 14 or 15).
    pub annex_row: Option<u8>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyView {
    pub id: i64,
    pub zone: String,
    /// `national` or `local`.
    pub level: &'static str,
    pub issuer: String,
    #[cfg_attr(feature = "openapi", schema(example = "国科发创〔2017〕304号"))]
    pub number: String,
    pub issued: String,
    pub title: String,
    pub provisions: String,
    /// Oldest first; present for the ministry, experts assigned to the zone and the zone's province only.
    pub checks: Option<Vec<CheckView>>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    /// `national` or `local`.
    pub level: String,
    pub issuer: String,
    pub number: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub issued: String,
    pub title: String,
    pub provisions: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCheck {
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub checked_on: String,
    /// `implemented`, `partial` or `not_implemented`.
    pub finding: String,
    pub evidence: String,
    pub annex_row: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewExperience {
    pub title: String,
    pub summary: String,
    /// Ids of the zone's registered policies it rests on.
    #[serde(default)]
    pub policies: Vec<i64>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExperienceView {
    pub id: i64,
    pub zone: String,
    pub title: String,
    pub summary: String,
    pub policies: Vec<i64>,
    /// ISO 8601; absent while proposed (visible to the ministry and the zone's province only).
    pub published_on: Option<String>,
}

fn check_view(check: PolicyCheck) -> CheckView {
    CheckView {
        checked_on: check.checked_on.to_string(),
        checked_by: check.checked_by,
        finding: check.finding.as_str(),
        evidence: check.evidence,
        annex_row: check.annex_row,
    }
}

fn policy_view(policy: Policy, checks: Option<Vec<PolicyCheck>>) -> PolicyView {
    PolicyView {
        id: policy.id,
        zone: policy.zone.to_string(),
        level: policy.level.as_str(),
        issuer: policy.issuer,
        number: policy.number,
        issued: policy.issued.to_string(),
        title: policy.title,
        provisions: policy.provisions,
        checks: checks.map(|c| c.into_iter().map(check_view).collect()),
    }
}

fn experience_view(experience: Experience) -> ExperienceView {
    ExperienceView {
        id: experience.id,
        zone: experience.zone.to_string(),
        title: experience.title,
        summary: experience.summary,
        policies: experience.policies,
        published_on: experience.published_on,
    }
}

/// Refuses unless `viewer` governs the zone's province (the province itself or the ministry).
fn must_govern(viewer: &Viewer, zone: &Zone, what: &str) -> Result<(), AppError> {
    if viewer.governs(&zone.province) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("{} may not {what} of zone {}", viewer.label(), zone.key)))
    }
}

fn field<T, E: std::fmt::Display>(name: &str, parsed: Result<T, E>) -> Result<T, AppError> {
    parsed.map_err(|e| AppError::Rejected(format!("{name}: {e}")))
}

/// A zone's policies in force, oldest first, with the checks of their implementation for those who oversee it.
pub async fn list(ctx: &Context, viewer: &Viewer, key: &str) -> Result<Vec<PolicyView>, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    let checks = oversees_zone(ctx, viewer, &zone).await?;
    let policies = ctx.store().policies(&zone.key).await?;
    Ok(policies.into_iter().map(|(p, c)| policy_view(p, checks.then_some(c))).collect())
}

/// Registers a policy in force in a zone: its province or the ministry.
pub async fn add(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    body: NewPolicy,
) -> Result<PolicyView, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    must_govern(viewer, &zone, "register policies")?;
    let policy = Policy {
        id: 0,
        zone: zone.key.clone(),
        level: field("level", PolicyLevel::parse(body.level.trim()))?,
        issuer: body.issuer.trim().to_owned(),
        number: body.number.trim().to_owned(),
        issued: field("issued", body.issued.trim().parse::<PartialDate>())?,
        title: body.title.trim().to_owned(),
        provisions: body.provisions.trim().to_owned(),
    };
    policy.check().map_err(|e| AppError::Rejected(e.0))?;
    let id = ctx.store().add_policy(&policy, &zone_audit(viewer, origin, &zone)).await?;
    Ok(policy_view(Policy { id, ..policy }, Some(Vec::new())))
}

/// Records a check of a policy's implementation: the ministry, an expert assigned to the zone, or its province.
/// Checks drive the verdict, so an unassigned expert may not record them.
pub async fn add_check(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    policy_id: i64,
    body: NewCheck,
) -> Result<PolicyView, AppError> {
    let not_found = || AppError::NotFound(format!("no policy {policy_id}"));
    let policy = ctx.store().policy(policy_id).await?.ok_or_else(not_found)?;
    // A policy of a zone the viewer may not see is as absent as an unknown one.
    let zone = zone_for(ctx, viewer, policy.zone.as_str()).await?.ok_or_else(not_found)?;
    if !oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::Forbidden(format!("{} may not check the policies of zone {}", viewer.label(), zone.key)));
    }
    let check = PolicyCheck {
        policy: policy_id,
        checked_on: field("checked_on", body.checked_on.trim().parse::<PartialDate>())?,
        checked_by: viewer.label(),
        finding: field("finding", Finding::parse(body.finding.trim()))?,
        evidence: body.evidence.trim().to_owned(),
        annex_row: body.annex_row,
    };
    check.check().map_err(|e| AppError::Rejected(e.0))?;
    ctx.store().add_policy_check(&check, &zone_audit(viewer, origin, &zone)).await?;
    let checks = ctx.store().policies(&zone.key).await?.into_iter().find(|(p, _)| p.id == policy_id).map(|(_, c)| c);
    Ok(policy_view(policy, checks))
}

/// The experience library in the store's order: published entries of the zones the viewer may see, and proposed
/// ones of the zones whose province the viewer governs.
pub async fn experiences(ctx: &Context, viewer: &Viewer) -> Result<Vec<ExperienceView>, AppError> {
    let zones = zones_for(ctx, viewer).await?;
    let zone_of = |e: &Experience| zones.iter().find(|z| z.key == e.zone);
    let library = ctx.store().experiences().await?;
    Ok(library
        .into_iter()
        .filter(|e| zone_of(e).is_some_and(|z| e.published_on.is_some() || viewer.governs(&z.province)))
        .map(experience_view)
        .collect())
}

/// Proposes an entry for the experience library: the zone's province or the ministry. The policies it rests on
/// must be registered for the zone.
pub async fn propose(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    body: NewExperience,
) -> Result<ExperienceView, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    must_govern(viewer, &zone, "propose experience")?;
    let registered: Vec<i64> = ctx.store().policies(&zone.key).await?.into_iter().map(|(p, _)| p.id).collect();
    if let Some(stray) = body.policies.iter().find(|id| !registered.contains(id)) {
        return Err(AppError::Rejected(format!("policies: {stray} is not a registered policy of zone {key}")));
    }
    let experience = Experience {
        id: 0,
        zone: zone.key.clone(),
        title: body.title.trim().to_owned(),
        summary: body.summary.trim().to_owned(),
        policies: body.policies,
        published_on: None,
    };
    experience.check().map_err(|e| AppError::Rejected(e.0))?;
    let id = ctx.store().add_experience(&experience, &zone_audit(viewer, origin, &zone)).await?;
    Ok(experience_view(Experience { id, ..experience }))
}

/// Publishes a proposed entry nationwide, dated today (the clock's calendar day): the ministry only. Publishing
/// what is already published is a conflict, so two officials at once cannot both succeed.
pub async fn publish(ctx: &Context, viewer: &Viewer, origin: &str, id: i64) -> Result<ExperienceView, AppError> {
    viewer.must_be_ministry("publishes experience")?;
    let experience = ctx
        .store()
        .experiences()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no experience {id}")))?;
    let zone = visible_zone(ctx, viewer, experience.zone.as_str()).await?;
    let today = ctx.clock().today_iso();
    if !ctx.store().publish_experience(id, &today, &zone_audit(viewer, origin, &zone)).await? {
        return Err(AppError::Conflict(format!("experience {id} is already published")));
    }
    Ok(experience_view(Experience { published_on: Some(today), ..experience }))
}

/// An expert's grade of one of rows 13-15 for a zone and year, as sent.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGrade {
    pub year: i32,
    /// 13, 14 or 15.
    pub annex_row: u8,
    /// 1 to 5 on the row's rubric (5 the best).
    pub score: u8,
    pub reasons: String,
    pub evidence: String,
    /// Ids of the zone's registered policies the grade rests on.
    #[serde(default)]
    pub policies: Vec<i64>,
}

/// A grade as those who oversee the zone read it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeView {
    pub year: i32,
    pub annex_row: u8,
    pub graded_by: String,
    pub score: u8,
    pub reasons: String,
    pub evidence: String,
    pub policies: Vec<i64>,
    pub graded_at: String,
}

/// Grades one of rows 13-15 of a zone for a year: an expert assigned to the zone (to review its plan, or consulted
/// by the ministry), on the row's rubric, giving reasons and evidence and citing only the zone's own policies.
/// Grading the same row and year again replaces the expert's earlier grade.
pub async fn grade(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    body: NewGrade,
) -> Result<GradeView, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    let expert = match viewer {
        Viewer::Account(a) if a.role == ttdz_domain::account::Role::Expert => a.username.to_string(),
        _ => return Err(AppError::Forbidden("rows 13-15 are graded by the experts assigned to the zone".into())),
    };
    if !oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::Forbidden(format!("{expert} is not assigned to zone {key}")));
    }
    if body.year > ctx.clock().year() || body.year < 2016 {
        return Err(AppError::Rejected(format!("year: {} is not a year of the zone's work to grade", body.year)));
    }
    let registered: Vec<i64> = ctx.store().policies(&zone.key).await?.into_iter().map(|(p, _)| p.id).collect();
    if let Some(foreign) = body.policies.iter().find(|p| !registered.contains(p)) {
        return Err(AppError::Rejected(format!("policies: {foreign} is not a policy registered for zone {key}")));
    }
    for (name, text) in [("reasons", &body.reasons), ("evidence", &body.evidence)] {
        ttdz_domain::limits::check_text(name, text, ttdz_domain::limits::LONG_TEXT)
            .map_err(|e| AppError::Rejected(e.0))?;
    }
    let grade = ttdz_domain::policy::Grade {
        zone: zone.key.clone(),
        year: body.year,
        annex_row: body.annex_row,
        graded_by: expert,
        score: body.score,
        reasons: body.reasons.trim().to_owned(),
        evidence: body.evidence.trim().to_owned(),
        policies: body.policies,
        graded_at: String::new(),
    };
    grade.check().map_err(|e| AppError::Rejected(e.0))?;
    ctx.store().save_grade(&grade, &zone_audit(viewer, origin, &zone)).await?;
    let stored = ctx.store().grades().await?.into_iter().find(|g| {
        g.zone == grade.zone && g.year == grade.year && g.annex_row == grade.annex_row && g.graded_by == grade.graded_by
    });
    stored.map(grade_view).ok_or_else(|| AppError::NotFound("the grade just saved".into()))
}

fn grade_view(g: ttdz_domain::policy::Grade) -> GradeView {
    GradeView {
        year: g.year,
        annex_row: g.annex_row,
        graded_by: g.graded_by,
        score: g.score,
        reasons: g.reasons,
        evidence: g.evidence,
        policies: g.policies,
        graded_at: g.graded_at,
    }
}

/// A zone's grades of rows 13-15, for those who oversee it (everyone else sees the rows' values).
pub async fn grades(ctx: &Context, viewer: &Viewer, key: &str) -> Result<Vec<GradeView>, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    if !oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::Forbidden(format!("{} does not oversee zone {key}", viewer.label())));
    }
    Ok(ctx.store().grades().await?.into_iter().filter(|g| g.zone == zone.key).map(grade_view).collect())
}

//! Assessing achievements (科技成果评估) and the valuation helper.

use serde::Serialize;
use ttdz_domain::account::Role;
use ttdz_domain::achievement::RecordKind;

use super::{RecordView, get, visible};
use crate::{AppError, Context, Viewer};

/// An assessment as its readers see it: the scores, the conclusion, and the valuation worked out from its inputs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    pub id: i64,
    /// Who assessed it (`user:NAME`).
    pub assessor: String,
    /// ISO 8601 UTC.
    pub assessed_at: String,
    /// The scores per dimension (scientific, technical, economic, social, potential), conclusion, evidence and the
    /// valuation's inputs.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub assessment: ttdz_domain::assessment::Assessment,
    /// The mean score, 1-5.
    pub mean: String,
    /// Each approach's value with its steps, and the range they span.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub valuation: Option<ttdz_domain::assessment::Valuation>,
}

fn assessment_view(record: ttdz_store::AssessmentRecord) -> Result<AssessmentView, AppError> {
    let assessment: ttdz_domain::assessment::Assessment = serde_json::from_str(&record.body)
        .map_err(|e| ttdz_store::StoreError::Corrupt(format!("assessment {}: {e}", record.id)))?;
    let valuation = assessment.valuation.as_ref().map(|v| v.valuate()).transpose().map_err(|e| {
        ttdz_store::StoreError::Corrupt(format!("assessment {}: its valuation no longer computes: {}", record.id, e.0))
    })?;
    Ok(AssessmentView {
        id: record.id,
        assessor: record.assessor,
        assessed_at: record.assessed_at,
        mean: assessment.mean().to_string(),
        assessment,
        valuation,
    })
}

/// Who may assess an achievement: experts, institutions (transfer and assessment institutions among them) and the
/// ministry; never its own holder.
pub fn may_assess(viewer: &Viewer, record: &RecordView) -> bool {
    let role = viewer.role();
    let own = matches!(viewer, Viewer::Account(a) if record.owner.as_deref() == Some(a.username.as_str()));
    record.status == "published" && !own && matches!(role, Some(Role::Expert | Role::Institution | Role::Ministry))
}

/// Assesses a published achievement: every dimension scored 1-5 with reasons, a conclusion, evidence, and
/// optionally a valuation (each approach's inputs checked by name).
pub async fn assess(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    id: i64,
    assessment: ttdz_domain::assessment::Assessment,
) -> Result<AssessmentView, AppError> {
    let record = get(ctx, viewer, RecordKind::Achievement, id).await?;
    if !may_assess(viewer, &record) {
        return Err(AppError::Forbidden(format!(
            "{} may not assess achievement {id}: experts and institutions assess published achievements, not their own",
            viewer.label()
        )));
    }
    assessment.check().map_err(|e| AppError::Rejected(e.0))?;
    let body = serde_json::to_string(&assessment).map_err(|e| AppError::Method(format!("cannot keep it: {e}")))?;
    let audit = crate::audit(viewer, origin, record.description.division().map(|d| d.province()));
    let assessment_id = ctx.store().add_assessment(id, &body, &audit).await?;
    assessments(ctx, viewer, id)
        .await?
        .into_iter()
        .find(|a| a.id == assessment_id)
        .ok_or_else(|| AppError::NotFound("the assessment just stored".into()))
}

/// An achievement's assessments, oldest first, for whoever may see the achievement.
pub async fn assessments(ctx: &Context, viewer: &Viewer, id: i64) -> Result<Vec<AssessmentView>, AppError> {
    visible(ctx, viewer, RecordKind::Achievement, id).await?;
    ctx.store().assessments(id).await?.into_iter().map(assessment_view).collect()
}

/// The valuation helper: each approach's value from the inputs given, with every step; stores nothing.
pub fn valuate(
    input: &ttdz_domain::assessment::ValuationInput,
) -> Result<ttdz_domain::assessment::Valuation, AppError> {
    input.valuate().map_err(|e| AppError::Rejected(e.0))
}

//! The end-of-term verdict proposed for a zone (总结评估): target attainment, growth of the main indicators, the
//! policy checks of rows 13-15 and report timeliness weighed by `domain::verdict`, with every reason.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use ttdz_domain::Zone;
use ttdz_domain::verdict::{TermRecord, Thresholds, Timeliness, policy_scores, propose};

use crate::evaluation::EvaluationView;
use crate::{AppError, Context, Viewer};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonView {
    /// The verdict this reason argues for.
    pub towards: &'static str,
    pub text: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrowthView {
    pub indicator: String,
    /// Compound growth a year over the term.
    pub cagr: Option<f64>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRecordView {
    pub year: i32,
    /// `on_time`, `late` or `missing`.
    pub timeliness: &'static str,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyScoreView {
    pub annex_row: u8,
    /// Mean of the latest checks: implemented 1, partial 0.5, not implemented 0 (exact decimal).
    pub score: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdsView {
    pub revoke_below_attainment: String,
    pub rectify_below_attainment: String,
    pub min_growth: f64,
    pub max_late_reports: u32,
    pub revoke_from_missing_reports: u32,
    pub min_policy_score: String,
}

impl From<&Thresholds> for ThresholdsView {
    fn from(t: &Thresholds) -> Self {
        ThresholdsView {
            revoke_below_attainment: t.revoke_below_attainment.to_string(),
            rectify_below_attainment: t.rectify_below_attainment.to_string(),
            min_growth: t.min_growth,
            max_late_reports: t.max_late_reports,
            revoke_from_missing_reports: t.revoke_from_missing_reports,
            min_policy_score: t.min_policy_score.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerdictView {
    pub zone: String,
    /// The year whose targets and values are weighed.
    pub year: i32,
    /// `rectify` (整改), `revoke` (撤销) or `continue` (后续支持): a proposal the ministry confirms or overrides.
    pub verdict: &'static str,
    pub verdict_zh: &'static str,
    pub reasons: Vec<ReasonView>,
    /// Mean attainment of the year's targets, each capped at 100 (exact decimal, percent).
    pub attainment: Option<String>,
    pub growth: Vec<GrowthView>,
    pub reports: Vec<ReportRecordView>,
    pub policy_scores: Vec<PolicyScoreView>,
    pub thresholds: ThresholdsView,
}

/// The plan's key tasks as the latest report up to `year` that states their progress has them: how many, and how
/// many are late; `None` when the plan has no tasks or no report states them yet.
async fn task_record(
    ctx: &Context,
    zone: &Zone,
    lifecycle: Option<&ttdz_store::LifecycleState>,
    year: i32,
) -> Result<Option<(usize, usize)>, AppError> {
    let Some(lifecycle) = lifecycle else { return Ok(None) };
    let tasks = crate::lifecycle::approved_tasks(lifecycle)?;
    let first = lifecycle.term_years().map_or(year, |(start, _)| start);
    if tasks.is_empty() {
        return Ok(None);
    }
    for report_year in (first..=year).rev() {
        let Some(report) = ctx.store().annual_report(&zone.key, report_year).await? else { continue };
        let progress: Vec<crate::reports::TaskProgress> = serde_json::from_str(&report.progress_json)
            .map_err(|e| ttdz_store::StoreError::Corrupt(format!("progress of {}-{report_year}: {e}", zone.key)))?;
        if !progress.is_empty() {
            let late = progress.iter().filter(|p| p.status == "late").count();
            return Ok(Some((tasks.len(), late)));
        }
    }
    Ok(None)
}

/// The proposed verdict on a zone, for those who oversee it (the ministry, its province, its assigned experts).
/// `year` defaults to the last year of the term, or this year if earlier.
pub async fn get(ctx: &Context, viewer: &Viewer, key: &str, year: Option<i32>) -> Result<VerdictView, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    if !crate::visibility::oversees_zone(ctx, viewer, &zone).await? {
        return Err(AppError::Forbidden(format!("{} may not see the verdict on zone {key}", viewer.label())));
    }
    propose_for(ctx, &zone, year, None).await
}

/// The proposal for `zone` in `year` (default: the last year of the term, or this year if earlier). `evaluation`,
/// when the caller has it for that year already, saves computing it again.
pub async fn propose_for(
    ctx: &Context,
    zone: &Zone,
    year: Option<i32>,
    evaluation: Option<&EvaluationView>,
) -> Result<VerdictView, AppError> {
    let store = ctx.store();
    let lifecycle = store.lifecycle(&zone.key).await?;
    let term_years = lifecycle.as_ref().and_then(|l| l.term_years());
    let this_year = ctx.clock().year();
    let year = year.unwrap_or_else(|| term_years.map(|(_, end)| end).map_or(this_year, |end| end.min(this_year)));
    let computed;
    let evaluation = match evaluation.filter(|e| e.year == Some(year)) {
        Some(e) => e,
        None => {
            computed = crate::evaluation::evaluate_zones(ctx, Some(year)).await?;
            &computed
        }
    };
    let scored = evaluation.zones.iter().find(|z| z.key == zone.key.as_str());
    let settings = &ctx.settings().verdict;
    let growth = settings
        .main_indicators
        .iter()
        .map(|code| {
            (code.clone(), scored.and_then(|z| z.indicators.iter().find(|i| i.code == *code)).and_then(|i| i.cagr))
        })
        .collect();
    let today = ctx.clock().today_iso();
    let mut reports = Vec::new();
    for report_year in term_years.map_or(year, |(start, _)| start)..=year {
        if ctx.report_due(report_year) >= today {
            continue;
        }
        let report = store.annual_report(&zone.key, report_year).await?;
        let timeliness = match report {
            Some(r) if r.status.is_sent() => {
                if r.late {
                    Timeliness::Late
                } else {
                    Timeliness::OnTime
                }
            }
            _ => Timeliness::Missing,
        };
        reports.push((report_year, timeliness));
    }
    // The latest check of each policy that informs a qualitative row.
    let policy_findings = store
        .policies(&zone.key)
        .await?
        .into_iter()
        .filter_map(|(_, checks)| checks.into_iter().rev().find_map(|c| Some((c.annex_row?, c.finding))))
        .collect();
    let tasks = task_record(ctx, zone, lifecycle.as_ref(), year).await?;
    let record = TermRecord {
        attainment: scored.and_then(|z| z.target_attainment.as_deref()).and_then(|a| Decimal::from_str(a).ok()),
        growth,
        reports,
        policy_findings,
        tasks,
    };
    let proposal = propose(&record, &settings.thresholds);
    Ok(VerdictView {
        zone: zone.key.to_string(),
        year,
        verdict: proposal.verdict.as_str(),
        verdict_zh: proposal.verdict.label_zh(),
        reasons: proposal
            .reasons
            .into_iter()
            .map(|r| ReasonView { towards: r.towards.as_str(), text: r.text })
            .collect(),
        attainment: record.attainment.map(|a| a.to_string()),
        growth: record
            .growth
            .iter()
            .map(|(indicator, cagr)| GrowthView { indicator: indicator.clone(), cagr: *cagr })
            .collect(),
        reports: record
            .reports
            .iter()
            .map(|(year, t)| ReportRecordView {
                year: *year,
                timeliness: match t {
                    Timeliness::OnTime => "on_time",
                    Timeliness::Late => "late",
                    Timeliness::Missing => "missing",
                },
            })
            .collect(),
        policy_scores: policy_scores(&record.policy_findings)
            .into_iter()
            .map(|(annex_row, score)| PolicyScoreView { annex_row, score: score.to_string() })
            .collect(),
        thresholds: ThresholdsView::from(&settings.thresholds),
    })
}

//! The annual report of a zone for a year as one model (年度建设情况报告), which the page, the Markdown and the Word
//! document all render, so that a figure reads the same in each: the zone and its members, every Annex 2 row with
//! its value, the year before, growth, the plan's target and its attainment and where it comes from, the featured
//! indicators, the graded rows, the plan's tasks as the report states them, the province's written report, and
//! whether it came late. A year without data says so rather than failing.

use serde::Serialize;
use ttdz_domain::measure::Area;

use crate::format::{AreaSize, indicator_value, percent};
use crate::{AppError, Context, Viewer};

/// One row of the report's indicator table, every figure as an official reads it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRow {
    pub seq: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub previous: String,
    pub growth: String,
    pub target: String,
    pub attainment: String,
    /// The attainment as an exact ratio (1 = the target met), for the attainment chart.
    pub attainment_ratio: Option<String>,
    /// Where the value comes from: the datasets, or the experts' grades.
    pub source: String,
    pub synthetic: bool,
}

/// A key task as the year's report states it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentTask {
    pub title: String,
    pub deadline: String,
    pub status: String,
    pub evidence: String,
}

/// Everything the annual report says.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualDocument {
    pub zone_key: String,
    pub zone_name: String,
    pub province: String,
    /// Member divisions: `name (code)`.
    pub members: Vec<String>,
    pub year: i32,
    /// ISO 8601, the day it was made.
    pub made_on: String,
    pub has_data: bool,
    pub rows: Vec<DocumentRow>,
    pub featured: Vec<DocumentRow>,
    pub tasks: Vec<DocumentTask>,
    /// Every quantitative indicator over the years up to this one, for the trend charts.
    pub trends: Vec<crate::indicators::IndicatorTrend>,
    /// The province's written report, once the ministry has accepted it.
    pub text: Option<String>,
    /// The year's report as it stands (已接受, 已报送, ...), or none.
    pub report_status: Option<&'static str>,
    pub submitted_at: Option<String>,
    pub late: bool,
    /// True when any figure rests on synthetic demo data.
    pub synthetic: bool,
}

const NONE: &str = "—";

/// The annual report of zone `key` for `year`, as `viewer` may see it.
pub async fn annual(ctx: &Context, viewer: &Viewer, key: &str, year: i32) -> Result<AnnualDocument, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    let tree = ctx.tree(None).await?;
    let area = Area::Zone(zone.key.clone());
    let view = crate::indicators::area_indicators(ctx, viewer, area.clone(), zone.name_zh.clone(), Some(year)).await?;
    let evaluation = crate::evaluation::evaluate_zones(ctx, Some(year)).await?;
    let scored = evaluation.zones.iter().find(|z| z.key == zone.key.as_str());
    let target_of = |code: &str| scored.and_then(|z| z.indicators.iter().chain(&z.featured).find(|i| i.code == code));
    let size = AreaSize::Large;
    let shown = |value: Option<&str>, unit: &str, name: &str| {
        value.map_or_else(|| NONE.to_owned(), |v| indicator_value(v, unit, name, size).0)
    };
    let growth = |g: Option<&str>| {
        g.and_then(|g| g.parse::<rust_decimal::Decimal>().ok())
            .map_or_else(|| NONE.to_owned(), |g| percent(&(g * rust_decimal::Decimal::ONE_HUNDRED).to_string()))
    };
    let rows: Vec<DocumentRow> = view
        .indicators
        .iter()
        .filter(|i| i.kind != ttdz_domain::IndicatorKind::Featured)
        .map(|i| {
            let scored = target_of(&i.code);
            let sources: Vec<String> = i
                .numerator
                .iter()
                .chain(i.denominator.iter())
                .flat_map(|f| f.sources.iter().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let graded = i.kind == ttdz_domain::IndicatorKind::Qualitative;
            DocumentRow {
                seq: i.seq.to_string(),
                name: i.name_zh.clone(),
                unit: if graded { "/ 5".into() } else { i.unit_zh.clone() },
                value: if graded {
                    i.value.clone().unwrap_or_else(|| NONE.to_owned())
                } else {
                    shown(i.value.as_deref(), &i.unit_zh, &i.name_zh)
                },
                previous: shown(i.previous_value.as_deref(), &i.unit_zh, &i.name_zh),
                growth: growth(i.growth.as_deref()),
                target: scored
                    .and_then(|s| s.target.as_deref())
                    .map_or_else(|| NONE.to_owned(), |t| indicator_value(t, &i.unit_zh, &i.name_zh, size).0),
                attainment: scored.and_then(|s| s.attainment.as_deref()).map_or_else(|| NONE.to_owned(), percent),
                attainment_ratio: scored.and_then(|s| s.attainment.clone()),
                source: if graded && i.value.is_some() { "专家评分".to_owned() } else { sources.join("、") },
                synthetic: i.synthetic,
            }
        })
        .collect();
    let featured: Vec<DocumentRow> = view
        .featured
        .iter()
        .map(|f| {
            let scored = target_of(&f.code);
            DocumentRow {
                seq: "16".into(),
                name: f.name_zh.clone(),
                unit: f.unit_zh.clone(),
                value: shown(f.value.as_deref(), &f.unit_zh, &f.name_zh),
                previous: shown(f.previous_value.as_deref(), &f.unit_zh, &f.name_zh),
                growth: growth(f.growth.as_deref()),
                target: f.target.clone().unwrap_or_else(|| NONE.to_owned()),
                attainment: scored.and_then(|s| s.attainment.as_deref()).map_or_else(|| NONE.to_owned(), percent),
                attainment_ratio: scored.and_then(|s| s.attainment.clone()),
                source: f.sources.join("、"),
                synthetic: f.synthetic,
            }
        })
        .collect();
    let report = crate::reports::get(ctx, viewer, key, year).await.ok();
    let lifecycle = ctx.store().lifecycle(&zone.key).await?;
    let plan_tasks = lifecycle.as_ref().map(crate::lifecycle::approved_tasks).transpose()?.unwrap_or_default();
    let tasks = report
        .as_ref()
        .map(|r| {
            plan_tasks
                .iter()
                .zip(1u32..)
                .map(|(task, n)| {
                    let stated = r.progress.iter().find(|p| p.task == n);
                    let status = stated
                        .and_then(|p| ttdz_domain::lifecycle::TaskStatus::parse(&p.status).ok())
                        .map_or(NONE, ttdz_domain::lifecycle::TaskStatus::label_zh);
                    DocumentTask {
                        title: task.title.clone(),
                        deadline: task.deadline.to_string(),
                        status: status.to_owned(),
                        evidence: stated.map(|p| p.evidence.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let members = zone
        .members
        .iter()
        .map(|m| tree.get(m).map_or_else(|| m.to_string(), |d| format!("{}（{m}）", d.name_zh)))
        .collect();
    let province = tree.get(&zone.province).map_or_else(|| zone.province.to_string(), |d| d.name_zh.clone());
    let trends = crate::indicators::trends(ctx, viewer, area, zone.name_zh.clone(), Some(year)).await?;
    let has_data = rows.iter().chain(&featured).any(|r| r.value != NONE);
    Ok(AnnualDocument {
        zone_key: zone.key.to_string(),
        zone_name: zone.name_zh.clone(),
        province,
        members,
        year,
        made_on: ctx.clock().today_iso(),
        has_data,
        synthetic: rows.iter().chain(&featured).any(|r| r.synthetic),
        rows,
        featured,
        tasks,
        trends,
        text: report.as_ref().map(|r| r.text.clone()).filter(|t| !t.trim().is_empty()),
        report_status: report
            .as_ref()
            .filter(|r| r.version > 0)
            .and_then(|r| ttdz_domain::report::ReportStatus::parse(r.status).ok())
            .map(ttdz_domain::report::ReportStatus::label_zh),
        submitted_at: report.as_ref().and_then(|r| r.submitted_at.clone()),
        late: report.as_ref().is_some_and(|r| r.late),
    })
}

/// One zone in the national summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryZone {
    pub rank: String,
    pub name: String,
    pub score: String,
    /// Relative to the all-zone average (= 100).
    pub relative: String,
    pub group: String,
    pub attainment: String,
    pub synthetic: bool,
}

/// A published entry of the experience library, for the summary's promotion section.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryExperience {
    pub zone: String,
    pub title: String,
    pub summary: String,
    pub published_on: String,
}

/// The national summary of a year (全国示范区年度总结): every zone compared, its group, the indicators left out
/// and why, and the replicable experience the ministry has published.
#[derive(Debug, Clone, Serialize)]
pub struct NationalDocument {
    pub year: Option<i32>,
    pub made_on: String,
    pub zones: Vec<SummaryZone>,
    /// Indicators the comparison left out, with why.
    pub excluded: Vec<String>,
    pub method: String,
    pub experiences: Vec<SummaryExperience>,
    pub synthetic: bool,
}

fn group_zh(group: &str) -> &'static str {
    match group {
        "leader" => "领先",
        "strong" => "强",
        "moderate" => "中等",
        "emerging" => "新兴",
        _ => NONE,
    }
}

/// The national summary for `year` (default: the latest with data), as the public reads it.
pub async fn national(ctx: &Context, year: Option<i32>) -> Result<NationalDocument, AppError> {
    let evaluation = crate::evaluation::evaluate_zones(ctx, year).await?;
    let zones = crate::visibility::zones_for(ctx, &Viewer::Public).await?;
    let name_of =
        |key: &str| zones.iter().find(|z| z.key.as_str() == key).map_or(key.to_owned(), |z| z.name_zh.clone());
    let one = |v: Option<f64>| v.map_or_else(|| NONE.to_owned(), |v| format!("{v:.1}"));
    let experiences = crate::policies::experiences(ctx, &Viewer::Public)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(SummaryExperience {
                zone: name_of(&e.zone),
                published_on: e.published_on?,
                title: e.title,
                summary: e.summary,
            })
        })
        .collect();
    Ok(NationalDocument {
        year: evaluation.year,
        made_on: ctx.clock().today_iso(),
        synthetic: evaluation.zones.iter().any(|z| z.synthetic),
        zones: evaluation
            .zones
            .iter()
            .map(|z| SummaryZone {
                rank: z.rank.map_or_else(|| NONE.to_owned(), |r| r.to_string()),
                name: name_of(&z.key),
                score: one(z.score),
                relative: one(z.relative),
                group: z.group.map_or(NONE, group_zh).to_owned(),
                attainment: z.target_attainment.as_deref().map_or_else(|| NONE.to_owned(), percent),
                synthetic: z.synthetic,
            })
            .collect(),
        excluded: evaluation.excluded.iter().map(|e| format!("{}：{}", e.code, e.reason)).collect(),
        method: format!(
            "各定量指标按方向在示范区间作最小-最大标准化（0-100），等权算术平均得到一级指标得分与总分（{}；{}）。",
            evaluation.method.normalisation, evaluation.method.aggregation
        ),
        experiences,
    })
}

/// The end-of-term evaluation of a zone (总结评估) as a document: the proposed verdict with every reason, the
/// attainment of the targets, and the term's last year as the annual report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TermDocument {
    pub year: AnnualDocument,
    /// 整改, 撤销 or 后续支持: a proposal the ministry confirms or overrides.
    pub verdict: String,
    /// Each reason, with the verdict it argues for.
    pub reasons: Vec<(String, String)>,
    pub attainment: String,
}

fn verdict_zh(verdict: &str) -> &'static str {
    match verdict {
        "rectify" => "整改",
        "revoke" => "撤销",
        "continue" => "后续支持",
        _ => NONE,
    }
}

/// The term evaluation of zone `key` weighed on `year` (default: the last year of its term with data), for those
/// who may see the proposed verdict (the ministry, the zone's province, the experts assigned to it).
pub async fn term(ctx: &Context, viewer: &Viewer, key: &str, year: Option<i32>) -> Result<TermDocument, AppError> {
    let verdict = crate::verdict::get(ctx, viewer, key, year).await?;
    Ok(TermDocument {
        year: annual(ctx, viewer, key, verdict.year).await?,
        verdict: verdict_zh(verdict.verdict).to_owned(),
        reasons: verdict.reasons.iter().map(|r| (verdict_zh(r.towards).to_owned(), r.text.clone())).collect(),
        attainment: verdict.attainment.as_deref().map_or_else(|| NONE.to_owned(), percent),
    })
}

//! Comparative evaluation of the zones from their Annex 2 indicators: each quantitative indicator normalised
//! across the zones (min-max to [0, 100], after its direction), averaged into the Annex 2 categories and an
//! overall index, ranked, and placed in a performance group by its score relative to the all-zone average, as the
//! European Innovation Scoreboard does. Beside the scores: each indicator's growth year on year and compounded over
//! the term, and its attainment of the target the zone's construction plan set for the year.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use ttdz_domain::measure::{Area, Inputs, SourceKind, attainment, cagr};
use ttdz_domain::{IndicatorKind, Zone};
use ttdz_eval::{Aggregation, Config, Imputation, Meta, MetaNode, NodeKind, Normalisation, Panel, Treatment, evaluate};

use crate::{AppError, Context};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodView {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "minmax [0, 100] across the zones, after each indicator's direction")
    )]
    pub normalisation: &'static str,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "weighted arithmetic mean, equal weights; a missing value drops out with its weight")
    )]
    pub aggregation: &'static str,
    pub groups: GroupThresholds,
}

/// Performance groups: `leader` above `leader`, `strong` from `strong`, `moderate` from `moderate`, else
/// `emerging`; relative to the all-zone average score (= 100). Configurable; the defaults are the European
/// Innovation Scoreboard's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupThresholds {
    pub leader: f64,
    pub strong: f64,
    pub moderate: f64,
}

impl Default for GroupThresholds {
    fn default() -> Self {
        GroupThresholds { leader: 125.0, strong: 100.0, moderate: 70.0 }
    }
}

impl GroupThresholds {
    fn group(&self, relative: f64) -> &'static str {
        if relative > self.leader {
            "leader"
        } else if relative >= self.strong {
            "strong"
        } else if relative >= self.moderate {
            "moderate"
        } else {
            "emerging"
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryScore {
    pub category_zh: String,
    pub category_en: String,
    pub score: Option<f64>,
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorScore {
    pub code: String,
    pub name_zh: String,
    pub unit_zh: String,
    /// Exact decimal as a string.
    pub value: Option<String>,
    pub growth: Option<String>,
    /// Compound annual growth from `cagr_since` to the evaluated year.
    pub cagr: Option<f64>,
    /// The first year of the term with a value, else the first year with a value.
    pub cagr_since: Option<i32>,
    /// The construction plan's target for the year (exact decimal).
    pub target: Option<String>,
    /// Percent of the target attained, after the indicator's direction (exact decimal).
    pub attainment: Option<String>,
    /// Normalised score, 0 (worst zone) to 100 (best zone).
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneEvaluationView {
    pub key: String,
    pub short_name: String,
    pub score: Option<f64>,
    /// 1 = best; ties share the lowest rank.
    pub rank: Option<u32>,
    /// Score relative to the all-zone average (= 100).
    pub relative: Option<f64>,
    /// `leader`, `strong`, `moderate` or `emerging`.
    pub group: Option<&'static str>,
    /// Mean attainment of the year's plan targets in percent (the Annex 2 rows' and the featured indicators'),
    /// each capped at 100 (exact decimal); `None` without targets for the year.
    pub target_attainment: Option<String>,
    pub categories: Vec<CategoryScore>,
    pub indicators: Vec<IndicatorScore>,
    /// The zone's featured indicators (row 16): value, target and attainment, which `target_attainment` counts; not
    /// scored, as no other zone has them.
    pub featured: Vec<IndicatorScore>,
    /// True when any value behind the zone's scores is synthetic demo data.
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExcludedIndicator {
    pub code: String,
    /// Why, as a stable code: `no_values`, `one_value` or `same_value`.
    pub reason_code: &'static str,
    /// Why, in words.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationView {
    pub year: Option<i32>,
    pub years: Vec<i32>,
    pub method: MethodView,
    /// Best first.
    pub zones: Vec<ZoneEvaluationView>,
    /// Indicators left out this year, with why (no data, or the same value everywhere).
    pub excluded: Vec<ExcludedIndicator>,
    /// Only when asked for (`?robustness=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robustness: Option<RobustnessView>,
}

fn method(groups: GroupThresholds) -> MethodView {
    MethodView {
        normalisation: "minmax [0, 100] across the zones, after each indicator's direction",
        aggregation: "weighted arithmetic mean, equal weights; a missing value drops out with its weight",
        groups,
    }
}

/// Settings of the robustness analysis the API offers: reproducible (a fixed seed), small enough to answer at once.
const ROBUSTNESS_REPLICATIONS: usize = 500;
const ROBUSTNESS_SEED: u64 = 2017;
const ROBUSTNESS_WEIGHT_NOISE: f64 = 0.25;

/// How stable the ranking is under other reasonable choices of method (JRC/OECD Handbook step 7): each zone's
/// median rank and 5-95% interval over a seeded Monte Carlo of normalisations and weights, and the sensitivity of
/// the ranking to each choice with its 95% bootstrap interval.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RobustnessView {
    pub replications: usize,
    pub seed: u64,
    /// What varies.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "normalisation: minmax [0, 100], rank, z-score (mean 100, sd 10); each weight × U[0.75, 1.25]"
        )
    )]
    pub varies: &'static str,
    pub zones: Vec<ZoneRobustness>,
    pub sensitivity: Vec<SensitivityView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneRobustness {
    pub key: String,
    pub nominal_rank: Option<u32>,
    pub median_rank: Option<f64>,
    pub rank_p05: Option<f64>,
    pub rank_p95: Option<f64>,
}

/// Sensitivity indices of one choice, each ± the half-width of its 95% bootstrap confidence interval.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitivityView {
    #[cfg_attr(feature = "openapi", schema(example = "normalisation"))]
    pub factor: &'static str,
    pub first_order: f64,
    pub first_order_ci: f64,
    pub total: f64,
    pub total_ci: f64,
}

/// The zones compared for `year`, with the robustness analysis.
pub async fn evaluate_zones_with_robustness(ctx: &Context, year: Option<i32>) -> Result<EvaluationView, AppError> {
    compare(ctx, year, true).await
}

/// The zones compared for `year`.
pub async fn evaluate_zones(ctx: &Context, year: Option<i32>) -> Result<EvaluationView, AppError> {
    compare(ctx, year, false).await
}

/// The comparison at the store's current data revision, computed once per revision, year and kind.
async fn compare(ctx: &Context, year: Option<i32>, with_robustness: bool) -> Result<EvaluationView, AppError> {
    let revision = ctx.store().data_revision().await?;
    let mut cached = ctx.inner.evaluations.lock().await;
    if cached.0 != revision {
        *cached = (revision, HashMap::new());
    }
    if let Some(view) = cached.1.get(&(year, with_robustness)) {
        return Ok(view.clone());
    }
    let view = compute(ctx, year, with_robustness).await?;
    cached.1.insert((year, with_robustness), view.clone());
    Ok(view)
}

async fn compute(ctx: &Context, year: Option<i32>, with_robustness: bool) -> Result<EvaluationView, AppError> {
    let store = ctx.store();
    let groups = ctx.settings().groups;
    let data = crate::indicators::IndicatorData::current(ctx).await?;
    let tree = &data.tree;
    // Only zones from approval on are compared: before it a zone is not public, and it has no term to measure.
    let zones: Vec<Zone> = crate::visibility::zones_for(ctx, &crate::Viewer::Public).await?;
    let indicators = &data.indicators;
    let reported = &data.reported;
    let synthetic_sources: BTreeSet<String> =
        data.datasets.values().filter(|d| d.kind == SourceKind::Synthetic).map(|d| d.dataset.name.clone()).collect();
    let inputs = Inputs { tree, zones: &zones, reported };
    let years = inputs.years(indicators);
    let mut plans = Vec::with_capacity(zones.len());
    for zone in &zones {
        plans.push(Plan::of(store.lifecycle(&zone.key).await?));
    }
    let Some(year) = year.or_else(|| years.last().copied()) else {
        return Ok(EvaluationView {
            year: None,
            years,
            method: method(groups),
            zones: Vec::new(),
            excluded: Vec::new(),
            robustness: None,
        });
    };

    let mut excluded = Vec::new();
    let mut nodes = Vec::new();
    let mut values: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let mut cells = HashMap::new();
    // Rows 13-15: each zone's mean grade for the year, where experts have graded it.
    let mut graded: HashMap<String, Vec<Option<Decimal>>> = HashMap::new();
    let mut synthetic = vec![false; zones.len()];
    let mut categories: Vec<(String, String)> = Vec::new();
    for i in indicators.iter().filter(|i| matches!(i.kind, IndicatorKind::Quantitative | IndicatorKind::Qualitative)) {
        let (zone_cells, grades) = if i.kind == IndicatorKind::Quantitative {
            (zones.iter().map(|z| inputs.cell(i, &Area::Zone(z.key.clone()), year)).collect(), Vec::new())
        } else {
            let grades = zones.iter().map(|z| data.graded.get(&(z.key.clone(), year, i.seq)).copied()).collect();
            (Vec::new(), grades)
        };
        let numbers: Vec<Option<f64>> = if i.kind == IndicatorKind::Quantitative {
            zone_cells.iter().map(|c| c.value.as_ref().and_then(|v| v.value.to_f64())).collect()
        } else {
            grades.iter().map(|g: &Option<Decimal>| g.and_then(|d| d.to_f64())).collect()
        };
        let distinct: BTreeSet<u64> = numbers.iter().flatten().map(|v| v.to_bits()).collect();
        let reason = match numbers.iter().flatten().count() {
            0 => Some(("no_values", "no zone has a value")),
            1 => Some(("one_value", "only one zone has a value")),
            _ if distinct.len() < 2 => Some(("same_value", "every zone has the same value")),
            _ => None,
        };
        if let Some((reason_code, reason)) = reason {
            excluded.push(ExcludedIndicator { code: i.code.to_string(), reason_code, reason: reason.to_owned() });
            continue;
        }
        for (z, cell) in zone_cells.iter().enumerate() {
            if let Some(v) = &cell.value
                && v.numerator
                    .sources
                    .iter()
                    .chain(v.denominator.iter().flat_map(|d| &d.sources))
                    .any(|s| synthetic_sources.contains(s))
            {
                synthetic[z] = true;
            }
        }
        let category = match categories.iter().position(|(zh, _)| *zh == i.category_zh) {
            Some(p) => p,
            None => {
                categories.push((i.category_zh.clone(), i.category_en.clone()));
                categories.len() - 1
            }
        };
        nodes.push(MetaNode {
            code: i.code.to_string(),
            level: 1,
            kind: NodeKind::Indicator,
            direction: f64::from(i.direction.map_or(1, |d| d.sign())),
            weight: 1.0,
            target: None,
            denominator: None,
            parent: Some(format!("category{category}")),
            goalposts: None,
        });
        values.insert(i.code.to_string(), numbers);
        if i.kind == IndicatorKind::Quantitative {
            cells.insert(i.code.to_string(), zone_cells);
        } else {
            graded.insert(i.code.to_string(), grades);
        }
    }
    if nodes.is_empty() {
        return Ok(EvaluationView {
            year: Some(year),
            years,
            method: method(groups),
            zones: Vec::new(),
            excluded,
            robustness: None,
        });
    }
    for c in 0..categories.len() {
        nodes.push(aggregate(format!("category{c}"), 2, Some("index".to_owned())));
    }
    nodes.push(aggregate("index".to_owned(), 3, None));
    let fail = |e: ttdz_eval::EvalError| AppError::Method(e.to_string());
    let meta = Meta::new(nodes).map_err(fail)?;
    let keys: Vec<String> = zones.iter().map(|z| z.key.to_string()).collect();
    let panel = Panel::new(keys.clone(), values, &meta).map_err(fail)?;
    let config = Config {
        year: Some(year),
        impute: Imputation::None,
        min_availability: None,
        treat: Treatment::None,
        normalise: Normalisation::MinMax { low: 0.0, high: 100.0 },
        aggregate: Aggregation::Arithmetic,
        uncertainty: None,
    };
    let results = evaluate(&panel, &meta, &config).map_err(fail)?;
    let robustness = if with_robustness && keys.len() >= 2 {
        let spec = ttdz_eval::Uncertainty {
            replications: ROBUSTNESS_REPLICATIONS,
            seed: ROBUSTNESS_SEED,
            imputations: Vec::new(),
            normalisations: vec![
                Normalisation::MinMax { low: 0.0, high: 100.0 },
                Normalisation::Rank,
                Normalisation::ZScore { mean: 100.0, sd: 10.0 },
            ],
            aggregations: Vec::new(),
            weight_noise: ROBUSTNESS_WEIGHT_NOISE,
            sensitivity: true,
        };
        let report = ttdz_eval::analyse(&panel, &meta, &config, &spec).map_err(fail)?;
        Some(RobustnessView {
            replications: spec.replications,
            seed: spec.seed,
            varies: "normalisation: minmax [0, 100], rank, z-score (mean 100, sd 10); each weight × U[0.75, 1.25]",
            zones: report
                .units
                .into_iter()
                .map(|u| ZoneRobustness {
                    key: u.unit,
                    nominal_rank: u.nominal_rank,
                    median_rank: u.median_rank,
                    rank_p05: u.rank_p05,
                    rank_p95: u.rank_p95,
                })
                .collect(),
            sensitivity: report
                .sensitivity
                .into_iter()
                .map(|s| SensitivityView {
                    factor: s.factor,
                    first_order: s.first_order,
                    first_order_ci: s.first_order_ci,
                    total: s.total,
                    total_ci: s.total_ci,
                })
                .collect(),
        })
    } else {
        None
    };
    let score = |code: &str, unit: &str| results.scores.iter().find(|s| s.code == code && s.unit == unit);
    let index_scores: Vec<f64> = keys.iter().filter_map(|k| score("index", k).and_then(|s| s.score)).collect();
    let average = ttdz_eval::stats::mean(&index_scores);

    let mut out: Vec<ZoneEvaluationView> = zones
        .iter()
        .enumerate()
        .map(|(z, zone)| {
            let key = zone.key.as_str();
            let overall = score("index", key);
            let relative = match (overall.and_then(|s| s.score), average) {
                (Some(s), Some(a)) if a > 0.0 => Some(s / a * 100.0),
                _ => None,
            };
            let scored: Vec<(IndicatorScore, Option<Decimal>)> = indicators
                .iter()
                .filter_map(|i| {
                    let (value, growth) = match cells.get(i.code.as_str()) {
                        Some(cells) => (cells[z].value.as_ref().map(|v| v.value), cells[z].growth),
                        None => (graded.get(i.code.as_str())?[z], None),
                    };
                    let quantitative = i.kind == IndicatorKind::Quantitative;
                    let target = plans[z].targets.get(&(i.code.to_string(), year)).copied();
                    let attainment = match (value, target, i.direction) {
                        (Some(v), Some(t), Some(d)) => attainment(v, t, d),
                        _ => None,
                    };
                    let first_value_from = |start: i32| {
                        years
                            .iter()
                            .copied()
                            .filter(|y| (start..year).contains(y))
                            .filter(|_| quantitative)
                            .find_map(|y| Some((y, inputs.cell(i, &Area::Zone(zone.key.clone()), y).value?.value)))
                    };
                    let since = plans[z]
                        .term_start
                        .and_then(first_value_from)
                        .or_else(|| years.first().copied().and_then(first_value_from));
                    let compounded = match (since, value) {
                        (Some((first_year, first)), Some(last)) => cagr(first, last, year - first_year),
                        _ => None,
                    };
                    Some((
                        IndicatorScore {
                            code: i.code.to_string(),
                            name_zh: i.name_zh.clone(),
                            unit_zh: i.unit_zh.clone(),
                            value: value.map(|v| v.to_string()),
                            growth: growth.map(|g| g.round_dp(6).normalize().to_string()),
                            cagr: compounded,
                            cagr_since: compounded.and(since.map(|(y, _)| y)),
                            target: target.map(|t| t.to_string()),
                            attainment: attainment.map(|a| a.to_string()),
                            score: results
                                .indicator_scores
                                .iter()
                                .find(|s| s.code == i.code.as_str() && s.unit == key)
                                .and_then(|s| s.score),
                        },
                        attainment,
                    ))
                })
                .collect();
            // Row 16: the zone's own indicators are not compared with other zones', but their targets count.
            let featured: Vec<(IndicatorScore, Option<Decimal>)> = data
                .featured
                .get(&zone.key)
                .into_iter()
                .flatten()
                .map(|f| {
                    let cell = inputs.cell(&f.as_indicator(), &Area::Zone(zone.key.clone()), year);
                    let value = cell.value.as_ref().map(|v| v.value);
                    let target = f.target(year);
                    let attained = match (value, target) {
                        (Some(v), Some(t)) => attainment(v, t, f.direction),
                        _ => None,
                    };
                    let view = IndicatorScore {
                        code: f.code.to_string(),
                        name_zh: f.name_zh.clone(),
                        unit_zh: f.unit_zh.clone(),
                        value: value.map(|v| v.round_dp(6).normalize().to_string()),
                        growth: cell.growth.map(|g| g.round_dp(6).normalize().to_string()),
                        cagr: None,
                        cagr_since: None,
                        target: target.map(|t| t.to_string()),
                        attainment: attained.map(|a| a.to_string()),
                        score: None,
                    };
                    (view, attained)
                })
                .collect();
            ZoneEvaluationView {
                key: key.to_owned(),
                short_name: zone.short_name_zh.clone(),
                score: overall.and_then(|s| s.score),
                rank: overall.and_then(|s| s.rank),
                relative,
                group: relative.map(|r| groups.group(r)),
                categories: categories
                    .iter()
                    .enumerate()
                    .map(|(c, (zh, en))| {
                        let s = score(&format!("category{c}"), key);
                        CategoryScore {
                            category_zh: zh.clone(),
                            category_en: en.clone(),
                            score: s.and_then(|s| s.score),
                            rank: s.and_then(|s| s.rank),
                        }
                    })
                    .collect(),
                target_attainment: mean_capped_attainment(
                    &scored.iter().chain(&featured).filter_map(|(_, a)| *a).collect::<Vec<_>>(),
                ),
                indicators: scored.into_iter().map(|(s, _)| s).collect(),
                featured: featured.into_iter().map(|(s, _)| s).collect(),
                synthetic: synthetic[z],
            }
        })
        .collect();
    out.sort_by_key(|z| (z.rank.is_none(), z.rank, z.key.clone()));
    Ok(EvaluationView { year: Some(year), years, method: method(groups), zones: out, excluded, robustness })
}

fn aggregate(code: String, level: u32, parent: Option<String>) -> MetaNode {
    MetaNode {
        code,
        level,
        kind: NodeKind::Aggregate,
        direction: 1.0,
        weight: 1.0,
        target: None,
        denominator: None,
        parent,
        goalposts: None,
    }
}

/// What a zone's construction plan says about its evaluation: the first year of its term, and its indicator targets
/// by (indicator code, year), from the latest draft_plan step.
struct Plan {
    term_start: Option<i32>,
    targets: HashMap<(String, i32), Decimal>,
}

impl Plan {
    fn of(lifecycle: Option<ttdz_store::LifecycleState>) -> Plan {
        let Some(lifecycle) = lifecycle else { return Plan { term_start: None, targets: HashMap::new() } };
        let term_start = lifecycle.term_years().map(|(start, _)| start);
        // A plan that no longer parses sets no targets here; the pages that read it report it as corrupt.
        let document = crate::lifecycle::last_plan(&lifecycle).ok().flatten();
        // The lifecycle step checked every target when the plan was drafted; anything else here is skipped.
        let targets = document
            .as_ref()
            .and_then(|d| d.get("targets")?.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| {
                let code = t.get("indicator")?.as_str()?.to_owned();
                let year = i32::try_from(t.get("year")?.as_i64()?).ok()?;
                let value = match t.get("value")? {
                    serde_json::Value::String(s) => ttdz_domain::element::parse_amount(s).ok()?,
                    serde_json::Value::Number(n) => ttdz_domain::element::parse_amount(&n.to_string()).ok()?,
                    _ => return None,
                };
                Some(((code, year), value))
            })
            .collect();
        Plan { term_start, targets }
    }
}

/// The mean of the attainments given, each capped at 100 (a target exceeded counts as met, as in the standard-value
/// method); `None` when there are none.
fn mean_capped_attainment(attainments: &[Decimal]) -> Option<String> {
    if attainments.is_empty() {
        return None;
    }
    let sum: Decimal = attainments.iter().map(|a| (*a).min(Decimal::ONE_HUNDRED)).sum();
    Some((sum / Decimal::from(attainments.len())).round_dp(6).normalize().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttdz_domain::lifecycle::Stage;
    use ttdz_store::{LifecycleEvent, LifecycleState};

    fn event(action: &str, document: &str) -> LifecycleEvent {
        LifecycleEvent {
            id: 1,
            action: action.into(),
            actor: "user:jiangsu".into(),
            at: "2026-01-01".into(),
            from: None,
            to: "plan_drafted".into(),
            document: document.into(),
        }
    }

    #[test]
    fn the_latest_plan_sets_the_targets_and_the_term_its_start() {
        let state = LifecycleState {
            stage: Stage::UnderConstruction,
            term: Some(("2027-01-01".into(), "2030-12-31".into(), false)),
            version: 3,
            history: vec![
                event(
                    "draft_plan",
                    r#"{"targets": [{"indicator": "contract_turnover", "year": 2027, "value": "100"}]}"#,
                ),
                event(
                    "draft_plan",
                    r#"{"targets": [{"indicator": "contract_turnover", "year": 2027, "value": 120.5},
                                    {"indicator": "tech_brokers", "year": 2028, "value": "300"}]}"#,
                ),
                event("approve_plan", "{}"),
            ],
            experts: Vec::new(),
            consultants: Vec::new(),
        };
        let plan = Plan::of(Some(state));
        assert_eq!(plan.term_start, Some(2027));
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        assert_eq!(plan.targets.get(&("contract_turnover".to_owned(), 2027)), Some(&d("120.5")), "the revised plan");
        assert_eq!(plan.targets.len(), 2);
        assert!(Plan::of(None).targets.is_empty());
    }

    #[test]
    fn groups_follow_their_thresholds() {
        let eis = GroupThresholds::default();
        let groups: Vec<&str> = [130.0, 125.0, 100.0, 99.9, 70.0, 69.9].iter().map(|r| eis.group(*r)).collect();
        assert_eq!(groups, ["leader", "strong", "strong", "moderate", "moderate", "emerging"]);
        let strict = GroupThresholds { leader: 150.0, ..eis };
        assert_eq!(strict.group(130.0), "strong");
    }

    #[test]
    fn attainment_is_averaged_with_each_target_capped_at_met() {
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        assert_eq!(mean_capped_attainment(&[d("80"), d("130")]), Some("90".to_owned()));
        assert_eq!(mean_capped_attainment(&[]), None);
    }
}

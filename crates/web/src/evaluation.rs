//! Comparative evaluation of the zones from their Annex 2 indicators: each quantitative indicator normalised
//! across the zones (min-max to [0, 100], after its direction), averaged into the Annex 2 categories and an
//! overall index, ranked, and placed in a performance group by its score relative to the all-zone average, as the
//! European Innovation Scoreboard does. Target attainment joins when the zones' plans carry targets.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use ttdz_domain::measure::{Area, Inputs, SourceKind};
use ttdz_domain::{IndicatorKind, Zone};
use ttdz_eval::{Aggregation, Config, Imputation, Meta, MetaNode, NodeKind, Normalisation, Panel, Treatment, evaluate};
use ttdz_store::reported_for;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// Performance groups by score relative to the all-zone average (= 100).
pub const LEADER_ABOVE: f64 = 125.0;
pub const STRONG_ABOVE: f64 = 100.0;
pub const MODERATE_ABOVE: f64 = 70.0;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodView {
    #[schema(example = "minmax [0, 100] across the zones, after each indicator's direction")]
    pub normalisation: &'static str,
    #[schema(example = "weighted arithmetic mean, equal weights; a missing value drops out with its weight")]
    pub aggregation: &'static str,
    pub groups: GroupThresholds,
}

/// Performance groups: `leader` above `leader`, `strong` above `strong`, `moderate` above `moderate`, else
/// `emerging`; relative to the all-zone average score (= 100).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupThresholds {
    pub leader: f64,
    pub strong: f64,
    pub moderate: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryScore {
    pub category_zh: String,
    pub category_en: String,
    pub score: Option<f64>,
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorScore {
    pub code: String,
    pub name_zh: String,
    pub unit_zh: String,
    /// Exact decimal as a string.
    pub value: Option<String>,
    pub growth: Option<String>,
    /// Normalised score, 0 (worst zone) to 100 (best zone).
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub categories: Vec<CategoryScore>,
    pub indicators: Vec<IndicatorScore>,
    /// True when any value behind the zone's scores is synthetic demo data.
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExcludedIndicator {
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationView {
    pub year: Option<i32>,
    pub years: Vec<i32>,
    pub method: MethodView,
    /// Best first.
    pub zones: Vec<ZoneEvaluationView>,
    /// Indicators left out this year, with why (no data, or the same value everywhere).
    pub excluded: Vec<ExcludedIndicator>,
}

fn group(relative: f64) -> &'static str {
    if relative > LEADER_ABOVE {
        "leader"
    } else if relative > STRONG_ABOVE {
        "strong"
    } else if relative > MODERATE_ABOVE {
        "moderate"
    } else {
        "emerging"
    }
}

fn method() -> MethodView {
    MethodView {
        normalisation: "minmax [0, 100] across the zones, after each indicator's direction",
        aggregation: "weighted arithmetic mean, equal weights; a missing value drops out with its weight",
        groups: GroupThresholds { leader: LEADER_ABOVE, strong: STRONG_ABOVE, moderate: MODERATE_ABOVE },
    }
}

pub async fn evaluate_zones(state: &AppState, year: Option<i32>) -> Result<EvaluationView, ApiError> {
    let store = state.store();
    let tree = state.tree(None).await?;
    let zones: Vec<Zone> = store.zones().await?;
    let indicators = store.indicators().await?;
    let reported = reported_for(store, &indicators).await?;
    let synthetic_sources: BTreeSet<String> = store
        .datasets()
        .await?
        .into_iter()
        .filter(|d| d.kind == SourceKind::Synthetic)
        .map(|d| d.dataset.name)
        .collect();
    let inputs = Inputs { tree: &tree, zones: &zones, reported: &reported };
    let years = inputs.years(&indicators);
    let Some(year) = year.or_else(|| years.last().copied()) else {
        return Ok(EvaluationView { year: None, years, method: method(), zones: Vec::new(), excluded: Vec::new() });
    };

    let mut excluded = Vec::new();
    let mut nodes = Vec::new();
    let mut values: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let mut cells = HashMap::new();
    let mut synthetic = vec![false; zones.len()];
    let mut categories: Vec<(String, String)> = Vec::new();
    for i in indicators.iter().filter(|i| i.kind == IndicatorKind::Quantitative) {
        let zone_cells: Vec<_> = zones.iter().map(|z| inputs.cell(i, &Area::Zone(z.key.clone()), year)).collect();
        let numbers: Vec<Option<f64>> =
            zone_cells.iter().map(|c| c.value.as_ref().and_then(|v| v.value.to_f64())).collect();
        let distinct: BTreeSet<u64> = numbers.iter().flatten().map(|v| v.to_bits()).collect();
        let reason = match numbers.iter().flatten().count() {
            0 => Some("no zone has a value".to_owned()),
            1 => Some("only one zone has a value".to_owned()),
            _ if distinct.len() < 2 => Some("every zone has the same value".to_owned()),
            _ => None,
        };
        if let Some(reason) = reason {
            excluded.push(ExcludedIndicator { code: i.code.to_string(), reason });
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
        cells.insert(i.code.to_string(), zone_cells);
    }
    if nodes.is_empty() {
        return Ok(EvaluationView { year: Some(year), years, method: method(), zones: Vec::new(), excluded });
    }
    for c in 0..categories.len() {
        nodes.push(aggregate(format!("category{c}"), 2, Some("index".to_owned())));
    }
    nodes.push(aggregate("index".to_owned(), 3, None));
    let fail = |e: ttdz_eval::EvalError| {
        ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    };
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
            ZoneEvaluationView {
                key: key.to_owned(),
                short_name: zone.short_name_zh.clone(),
                score: overall.and_then(|s| s.score),
                rank: overall.and_then(|s| s.rank),
                relative,
                group: relative.map(group),
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
                indicators: indicators
                    .iter()
                    .filter_map(|i| {
                        let cell = &cells.get(i.code.as_str())?[z];
                        Some(IndicatorScore {
                            code: i.code.to_string(),
                            name_zh: i.name_zh.clone(),
                            unit_zh: i.unit_zh.clone(),
                            value: cell.value.as_ref().map(|v| v.value.to_string()),
                            growth: cell.growth.map(|g| g.round_dp(6).normalize().to_string()),
                            score: results
                                .indicator_scores
                                .iter()
                                .find(|s| s.code == i.code.as_str() && s.unit == key)
                                .and_then(|s| s.score),
                        })
                    })
                    .collect(),
                synthetic: synthetic[z],
            }
        })
        .collect();
    out.sort_by_key(|z| (z.rank.is_none(), z.rank, z.key.clone()));
    Ok(EvaluationView { year: Some(year), years, method: method(), zones: out, excluded })
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

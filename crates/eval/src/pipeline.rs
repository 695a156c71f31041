//! The steps, in order: denominate, impute, screen, treat, normalise, aggregate, rank.

use std::collections::HashMap;

use crate::config::{Aggregation, Config, Fallback, Imputation, Normalisation, Treatment};
use crate::input::{Meta, Panel};
use crate::{EvalError, stats};

/// A unit's score and rank (1 = best, ties sharing the lowest rank) at one aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub unit: String,
    pub code: String,
    pub score: Option<f64>,
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Every aggregate (in iMeta order) for every unit kept (in iData order).
    pub scores: Vec<Score>,
    /// Every indicator's normalised value, and the rank it gives, likewise.
    pub indicator_scores: Vec<Score>,
    /// Units dropped by the screen, with their data availability.
    pub screened_out: Vec<(String, f64)>,
}

type Column = Vec<Option<f64>>;

fn present(x: &[Option<f64>]) -> Vec<f64> {
    x.iter().flatten().copied().collect()
}

/// Runs the whole pipeline.
pub fn evaluate(panel: &Panel, meta: &Meta, config: &Config) -> Result<Results, EvalError> {
    let prepared = prepare(panel, meta, config)?;
    let weights: HashMap<&str, f64> = meta.nodes.iter().map(|n| (n.code.as_str(), n.weight)).collect();
    let data = aggregate_tree(&prepared, meta, &weights, config.aggregate)?;
    let scores_of = |nodes: &mut dyn Iterator<Item = &crate::MetaNode>| {
        let mut out = Vec::new();
        for node in nodes {
            let x = &data[&node.code];
            let ranks = stats::rank_descending(x);
            for (i, unit) in prepared.units.iter().enumerate() {
                out.push(Score { unit: unit.clone(), code: node.code.clone(), score: x[i], rank: ranks[i] });
            }
        }
        out
    };
    let scores = scores_of(&mut meta.aggregates());
    let indicator_scores = scores_of(&mut meta.indicators());
    Ok(Results { scores, indicator_scores, screened_out: prepared.screened_out })
}

/// The indicators as aggregation receives them: denominated, imputed, screened, treated and normalised.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub units: Vec<String>,
    pub data: HashMap<String, Column>,
    pub screened_out: Vec<(String, f64)>,
}

/// Every aggregate of the tree, level by level, with the given weights (by node code).
pub(crate) fn aggregate_tree(
    prepared: &Prepared,
    meta: &Meta,
    weights: &HashMap<&str, f64>,
    method: Aggregation,
) -> Result<HashMap<String, Column>, EvalError> {
    let mut data = prepared.data.clone();
    let mut levels: Vec<u32> = meta.aggregates().map(|a| a.level).collect();
    levels.sort_unstable();
    levels.dedup();
    for level in levels {
        for agg in meta.aggregates().filter(|a| a.level == level) {
            let children: Vec<(&Column, f64)> = meta
                .children(&agg.code)
                .map(|c| (&data[&c.code], weights.get(c.code.as_str()).copied().unwrap_or(c.weight)))
                .collect();
            let mut out = Vec::with_capacity(prepared.units.len());
            for (i, unit) in prepared.units.iter().enumerate() {
                let pairs: Vec<(f64, f64)> = children.iter().filter_map(|(x, w)| x[i].map(|v| (v, *w))).collect();
                out.push(
                    aggregate(&pairs, method)
                        .map_err(|m| EvalError::Method(format!("{} for unit {unit}: {m}", agg.code)))?,
                );
            }
            data.insert(agg.code.clone(), out);
        }
    }
    Ok(data)
}

/// Denominate, impute, screen, treat and normalise.
pub(crate) fn prepare(panel: &Panel, meta: &Meta, config: &Config) -> Result<Prepared, EvalError> {
    let mut units: Vec<String> = panel.units.clone();
    let mut data: HashMap<String, Column> = HashMap::new();

    // Denominate.
    for node in meta.indicators() {
        let mut x = panel.values[&node.code].clone();
        if let Some(d) = &node.denominator {
            let den = &panel.denominators[d];
            for (i, v) in x.iter_mut().enumerate() {
                *v = match (*v, den[i]) {
                    (Some(a), Some(b)) if b != 0.0 => Some(a / b),
                    (Some(_), Some(_)) => {
                        return Err(EvalError::Method(format!("denominator {d} is zero for unit {}", panel.units[i])));
                    }
                    _ => None,
                };
            }
        }
        data.insert(node.code.clone(), x);
    }

    // Impute.
    let group_of = |name: &str| -> Result<&Vec<Option<String>>, EvalError> {
        panel
            .groups
            .get(name)
            .ok_or_else(|| EvalError::Config(format!("[impute] group = \"{name}\" is no Group column of iMeta")))
    };
    for (code, x) in data.iter_mut() {
        match &config.impute {
            Imputation::None => {}
            Imputation::LatestYear => {
                if let Some(carried) = panel.carry.get(code) {
                    x.iter_mut().zip(carried).filter(|(v, _)| v.is_none()).for_each(|(v, c)| *v = *c);
                }
            }
            Imputation::Mean | Imputation::Median => {
                let fill = if config.impute == Imputation::Mean {
                    stats::mean(&present(x))
                } else {
                    stats::median(&present(x))
                };
                x.iter_mut().filter(|v| v.is_none()).for_each(|v| *v = fill);
            }
            Imputation::GroupMean(g) | Imputation::GroupMedian(g) => {
                let groups = group_of(g)?;
                let original = x.clone();
                for (i, v) in x.iter_mut().enumerate() {
                    if v.is_some() {
                        continue;
                    }
                    let Some(mine) = &groups[i] else { continue };
                    let peers: Vec<f64> = original
                        .iter()
                        .zip(groups)
                        .filter(|(_, g)| g.as_ref() == Some(mine))
                        .filter_map(|(v, _)| *v)
                        .collect();
                    *v = if matches!(config.impute, Imputation::GroupMean(_)) {
                        stats::mean(&peers)
                    } else {
                        stats::median(&peers)
                    };
                }
            }
        }
    }

    // Screen: data availability of each unit over the indicators, as the data stand after imputation (as COINr).
    let mut screened_out = Vec::new();
    if let Some(threshold) = config.min_availability {
        let count = meta.indicators().count() as f64;
        let keep: Vec<bool> = (0..units.len())
            .map(|i| {
                let available = meta.indicators().filter(|n| data[&n.code][i].is_some()).count() as f64 / count;
                if available < threshold {
                    screened_out.push((units[i].clone(), available));
                }
                available >= threshold
            })
            .collect();
        for x in data.values_mut() {
            let mut k = keep.iter();
            x.retain(|_| *k.next().unwrap_or(&true));
        }
        let mut k = keep.iter();
        units.retain(|_| *k.next().unwrap_or(&true));
        if units.is_empty() {
            return Err(EvalError::Method("the screen dropped every unit".into()));
        }
    }

    // Treat.
    if let Treatment::Winsorise { max_points, skew, kurtosis, fallback } = config.treat {
        for x in data.values_mut() {
            treat(x, max_points, skew, kurtosis, fallback);
        }
    }

    // Normalise, each indicator multiplied by its direction first.
    for node in meta.indicators() {
        let x = data.get_mut(&node.code).ok_or_else(|| EvalError::Method(format!("no data for {}", node.code)))?;
        normalise(x, node, &config.normalise)?;
    }

    Ok(Prepared { units, data, screened_out })
}

fn passes(x: &[f64], skew: f64, kurtosis: f64) -> Option<bool> {
    Some(stats::skew(x)?.abs() < skew || stats::kurt(x)? < kurtosis)
}

/// COINr's two-step outlier treatment. An indicator passes when |skewness| < `skew` or kurtosis < `kurtosis`. One
/// that fails is winsorised: while it fails, every value tied at the extreme on the side of the skew takes the next
/// value inward, until it passes or the last step has pulled in `max_points` points or more (COINr counts the
/// points at the extremes after each step). If it still fails, the original values are log-transformed instead.
fn treat(x: &mut Column, max_points: usize, skew: f64, kurtosis: f64, fallback: Fallback) {
    let values = present(x);
    if passes(&values, skew, kurtosis) != Some(false) {
        return;
    }
    let original = x.clone();
    let mut high: Vec<usize> = Vec::new();
    let mut low: Vec<usize> = Vec::new();
    let mut passing = false;
    while !passing && high.len() + low.len() < max_points {
        let now = present(x);
        let upward = stats::skew(&now).is_some_and(|s| s >= 0.0);
        let extreme = if upward {
            now.iter().copied().fold(f64::MIN, f64::max)
        } else {
            now.iter().copied().fold(f64::MAX, f64::min)
        };
        let at: Vec<usize> = x.iter().enumerate().filter(|(_, v)| **v == Some(extreme)).map(|(i, _)| i).collect();
        let rest = x.iter().enumerate().filter(|(i, _)| !at.contains(i)).filter_map(|(_, v)| *v);
        let next = if upward { rest.fold(f64::MIN, f64::max) } else { rest.fold(f64::MAX, f64::min) };
        if at.len() == now.len() {
            break;
        }
        for &i in &at {
            x[i] = Some(next);
        }
        if upward {
            high = at;
        } else {
            low = at;
        }
        passing = passes(&present(x), skew, kurtosis) == Some(true);
    }
    if passing {
        return;
    }
    match fallback {
        Fallback::None => {}
        Fallback::LogCt => {
            let v = present(&original);
            let (min, max) = (v.iter().copied().fold(f64::MAX, f64::min), v.iter().copied().fold(f64::MIN, f64::max));
            *x = original.iter().map(|o| o.map(|o| (o - min + 0.01 * (max - min)).ln())).collect();
        }
    }
}

fn normalise(x: &mut Column, node: &crate::MetaNode, method: &Normalisation) -> Result<(), EvalError> {
    let code = &node.code;
    let dir = node.direction;
    let directed: Column = x.iter().map(|v| v.map(|v| v * dir)).collect();
    let v = present(&directed);
    let (min, max) = (v.iter().copied().fold(f64::MAX, f64::min), v.iter().copied().fold(f64::MIN, f64::max));
    let need_target = || node.target.ok_or_else(|| EvalError::Method(format!("{code} has no Target in iMeta")));
    *x = match method {
        Normalisation::MinMax { low, high } => {
            if v.is_empty() || min == max {
                return Err(EvalError::Method(format!("{code} has no spread to min-max normalise")));
            }
            directed.iter().map(|o| o.map(|o| (o - min) / (max - min) * (high - low) + low)).collect()
        }
        Normalisation::ZScore { mean, sd } => {
            let (m, s) = (stats::mean(&v), stats::sd(&v));
            let (Some(m), Some(s)) = (m, s.filter(|s| *s > 0.0)) else {
                return Err(EvalError::Method(format!("{code} has no spread to z-score")));
            };
            directed.iter().map(|o| o.map(|o| (o - m) / s * sd + mean)).collect()
        }
        Normalisation::Rank => stats::rank_ascending(&directed).into_iter().map(|r| r.map(f64::from)).collect(),
        Normalisation::Dist2Targ { cap } => {
            let target = need_target()? * dir;
            if target == min {
                return Err(EvalError::Method(format!("{code}: the target equals the worst value")));
            }
            directed
                .iter()
                .map(|o| {
                    o.map(|o| {
                        let y = (o - min) / (target - min);
                        if *cap { y.min(1.0) } else { y }
                    })
                })
                .collect()
        }
        Normalisation::Goalposts { scale } => {
            let (low, high) = node
                .goalposts
                .ok_or_else(|| EvalError::Method(format!("{code} has no GoalpostLow/GoalpostHigh in iMeta")))?;
            // Goalposts are in the indicator's own terms: "less is better" measures distance from the high post.
            x.iter()
                .map(|o| {
                    o.map(|o| {
                        let y = if dir > 0.0 { (o - low) / (high - low) } else { (o - high) / (low - high) };
                        y.clamp(0.0, 1.0) * scale
                    })
                })
                .collect()
        }
        Normalisation::Standard => {
            let standard = need_target()?;
            if standard <= 0.0 {
                return Err(EvalError::Method(format!("{code}: the standard (Target) must be positive")));
            }
            x.iter()
                .map(|o| {
                    o.map(|o| {
                        let attainment = if dir > 0.0 {
                            o / standard
                        } else if o > 0.0 {
                            standard / o
                        } else {
                            1.0
                        };
                        (attainment * 100.0).min(100.0)
                    })
                })
                .collect()
        }
    };
    Ok(())
}

/// Weighted mean of (value, weight) pairs; a missing value has already dropped out together with its weight.
fn aggregate(pairs: &[(f64, f64)], method: Aggregation) -> Result<Option<f64>, String> {
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    if pairs.is_empty() || total == 0.0 {
        return Ok(None);
    }
    Ok(Some(match method {
        Aggregation::Arithmetic => pairs.iter().map(|(v, w)| v * (w / total)).sum(),
        Aggregation::Geometric => {
            if let Some((v, _)) = pairs.iter().find(|(v, _)| *v <= 0.0) {
                return Err(format!("the geometric mean needs positive values, got {v}"));
            }
            (pairs.iter().map(|(v, w)| w * v.ln()).sum::<f64>() / total).exp()
        }
        Aggregation::Harmonic => {
            if let Some((v, _)) = pairs.iter().find(|(v, _)| *v <= 0.0) {
                return Err(format!("the harmonic mean needs positive values, got {v}"));
            }
            total / pairs.iter().map(|(v, w)| w / v).sum::<f64>()
        }
    }))
}

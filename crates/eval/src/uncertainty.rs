//! Uncertainty and sensitivity of the ranking to the method's choices (JRC/OECD Handbook, step 7; COINr's SA):
//! a Monte Carlo over imputation, normalisation, aggregation and noisy weights gives each unit's median rank and
//! its 5-95% interval; Saltelli sampling gives first-order and total sensitivity indices of each choice for the
//! mean absolute rank change against the nominal ranking. Seeded: the same seed gives the same numbers, whatever
//! the number of threads.

use std::collections::HashMap;

use crate::config::{Aggregation, Config, Imputation, Normalisation};
use crate::input::{Meta, Panel};
use crate::pipeline::{Prepared, aggregate_tree, prepare};
use crate::{EvalError, stats};

/// What may vary, and how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub replications: usize,
    pub seed: u64,
    /// Alternatives for each step; an empty list keeps the nominal configuration's choice.
    pub imputations: Vec<Imputation>,
    pub normalisations: Vec<Normalisation>,
    pub aggregations: Vec<Aggregation>,
    /// Each weight is multiplied by a uniform draw from [1 − noise, 1 + noise]; 0 keeps the weights.
    pub weight_noise: f64,
    /// Also compute sensitivity indices (replications × (factors + 2) more runs).
    pub sensitivity: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitUncertainty {
    pub unit: String,
    pub nominal_rank: Option<u32>,
    pub median_rank: Option<f64>,
    pub rank_p05: Option<f64>,
    pub rank_p95: Option<f64>,
}

/// Sensitivity indices of one factor, each with the half-width of its 95% bootstrap confidence interval (the
/// estimate ± `*_ci`), computed as SALib does: the standard deviation of the index over resamples of the runs,
/// times 1.96. An interval wider than the gap between two indices says the design has too few runs to tell them
/// apart (a first-order index above its total index can only be estimator noise).
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub factor: &'static str,
    pub first_order: f64,
    pub first_order_ci: f64,
    pub total: f64,
    pub total_ci: f64,
}

/// Resamples drawn for the confidence intervals of the sensitivity indices.
pub const BOOTSTRAP_RESAMPLES: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyReport {
    /// The aggregate whose ranks are analysed: the top of the tree.
    pub target: String,
    pub units: Vec<UnitUncertainty>,
    pub sensitivity: Vec<Sensitivity>,
}

/// SplitMix64: small, fast, well mixed; enough for sampling designs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Factor {
    Imputation,
    Normalisation,
    Aggregation,
    Weights,
}

impl Factor {
    fn name(self) -> &'static str {
        match self {
            Factor::Imputation => "imputation",
            Factor::Normalisation => "normalisation",
            Factor::Aggregation => "aggregation",
            Factor::Weights => "weights",
        }
    }
}

/// Percentile by linear interpolation between order statistics (R's default, type 7).
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

struct Model<'a> {
    meta: &'a Meta,
    units: Vec<String>,
    target: String,
    imputations: Vec<Imputation>,
    normalisations: Vec<Normalisation>,
    aggregations: Vec<Aggregation>,
    noise: f64,
    factors: Vec<Factor>,
    /// Prepared data by (imputation, normalisation) choice.
    prepared: HashMap<(usize, usize), Prepared>,
}

impl Model<'_> {
    /// Ranks at the target, aligned with `units`, for one point of the factor space.
    fn ranks(&self, point: &[f64]) -> Result<Vec<Option<u32>>, EvalError> {
        let pick = |factor: Factor, n: usize| -> usize {
            self.factors.iter().position(|f| *f == factor).map_or(0, |i| ((point[i] * n as f64) as usize).min(n - 1))
        };
        let imputation = pick(Factor::Imputation, self.imputations.len());
        let normalisation = pick(Factor::Normalisation, self.normalisations.len());
        let aggregation = self.aggregations[pick(Factor::Aggregation, self.aggregations.len())];
        let mut weights: HashMap<&str, f64> = self.meta.nodes.iter().map(|n| (n.code.as_str(), n.weight)).collect();
        if let Some(i) = self.factors.iter().position(|f| *f == Factor::Weights) {
            // One factor value fixes one whole draw of weights.
            let mut rng = Rng(point[i].to_bits());
            for node in &self.meta.nodes {
                let draw = 1.0 + self.noise * (2.0 * rng.unit() - 1.0);
                weights.insert(node.code.as_str(), node.weight * draw);
            }
        }
        let prepared = &self.prepared[&(imputation, normalisation)];
        let data = aggregate_tree(prepared, self.meta, &weights, aggregation)?;
        let by_unit: HashMap<&str, Option<u32>> =
            prepared.units.iter().map(String::as_str).zip(stats::rank_descending(&data[&self.target])).collect();
        Ok(self.units.iter().map(|u| by_unit.get(u.as_str()).copied().flatten()).collect())
    }
}

/// Runs `f` over `points` on all cores, keeping the order.
fn run_all<T: Send>(
    points: &[Vec<f64>],
    f: &(dyn Fn(&[f64]) -> Result<T, EvalError> + Sync),
) -> Result<Vec<T>, EvalError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = points.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = points
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|p| f(p)).collect::<Result<Vec<T>, EvalError>>()))
            .collect();
        let mut out = Vec::with_capacity(points.len());
        for h in handles {
            out.extend(h.join().map_err(|_| EvalError::Method("a worker thread failed".into()))??);
        }
        Ok(out)
    })
}

pub fn analyse(
    panel: &Panel,
    meta: &Meta,
    nominal: &Config,
    spec: &Uncertainty,
) -> Result<UncertaintyReport, EvalError> {
    if spec.replications < 2 {
        return Err(EvalError::Config("[uncertainty] replications must be at least 2".into()));
    }
    if !(0.0..1.0).contains(&spec.weight_noise) {
        return Err(EvalError::Config(format!("[uncertainty] weight_noise = {} must be in [0, 1)", spec.weight_noise)));
    }
    fn or_nominal<T: Clone>(alternatives: &[T], nominal: T) -> Vec<T> {
        if alternatives.is_empty() { vec![nominal] } else { alternatives.to_vec() }
    }
    let imputations = or_nominal(&spec.imputations, nominal.impute.clone());
    let normalisations = or_nominal(&spec.normalisations, nominal.normalise.clone());
    let aggregations = or_nominal(&spec.aggregations, nominal.aggregate);
    let target = meta
        .aggregates()
        .max_by_key(|a| a.level)
        .map(|a| a.code.clone())
        .ok_or_else(|| EvalError::Tree("there is no aggregate to rank".into()))?;
    let mut factors = Vec::new();
    for (factor, n) in [
        (Factor::Imputation, imputations.len()),
        (Factor::Normalisation, normalisations.len()),
        (Factor::Aggregation, aggregations.len()),
    ] {
        if n > 1 {
            factors.push(factor);
        }
    }
    if spec.weight_noise > 0.0 {
        factors.push(Factor::Weights);
    }
    let mut prepared = HashMap::new();
    for (i, imputation) in imputations.iter().enumerate() {
        for (n, normalisation) in normalisations.iter().enumerate() {
            let config = Config { impute: imputation.clone(), normalise: normalisation.clone(), ..nominal.clone() };
            prepared.insert((i, n), prepare(panel, meta, &config)?);
        }
    }
    let nominal_prepared = prepare(panel, meta, nominal)?;
    let units = nominal_prepared.units.clone();
    let model = Model {
        meta,
        units,
        target,
        imputations,
        normalisations,
        aggregations,
        noise: spec.weight_noise,
        factors,
        prepared,
    };

    let weights: HashMap<&str, f64> = meta.nodes.iter().map(|n| (n.code.as_str(), n.weight)).collect();
    let nominal_data = aggregate_tree(&nominal_prepared, meta, &weights, nominal.aggregate)?;
    let nominal_ranks = stats::rank_descending(&nominal_data[&model.target]);

    let k = model.factors.len();
    let mut rng = Rng(spec.seed);
    let n = spec.replications;
    let draw = |rng: &mut Rng| (0..k).map(|_| rng.unit()).collect::<Vec<f64>>();
    let mc_points: Vec<Vec<f64>> = (0..n).map(|_| draw(&mut rng)).collect();
    let runs = run_all(&mc_points, &|p| model.ranks(p))?;
    let units_out = model
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let mut ranks: Vec<f64> = runs.iter().filter_map(|r| r[u]).map(f64::from).collect();
            ranks.sort_by(f64::total_cmp);
            UnitUncertainty {
                unit: unit.clone(),
                nominal_rank: nominal_ranks[u],
                median_rank: percentile(&ranks, 0.5),
                rank_p05: percentile(&ranks, 0.05),
                rank_p95: percentile(&ranks, 0.95),
            }
        })
        .collect();

    // Saltelli: A, B and, per factor, A with that factor's column from B.
    let mut sensitivity = Vec::new();
    if k > 0 && spec.sensitivity {
        let a: Vec<Vec<f64>> = (0..n).map(|_| draw(&mut rng)).collect();
        let b: Vec<Vec<f64>> = (0..n).map(|_| draw(&mut rng)).collect();
        let mut points = a.clone();
        points.extend(b.iter().cloned());
        for i in 0..k {
            points.extend(a.iter().zip(&b).map(|(ra, rb)| {
                let mut p = ra.clone();
                p[i] = rb[i];
                p
            }));
        }
        // The output: mean absolute rank change against the nominal ranking.
        let change = |p: &[f64]| -> Result<f64, EvalError> {
            let ranks = model.ranks(p)?;
            let diffs: Vec<f64> = ranks
                .iter()
                .zip(&nominal_ranks)
                .filter_map(|(r, n)| Some((f64::from((*r)?) - f64::from((*n)?)).abs()))
                .collect();
            Ok(stats::mean(&diffs).unwrap_or(0.0))
        };
        let y = run_all(&points, &change)?;
        let (ya, yb) = (&y[..n], &y[n..2 * n]);
        let all: Vec<usize> = (0..n).collect();
        let resamples: Vec<Vec<usize>> =
            (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| (rng.next() % n as u64) as usize).collect()).collect();
        for (i, factor) in model.factors.iter().enumerate() {
            let yab = &y[(2 + i) * n..(3 + i) * n];
            let (first, total) = saltelli_indices(ya, yb, yab, &all);
            let (firsts, totals): (Vec<f64>, Vec<f64>) =
                resamples.iter().map(|sample| saltelli_indices(ya, yb, yab, sample)).unzip();
            let half_width = |x: &[f64]| 1.96 * stats::sd(x).unwrap_or(0.0);
            sensitivity.push(Sensitivity {
                factor: factor.name(),
                first_order: first,
                first_order_ci: half_width(&firsts),
                total,
                total_ci: half_width(&totals),
            });
        }
    }
    Ok(UncertaintyReport { target: model.target, units: units_out, sensitivity })
}

/// First-order (Saltelli 2010) and total (Jansen) indices over the runs `sample` (indices into the A, B and AB_i
/// outputs; repeated in a bootstrap resample).
fn saltelli_indices(ya: &[f64], yb: &[f64], yab: &[f64], sample: &[usize]) -> (f64, f64) {
    let both: Vec<f64> = sample.iter().flat_map(|&j| [ya[j], yb[j]]).collect();
    let variance = stats::sd(&both).map_or(0.0, |s| s * s);
    if variance <= 0.0 {
        return (0.0, 0.0);
    }
    let n = sample.len() as f64;
    let first = sample.iter().map(|&j| yb[j] * (yab[j] - ya[j])).sum::<f64>() / n / variance;
    let total = sample.iter().map(|&j| (ya[j] - yab[j]).powi(2)).sum::<f64>() / (2.0 * n) / variance;
    (first, total)
}

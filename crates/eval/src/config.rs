//! The pipeline configuration (TOML). Unknown keys and methods are errors, named.

use serde::Deserialize;

use crate::EvalError;

#[derive(Debug, Clone, PartialEq)]
pub enum Imputation {
    None,
    /// The unit's latest value from an earlier year of the panel.
    LatestYear,
    Mean,
    Median,
    GroupMean(String),
    GroupMedian(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fallback {
    None,
    /// log(x − min + 0.01 (max − min)) on the original values.
    LogCt,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Treatment {
    None,
    Winsorise { max_points: usize, skew: f64, kurtosis: f64, fallback: Fallback },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Normalisation {
    MinMax {
        low: f64,
        high: f64,
    },
    ZScore {
        mean: f64,
        sd: f64,
    },
    /// Ranks, ties taking the lowest.
    Rank,
    /// (x − min) / (target − min), optionally capped at 1, after multiplying by the direction.
    Dist2Targ {
        cap: bool,
    },
    /// (x − low) / (high − low) truncated to [0, 1] and scaled; goalposts from iMeta.
    Goalposts {
        scale: f64,
    },
    /// China's regional S&T monitoring: value / standard × 100, capped at 100 (standard / value for "less is
    /// better"), the standard being iMeta's Target.
    Standard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    Harmonic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The year to evaluate when the data hold several.
    pub year: Option<i32>,
    pub impute: Imputation,
    pub min_availability: Option<f64>,
    pub treat: Treatment,
    pub normalise: Normalisation,
    pub aggregate: Aggregation,
    /// The uncertainty analysis to run, if any.
    pub uncertainty: Option<crate::Uncertainty>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    year: Option<i32>,
    impute: Option<ImputeFile>,
    screen: Option<ScreenFile>,
    treat: Option<TreatFile>,
    normalise: Option<NormaliseFile>,
    aggregate: Option<AggregateFile>,
    uncertainty: Option<UncertaintyFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UncertaintyFile {
    replications: usize,
    seed: u64,
    #[serde(default)]
    impute: Vec<String>,
    #[serde(default)]
    normalise: Vec<String>,
    #[serde(default)]
    aggregate: Vec<String>,
    #[serde(default)]
    weight_noise: f64,
    #[serde(default = "yes")]
    sensitivity: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImputeFile {
    method: String,
    group: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenFile {
    min_availability: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreatFile {
    method: String,
    max_points: Option<usize>,
    skew: Option<f64>,
    kurtosis: Option<f64>,
    fallback: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormaliseFile {
    method: String,
    range: Option<[f64; 2]>,
    mean_sd: Option<[f64; 2]>,
    cap: Option<bool>,
    scale: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateFile {
    method: String,
}

fn unknown(section: &str, value: &str, known: &str) -> EvalError {
    EvalError::Config(format!("[{section}] method = \"{value}\" is unknown (one of {known})"))
}

impl Config {
    /// Parses a TOML configuration. Steps left out are not run (no imputation, screening or treatment); the
    /// defaults are min-max to [0, 100] and the arithmetic mean.
    pub fn parse(text: &str) -> Result<Config, EvalError> {
        let file: File = toml::from_str(text).map_err(|e| EvalError::Config(e.message().to_owned()))?;
        let group = file.impute.as_ref().and_then(|i| i.group.clone());
        let impute = match &file.impute {
            None => Imputation::None,
            Some(i) => imputation(&i.method, group.as_deref(), "impute")?,
        };
        let min_availability = match file.screen {
            None => None,
            Some(s) if (0.0..=1.0).contains(&s.min_availability) => Some(s.min_availability),
            Some(s) => {
                return Err(EvalError::Config(format!(
                    "[screen] min_availability = {} is not between 0 and 1",
                    s.min_availability
                )));
            }
        };
        let treat = match file.treat {
            None => Treatment::None,
            Some(t) => match t.method.as_str() {
                "none" => Treatment::None,
                "winsorise" => Treatment::Winsorise {
                    max_points: t.max_points.unwrap_or(5),
                    skew: t.skew.unwrap_or(2.0),
                    kurtosis: t.kurtosis.unwrap_or(3.5),
                    fallback: match t.fallback.as_deref().unwrap_or("log_ct") {
                        "log_ct" => Fallback::LogCt,
                        "none" => Fallback::None,
                        other => {
                            return Err(EvalError::Config(format!(
                                "[treat] fallback = \"{other}\" is unknown (log_ct or none)"
                            )));
                        }
                    },
                },
                other => return Err(unknown("treat", other, "winsorise, none")),
            },
        };
        let defaults = NormaliseFile { method: "minmax".into(), range: None, mean_sd: None, cap: None, scale: None };
        let params = file.normalise.as_ref().unwrap_or(&defaults);
        let normalise = normalisation(&params.method, params)?;
        let aggregate = match &file.aggregate {
            None => Aggregation::Arithmetic,
            Some(a) => aggregation(&a.method, "aggregate")?,
        };
        let uncertainty = match file.uncertainty {
            None => None,
            Some(u) => Some(crate::Uncertainty {
                replications: u.replications,
                seed: u.seed,
                imputations: u
                    .impute
                    .iter()
                    .map(|m| imputation(m, group.as_deref(), "uncertainty"))
                    .collect::<Result<_, _>>()?,
                normalisations: u.normalise.iter().map(|m| normalisation(m, params)).collect::<Result<_, _>>()?,
                aggregations: u.aggregate.iter().map(|m| aggregation(m, "uncertainty")).collect::<Result<_, _>>()?,
                weight_noise: u.weight_noise,
                sensitivity: u.sensitivity,
            }),
        };
        Ok(Config { year: file.year, impute, min_availability, treat, normalise, aggregate, uncertainty })
    }
}

fn imputation(method: &str, group: Option<&str>, section: &str) -> Result<Imputation, EvalError> {
    let group = || {
        group
            .map(str::to_owned)
            .ok_or_else(|| EvalError::Config(format!("[{section}] imputation \"{method}\" needs [impute] group")))
    };
    Ok(match method {
        "none" => Imputation::None,
        "latest_year" => Imputation::LatestYear,
        "mean" => Imputation::Mean,
        "median" => Imputation::Median,
        "group_mean" => Imputation::GroupMean(group()?),
        "group_median" => Imputation::GroupMedian(group()?),
        other => return Err(unknown(section, other, "none, latest_year, mean, median, group_mean, group_median")),
    })
}

fn aggregation(method: &str, section: &str) -> Result<Aggregation, EvalError> {
    Ok(match method {
        "arithmetic" => Aggregation::Arithmetic,
        "geometric" => Aggregation::Geometric,
        "harmonic" => Aggregation::Harmonic,
        other => return Err(unknown(section, other, "arithmetic, geometric, harmonic")),
    })
}

/// A normalisation by name, with its parameters from the [normalise] section where given.
fn normalisation(method: &str, n: &NormaliseFile) -> Result<Normalisation, EvalError> {
    Ok(match method {
        "minmax" => {
            let [low, high] = n.range.unwrap_or([0.0, 100.0]);
            if low >= high {
                return Err(EvalError::Config(format!("[normalise] range = [{low}, {high}] is empty")));
            }
            Normalisation::MinMax { low, high }
        }
        "zscore" => {
            let [mean, sd] = n.mean_sd.unwrap_or([0.0, 1.0]);
            if sd <= 0.0 {
                return Err(EvalError::Config(format!("[normalise] mean_sd = [{mean}, {sd}]: sd must be positive")));
            }
            Normalisation::ZScore { mean, sd }
        }
        "rank" => Normalisation::Rank,
        "dist2targ" => Normalisation::Dist2Targ { cap: n.cap.unwrap_or(false) },
        "goalposts" => Normalisation::Goalposts { scale: n.scale.unwrap_or(100.0) },
        "standard" => Normalisation::Standard,
        other => return Err(unknown("normalise", other, "minmax, zscore, rank, dist2targ, goalposts, standard")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coinr_example_config_parses() {
        let c = Config::parse(
            "[impute]\nmethod = \"group_mean\"\ngroup = \"EurAsia_group\"\n[screen]\nmin_availability = 0.9\n\
             [treat]\nmethod = \"winsorise\"\nmax_points = 5\nskew = 2.0\nkurtosis = 3.5\nfallback = \"log_ct\"\n\
             [normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n[aggregate]\nmethod = \"arithmetic\"\n",
        )
        .unwrap();
        assert_eq!(c.impute, Imputation::GroupMean("EurAsia_group".into()));
        assert_eq!(
            c.treat,
            Treatment::Winsorise { max_points: 5, skew: 2.0, kurtosis: 3.5, fallback: Fallback::LogCt }
        );
    }

    #[test]
    fn unknown_methods_and_keys_are_named() {
        let e = Config::parse("[normalise]\nmethod = \"softmax\"\n").unwrap_err().to_string();
        assert!(e.contains("[normalise] method = \"softmax\" is unknown"), "{e}");
        let e = Config::parse("[aggregate]\nmethod = \"arithmetic\"\nweights = 1\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `weights`"), "{e}");
        let e = Config::parse("[impute]\nmethod = \"group_mean\"\n").unwrap_err().to_string();
        assert!(e.contains("needs [impute] group"), "{e}");
    }
}

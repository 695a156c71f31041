//! COINr's published ASEM example, reproduced. The files stay in ../shared (outside the repository); where they are
//! missing the test says so and skips, except under `CI=true`, where it fails: CI must reproduce COINr.

use std::path::PathBuf;

use ttdz_eval::{Config, Meta, Panel, evaluate};

const COINR_EXAMPLE: &str = r#"
[impute]
method = "group_mean"
group = "EurAsia_group"
[screen]
min_availability = 0.9
[treat]
method = "winsorise"
max_points = 5
skew = 2.0
kurtosis = 3.5
fallback = "log_ct"
[normalise]
method = "minmax"
range = [0, 100]
[aggregate]
method = "arithmetic"
"#;

fn reference() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/reference/coinr-asem");
    if dir.join("ASEM_iData.csv").is_file() {
        eprintln!("RAN: COINr's ASEM example from {}", dir.display());
        Some(dir)
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is not there: COINr's ASEM example must be reproduced in CI", dir.display());
    } else {
        eprintln!("SKIPPED: {} is not there, so COINr's ASEM example was not reproduced", dir.display());
        None
    }
}

fn load(dir: &std::path::Path) -> (Panel, Meta) {
    let meta_text = std::fs::read_to_string(dir.join("ASEM_iMeta.csv")).expect("iMeta");
    let meta = Meta::parse("ASEM_iMeta.csv", &meta_text).expect("a valid tree");
    let data_text = std::fs::read_to_string(dir.join("ASEM_iData.csv")).expect("iData");
    (Panel::parse("ASEM_iData.csv", &data_text, &meta).expect("valid data"), meta)
}

#[test]
fn coinr_asem_index_is_reproduced_to_1e9_with_exact_ranks() {
    let Some(dir) = reference() else { return };
    let (panel, meta) = load(&dir);
    let results = evaluate(&panel, &meta, &Config::parse(COINR_EXAMPLE).expect("config")).expect("evaluate");
    assert!(results.screened_out.is_empty());
    let published = std::fs::read_to_string(dir.join("UA_Nominal.csv")).expect("UA_Nominal");
    let mut checked = 0;
    let mut worst = 0f64;
    for line in published.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (unit, score, rank): (&str, f64, u32) =
            (cols[0], cols[1].parse().expect("score"), cols[2].parse().expect("rank"));
        let mine = results.scores.iter().find(|s| s.unit == unit && s.code == "Index").expect("unit scored");
        let diff = (mine.score.expect("a score") - score).abs();
        assert!(diff < 1e-9, "{unit}: {:?} vs published {score} (diff {diff:e})", mine.score);
        assert_eq!(mine.rank, Some(rank), "{unit}");
        worst = worst.max(diff);
        checked += 1;
    }
    assert_eq!(checked, 51);
    eprintln!("COINr ASEM: 51 Index scores, largest difference {worst:e}, every rank equal");
}

#[test]
fn without_the_outlier_treatment_the_published_index_is_not_reproduced() {
    let Some(dir) = reference() else { return };
    let (panel, meta) = load(&dir);
    let untreated = COINR_EXAMPLE.replace("method = \"winsorise\"", "method = \"none\"");
    let results = evaluate(&panel, &meta, &Config::parse(&untreated).expect("config")).expect("evaluate");
    let published = std::fs::read_to_string(dir.join("UA_Nominal.csv")).expect("UA_Nominal");
    let differing = published
        .lines()
        .skip(1)
        .filter(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            let mine = results.scores.iter().find(|s| s.unit == cols[0] && s.code == "Index").and_then(|s| s.score);
            mine.is_none_or(|m| (m - cols[1].parse::<f64>().unwrap_or(f64::NAN)).abs() > 1e-6)
        })
        .count();
    assert!(differing > 40, "the treatment step changes the scores ({differing} of 51 differ)");
}

const META_HEADER: &str = "Level,iCode,Direction,Weight,Target,Denominator,Parent,Type\n";

fn tree_error(meta: &str) -> String {
    match Meta::parse("iMeta.csv", &format!("{META_HEADER}{meta}")) {
        Ok(_) => panic!("accepted: {meta}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_trees_and_weights_are_refused_naming_the_node() {
    let ok = "1,a,1,1,,,P,Indicator\n1,b,-1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n";
    assert!(Meta::parse("iMeta.csv", &format!("{META_HEADER}{ok}")).is_ok());
    let cases = [
        ("1,a,1,1,,,X,Indicator\n2,P,1,1,,,,Aggregate\n", "node a names parent X, which is not in the tree"),
        ("1,a,1,1,,,,Indicator\n1,b,1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n", "node a (level 1) is an orphan"),
        (
            "1,a,1,1,,,P,Indicator\n2,P,1,1,,,Q,Aggregate\n2,Q,1,1,,,P,Aggregate\n3,R,1,1,,,,Aggregate\n",
            "a cycle or a level inversion",
        ),
        ("1,a,1,-1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n", "Weight of a must not be negative"),
        ("1,a,1,0,,,P,Indicator\n1,b,1,0,,,P,Indicator\n2,P,1,1,,,,Aggregate\n", "the weights under P are all zero"),
        ("1,a,1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n2,E,1,1,,,,Aggregate\n", "aggregate E has no children"),
        ("1,a,2,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n", "Direction of a must be 1 or -1"),
        ("1,a,1,1,,,P,Indicator\n1,a,1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n", "node a appears twice"),
    ];
    for (meta, expected) in cases {
        let e = tree_error(meta);
        assert!(e.contains(expected), "{meta}: {e}");
    }
}

#[test]
fn a_geometric_mean_over_non_positive_values_names_the_node_and_unit() {
    let meta = Meta::parse(
        "m.csv",
        &format!("{META_HEADER}1,a,1,1,,,P,Indicator\n1,b,1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n"),
    )
    .expect("tree");
    let panel = Panel::parse("d.csv", "uCode,a,b\nX,1,2\nY,3,4\n", &meta).expect("data");
    // Min-max puts the worst unit at 0, which a geometric mean cannot take.
    let config = Config::parse("[aggregate]\nmethod = \"geometric\"\n").expect("config");
    let e = evaluate(&panel, &meta, &config).expect_err("refused").to_string();
    assert!(e.contains("P for unit X: the geometric mean needs positive values"), "{e}");
    let shifted =
        Config::parse("[normalise]\nmethod = \"minmax\"\nrange = [1, 100]\n[aggregate]\nmethod = \"geometric\"\n")
            .expect("config");
    let results = evaluate(&panel, &meta, &shifted).expect("positive values aggregate");
    assert_eq!(results.scores[0].score, Some(1.0));
    assert_eq!(results.scores[1].rank, Some(1));
}

mod uncertainty {
    use ttdz_eval::{Aggregation, Config, Meta, Normalisation, Panel, Uncertainty, analyse};

    fn small() -> (Panel, Meta) {
        let meta = Meta::parse(
            "m.csv",
            &format!(
                "{}1,a,1,1,,,P,Indicator\n1,b,1,2,,,P,Indicator\n1,c,-1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n",
                super::META_HEADER
            ),
        )
        .expect("tree");
        let data = "uCode,a,b,c\nU1,1,9,3\nU2,5,2,8\nU3,9,4,1\nU4,3,7,6\nU5,7,1,9\nU6,2,5,2\n";
        (Panel::parse("d.csv", data, &meta).expect("data"), meta)
    }

    fn spec(seed: u64) -> Uncertainty {
        Uncertainty {
            replications: 400,
            seed,
            imputations: Vec::new(),
            normalisations: vec![Normalisation::MinMax { low: 0.0, high: 100.0 }, Normalisation::Rank],
            // The same method twice: a factor that cannot matter.
            aggregations: vec![Aggregation::Arithmetic, Aggregation::Arithmetic],
            weight_noise: 0.0,
            sensitivity: true,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (panel, meta) = small();
        let config = Config::parse("").expect("config");
        let first = analyse(&panel, &meta, &config, &spec(7)).expect("analysis");
        assert_eq!(first, analyse(&panel, &meta, &config, &spec(7)).expect("again"));
        let with_noise = Uncertainty { weight_noise: 0.5, ..spec(7) };
        assert_ne!(
            analyse(&panel, &meta, &config, &with_noise).expect("noisy"),
            analyse(&panel, &meta, &config, &Uncertainty { seed: 8, ..with_noise.clone() }).expect("other seed")
        );
    }

    #[test]
    fn a_factor_without_effect_has_zero_sensitivity_and_the_one_that_acts_explains_it_all() {
        let (panel, meta) = small();
        let report = analyse(&panel, &meta, &Config::parse("").expect("config"), &spec(11)).expect("analysis");
        let by = |f: &str| report.sensitivity.iter().find(|s| s.factor == f).expect("factor").clone();
        let (norm, agg) = (by("normalisation"), by("aggregation"));
        assert_eq!(
            (agg.first_order, agg.first_order_ci, agg.total, agg.total_ci),
            (0.0, 0.0, 0.0, 0.0),
            "an alternative identical to the nominal changes nothing, with certainty"
        );
        assert!(norm.first_order_ci > 0.0 && norm.total_ci > 0.0, "estimates carry their error: {norm:?}");
        assert!(
            (norm.first_order - 1.0).abs() <= norm.first_order_ci.max(0.02) * 2.0,
            "the interval is of the size of the error it describes: {norm:?}"
        );
        assert!(
            (norm.total - 1.0).abs() < 0.1 && (norm.first_order - 1.0).abs() < 0.15,
            "estimates of 1 within their sampling error: {norm:?}"
        );
        for u in &report.units {
            let (lo, mid, hi) = (u.rank_p05.expect("p05"), u.median_rank.expect("median"), u.rank_p95.expect("p95"));
            assert!(lo <= mid && mid <= hi, "{u:?}");
        }
    }

    #[test]
    fn without_alternatives_every_rank_is_the_nominal_one() {
        let (panel, meta) = small();
        let fixed = Uncertainty { normalisations: Vec::new(), aggregations: Vec::new(), ..spec(3) };
        let report = analyse(&panel, &meta, &Config::parse("").expect("config"), &fixed).expect("analysis");
        assert!(report.sensitivity.is_empty());
        for u in &report.units {
            let nominal = u.nominal_rank.map(f64::from);
            assert_eq!((u.rank_p05, u.median_rank, u.rank_p95), (nominal, nominal, nominal));
        }
    }

    #[test]
    fn asem_ranks_under_method_and_weight_uncertainty() {
        let Some(dir) = super::reference() else { return };
        let (panel, meta) = super::load(&dir);
        let config = Config::parse(super::COINR_EXAMPLE).expect("config");
        let spec = Uncertainty {
            replications: 200,
            seed: 2017,
            imputations: Vec::new(),
            normalisations: vec![
                Normalisation::MinMax { low: 0.0, high: 100.0 },
                Normalisation::ZScore { mean: 10.0, sd: 2.0 },
            ],
            aggregations: vec![Aggregation::Arithmetic],
            weight_noise: 0.25,
            sensitivity: true,
        };
        let report = analyse(&panel, &meta, &config, &spec).expect("analysis");
        assert_eq!(report.target, "Index");
        assert_eq!(report.units.len(), 51);
        let names: Vec<&str> = report.sensitivity.iter().map(|s| s.factor).collect();
        assert_eq!(names, ["normalisation", "weights"]);
        for s in &report.sensitivity {
            assert!(s.total > 0.0 && s.total < 1.5 && s.first_order > -0.2 && s.first_order < 1.2, "{s:?}");
            // A first-order index above its total index is estimator noise: their intervals must overlap.
            assert!(s.first_order - s.first_order_ci <= s.total + s.total_ci, "{s:?}");
        }
    }
}

/// A second, plain implementation of the same formulas, written without the engine's code, to compare with.
mod independent {
    use ttdz_eval::{Config, Meta, Panel, evaluate};

    const META: &str = "Level,iCode,Direction,Weight,Target,Denominator,Parent,Type\n\
        1,a,1,1,10,,P1,Indicator\n1,b,-1,2,2,,P1,Indicator\n1,c,1,1,50,,P2,Indicator\n1,d,1,3,5,,P2,Indicator\n\
        2,P1,1,1,,,I,Aggregate\n2,P2,1,2,,,I,Aggregate\n3,I,1,1,,,,Aggregate\n,G,,,,,,Group\n";
    const DATA: &str = "uCode,G,a,b,c,d\nU1,x,4,3,20,NA\nU2,x,8,1,35,2\nU3,y,NA,5,10,7\nU4,y,6,2,48,4\nU5,y,9,4,30,1\n";
    // Columns as written above: units × [a, b, c, d], None where missing.
    const RAW: [[Option<f64>; 4]; 5] = [
        [Some(4.0), Some(3.0), Some(20.0), None],
        [Some(8.0), Some(1.0), Some(35.0), Some(2.0)],
        [None, Some(5.0), Some(10.0), Some(7.0)],
        [Some(6.0), Some(2.0), Some(48.0), Some(4.0)],
        [Some(9.0), Some(4.0), Some(30.0), Some(1.0)],
    ];
    const GROUP: [&str; 5] = ["x", "x", "y", "y", "y"];
    const DIRECTION: [f64; 4] = [1.0, -1.0, 1.0, 1.0];
    const WEIGHT: [f64; 4] = [1.0, 2.0, 1.0, 3.0];
    const TARGET: [f64; 4] = [10.0, 2.0, 50.0, 5.0];

    fn column(j: usize) -> Vec<Option<f64>> {
        RAW.iter().map(|r| r[j]).collect()
    }

    fn impute(j: usize, how: &str) -> Vec<f64> {
        let col = column(j);
        (0..5)
            .map(|u| {
                col[u].unwrap_or_else(|| {
                    let mut peers: Vec<f64> =
                        (0..5).filter(|&v| how == "median" || GROUP[v] == GROUP[u]).filter_map(|v| col[v]).collect();
                    peers.sort_by(f64::total_cmp);
                    match how {
                        "group_mean" => peers.iter().sum::<f64>() / peers.len() as f64,
                        _ => {
                            let n = peers.len();
                            if n % 2 == 1 { peers[n / 2] } else { (peers[n / 2 - 1] + peers[n / 2]) / 2.0 }
                        }
                    }
                })
            })
            .collect()
    }

    fn normalise(x: &[f64], j: usize, how: &str) -> Vec<f64> {
        let d: Vec<f64> = x.iter().map(|v| v * DIRECTION[j]).collect();
        let (lo, hi) = d.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
        match how {
            "minmax" => d.iter().map(|v| 1.0 + (v - lo) / (hi - lo) * 99.0).collect(),
            "zscore" => {
                let m = d.iter().sum::<f64>() / 5.0;
                let s = (d.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 4.0).sqrt();
                d.iter().map(|v| (v - m) / s).collect()
            }
            "rank" => d.iter().map(|v| 1.0 + d.iter().filter(|o| *o < v).count() as f64).collect(),
            "dist2targ" => {
                let t = TARGET[j] * DIRECTION[j];
                d.iter().map(|v| ((v - lo) / (t - lo)).min(1.0)).collect()
            }
            _ => unreachable!(),
        }
    }

    fn mean(values: &[(f64, f64)], how: &str) -> f64 {
        let w: f64 = values.iter().map(|(_, w)| w).sum();
        match how {
            "arithmetic" => values.iter().map(|(v, wi)| v * wi).sum::<f64>() / w,
            "geometric" => values.iter().map(|(v, wi)| v.powf(*wi)).product::<f64>().powf(1.0 / w),
            "harmonic" => w / values.iter().map(|(v, wi)| wi / v).sum::<f64>(),
            _ => unreachable!(),
        }
    }

    fn expected(imputation: &str, normalisation: &str, aggregation: &str) -> Vec<f64> {
        let n: Vec<Vec<f64>> = (0..4).map(|j| normalise(&impute(j, imputation), j, normalisation)).collect();
        (0..5)
            .map(|u| {
                let p1 = mean(&[(n[0][u], WEIGHT[0]), (n[1][u], WEIGHT[1])], aggregation);
                let p2 = mean(&[(n[2][u], WEIGHT[2]), (n[3][u], WEIGHT[3])], aggregation);
                mean(&[(p1, 1.0), (p2, 2.0)], aggregation)
            })
            .collect()
    }

    #[test]
    fn other_method_combinations_match_a_plain_implementation() {
        let meta = Meta::parse("m.csv", META).expect("tree");
        let panel = Panel::parse("d.csv", DATA, &meta).expect("data");
        let combinations = [
            ("group_mean", "minmax", "arithmetic"),
            ("group_mean", "minmax", "geometric"),
            ("median", "minmax", "harmonic"),
            ("median", "zscore", "arithmetic"),
            ("group_mean", "rank", "geometric"),
            ("median", "rank", "harmonic"),
            ("group_mean", "dist2targ", "arithmetic"),
        ];
        for (imputation, normalisation, aggregation) in combinations {
            let group = if imputation == "group_mean" { "\ngroup = \"G\"" } else { "" };
            let params = match normalisation {
                "minmax" => "\nrange = [1, 100]",
                "dist2targ" => "\ncap = true",
                _ => "",
            };
            let config = Config::parse(&format!(
                "[impute]\nmethod = \"{imputation}\"{group}\n[normalise]\nmethod = \"{normalisation}\"{params}\n[aggregate]\nmethod = \"{aggregation}\"\n"
            ))
            .expect("config");
            let results = evaluate(&panel, &meta, &config).expect("evaluate");
            let want = expected(imputation, normalisation, aggregation);
            for (u, w) in want.iter().enumerate() {
                let got = results
                    .scores
                    .iter()
                    .find(|s| s.code == "I" && s.unit == format!("U{}", u + 1))
                    .and_then(|s| s.score)
                    .expect("score");
                assert!((got - w).abs() < 1e-10, "{imputation}/{normalisation}/{aggregation} U{}: {got} vs {w}", u + 1);
            }
        }
    }
}

#[test]
fn a_panel_is_evaluated_for_one_year_and_gaps_take_the_latest_earlier_value() {
    let meta = Meta::parse(
        "m.csv",
        &format!("{META_HEADER}1,a,1,1,,,P,Indicator\n1,b,1,1,,,P,Indicator\n2,P,1,1,,,,Aggregate\n"),
    )
    .expect("tree");
    let data = "uCode,Time,a,b\nX,2021,1,5\nX,2022,2,NA\nX,2023,3,NA\nY,2021,4,1\nY,2022,5,2\nY,2023,NA,3\n";
    let Err(e) = Panel::parse("d.csv", data, &meta) else { panic!("several years need a choice") };
    assert!(e.to_string().contains("the data hold the years [2021, 2022, 2023]"), "{e}");
    let panel = Panel::parse_year("d.csv", data, &meta, Some(2023)).expect("2023");
    assert_eq!(panel.units, ["X", "Y"]);
    assert_eq!(panel.carry["b"], [Some(5.0), Some(2.0)], "X's latest b before 2023 is 2021's");
    assert_eq!(panel.carry["a"], [Some(2.0), Some(5.0)]);

    let config = Config::parse(
        "year = 2023\n[impute]\nmethod = \"latest_year\"\n[normalise]\nmethod = \"minmax\"\nrange = [0, 1]\n",
    )
    .expect("config");
    let results = evaluate(&panel, &meta, &config).expect("evaluate");
    // a: X 3, Y 5 (carried) → X 0, Y 1; b: X 5 (carried), Y 3 → X 1, Y 0; both average 0.5.
    let p: Vec<Option<f64>> = results.scores.iter().map(|s| s.score).collect();
    assert_eq!(p, [Some(0.5), Some(0.5)]);
    assert!(Panel::parse_year("d.csv", data, &meta, Some(2030)).is_err());
}

#[test]
fn coinr_asem_scores_equal_but_for_float_noise_share_their_rank() {
    let Some(dir) = reference() else { return };
    let (panel, meta) = load(&dir);
    // COINr's example pipeline with rank normalisation.
    let config = COINR_EXAMPLE.replace("method = \"minmax\"\nrange = [0, 100]", "method = \"rank\"");
    assert!(config.contains("\"rank\""));
    let results = evaluate(&panel, &meta, &Config::parse(&config).expect("config")).expect("evaluate");
    let at =
        |unit: &str| results.scores.iter().find(|s| s.unit == unit && s.code == "ConEcFin").expect("scored").clone();
    let (brn, fin) = (at("BRN"), at("FIN"));
    // Mathematically both 27; summed as floats one of them is 27.000000000000004.
    assert!((brn.score.expect("score") - 27.0).abs() < 1e-9 && (fin.score.expect("score") - 27.0).abs() < 1e-9);
    assert_eq!(brn.rank, fin.rank, "BRN {brn:?} and FIN {fin:?}");
    // And in general: within every aggregate, scores within a relative 1e-9 of each other share one rank.
    for a in &results.scores {
        for b in results.scores.iter().filter(|b| b.code == a.code) {
            if let (Some(x), Some(y)) = (a.score, b.score)
                && (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
            {
                assert_eq!(a.rank, b.rank, "{a:?} and {b:?}");
            }
        }
    }
}

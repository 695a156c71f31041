//! Benchmark: the full pipeline with 1,000 Monte Carlo replications (plus the Saltelli design) for 300 units x 50
//! indicators. Run by hand: `cargo run --release -p ttdz-eval --example uncertainty_bench`.

use std::fmt::Write;
use std::time::Instant;

use ttdz_eval::{Aggregation, Config, Imputation, Meta, Normalisation, Panel, Uncertainty, analyse, evaluate};

fn main() {
    const UNITS: usize = 300;
    const PILLARS: usize = 5;
    const PER_PILLAR: usize = 10;
    let mut meta = String::from("Level,iCode,Direction,Weight,Target,Denominator,Parent,Type\n");
    for p in 0..PILLARS {
        for i in 0..PER_PILLAR {
            let direction = if i % 4 == 3 { -1 } else { 1 };
            writeln!(meta, "1,I{p}_{i},{direction},1,,,P{p},Indicator").ok();
        }
        writeln!(meta, "2,P{p},1,1,,,Index,Aggregate").ok();
    }
    meta.push_str("3,Index,1,1,,,,Aggregate\n,Region,,,,,,Group\n");
    let meta = Meta::parse("bench-meta", &meta).expect("tree");

    let mut state = 42u64;
    let mut next = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut data = String::from("uCode,Region");
    for p in 0..PILLARS {
        for i in 0..PER_PILLAR {
            write!(data, ",I{p}_{i}").ok();
        }
    }
    data.push('\n');
    for u in 0..UNITS {
        write!(data, "U{u},R{}", u % 4).ok();
        for _ in 0..PILLARS * PER_PILLAR {
            // Skewed values with a few gaps, so that imputation and treatment have work to do.
            let v = next();
            if v < 0.02 {
                data.push_str(",NA");
            } else {
                write!(data, ",{}", (v * 4.0).exp()).ok();
            }
        }
        data.push('\n');
    }
    let panel = Panel::parse("bench-data", &data, &meta).expect("data");
    let config = Config::parse(
        "[impute]\nmethod = \"group_mean\"\ngroup = \"Region\"\n[treat]\nmethod = \"winsorise\"\n[normalise]\nmethod = \"minmax\"\nrange = [1, 100]\n",
    )
    .expect("config");

    let start = Instant::now();
    evaluate(&panel, &meta, &config).expect("nominal");
    println!("nominal pipeline: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);

    let spec = Uncertainty {
        replications: 1000,
        seed: 1,
        imputations: vec![Imputation::GroupMean("Region".into()), Imputation::Median],
        normalisations: vec![Normalisation::MinMax { low: 1.0, high: 100.0 }, Normalisation::Rank],
        aggregations: vec![Aggregation::Arithmetic, Aggregation::Geometric],
        weight_noise: 0.25,
        sensitivity: false,
    };
    let start = Instant::now();
    analyse(&panel, &meta, &config, &spec).expect("analysis");
    println!(
        "{UNITS} units x {} indicators, 4 uncertain choices: 1000 Monte Carlo replications in {:.3} s",
        PILLARS * PER_PILLAR,
        start.elapsed().as_secs_f64()
    );
    let spec = Uncertainty { sensitivity: true, ..spec };
    let start = Instant::now();
    let report = analyse(&panel, &meta, &config, &spec).expect("analysis");
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "with sensitivity indices (Saltelli, {} more runs): {elapsed:.3} s",
        1000 * (report.sensitivity.len() + 2)
    );
    for s in &report.sensitivity {
        println!(
            "  {:<14} first-order {:.3} ± {:.3}  total {:.3} ± {:.3}  (95% bootstrap intervals)",
            s.factor, s.first_order, s.first_order_ci, s.total, s.total_ci
        );
    }
}

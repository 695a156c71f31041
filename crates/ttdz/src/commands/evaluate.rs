//! `ttdz evaluate`: a composite index from COINr-shaped files. Needs no database.

use std::io::Write;
use std::path::{Path, PathBuf};

use ttdz_eval::{Config, EvalError, Meta, Panel, Results, UncertaintyReport, analyse, evaluate};

use crate::Fatal;
use crate::cli::EvaluateArgs;

fn read(path: &Path) -> Result<String, Fatal> {
    std::fs::read_to_string(path).map_err(|e| Fatal::environment(format!("cannot read {}: {e}", path.display())))
}

pub fn run(args: &EvaluateArgs) -> Result<(), Fatal> {
    let pipeline = args.pipeline.as_path();
    let name = |p: &Path| p.display().to_string();
    // A wrong configuration or tree is a setup error (exit 2); bad numbers in the data are bad data (exit 1).
    let setup = |e: EvalError| match e {
        EvalError::Input { .. } => Fatal::data(e),
        _ => Fatal::environment(e),
    };
    let config = Config::parse(&read(pipeline)?).map_err(|e| Fatal::environment(format!("{}: {e}", name(pipeline))))?;
    let meta = Meta::parse(&name(&args.meta), &read(&args.meta)?).map_err(setup)?;
    let panel = Panel::parse_year(&name(&args.data), &read(&args.data)?, &meta, config.year).map_err(setup)?;
    let results = evaluate(&panel, &meta, &config).map_err(setup)?;
    let uncertainty = match &config.uncertainty {
        Some(spec) => Some(analyse(&panel, &meta, &config, spec).map_err(setup)?),
        None => None,
    };
    for (unit, availability) in &results.screened_out {
        eprintln!("screened out: {unit} (data availability {availability:.3})");
    }

    let mut files = vec![(args.out.clone(), scores_csv(&results))];
    if let Some(report) = &uncertainty {
        files.push((sibling(&args.out, "uncertainty"), uncertainty_csv(report)));
        if !report.sensitivity.is_empty() {
            files.push((sibling(&args.out, "sensitivity"), sensitivity_csv(report)));
        }
    }
    // Everything is computed before anything is written, and each file is renamed into place whole.
    for (path, text) in &files {
        write_whole(path, text)?;
        println!("{}", path.display());
    }
    Ok(())
}

fn sibling(out: &Path, what: &str) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out.with_file_name(format!("{stem}.{what}.csv"))
}

fn scores_csv(results: &Results) -> String {
    let mut out = String::from("uCode,iCode,score,rank\n");
    for s in &results.scores {
        let score = s.score.map(|v| v.to_string()).unwrap_or_default();
        let rank = s.rank.map(|r| r.to_string()).unwrap_or_default();
        out.push_str(&format!("{},{},{score},{rank}\n", s.unit, s.code));
    }
    out
}

fn uncertainty_csv(report: &UncertaintyReport) -> String {
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::from("uCode,iCode,nominal_rank,median_rank,rank_p05,rank_p95\n");
    for u in &report.units {
        let nominal = u.nominal_rank.map(|r| r.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{nominal},{},{},{}\n",
            u.unit,
            report.target,
            opt(u.median_rank),
            opt(u.rank_p05),
            opt(u.rank_p95)
        ));
    }
    out
}

fn sensitivity_csv(report: &UncertaintyReport) -> String {
    // `*_ci`: the half-width of the 95% bootstrap confidence interval (the index ± it).
    let mut out = String::from("factor,first_order,first_order_ci,total,total_ci\n");
    for s in &report.sensitivity {
        out.push_str(&format!("{},{},{},{},{}\n", s.factor, s.first_order, s.first_order_ci, s.total, s.total_ci));
    }
    out
}

fn write_whole(path: &Path, text: &str) -> Result<(), Fatal> {
    let err = |e: std::io::Error| Fatal::environment(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)?;
    file.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

//! `ttdz evaluate`: a composite index from COINr-shaped files. Needs no database.

use std::io::Write;
use std::path::Path;

use ttdz_eval::{Config, EvalError, Meta, Panel, evaluate};

use crate::Fatal;
use crate::cli::EvaluateArgs;

fn read(path: &Path) -> Result<String, Fatal> {
    std::fs::read_to_string(path).map_err(|e| Fatal::environment(format!("cannot read {}: {e}", path.display())))
}

/// `pipeline` is the TOML pipeline configuration (the global --config of this command).
pub fn run(args: &EvaluateArgs, pipeline: &Path) -> Result<(), Fatal> {
    let name = |p: &Path| p.display().to_string();
    // A wrong configuration or tree is a setup error (exit 2); bad numbers in the data are bad data (exit 1).
    let setup = |e: EvalError| match e {
        EvalError::Input { .. } => Fatal::data(e),
        _ => Fatal::environment(e),
    };
    let config = Config::parse(&read(pipeline)?).map_err(|e| Fatal::environment(format!("{}: {e}", name(pipeline))))?;
    let meta = Meta::parse(&name(&args.meta), &read(&args.meta)?).map_err(setup)?;
    let panel = Panel::parse(&name(&args.data), &read(&args.data)?, &meta).map_err(setup)?;
    let results = evaluate(&panel, &meta, &config).map_err(setup)?;
    for (unit, availability) in &results.screened_out {
        eprintln!("screened out: {unit} (data availability {availability:.3})");
    }
    // Written beside the target and renamed into place: a failure leaves no partial file.
    let dir = args.out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Fatal::environment(format!("cannot write in {}: {e}", dir.display())))?;
    let write_err = |e: std::io::Error| Fatal::environment(format!("cannot write {}: {e}", args.out.display()));
    writeln!(file, "uCode,iCode,score,rank").map_err(write_err)?;
    for s in &results.scores {
        let score = s.score.map(|v| v.to_string()).unwrap_or_default();
        let rank = s.rank.map(|r| r.to_string()).unwrap_or_default();
        writeln!(file, "{},{},{score},{rank}", s.unit, s.code).map_err(write_err)?;
    }
    file.persist(&args.out).map_err(|e| write_err(e.error))?;
    println!("{}: {} scores", args.out.display(), results.scores.len());
    Ok(())
}

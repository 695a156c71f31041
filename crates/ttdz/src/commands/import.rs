//! `ttdz import values` and `ttdz import contracts`: check the whole file, then store it as one batch, or
//! nothing.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use ttdz_app::imports;
use ttdz_ingest::IngestError;
use ttdz_ingest::contracts::{self, BasicUnits};
use ttdz_store::BatchReport;

use super::open_store;
use crate::Fatal;
use crate::cli::ImportOptions;
use crate::config::Settings;

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn errors_path(path: &Path, options: &ImportOptions) -> PathBuf {
    options.errors.clone().unwrap_or_else(|| {
        let mut p = path.as_os_str().to_owned();
        p.push(".errors.csv");
        PathBuf::from(p)
    })
}

fn ingest_error(e: IngestError) -> Fatal {
    Fatal::data(e)
}

fn outcome(report: BatchReport) -> &'static str {
    match (report.changed, report.replaced) {
        (false, _) => "unchanged: this file is already stored for the batch",
        (true, true) => "stored, replacing the batch's earlier contribution",
        (true, false) => "stored",
    }
}

/// `ttdz import achievements|demands FILE [--review]`.
pub async fn records(
    settings: &Settings,
    kind: ttdz_domain::achievement::RecordKind,
    path: &Path,
    review: bool,
) -> Result<(), Fatal> {
    let bytes = std::fs::read(path).map_err(|e| Fatal::data(format!("cannot read {}: {e}", path.display())))?;
    let ctx = super::context(settings, open_store(settings).await?);
    let name = file_name(path);
    let stored = ttdz_app::information::import(&ctx, &super::operator(), "cli", kind, (&name, &bytes), review).await?;
    println!(
        "{}: {} {}s added, {} updated, {} titles made from the text; {}",
        path.display(),
        stored.added,
        kind.as_str(),
        stored.updated,
        stored.titles_derived,
        if review { "sent to the provinces for moderation" } else { "published" }
    );
    Ok(())
}

pub async fn values(settings: &Settings, path: &Path, options: &ImportOptions) -> Result<(), Fatal> {
    let bytes = std::fs::read(path).map_err(|e| Fatal::data(format!("cannot read {}: {e}", path.display())))?;
    let ctx = super::context(settings, open_store(settings).await?);
    let file = imports::parse_values(&ctx, &path.display().to_string(), &bytes, options.skip_invalid).await?;
    if !file.rejected.is_empty() {
        let errors = errors_path(path, options);
        let cannot_write = |e: std::io::Error| Fatal::data(format!("cannot write {}: {e}", errors.display()));
        let mut out = std::fs::File::create(&errors).map_err(cannot_write)?;
        let mut rejects = ttdz_ingest::Rejects::new(&mut out, &file.header).map_err(cannot_write)?;
        for (raw, line, reason) in &file.rejected {
            rejects.write(raw, *line, reason).map_err(cannot_write)?;
        }
        eprintln!("{} bad rows skipped; written with reasons to {}", file.rejected.len(), errors.display());
    }
    let encoding = file.encoding.name();
    if options.dry_run {
        let count = file.division_values.len() + file.zone_values.len();
        println!(
            "{}: {} rows, {count} values, all checks passed ({encoding}); nothing stored (--dry-run)",
            path.display(),
            file.rows,
        );
        return Ok(());
    }
    let named = (file_name(path), options.batch.as_deref());
    let stored = imports::store_values(&ctx, &super::operator(), "cli", (&named.0, named.1), file).await?;
    println!(
        "{}: {} values in batch {} ({encoding}): {}",
        path.display(),
        stored.values,
        stored.batch,
        outcome(stored.report)
    );
    Ok(())
}

pub async fn contracts(
    settings: &Settings,
    path: &Path,
    options: &ImportOptions,
    threads: Option<usize>,
) -> Result<(), Fatal> {
    let size = std::fs::metadata(path).map_err(|e| Fatal::data(format!("cannot read {}: {e}", path.display())))?.len();
    let ctx = super::context(settings, open_store(settings).await?);
    let tree = ctx.tree(None).await?;
    let units = BasicUnits::of(&tree);
    let mut read_options = contracts::Options {
        skip_invalid: options.skip_invalid,
        registered: imports::registered_contract_numbers(&ctx).await?,
        ..Default::default()
    };
    if let Some(t) = threads {
        read_options.threads = t.max(1);
    }
    // Drawn only on a terminal; silent in pipes and CI logs.
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let errors = errors_path(path, options);
    let started = std::time::Instant::now();
    let file = {
        let progress = |n: u64| bar.set_position(n);
        if options.skip_invalid {
            let mut out = std::fs::File::create(&errors)
                .map_err(|e| Fatal::data(format!("cannot write {}: {e}", errors.display())))?;
            contracts::read(path, &units, &read_options, &progress, Some(&mut out))
        } else {
            contracts::read(path, &units, &read_options, &progress, None)
        }
    };
    bar.finish_and_clear();
    let file = file.map_err(ingest_error)?;
    let parsed = started.elapsed();
    if options.skip_invalid {
        if file.problems.is_empty() {
            // Nothing was rejected: leave no empty error file behind.
            let _ = std::fs::remove_file(&errors);
        } else {
            eprintln!("{} bad rows skipped; written with reasons to {}", file.problems.bad_lines, errors.display());
        }
    }
    let mut summary =
        format!("{}: {} rows, {} accepted ({})", path.display(), file.rows, file.accepted, file.encoding.name());
    if file.registered_in_ttdz > 0 {
        summary += &format!(", {} left out as registered in TTDZ", file.registered_in_ttdz);
    }
    summary += &format!(
        ", {} roll-up rows, {} contract numbers kept, read in {:.2} s",
        file.rollups.len(),
        file.numbers.len(),
        parsed.as_secs_f64()
    );
    if options.dry_run {
        println!("{summary}; nothing stored (--dry-run)");
        return Ok(());
    }
    let named = (file_name(path), options.batch.as_deref());
    let stored = imports::store_contracts(&ctx, &super::operator(), "cli", (&named.0, named.1), file).await?;
    println!(
        "{summary}; batch {}: {} (total {:.2} s)",
        stored.batch,
        outcome(stored.report),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes synthetic contracts between all the basic units of the current division list, shaped like a national
/// registry (see `contracts::write_synthetic`): for trying imports and for the benchmark.
pub async fn write_synthetic(settings: &Settings, out: &Path, rows: u64, seed: u64, years: &str) -> Result<(), Fatal> {
    let (first, last) = years
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?)))
        .filter(|(a, b)| a <= b && *a >= 1980 && *b <= 2200)
        .ok_or_else(|| Fatal::data(format!("--years '{years}' is not FIRST-LAST, e.g. 2019-2024")))?;
    let tree = super::context(settings, open_store(settings).await?).tree(None).await?;
    let provinces: Vec<_> = tree.provinces().map(|p| p.code).collect();
    let units: Vec<_> = tree.area_of(&provinces).into_iter().collect();
    let mut file =
        std::fs::File::create(out).map_err(|e| Fatal::data(format!("cannot write {}: {e}", out.display())))?;
    contracts::write_synthetic(&mut file, rows, seed, &units, first..=last)
        .map_err(|e| Fatal::data(format!("cannot write {}: {e}", out.display())))?;
    println!("{}: {rows} synthetic contracts, {first}-{last}, seed {seed}", out.display());
    Ok(())
}

pub async fn write_template(settings: &Settings, zone: &str, year: i32, out: &Path) -> Result<(), Fatal> {
    let ctx = super::context(settings, open_store(settings).await?);
    let template = imports::template(&ctx, &super::operator(), zone, year).await?;
    let bytes = template.write().map_err(Fatal::data)?;
    std::fs::write(out, bytes).map_err(|e| Fatal::data(format!("cannot write {}: {e}", out.display())))?;
    println!("{}: reporting template of {} for {year}", out.display(), template.zone_name);
    Ok(())
}

pub async fn template(settings: &Settings, path: &Path, options: &ImportOptions) -> Result<(), Fatal> {
    let bytes = std::fs::read(path).map_err(|e| Fatal::data(format!("cannot read {}: {e}", path.display())))?;
    let (zone, year) = ttdz_xlsx::identify(&bytes).map_err(|e| Fatal::data(format!("{}: {e}", path.display())))?;
    let ctx = super::context(settings, open_store(settings).await?);
    let operator = super::operator();
    let template = imports::template_to_fill(&ctx, &operator, &zone, year).await?;
    let filled = match imports::read_filled(&template, &path.display().to_string(), &bytes)? {
        Ok(filled) => filled,
        Err(marked) => {
            let mut errors = path.as_os_str().to_owned();
            errors.push(".errors.xlsx");
            let errors = PathBuf::from(errors);
            let marked_bytes = marked.write().map_err(Fatal::data)?;
            std::fs::write(&errors, marked_bytes)
                .map_err(|e| Fatal::data(format!("cannot write {}: {e}", errors.display())))?;
            let problems = marked.problems();
            let list: Vec<String> =
                problems.iter().map(|p| format!("{}: {}: {}", path.display(), p.cell, p.reason)).collect();
            return Err(Fatal::data(format!(
                "{}: {} bad cells, nothing was imported; they are marked in {}\n{}",
                path.display(),
                problems.len(),
                errors.display(),
                list.join("\n")
            )));
        }
    };
    if options.dry_run {
        let count = filled.division_values.len() + filled.zone_values.len();
        println!("{}: {count} values for {zone} {year}, all cells valid; nothing stored (--dry-run)", path.display());
        return Ok(());
    }
    let upload = (file_name(path), bytes, options.batch.as_deref());
    let stored =
        imports::store_template(&ctx, &operator, "cli", &template, (&upload.0, &upload.1, upload.2), filled).await?;
    println!("{}: {} values in batch {}: {}", path.display(), stored.values, stored.batch, outcome(stored.report));
    Ok(())
}

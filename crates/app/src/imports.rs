//! Values into batches: a long-format values file (CSV, or an .xlsx with the same columns on its first sheet) and
//! a filled reporting template. Each is checked whole, then stored as one batch, replacing what the same batch
//! stored before; with bad rows nothing is stored unless the caller asked to skip them. A province reports for its
//! own divisions and zones only, and its batch names are its own.

use std::collections::{BTreeSet, HashMap};

use ttdz_domain::measure::SourceKind;
use ttdz_domain::{Dataset, DivisionCode, Zone, ZoneKey};
use ttdz_ingest::contracts::ContractsFile;
use ttdz_ingest::{IngestError, values};
use ttdz_store::{Batch, BatchReport};
use ttdz_xlsx::{Filled, Template, TemplateError};

use crate::visibility::visible_zone;
use crate::{AppError, Context, Viewer, zone_audit};

fn ingest_error(e: IngestError) -> AppError {
    match e {
        IngestError::Invalid(problems) => AppError::InvalidFile(problems),
        IngestError::Io { .. } => AppError::Invalid(e.to_string()),
    }
}

fn unreadable(file: &str, e: TemplateError) -> AppError {
    AppError::UnreadableFile(format!("{file}: {e}"))
}

/// Parses and checks a values file against the current divisions and zones, without storing anything.
/// `skip_invalid` keeps the good rows and lists the bad (in `problems` and, as they stood, in `rejected`).
pub async fn parse_values(
    ctx: &Context,
    file_name: &str,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<values::ValuesFile, AppError> {
    let tree = ctx.tree(None).await?;
    let zones: Vec<ZoneKey> = ctx.store().zones().await?.into_iter().map(|z| z.key).collect();
    let checks = values::Context { tree: &tree, zones: &zones };
    let mut file = if ttdz_xlsx::is_xlsx(bytes) {
        let csv = ttdz_xlsx::first_sheet_as_csv(bytes).map_err(|e| unreadable(file_name, e))?;
        values::parse_csv(file_name, csv.as_bytes(), &checks, skip_invalid).map_err(ingest_error)?
    } else {
        values::parse_csv(file_name, bytes, &checks, skip_invalid).map_err(ingest_error)?
    };
    // The file as uploaded, not the text read from its sheet, identifies it.
    file.sha256 = ttdz_domain::reference::sha256_hex(bytes);
    Ok(file)
}

/// What storing a batch did.
#[derive(Debug)]
pub struct Stored {
    pub batch: String,
    pub values: usize,
    pub report: BatchReport,
}

/// Stores a parsed values file as the batch `chosen` (default: the file's name), for `viewer`, who must govern
/// every division and zone it reports for. A province's batch names are prefixed with its code, so two provinces
/// uploading a `data.csv` keep two batches.
pub async fn store_values(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (file_name, chosen): (&str, Option<&str>),
    file: values::ValuesFile,
) -> Result<Stored, AppError> {
    let zone_provinces: HashMap<ZoneKey, DivisionCode> =
        ctx.store().zones().await?.into_iter().map(|z| (z.key, z.province)).collect();
    let outside = file.division_values.iter().find(|v| !viewer.governs(&v.division)).map(|v| v.division.to_string());
    let outside = outside.or_else(|| {
        file.zone_values
            .iter()
            .find(|v| zone_provinces.get(&v.zone).is_none_or(|p| !viewer.governs(p)))
            .map(|v| v.zone.to_string())
    });
    if let Some(area) = outside {
        return Err(AppError::Forbidden(format!("{} may not report values for {area}", viewer.label())));
    }
    let chosen = chosen.map(str::trim).filter(|b| !b.is_empty()).unwrap_or(file_name);
    let name = match viewer.scope() {
        Some(province) => format!("values:{province}/{chosen}"),
        None => format!("values:{chosen}"),
    };
    // The trail entry belongs to a province when every value does.
    let provinces: BTreeSet<DivisionCode> = file
        .division_values
        .iter()
        .map(|v| v.division.province())
        .chain(file.zone_values.iter().filter_map(|v| zone_provinces.get(&v.zone).copied()))
        .collect();
    let province = if provinces.len() == 1 { provinces.first().copied() } else { None };
    let audit = crate::audit(viewer, origin, province);
    let values = file.division_values.len() + file.zone_values.len();
    let batch = Batch {
        dataset: Dataset {
            name: name.clone(),
            files: vec![file_name.to_owned()],
            sha256: file.sha256,
            source: format!("values uploaded as {file_name}"),
        },
        kind: SourceKind::Reported,
        recorded_by: viewer.label(),
        scope: viewer.scope(),
        rows: file.rows,
        division_values: file.division_values,
        zone_values: file.zone_values,
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    };
    let report = ctx.store().replace_batch(&batch, &audit).await?;
    Ok(Stored { batch: name, values, report })
}

/// The numbers of the contracts registered in TTDZ: a registry file read with them
/// ([`ttdz_ingest::contracts::Options::registered`]) leaves those rows out, so no contract counts twice.
pub async fn registered_contract_numbers(ctx: &Context) -> Result<std::collections::HashSet<String>, AppError> {
    Ok(ctx.store().registered_contract_numbers().await?.into_iter().collect())
}

/// Stores a checked contracts file, micro-data of the technology-contract registry, as the batch
/// `contracts:{chosen}` (default: the file's name): its roll-ups and the data elements they make for every basic
/// unit and year. The registry is national, so only the ministry (and the operator) store it.
pub async fn store_contracts(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (file_name, chosen): (&str, Option<&str>),
    file: ContractsFile,
) -> Result<Stored, AppError> {
    viewer.must_be_ministry("stores registry micro-data")?;
    let chosen = chosen.map(str::trim).filter(|b| !b.is_empty()).unwrap_or(file_name);
    let name = format!("contracts:{chosen}");
    let division_values = file.element_values();
    let values = division_values.len();
    let mut source = format!("technology-contract registry micro-data from {file_name}");
    if file.registered_in_ttdz > 0 {
        source += &format!(
            "; {} rows left out, their contracts being registered in TTDZ (registry:live)",
            file.registered_in_ttdz
        );
    }
    let batch = Batch {
        dataset: Dataset { name: name.clone(), files: vec![file_name.to_owned()], sha256: file.sha256, source },
        kind: SourceKind::Registry,
        recorded_by: viewer.label(),
        scope: None,
        rows: file.rows,
        division_values,
        zone_values: Vec::new(),
        rollups: file.rollups,
        flows: file.flows,
        contract_numbers: file.numbers,
    };
    let audit = crate::audit(viewer, origin, None);
    let report = ctx.store().replace_batch(&batch, &audit).await?;
    Ok(Stored { batch: name, values, report })
}

async fn template_of(ctx: &Context, zone: &Zone, year: i32) -> Result<Template, AppError> {
    let tree = ctx.tree(None).await?;
    Ok(ttdz_xlsx::template_for(ctx.store(), &tree, zone, year).await?)
}

/// The reporting template of a zone the viewer may see, for a year, with last year's values beside the inputs.
pub async fn template(ctx: &Context, viewer: &Viewer, key: &str, year: i32) -> Result<Template, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    template_of(ctx, &zone, year).await
}

/// Refuses unless the viewer reports for the zone: its province or the ministry.
fn must_report_for(viewer: &Viewer, zone: &Zone) -> Result<(), AppError> {
    if viewer.governs(&zone.province) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("{} may not report for zone {}", viewer.label(), zone.key)))
    }
}

/// The template a filled workbook is read against, for a viewer who reports for the zone (checked before the
/// upload is read).
pub async fn template_to_fill(ctx: &Context, viewer: &Viewer, key: &str, year: i32) -> Result<Template, AppError> {
    let zone = visible_zone(ctx, viewer, key).await?;
    must_report_for(viewer, &zone)?;
    template_of(ctx, &zone, year).await
}

/// A filled workbook read against its template: the values, or the workbook with every bad cell marked.
pub fn read_filled(template: &Template, file_name: &str, bytes: &[u8]) -> Result<Result<Filled, Template>, AppError> {
    template.read(bytes).map_err(|e| unreadable(file_name, e))
}

/// Stores a filled template as one batch (`template:<zone>-<year>` unless `chosen` names it). A workbook with no
/// value at all (every input blank, or the element codes edited away) would replace the earlier upload with
/// nothing, so it is refused.
pub async fn store_template(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    template: &Template,
    (file_name, bytes, chosen): (&str, &[u8], Option<&str>),
    filled: Filled,
) -> Result<Stored, AppError> {
    let zone = visible_zone(ctx, viewer, template.zone.as_str()).await?;
    must_report_for(viewer, &zone)?;
    let values = filled.division_values.len() + filled.zone_values.len();
    if values == 0 {
        return Err(AppError::UnreadableFile(format!(
            "{file_name}: the workbook holds no values for {} {}; nothing was replaced",
            zone.key, template.year
        )));
    }
    let batch = filled.into_batch(template, chosen, file_name, bytes, &viewer.label(), viewer.scope());
    let report = ctx.store().replace_batch(&batch, &zone_audit(viewer, origin, &zone)).await?;
    Ok(Stored { batch: batch.dataset.name, values, report })
}

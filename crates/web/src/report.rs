//! Indicator reports: the Annex 2 indicators of an area and year, each traced to the datasets it came from.

use std::collections::{BTreeSet, HashMap};

use ttdz_domain::measure::{Area, Basis, Figure, Inputs, Reported, SourceKind, Warning};
use ttdz_domain::report::ReportStatus;
use ttdz_domain::{ElementCode, Indicator, IndicatorKind};
use ttdz_store::reported_for;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::{AreaIndicatorsView, FigureView, IndicatorValueView, SourceView};

fn figure_view(element: &str, f: &Figure) -> FigureView {
    let (basis, parts_with_values, parts) = match f.basis {
        Basis::Reported { .. } => ("reported", None, None),
        Basis::Sum { parts_with_values, parts } => ("sum", Some(parts_with_values), Some(parts)),
    };
    FigureView {
        element: element.to_owned(),
        value: f.value.to_string(),
        basis,
        parts_with_values,
        parts,
        sources: f.sources.iter().cloned().collect(),
    }
}

fn warning_text(w: &Warning) -> String {
    match w {
        Warning::PartsDisagree { area, reported, sum_of_parts } => {
            format!("{area}: the reported total {reported} differs from the sum of its parts {sum_of_parts}")
        }
        Warning::Incomplete { area, parts_with_values, parts } => {
            format!("{area}: only {parts_with_values} of {parts} parts have a value")
        }
    }
}

/// The year's report of a zone that is not accepted yet, if `caller` oversees the zone and it has values.
async fn pending_report(
    state: &AppState,
    caller: &Caller,
    zone: &ttdz_domain::Zone,
    year: i32,
) -> Result<Option<ttdz_store::AnnualReport>, ApiError> {
    if !crate::visibility::oversees_zone(state, caller, zone).await? {
        return Ok(None);
    }
    let report = state.store().annual_report(&zone.key, year).await?;
    Ok(report.filter(|r| r.status != ReportStatus::Accepted))
}

/// `reported` with a report's drafted values in place of the published ones (a report beats the registry, and
/// the draft is the newest report).
fn with_draft(
    reported: &HashMap<ElementCode, Reported>,
    report: &ttdz_store::AnnualReport,
) -> Result<HashMap<ElementCode, Reported>, ApiError> {
    let mut overlaid = reported.clone();
    let source = format!("{} (draft)", report.batch_name());
    let (divisions, zones) = report.element_values()?;
    for v in divisions {
        let entry = overlaid.entry(v.element).or_default();
        entry.divisions.insert((v.division, v.year), (v.value, source.clone()));
    }
    for v in zones {
        let entry = overlaid.entry(v.element).or_default();
        entry.zones.insert((v.zone, v.year), (v.value, source.clone()));
    }
    Ok(overlaid)
}

/// The indicators of `area` for `year` (default: the latest year with data), as `caller` may see them: published
/// figures, and for those who oversee a zone, beside them the figures with its unaccepted report's values.
pub async fn area_indicators(
    state: &AppState,
    caller: &Caller,
    area: Area,
    name: String,
    year: Option<i32>,
) -> Result<AreaIndicatorsView, ApiError> {
    let store = state.store();
    let tree = state.tree(None).await?;
    let zones = store.zones().await?;
    let indicators = store.indicators().await?;
    let reported = reported_for(store, &indicators).await?;
    let datasets: HashMap<String, ttdz_store::DatasetRecord> =
        store.datasets().await?.into_iter().map(|d| (d.dataset.name.clone(), d)).collect();
    let inputs = Inputs { tree: &tree, zones: &zones, reported: &reported };
    let years = inputs.years(&indicators);
    let year = year.or_else(|| years.last().copied());
    let pending = match (&area, year) {
        (Area::Zone(key), Some(y)) => match zones.iter().find(|z| &z.key == key) {
            Some(zone) => pending_report(state, caller, zone, y).await?,
            None => None,
        },
        _ => None,
    };
    let drafted = pending.as_ref().map(|r| with_draft(&reported, r)).transpose()?;
    let draft_inputs = drafted.as_ref().map(|d| Inputs { tree: &tree, zones: &zones, reported: d });

    let mut used: BTreeSet<String> = BTreeSet::new();
    let rows = indicators
        .iter()
        .map(|i: &Indicator| {
            let cell = year.filter(|_| i.kind == IndicatorKind::Quantitative).map(|y| inputs.cell(i, &area, y));
            let value = cell.as_ref().and_then(|c| c.value.as_ref());
            let numerator = value.map(|v| figure_view(i.numerator.as_ref().map_or("", |e| e.as_str()), &v.numerator));
            let denominator = value.and_then(|v| {
                Some(figure_view(i.denominator.as_ref().map_or("", |e| e.as_str()), v.denominator.as_ref()?))
            });
            let sources: BTreeSet<String> =
                numerator.iter().chain(denominator.iter()).flat_map(|f| f.sources.iter().cloned()).collect();
            let synthetic = sources.iter().any(|s| datasets.get(s).is_some_and(|d| d.kind == SourceKind::Synthetic));
            used.extend(sources);
            let warnings = value
                .map(|v| {
                    v.numerator
                        .warnings
                        .iter()
                        .chain(v.denominator.iter().flat_map(|d| &d.warnings))
                        .map(warning_text)
                        .collect()
                })
                .unwrap_or_default();
            IndicatorValueView {
                seq: i.seq,
                code: i.code.to_string(),
                name_zh: i.name_zh.clone(),
                name_en: i.name_en.clone(),
                unit_zh: i.unit_zh.clone(),
                kind: i.kind,
                value: value.map(|v| v.value.to_string()),
                previous_value: cell.as_ref().and_then(|c| c.previous).map(|p| p.to_string()),
                growth: cell.as_ref().and_then(|c| c.growth).map(|g| g.round_dp(6).normalize().to_string()),
                numerator,
                denominator,
                warnings,
                synthetic,
                draft_value: draft_inputs.as_ref().map(|d| {
                    year.filter(|_| i.kind == IndicatorKind::Quantitative)
                        .and_then(|y| d.cell(i, &area, y).value)
                        .map(|v| v.value.to_string())
                }),
            }
        })
        .collect();
    let sources = used
        .iter()
        .filter_map(|name| datasets.get(name))
        .map(|d| {
            let (recorded_by, files) = crate::views::recorder_for(d, caller);
            SourceView {
                name: d.dataset.name.clone(),
                kind: d.kind.as_str(),
                files,
                sha256: d.dataset.sha256.clone(),
                recorded_by,
                loaded_at: d.loaded_at.clone(),
            }
        })
        .collect();
    let area_kind = match area {
        Area::Nation => "national",
        Area::Division(_) => "division",
        Area::Zone(_) => "zone",
    };
    Ok(AreaIndicatorsView {
        area: area.to_string(),
        area_kind,
        name,
        year,
        years,
        indicators: rows,
        sources,
        draft_status: pending.map(|r| r.status.as_str()),
    })
}

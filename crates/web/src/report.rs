//! Indicator reports: the Annex 2 indicators of an area and year, each traced to the datasets it came from.

use std::collections::{BTreeSet, HashMap};

use ttdz_domain::measure::{Area, Basis, Figure, Inputs, SourceKind, Warning};
use ttdz_domain::{Indicator, IndicatorKind};
use ttdz_store::reported_for;

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

/// The indicators of `area` for `year` (default: the latest year with data).
pub async fn area_indicators(
    state: &AppState,
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
            }
        })
        .collect();
    let sources = used
        .iter()
        .filter_map(|name| datasets.get(name))
        .map(|d| SourceView {
            name: d.dataset.name.clone(),
            kind: d.kind.as_str(),
            files: d.dataset.files.clone(),
            sha256: d.dataset.sha256.clone(),
            recorded_by: d.recorded_by.clone(),
            loaded_at: d.loaded_at.clone(),
        })
        .collect();
    let area_kind = match area {
        Area::Nation => "national",
        Area::Division(_) => "division",
        Area::Zone(_) => "zone",
    };
    Ok(AreaIndicatorsView { area: area.to_string(), area_kind, name, year, years, indicators: rows, sources })
}

//! `ttdz indicators`: Annex 2 indicators per zone, division or the nation, computed from the stored values.

use std::io::Write;

use ttdz_domain::measure::{Area, IndicatorCell, Inputs};
use ttdz_domain::{DivisionCode, DivisionTree, Indicator, IndicatorKind, ZoneKey};
use ttdz_store::reported_for;

use super::open_store;
use crate::Fatal;
use crate::cli::{IndicatorsArgs, OutputFormat};
use crate::config::Settings;

pub async fn run(settings: &Settings, args: &IndicatorsArgs) -> Result<(), Fatal> {
    let store = open_store(settings).await?;
    let vintage = store.vintages().await?.last().map(|v| v.vintage).ok_or_else(|| Fatal::data("no division list"))?;
    let tree = DivisionTree::new(store.divisions(vintage).await?.ok_or_else(|| Fatal::data("no division list"))?);
    let zones = store.zones().await?;
    let all_indicators = store.indicators().await?;

    let areas: Vec<Area> = match (&args.zone, &args.division) {
        (_, Some(d)) if d == "national" => vec![Area::Nation],
        (_, Some(d)) => {
            let code = DivisionCode::parse(d).map_err(Fatal::data)?;
            if tree.get(&code).is_none() {
                return Err(Fatal::data(format!("unknown division {code}")));
            }
            vec![Area::Division(code)]
        }
        (Some(z), None) if z != "all" => {
            let key = ZoneKey::parse(z).map_err(Fatal::data)?;
            if !zones.iter().any(|x| x.key == key) {
                return Err(Fatal::data(format!("unknown zone '{key}'")));
            }
            vec![Area::Zone(key)]
        }
        _ => zones.iter().map(|z| Area::Zone(z.key.clone())).collect(),
    };
    let indicators: Vec<&Indicator> = all_indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Quantitative)
        .filter(|i| args.indicator == "all" || i.code.as_str() == args.indicator)
        .collect();
    if indicators.is_empty() {
        return Err(Fatal::data(format!(
            "unknown or uncounted indicator '{}' (quantitative ones: {})",
            args.indicator,
            all_indicators
                .iter()
                .filter(|i| i.kind == IndicatorKind::Quantitative)
                .map(|i| i.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let reported = reported_for(&*store, &all_indicators).await?;
    let inputs = Inputs { tree: &tree, zones: &zones, reported: &reported };
    let years = if args.year == "all" {
        inputs.years(&all_indicators)
    } else {
        vec![args.year.parse::<i32>().map_err(|_| Fatal::data(format!("'{}' is not a year", args.year)))?]
    };

    let mut cells: Vec<(IndicatorCell, &Indicator)> = Vec::new();
    for area in &areas {
        for year in &years {
            for i in &indicators {
                let cell = inputs.cell(i, area, *year);
                if cell.value.is_some() {
                    cells.push((cell, i));
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    write(&mut out, &cells, args.format).map_err(|e| Fatal::data(format!("cannot write the output: {e}")))
}

fn write(out: &mut dyn Write, cells: &[(IndicatorCell, &Indicator)], format: OutputFormat) -> std::io::Result<()> {
    let value = |c: &IndicatorCell| c.value.as_ref().map(|v| v.value.to_string()).unwrap_or_default();
    match format {
        OutputFormat::Csv => {
            writeln!(out, "area,year,indicator,value,unit")?;
            for (c, i) in cells {
                writeln!(out, "{},{},{},{},{}", c.area, c.year, c.indicator, value(c), i.unit_zh)?;
            }
        }
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = cells
                .iter()
                .map(|(c, i)| {
                    serde_json::json!({
                        "area": c.area.to_string(),
                        "year": c.year,
                        "indicator": c.indicator.as_str(),
                        "value": value(c),
                        "unit": i.unit_zh,
                        "previous": c.previous.map(|p| p.to_string()),
                        "growth": c.growth.map(|g| g.to_string()),
                        "sources": c.value.as_ref().map(|v| v.numerator.sources.iter().chain(v.denominator.iter().flat_map(|d| &d.sources)).cloned().collect::<std::collections::BTreeSet<_>>()),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<20} {:>4}  {:<28} {:>24} {:<6} {:>10}",
                "area", "year", "indicator", "value", "unit", "growth"
            )?;
            for (c, i) in cells {
                let growth =
                    c.growth.map(|g| format!("{:+.1}%", g * rust_decimal::Decimal::ONE_HUNDRED)).unwrap_or_default();
                writeln!(
                    out,
                    "{:<20} {:>4}  {:<28} {:>24} {:<6} {:>10}",
                    c.area.to_string(),
                    c.year,
                    c.indicator.as_str(),
                    value(c),
                    i.unit_zh,
                    growth
                )?;
            }
        }
    }
    Ok(())
}

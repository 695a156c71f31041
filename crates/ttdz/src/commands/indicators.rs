//! `ttdz indicators`: Annex 2 indicators per zone, division or the nation, as the public API publishes them: the
//! same use case (`ttdz_app::indicators`) computes both, so the terminal and the API give the same figures.

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;
use ttdz_app::Viewer;
use ttdz_app::indicators::{FeaturedView, IndicatorData, IndicatorValueView, report};
use ttdz_domain::measure::Area;
use ttdz_domain::{DivisionCode, IndicatorKind, ZoneKey};

use super::open_store;
use crate::Fatal;
use crate::cli::{IndicatorsArgs, OutputFormat};
use crate::config::Settings;

/// One indicator of one area and year, as every format writes it.
#[derive(Debug, Serialize)]
struct Row {
    area: String,
    year: i32,
    indicator: String,
    value: String,
    unit: String,
    previous_value: Option<String>,
    /// Year on year, as a fraction (0.25 = +25%), as the API gives it.
    growth: Option<String>,
    /// True when any value behind this one is synthetic demo data.
    synthetic: bool,
    sources: BTreeSet<String>,
}

impl Row {
    fn of(area: &Area, year: i32, i: IndicatorValueView) -> Option<Row> {
        let sources = i.numerator.iter().chain(i.denominator.iter()).flat_map(|f| f.sources.iter().cloned()).collect();
        Some(Row {
            area: area.to_string(),
            year,
            indicator: i.code,
            value: i.value?,
            unit: i.unit_zh,
            previous_value: i.previous_value,
            growth: i.growth,
            synthetic: i.synthetic,
            sources,
        })
    }

    fn of_featured(area: &Area, year: i32, f: FeaturedView) -> Option<Row> {
        Some(Row {
            area: area.to_string(),
            year,
            indicator: f.code,
            value: f.value?,
            unit: f.unit_zh,
            previous_value: f.previous_value,
            growth: f.growth,
            synthetic: f.synthetic,
            sources: f.sources.into_iter().collect(),
        })
    }
}

pub async fn run(settings: &Settings, args: &IndicatorsArgs) -> Result<(), Fatal> {
    let store = open_store(settings).await?;
    let ctx = super::context(settings, store);
    let data = IndicatorData::load(&ctx).await?;

    let areas: Vec<(Area, String)> = match (&args.zone, &args.division) {
        (_, Some(d)) if d == "national" => vec![(Area::Nation, "全国".to_owned())],
        (_, Some(d)) => {
            let code = DivisionCode::parse(d).map_err(Fatal::data)?;
            let division = data.tree.get(&code).ok_or_else(|| Fatal::data(format!("unknown division {code}")))?;
            vec![(Area::Division(code), division.name_zh.clone())]
        }
        (Some(z), None) if z != "all" => {
            let key = ZoneKey::parse(z).map_err(Fatal::data)?;
            let zone =
                data.zones.iter().find(|x| x.key == key).ok_or_else(|| Fatal::data(format!("unknown zone '{key}'")))?;
            vec![(Area::Zone(key), zone.name_zh.clone())]
        }
        _ => data.zones.iter().map(|z| (Area::Zone(z.key.clone()), z.name_zh.clone())).collect(),
    };
    // Rows 1-15 by code; a zone's featured indicators (row 16) by their own codes, or all of them as `featured`.
    let valued: Vec<&str> =
        data.indicators.iter().filter(|i| i.kind != IndicatorKind::Featured).map(|i| i.code.as_str()).collect();
    let own = data.featured_codes();
    if args.indicator != "all"
        && args.indicator != "featured"
        && !valued.contains(&args.indicator.as_str())
        && !own.contains(args.indicator.as_str())
    {
        return Err(Fatal::data(format!(
            "unknown indicator '{}' (Annex 2 rows 1-15: {}; featured, or a zone's featured indicator: {})",
            args.indicator,
            valued.join(", "),
            own.iter().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let wanted = |code: &str, featured: bool| {
        args.indicator == "all" || args.indicator == code || (featured && args.indicator == "featured")
    };
    let years = if args.year == "all" {
        data.years()
    } else {
        let year = args.year.parse::<i64>().map_err(|_| Fatal::data(format!("'{}' is not a year", args.year)))?;
        vec![ctx.check_year(year)?]
    };

    let mut rows = Vec::new();
    for (area, name) in &areas {
        for &year in &years {
            let view = report(&ctx, &Viewer::Public, &data, area.clone(), name.clone(), Some(year)).await?;
            rows.extend(
                view.indicators
                    .into_iter()
                    .filter(|i| i.kind != IndicatorKind::Featured && wanted(&i.code, false))
                    .filter_map(|i| Row::of(area, year, i)),
            );
            rows.extend(
                view.featured
                    .into_iter()
                    .filter(|f| wanted(&f.code, true))
                    .filter_map(|f| Row::of_featured(area, year, f)),
            );
        }
    }
    let mut out = std::io::stdout().lock();
    write(&mut out, &rows, args.format).map_err(|e| Fatal::data(format!("cannot write the output: {e}")))
}

fn write(out: &mut dyn Write, rows: &[Row], format: OutputFormat) -> std::io::Result<()> {
    match format {
        OutputFormat::Csv => {
            writeln!(out, "area,year,indicator,value,unit")?;
            for r in rows {
                writeln!(out, "{},{},{},{},{}", r.area, r.year, r.indicator, r.value, r.unit)?;
            }
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<20} {:>4}  {:<28} {:>24} {:<6} {:>10}",
                "area", "year", "indicator", "value", "unit", "growth"
            )?;
            for r in rows {
                let growth = r
                    .growth
                    .as_deref()
                    .and_then(|g| g.parse::<rust_decimal::Decimal>().ok())
                    .map(|g| format!("{:+.1}%", g * rust_decimal::Decimal::ONE_HUNDRED))
                    .unwrap_or_default();
                let value = if r.synthetic { format!("{} *", r.value) } else { r.value.clone() };
                writeln!(
                    out,
                    "{:<20} {:>4}  {:<28} {:>24} {:<6} {:>10}",
                    r.area, r.year, r.indicator, value, r.unit, growth
                )?;
            }
            if rows.iter().any(|r| r.synthetic) {
                writeln!(out, "* rests on synthetic demo data")?;
            }
        }
    }
    Ok(())
}

//! The demo's synthetic panel: a value of every data element of Annex 2 that the demo has no other source for, for
//! every basic unit (county-level division) of every zone and for every zone-level element, every year, from a
//! seeded model, so that every indicator, chart and comparison has data to show. It is SYNTHETIC: the batch that
//! stores it is of the synthetic source kind and every figure resting on it is marked.
//!
//! The model, per unit and element: a level in the first year = the unit's people × the element's rate per person
//! (set from national orders of magnitude for developed regions: GDP about 100,000 yuan a person, 30 invention
//! patents held per 10,000 people, ...) × the unit's development factor (log-normal, σ 0.4, shared by all its
//! elements) × an element factor (log-normal, σ 0.25); then a compound annual growth of the element's rate, varied
//! per unit (± 30%, never below zero), and 4% noise a year; stocks never fall; counts are whole. A unit's people is
//! its province's census population shared evenly among the province's basic units, varied log-normally (σ 0.5),
//! and is its resident population, growing 0.4% a year.
//! About 2% of cells are left empty, as real reporting leaves gaps.

use std::ops::RangeInclusive;

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use ttdz_domain::element::{ElementSpec, Measure, Scope};
use ttdz_domain::{DivisionCode, ZoneKey};
use ttdz_store::{DivisionValue, ZoneValue};

use crate::rng::SplitMix64;

/// Per element: the level per person in the first year (per year for flows, held for stocks) and the annual growth.
const MODEL: [(&str, f64, f64); 13] = [
    ("gdp_yuan", 100_000.0, 0.07),
    ("above_scale_industrial_revenue_yuan", 120_000.0, 0.06),
    ("hitech_main_revenue_yuan", 48_000.0, 0.10),
    ("kis_value_added_yuan", 16_000.0, 0.09),
    ("invention_patents_held", 0.0030, 0.15),
    ("new_registered_enterprises", 0.0080, 0.05),
    ("tech_brokers", 0.00015, 0.12),
    ("national_tt_institutions", 0.000_000_6, 0.08),
    ("university_tt_offices", 0.000_002, 0.08),
    ("angel_vc_institutions", 0.000_01, 0.08),
    ("maker_spaces", 0.000_005, 0.10),
    ("incubated_tech_firms", 0.000_3, 0.10),
    // Zone-level: local special funds for achievement transformation, yuan a person a year.
    ("transfer_special_funds_yuan", 6.0, 0.12),
];

/// Cells left empty, as real reporting leaves gaps.
const GAP_RATE: f64 = 0.02;

/// What the panel is made for.
pub struct PanelSpec<'a> {
    /// Basic units and their people.
    pub units: &'a [(DivisionCode, f64)],
    /// Zones and their people.
    pub zones: &'a [(ZoneKey, f64)],
    pub years: RangeInclusive<i32>,
    pub seed: u64,
}

/// The panel's values: per basic unit, and per zone for the zone-level elements.
pub fn panel(spec: &PanelSpec<'_>) -> (Vec<DivisionValue>, Vec<ZoneValue>) {
    let mut rng = SplitMix64(spec.seed);
    let (mut divisions, mut zones) = (Vec::new(), Vec::new());
    // The people themselves, growing slowly: the denominators of the per-10,000-people rows.
    if let Some(population) = ElementSpec::find("resident_population") {
        for (unit, people) in spec.units {
            for (t, year) in spec.years.clone().enumerate() {
                let value = people * 1.004f64.powi(t as i32) * (1.0 + 0.002 * normal(&mut rng));
                if let Some(d) = Decimal::from_f64(value.round()) {
                    divisions.push(DivisionValue {
                        element: population.element_code(),
                        division: *unit,
                        year,
                        value: d.round(),
                        note: Some("SYNTHETIC demo panel".into()),
                    });
                }
            }
        }
    }
    for (code, rate, growth) in MODEL {
        let Some(element) = ElementSpec::find(code) else { continue };
        let element_code = element.element_code();
        match element.scope {
            Scope::Division => {
                for (unit, people) in spec.units {
                    let series = series(&mut rng, element, *people * rate, growth, &spec.years);
                    divisions.extend(series.into_iter().map(|(year, value)| DivisionValue {
                        element: element_code.clone(),
                        division: *unit,
                        year,
                        value,
                        note: Some("SYNTHETIC demo panel".into()),
                    }));
                }
            }
            Scope::Zone => {
                for (zone, people) in spec.zones {
                    let series = series(&mut rng, element, *people * rate, growth, &spec.years);
                    zones.extend(series.into_iter().map(|(year, value)| ZoneValue {
                        element: element_code.clone(),
                        zone: zone.clone(),
                        year,
                        value,
                        note: Some("SYNTHETIC demo panel".into()),
                    }));
                }
            }
        }
    }
    (divisions, zones)
}

/// The people of each unit: its province's census population (persons, and how many basic units the province has)
/// shared evenly among the province's basic units, varied.
pub fn people(units: &[DivisionCode], provinces: &[(DivisionCode, u64, usize)], seed: u64) -> Vec<(DivisionCode, f64)> {
    let mut rng = SplitMix64(seed ^ 0x5eed);
    units
        .iter()
        .map(|u| {
            let (persons, count) = provinces
                .iter()
                .find(|(p, _, _)| *p == u.province())
                .map_or((40_000_000.0, 100.0), |(_, n, c)| (*n as f64, (*c).max(1) as f64));
            (*u, persons / count * lognormal(&mut rng, 0.5))
        })
        .collect()
}

fn series(
    rng: &mut SplitMix64,
    element: &ElementSpec,
    level: f64,
    growth: f64,
    years: &RangeInclusive<i32>,
) -> Vec<(i32, Decimal)> {
    let base = level * lognormal(rng, 0.4) * lognormal(rng, 0.25);
    let growth = (growth * (1.0 + 0.3 * normal(rng))).max(0.0);
    let count = element.is_count();
    let mut out = Vec::new();
    let mut held = 0.0f64;
    for (t, year) in years.clone().enumerate() {
        let mut value = base * (1.0 + growth).powi(t as i32) * (1.0 + 0.04 * normal(rng));
        if element.measure == Measure::Stock {
            value = value.max(held);
            held = value;
        }
        let gap = uniform(rng) < GAP_RATE;
        let rounded = if count { value.round() } else { value.round().max(0.0) };
        if !gap && let Some(d) = Decimal::from_f64(rounded.max(0.0)) {
            out.push((year, d.round()));
        }
    }
    out
}

fn uniform(rng: &mut SplitMix64) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let (u, v) = (uniform(rng).max(f64::MIN_POSITIVE), uniform(rng));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn lognormal(rng: &mut SplitMix64, sigma: f64) -> f64 {
    (sigma * normal(rng)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("code")
    }

    #[test]
    fn the_panel_is_seeded_complete_but_for_gaps_and_plausible() {
        let units = people(&[code("320102"), code("320506"), code("330106")], &[(code("320000"), 84_748_016, 95)], 7);
        let zones = [(ZoneKey::parse("jiangsu-sunan").expect("key"), 30_000_000.0)];
        let spec = PanelSpec { units: &units, zones: &zones, years: 2016..=2024, seed: 7 };
        let (divisions, zone_values) = panel(&spec);
        assert_eq!(panel(&spec).0, divisions, "the same seed, the same panel");
        let cells = 3 * 13 * 9;
        assert!(divisions.len() > cells * 9 / 10 && divisions.len() <= cells, "a few gaps: {}", divisions.len());
        assert!(zone_values.len() >= 8, "the zone-level funds, most years");
        let patents: Vec<&DivisionValue> = divisions
            .iter()
            .filter(|v| v.element.as_str() == "invention_patents_held" && v.division == code("320102"))
            .collect();
        assert!(patents.windows(2).all(|w| w[1].value >= w[0].value), "a stock never falls");
        assert!(patents.iter().all(|v| v.value.fract().is_zero()), "counts are whole");
        let gdp = divisions.iter().find(|v| v.element.as_str() == "gdp_yuan").expect("gdp");
        assert!(gdp.value > Decimal::from(10_000_000_000u64), "a county's GDP is billions of yuan: {}", gdp.value);
    }
}

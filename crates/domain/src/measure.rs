//! Measuring data elements and indicators over areas.
//!
//! A division's figure for an element and year is its own reported value where there is one, otherwise the sum of
//! its children's figures, recursively. A zone's figure sums its members (a member inside another member counts
//! once), unless the element is reported for the zone as a whole. The nation sums the provinces. An indicator is
//! factor × figure(numerator) / figure(denominator) over the same area and year: a ratio of sums, never a mean of
//! ratios.
//!
//! A register kept in TTDZ (`register`) overrides all of that where it covers a place: its count is the figure,
//! zero where it holds nothing, and a reported number for the same place and year is kept as a discrepancy.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use rust_decimal::Decimal;

use crate::{DivisionCode, DivisionTree, Indicator, IndicatorKind, Zone, ZoneKey};

/// Where a figure is measured.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Nation,
    Division(DivisionCode),
    Zone(ZoneKey),
}

impl fmt::Display for Area {
    /// As files and the API write it: `national`, a 6-digit code, or a zone key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Area::Nation => f.write_str("national"),
            Area::Division(c) => write!(f, "{c}"),
            Area::Zone(k) => write!(f, "{k}"),
        }
    }
}

/// The effective reported values of one element: per division and per zone, by year, each with the id of the
/// source it came from (a dataset or an import batch).
#[derive(Debug, Clone, Default)]
pub struct Reported {
    pub divisions: HashMap<(DivisionCode, i32), (Decimal, String)>,
    pub zones: HashMap<(ZoneKey, i32), (Decimal, String)>,
    /// A register's year-end counts, by division and year, with the register's batch. A province's count says the
    /// register covers the province that year: every division in it is counted from the register.
    pub registered: HashMap<(DivisionCode, i32), (Decimal, String)>,
}

/// What kind of source a value came from; decides precedence when several sources give the same quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Shipped reference data (census population).
    Reference,
    /// A reported value: imported from a file or entered.
    Reported,
    /// Rolled up from registry micro-data (technology contracts): batches add up.
    Registry,
    /// Published figures loaded as demo data.
    Demo,
    /// Generated sample micro-data, for demonstration only; rolled up like the registry.
    Synthetic,
    /// Counted from a register kept in TTDZ: where it covers a place it is the figure (see `register`).
    Register,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Reference => "reference",
            SourceKind::Reported => "reported",
            SourceKind::Registry => "registry",
            SourceKind::Demo => "demo",
            SourceKind::Synthetic => "synthetic",
            SourceKind::Register => "register",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        [
            SourceKind::Reference,
            SourceKind::Reported,
            SourceKind::Registry,
            SourceKind::Demo,
            SourceKind::Synthetic,
            SourceKind::Register,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Registry-like sources cover disjoint sets of records, so their values for one area and year add up.
    pub fn is_rolled_up(self) -> bool {
        matches!(self, SourceKind::Registry | SourceKind::Synthetic)
    }
}

/// One stored value of an element with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedValue {
    pub area: Area,
    pub year: i32,
    pub value: Decimal,
    /// The dataset or batch it came from.
    pub source: String,
    pub kind: SourceKind,
    /// Order in which sources were recorded; higher is newer.
    pub revision: i64,
    /// What the source cites for this value.
    pub note: Option<String>,
}

/// The effective value of each (area, year): a reported value beats a registry roll-up (people report a figure
/// to correct or complete the registry); among reported values the newest source wins; registry batches add up.
/// A register's counts are kept apart: they override all of these where the register covers the place.
pub fn resolve(values: impl IntoIterator<Item = SourcedValue>) -> Reported {
    #[derive(Default)]
    struct Candidates {
        latest: Option<(i64, Decimal, String)>,
        rolled_up: Option<(Decimal, Vec<String>)>,
    }
    let mut by_key: HashMap<(Area, i32), Candidates> = HashMap::new();
    let mut registered = HashMap::new();
    for v in values {
        if v.kind == SourceKind::Register {
            if let Area::Division(code) = v.area {
                registered.insert((code, v.year), (v.value, v.source));
            }
            continue;
        }
        let c = by_key.entry((v.area, v.year)).or_default();
        if v.kind.is_rolled_up() {
            let (sum, sources) = c.rolled_up.get_or_insert_with(|| (Decimal::ZERO, Vec::new()));
            *sum += v.value;
            sources.push(v.source);
        } else if c.latest.as_ref().is_none_or(|(rev, _, src)| (v.revision, &v.source) > (*rev, src)) {
            c.latest = Some((v.revision, v.value, v.source));
        }
    }
    let mut reported = Reported { registered, ..Reported::default() };
    for ((area, year), c) in by_key {
        let chosen = match (c.latest, c.rolled_up) {
            (Some((_, value, source)), _) => (value, source),
            (None, Some((sum, mut sources))) => {
                sources.sort();
                (sum, sources.join("+"))
            }
            (None, None) => continue,
        };
        match area {
            Area::Division(code) => {
                reported.divisions.insert((code, year), chosen);
            }
            Area::Zone(key) => {
                reported.zones.insert((key, year), chosen);
            }
            Area::Nation => {}
        }
    }
    reported
}

/// How a figure was arrived at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Reported for this very area, by the named source.
    Reported { source: String },
    /// Summed from the parts (children, zone members, provinces) that have figures.
    Sum { parts_with_values: usize, parts: usize },
    /// Counted from the named register, which covers the area.
    Register { source: String },
}

/// A data-quality finding that travels with the figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A reported total differs from the sum of its parts; both are kept, the reported total is used.
    PartsDisagree { area: Area, reported: Decimal, sum_of_parts: Decimal },
    /// Some parts had no figure, so the sum covers only part of the area.
    Incomplete { area: Area, parts_with_values: usize, parts: usize },
    /// A register covers the area and its count is the figure; a source reported another number, kept beside it.
    RegisterDiffers { area: Area, registered: Decimal, reported: Decimal, source: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub value: Decimal,
    pub basis: Basis,
    /// Every dataset or batch a value in this figure came from.
    pub sources: BTreeSet<String>,
    pub warnings: Vec<Warning>,
}

impl Figure {
    fn reported(value: Decimal, source: &str) -> Figure {
        Figure {
            value,
            basis: Basis::Reported { source: source.to_owned() },
            sources: source.split('+').map(str::to_owned).collect(),
            warnings: Vec::new(),
        }
    }
}

/// Sums parts into one figure; `None` when no part has a value.
fn sum_parts(area: Area, parts: Vec<Option<Figure>>) -> Option<Figure> {
    let count = parts.len();
    let mut total = Decimal::ZERO;
    let mut with_values = 0;
    let mut warnings = Vec::new();
    let mut sources = BTreeSet::new();
    for figure in parts.into_iter().flatten() {
        total += figure.value;
        with_values += 1;
        warnings.extend(figure.warnings);
        sources.extend(figure.sources);
    }
    if with_values == 0 {
        return None;
    }
    if with_values < count {
        warnings.push(Warning::Incomplete { area, parts_with_values: with_values, parts: count });
    }
    Some(Figure { value: total, basis: Basis::Sum { parts_with_values: with_values, parts: count }, sources, warnings })
}

/// The register's figure of a division it covers in `year`, with any number reported for it kept as a discrepancy.
fn registered_figure(reported: &Reported, code: &DivisionCode, year: i32) -> Option<Figure> {
    let (_, source) = reported.registered.get(&(code.province(), year))?;
    let value = reported.registered.get(&(*code, year)).map_or(Decimal::ZERO, |(v, _)| *v);
    let mut figure = Figure {
        value,
        basis: Basis::Register { source: source.clone() },
        sources: BTreeSet::from([source.clone()]),
        warnings: Vec::new(),
    };
    if let Some((other, other_source)) = reported.divisions.get(&(*code, year))
        && *other != value
    {
        figure.warnings.push(Warning::RegisterDiffers {
            area: Area::Division(*code),
            registered: value,
            reported: *other,
            source: other_source.clone(),
        });
    }
    Some(figure)
}

/// The figure of a division for a year.
pub fn division_figure(tree: &DivisionTree, reported: &Reported, code: &DivisionCode, year: i32) -> Option<Figure> {
    if let Some(figure) = registered_figure(reported, code, year) {
        return Some(figure);
    }
    let children: Vec<DivisionCode> = tree.children(code).map(|d| d.code).collect();
    let parts = if children.is_empty() {
        None
    } else {
        sum_parts(Area::Division(*code), children.iter().map(|c| division_figure(tree, reported, c, year)).collect())
    };
    match reported.divisions.get(&(*code, year)) {
        Some((value, source)) => {
            let mut figure = Figure::reported(*value, source);
            if let Some(sum) = &parts
                && sum.value != *value
            {
                figure.warnings.push(Warning::PartsDisagree {
                    area: Area::Division(*code),
                    reported: *value,
                    sum_of_parts: sum.value,
                });
            }
            Some(figure)
        }
        None => parts,
    }
}

/// The members of a zone with those lying inside another member left out, so nothing is counted twice.
pub fn outermost_members(zone: &Zone) -> Vec<DivisionCode> {
    zone.members.iter().filter(|m| !zone.members.iter().any(|o| o != *m && m.is_within(o))).copied().collect()
}

/// The figure of a zone for a year.
pub fn zone_figure(tree: &DivisionTree, reported: &Reported, zone: &Zone, year: i32) -> Option<Figure> {
    let members = outermost_members(zone);
    let area = Area::Zone(zone.key.clone());
    let zone_reported = reported.zones.get(&(zone.key.clone(), year));
    // A register covering every member counts the zone; a number reported for the zone as a whole is set beside it.
    if !members.is_empty() && members.iter().all(|m| reported.registered.contains_key(&(m.province(), year))) {
        let mut figure =
            sum_parts(area.clone(), members.iter().map(|m| registered_figure(reported, m, year)).collect())?;
        if let Some((other, source)) = zone_reported
            && *other != figure.value
        {
            figure.warnings.push(Warning::RegisterDiffers {
                area,
                registered: figure.value,
                reported: *other,
                source: source.clone(),
            });
        }
        return Some(figure);
    }
    if let Some((value, source)) = zone_reported {
        return Some(Figure::reported(*value, source));
    }
    sum_parts(area, members.iter().map(|m| division_figure(tree, reported, m, year)).collect())
}

/// The national figure for a year: the provinces summed, each division counted once whatever zones it is in.
pub fn national_figure(tree: &DivisionTree, reported: &Reported, year: i32) -> Option<Figure> {
    sum_parts(Area::Nation, tree.provinces().map(|p| division_figure(tree, reported, &p.code, year)).collect())
}

/// The figure of any area.
pub fn area_figure(tree: &DivisionTree, reported: &Reported, area: &Area, zones: &[Zone], year: i32) -> Option<Figure> {
    match area {
        Area::Nation => national_figure(tree, reported, year),
        Area::Division(code) => division_figure(tree, reported, code, year),
        Area::Zone(key) => zones.iter().find(|z| z.key == *key).and_then(|z| zone_figure(tree, reported, z, year)),
    }
}

/// An indicator's value with the figures it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorValue {
    pub value: Decimal,
    pub numerator: Figure,
    pub denominator: Option<Figure>,
}

/// factor × numerator / denominator; `None` for indicators that are not counted, when a figure is missing, or
/// when the denominator is zero.
pub fn indicator_value(
    indicator: &Indicator,
    numerator: Option<Figure>,
    denominator: Option<Figure>,
) -> Option<IndicatorValue> {
    if indicator.kind != IndicatorKind::Quantitative {
        return None;
    }
    let factor = indicator.factor?;
    let numerator = numerator?;
    let value = match (&indicator.denominator, &denominator) {
        (None, _) => factor.checked_mul(numerator.value)?,
        (Some(_), Some(d)) if !d.value.is_zero() => factor.checked_mul(numerator.value)?.checked_div(d.value)?,
        (Some(_), _) => return None,
    };
    Some(IndicatorValue { value: value.normalize(), numerator, denominator })
}

/// One cell of an indicator table: an indicator for an area and year, with the previous year's value and growth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorCell {
    pub area: Area,
    pub year: i32,
    pub indicator: crate::IndicatorCode,
    pub value: Option<IndicatorValue>,
    pub previous: Option<Decimal>,
    pub growth: Option<Decimal>,
}

/// What indicator tables are computed from: the division tree, the zones, and the effective reported values of
/// every element the indicators use.
pub struct Inputs<'a> {
    pub tree: &'a DivisionTree,
    pub zones: &'a [Zone],
    pub reported: &'a HashMap<crate::ElementCode, Reported>,
}

impl Inputs<'_> {
    fn figure(&self, element: Option<&crate::ElementCode>, area: &Area, year: i32) -> Option<Figure> {
        let reported = self.reported.get(element?)?;
        area_figure(self.tree, reported, area, self.zones, year)
    }

    /// The indicator for an area and year.
    pub fn value(&self, indicator: &Indicator, area: &Area, year: i32) -> Option<IndicatorValue> {
        if indicator.kind != IndicatorKind::Quantitative {
            return None;
        }
        let numerator = self.figure(indicator.numerator.as_ref(), area, year);
        let denominator = self.figure(indicator.denominator.as_ref(), area, year);
        indicator_value(indicator, numerator, denominator)
    }

    /// The cell for an area and year, with growth over the year before.
    pub fn cell(&self, indicator: &Indicator, area: &Area, year: i32) -> IndicatorCell {
        let value = self.value(indicator, area, year);
        let previous = self.value(indicator, area, year - 1).map(|v| v.value);
        let growth = match (&value, previous) {
            (Some(v), Some(p)) => growth(v.value, p),
            _ => None,
        };
        IndicatorCell { area: area.clone(), year, indicator: indicator.code.clone(), value, previous, growth }
    }

    /// Every year for which some element of these indicators has a value, ascending.
    pub fn years(&self, indicators: &[Indicator]) -> Vec<i32> {
        let mut years = BTreeSet::new();
        for i in indicators.iter().filter(|i| i.kind == IndicatorKind::Quantitative) {
            for e in i.numerator.iter() {
                if let Some(r) = self.reported.get(e) {
                    years.extend(r.divisions.keys().map(|(_, y)| *y));
                    years.extend(r.zones.keys().map(|(_, y)| *y));
                    years.extend(r.registered.keys().map(|(_, y)| *y));
                }
            }
        }
        years.into_iter().collect()
    }
}

/// Year-on-year growth as a fraction (0.25 = +25%); `None` without a positive previous value.
pub fn growth(current: Decimal, previous: Decimal) -> Option<Decimal> {
    if previous <= Decimal::ZERO {
        return None;
    }
    Some(((current - previous) / previous).normalize())
}

/// Attainment of a plan target in percent: value / target x 100 for an indicator where more is better, target /
/// value x 100 where less is; `None` when the divisor is not positive.
pub fn attainment(value: Decimal, target: Decimal, direction: crate::Direction) -> Option<Decimal> {
    let (numerator, denominator) = if direction.sign() > 0 { (value, target) } else { (target, value) };
    if denominator <= Decimal::ZERO || numerator < Decimal::ZERO {
        return None;
    }
    Some((numerator * Decimal::ONE_HUNDRED / denominator).round_dp(6).normalize())
}

/// Compound annual growth rate from `first` to `last`, `years` apart: (last / first)^(1 / years) - 1. A root is not
/// exact in decimals, so this statistic is a binary float; `None` for a non-positive start or span.
pub fn cagr(first: Decimal, last: Decimal, years: i32) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    if first <= Decimal::ZERO || last < Decimal::ZERO || years <= 0 {
        return None;
    }
    let ratio = (last / first).to_f64()?;
    Some(ratio.powf(1.0 / f64::from(years)) - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Division, DivisionSet, Vintage};

    #[test]
    fn attainment_follows_the_direction_and_cagr_compounds() {
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        assert_eq!(attainment(d("90"), d("120"), crate::Direction::HigherIsBetter), Some(d("75")));
        assert_eq!(attainment(d("0.5"), d("0.4"), crate::Direction::LowerIsBetter), Some(d("80")));
        assert_eq!(attainment(d("1"), d("0"), crate::Direction::HigherIsBetter), None);
        let rate = cagr(d("100"), d("121"), 2).expect("cagr");
        assert!((rate - 0.1).abs() < 1e-12, "{rate}");
        assert_eq!(cagr(d("0"), d("5"), 3), None);
        assert_eq!(cagr(d("5"), d("6"), 0), None);
    }

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    fn tree() -> DivisionTree {
        let d = |c: &str, p: Option<&str>| Division {
            code: code(c),
            name_zh: c.into(),
            parent: p.map(code),
            grouping_zh: None,
        };
        DivisionTree::new(
            DivisionSet::new(
                Vintage::new(2023).unwrap(),
                vec![
                    d("330000", None),
                    d("330100", Some("330000")),
                    d("330102", Some("330100")),
                    d("330105", Some("330100")),
                    d("330200", Some("330000")),
                    d("330203", Some("330200")),
                    d("320000", None),
                    d("320100", Some("320000")),
                    d("320102", Some("320100")),
                ],
            )
            .unwrap(),
        )
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn reported(values: &[(&str, i32, &str)]) -> Reported {
        let mut r = Reported::default();
        for (c, y, v) in values {
            r.divisions.insert((code(c), *y), (dec(v), "test".into()));
        }
        r
    }

    #[test]
    fn a_parent_without_its_own_value_is_the_sum_of_its_children() {
        let r = reported(&[("330102", 2023, "1.5"), ("330105", 2023, "2.25"), ("330203", 2023, "10")]);
        let hz = division_figure(&tree(), &r, &code("330100"), 2023).unwrap();
        assert_eq!(hz.value, dec("3.75"));
        assert_eq!(hz.basis, Basis::Sum { parts_with_values: 2, parts: 2 });
        let zj = division_figure(&tree(), &r, &code("330000"), 2023).unwrap();
        assert_eq!(zj.value, dec("13.75"));
        assert!(division_figure(&tree(), &r, &code("330000"), 2022).is_none());
    }

    #[test]
    fn a_reported_total_wins_and_a_disagreement_is_flagged() {
        let r = reported(&[("330102", 2023, "1"), ("330105", 2023, "2"), ("330100", 2023, "4")]);
        let hz = division_figure(&tree(), &r, &code("330100"), 2023).unwrap();
        assert_eq!(hz.value, dec("4"));
        assert_eq!(
            hz.warnings,
            [Warning::PartsDisagree {
                area: Area::Division(code("330100")),
                reported: dec("4"),
                sum_of_parts: dec("3")
            }]
        );
    }

    #[test]
    fn missing_parts_are_flagged_as_incomplete() {
        let r = reported(&[("330102", 2023, "1")]);
        let hz = division_figure(&tree(), &r, &code("330100"), 2023).unwrap();
        assert_eq!(
            hz.warnings,
            [Warning::Incomplete { area: Area::Division(code("330100")), parts_with_values: 1, parts: 2 }]
        );
    }

    #[test]
    fn overlapping_members_count_once_and_the_nation_sums_provinces() {
        let r = reported(&[("330102", 2023, "1"), ("330105", 2023, "2"), ("330203", 2023, "4"), ("320102", 2023, "8")]);
        let zone = Zone {
            key: ZoneKey::parse("z").unwrap(),
            name_zh: "Z".into(),
            short_name_zh: "Z".into(),
            province: code("330000"),
            members: vec![code("330000"), code("330200")],
            approved: None,
            approval_note: String::new(),
            approval_note_zh: String::new(),
            source_zh: String::new(),
            source: String::new(),
        };
        assert_eq!(outermost_members(&zone), [code("330000")]);
        assert_eq!(zone_figure(&tree(), &r, &zone, 2023).unwrap().value, dec("7"));
        assert_eq!(national_figure(&tree(), &r, 2023).unwrap().value, dec("15"));
    }

    #[test]
    fn an_indicator_is_a_ratio_of_sums() {
        let data = crate::ReferenceData::shipped().unwrap();
        let patents = data.indicators.iter().find(|i| i.code.as_str() == "invention_patents_per_10k").unwrap();
        let mut num = Reported::default();
        let mut den = Reported::default();
        // City A: 10 patents / 1,000 people; city B: 990 / 99,000. Mean of ratios would be 100; ratio of sums is 100.
        // Make them differ: B has 1,990 patents.
        for (c, p, n) in [("330102", "10", "1000"), ("330105", "1990", "99000")] {
            num.divisions.insert((code(c), 2023), (dec(p), "t".into()));
            den.divisions.insert((code(c), 2023), (dec(n), "t".into()));
        }
        let t = tree();
        let v = indicator_value(
            patents,
            division_figure(&t, &num, &code("330100"), 2023),
            division_figure(&t, &den, &code("330100"), 2023),
        )
        .unwrap();
        assert_eq!(v.value, dec("200"), "10000 × 2000 / 100000");
        let zero = Reported {
            divisions: [((code("330100"), 2023), (Decimal::ZERO, "t".into()))].into(),
            ..Default::default()
        };
        assert!(
            indicator_value(
                patents,
                division_figure(&t, &num, &code("330100"), 2023),
                division_figure(&t, &zero, &code("330100"), 2023)
            )
            .is_none()
        );
    }

    #[test]
    fn reports_beat_the_registry_the_newest_report_wins_and_registry_batches_add_up() {
        let v = |c: &str, value: &str, source: &str, kind: SourceKind, revision: i64| SourcedValue {
            area: Area::Division(code(c)),
            year: 2023,
            value: dec(value),
            source: source.into(),
            kind,
            revision,
            note: None,
        };
        let r = resolve([
            v("330102", "100", "contracts:q1", SourceKind::Registry, 1),
            v("330102", "50", "contracts:q2", SourceKind::Registry, 2),
            v("330105", "7", "contracts:q1", SourceKind::Registry, 1),
            v("330105", "9", "values:old", SourceKind::Reported, 3),
            v("330105", "8", "values:new", SourceKind::Reported, 4),
        ]);
        assert_eq!(r.divisions[&(code("330102"), 2023)], (dec("150"), "contracts:q1+contracts:q2".into()));
        assert_eq!(r.divisions[&(code("330105"), 2023)], (dec("8"), "values:new".into()));
    }

    #[test]
    fn a_register_covering_a_province_is_its_figure_and_a_different_report_is_kept_beside_it() {
        let v = |c: &str, value: &str, source: &str, kind: SourceKind| SourcedValue {
            area: Area::Division(code(c)),
            year: 2024,
            value: dec(value),
            source: source.into(),
            kind,
            revision: 1,
            note: None,
        };
        let r = resolve([
            v("330000", "3", "register:tech_brokers", SourceKind::Register),
            v("330100", "3", "register:tech_brokers", SourceKind::Register),
            v("330102", "3", "register:tech_brokers", SourceKind::Register),
            v("330105", "5", "values:zj-2024", SourceKind::Reported),
            v("330102", "3", "values:zj-2024", SourceKind::Reported),
            v("320102", "4", "values:js-2024", SourceKind::Reported),
        ]);
        let t = tree();
        let counted = division_figure(&t, &r, &code("330105"), 2024).unwrap();
        assert_eq!(
            (counted.value, &counted.basis, &counted.warnings[..]),
            (
                Decimal::ZERO,
                &Basis::Register { source: "register:tech_brokers".into() },
                &[Warning::RegisterDiffers {
                    area: Area::Division(code("330105")),
                    registered: Decimal::ZERO,
                    reported: dec("5"),
                    source: "values:zj-2024".into(),
                }][..]
            ),
            "zero where the register holds nothing, the report's 5 set beside it"
        );
        assert!(division_figure(&t, &r, &code("330102"), 2024).unwrap().warnings.is_empty(), "they agree");
        assert_eq!(division_figure(&t, &r, &code("330000"), 2024).unwrap().value, dec("3"));
        let js = division_figure(&t, &r, &code("320102"), 2024).unwrap();
        assert_eq!((js.value, js.basis), (dec("4"), Basis::Reported { source: "values:js-2024".into() }), "uncovered");
        assert!(division_figure(&t, &r, &code("330105"), 2023).is_none(), "not covered in 2023");
        assert_eq!(national_figure(&t, &r, 2024).unwrap().value, dec("7"));
    }

    #[test]
    fn growth_is_relative_to_the_previous_year() {
        assert_eq!(growth(dec("125"), dec("100")), Some(dec("0.25")));
        assert_eq!(growth(dec("5"), dec("0")), None);
    }
}

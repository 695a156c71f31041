//! Turning stored text back into domain types. Both backends read the same column shapes, so the checks live
//! here once; a stored value that no longer parses is reported as `Corrupt`, never unwrapped.

use std::str::FromStr;

use rust_decimal::Decimal;
use ttdz_domain::{
    Direction, Division, DivisionCode, ElementCode, Indicator, IndicatorCode, IndicatorKind, PartialDate,
    PublishedFigure, Zone, ZoneKey,
};

use crate::{ElementValue, Result, StoreError};

fn corrupt<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub fn code(s: &str) -> Result<DivisionCode> {
    DivisionCode::parse(s).map_err(corrupt("division code"))
}

pub fn decimal(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(corrupt("decimal value"))
}

fn year(y: i64) -> Result<i32> {
    i32::try_from(y).map_err(corrupt("year"))
}

pub struct DivisionRow {
    pub code: String,
    pub name_zh: String,
    pub parent_code: Option<String>,
    pub grouping_zh: Option<String>,
}

impl TryFrom<DivisionRow> for Division {
    type Error = StoreError;
    fn try_from(r: DivisionRow) -> Result<Division> {
        Ok(Division {
            code: code(&r.code)?,
            name_zh: r.name_zh,
            parent: r.parent_code.as_deref().map(code).transpose()?,
            grouping_zh: r.grouping_zh,
        })
    }
}

pub struct IndicatorRow {
    pub seq: i64,
    pub code: String,
    pub category_zh: String,
    pub category_en: String,
    pub name_zh: String,
    pub unit_zh: String,
    pub name_en: String,
    pub unit_en: String,
    pub kind: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub factor: Option<String>,
    pub direction: Option<String>,
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = StoreError;
    fn try_from(r: IndicatorRow) -> Result<Indicator> {
        let element = |s: Option<String>| s.as_deref().map(ElementCode::parse).transpose().map_err(corrupt("element"));
        Ok(Indicator {
            seq: u8::try_from(r.seq).map_err(corrupt("indicator seq"))?,
            code: IndicatorCode::parse(&r.code).map_err(corrupt("indicator code"))?,
            category_zh: r.category_zh,
            category_en: r.category_en,
            name_zh: r.name_zh,
            unit_zh: r.unit_zh,
            name_en: r.name_en,
            unit_en: r.unit_en,
            kind: IndicatorKind::parse(&r.kind).map_err(corrupt("indicator kind"))?,
            numerator: element(r.numerator)?,
            denominator: element(r.denominator)?,
            factor: r.factor.as_deref().map(decimal).transpose()?,
            direction: r.direction.as_deref().map(Direction::parse).transpose().map_err(corrupt("direction"))?,
        })
    }
}

pub struct ZoneRow {
    pub key: String,
    pub name_zh: String,
    pub short_name_zh: String,
    pub province_code: String,
    pub approved: Option<String>,
    pub approval_note: String,
    pub source: String,
}

/// Builds a zone from its row and its members' codes in order.
pub fn zone(r: ZoneRow, members: &[String]) -> Result<Zone> {
    Ok(Zone {
        key: ZoneKey::parse(&r.key).map_err(corrupt("zone key"))?,
        name_zh: r.name_zh,
        short_name_zh: r.short_name_zh,
        province: code(&r.province_code)?,
        members: members.iter().map(|m| code(m)).collect::<Result<_>>()?,
        approved: r.approved.as_deref().map(PartialDate::from_str).transpose().map_err(corrupt("approval date"))?,
        approval_note: r.approval_note,
        source: r.source,
    })
}

/// Zones in their listing order: by approval date (unknown last), then key.
pub fn sort_zones(zones: &mut [Zone]) {
    zones.sort_by(|a, b| (a.approved.is_none(), a.approved, &a.key).cmp(&(b.approved.is_none(), b.approved, &b.key)));
}

pub fn element_value(element: &str, division: &str, y: i64, value: &str, dataset: String) -> Result<ElementValue> {
    Ok(ElementValue {
        element: ElementCode::parse(element).map_err(corrupt("element"))?,
        division: code(division)?,
        year: year(y)?,
        value: decimal(value)?,
        dataset,
    })
}

pub struct FigureRow {
    pub stat: String,
    pub division_code: Option<String>,
    pub name_zh: String,
    pub year: i64,
    pub value: String,
    pub unit_zh: String,
    pub source_url: Option<String>,
    pub note: String,
}

impl TryFrom<FigureRow> for PublishedFigure {
    type Error = StoreError;
    fn try_from(r: FigureRow) -> Result<PublishedFigure> {
        Ok(PublishedFigure {
            stat: r.stat,
            division: r.division_code.as_deref().map(code).transpose()?,
            name_zh: r.name_zh,
            year: year(r.year)?,
            value: decimal(&r.value)?,
            unit_zh: r.unit_zh,
            source_url: r.source_url,
            note: r.note,
        })
    }
}

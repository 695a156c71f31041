//! Turning stored text back into domain types. Both backends read the same column shapes, so the checks live
//! here once; a stored value that no longer parses is reported as `Corrupt`, never unwrapped.

use std::str::FromStr;

use rust_decimal::Decimal;
use ttdz_domain::{
    Dataset, Direction, Division, DivisionCode, ElementCode, Indicator, IndicatorCode, IndicatorKind, PartialDate,
    PublishedFigure, Zone, ZoneKey,
};

use crate::{DatasetRecord, ElementValue, Result, StoreError};

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

/// `SELECT code, name_zh, parent_code, grouping_zh FROM divisions`
pub type DivisionRow = (String, String, Option<String>, Option<String>);

pub fn division((c, name_zh, parent, grouping_zh): DivisionRow) -> Result<Division> {
    Ok(Division { code: code(&c)?, name_zh, parent: parent.as_deref().map(code).transpose()?, grouping_zh })
}

/// `SELECT seq, code, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind, numerator, denominator,
/// factor, direction FROM indicators`, factor as text
pub type IndicatorRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub fn indicator(row: IndicatorRow) -> Result<Indicator> {
    let (seq, c, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind, num, den, factor, direction) = row;
    let element = |s: Option<String>| s.as_deref().map(ElementCode::parse).transpose().map_err(corrupt("element"));
    Ok(Indicator {
        seq: u8::try_from(seq).map_err(corrupt("indicator seq"))?,
        code: IndicatorCode::parse(&c).map_err(corrupt("indicator code"))?,
        category_zh,
        category_en,
        name_zh,
        unit_zh,
        name_en,
        unit_en,
        kind: IndicatorKind::parse(&kind).map_err(corrupt("indicator kind"))?,
        numerator: element(num)?,
        denominator: element(den)?,
        factor: factor.as_deref().map(decimal).transpose()?,
        direction: direction.as_deref().map(Direction::parse).transpose().map_err(corrupt("direction"))?,
    })
}

/// `SELECT key, name_zh, short_name_zh, province_code, approved, approval_note, source FROM zones`
pub type ZoneRow = (String, String, String, String, Option<String>, String, String);

/// Builds a zone from its row and its members' codes in order.
pub fn zone(row: ZoneRow, members: &[String]) -> Result<Zone> {
    let (key, name_zh, short_name_zh, province, approved, approval_note, source) = row;
    Ok(Zone {
        key: ZoneKey::parse(&key).map_err(corrupt("zone key"))?,
        name_zh,
        short_name_zh,
        province: code(&province)?,
        members: members.iter().map(|m| code(m)).collect::<Result<_>>()?,
        approved: approved.as_deref().map(PartialDate::from_str).transpose().map_err(corrupt("approval date"))?,
        approval_note,
        source,
    })
}

/// Zones with their members, from all zone rows and all (zone key, member) rows in member order.
pub fn zones(rows: Vec<ZoneRow>, members: &[(String, String)]) -> Result<Vec<Zone>> {
    let mut zones = rows
        .into_iter()
        .map(|row| {
            let mine: Vec<String> = members.iter().filter(|(k, _)| *k == row.0).map(|(_, c)| c.clone()).collect();
            zone(row, &mine)
        })
        .collect::<Result<Vec<_>>>()?;
    sort_zones(&mut zones);
    Ok(zones)
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

/// `SELECT stat, division_code, name_zh, year, value, unit_zh, source_url, note FROM published_figures`, value as text
pub type FigureRow = (String, Option<String>, String, i64, String, String, Option<String>, String);

pub fn figure(row: FigureRow) -> Result<PublishedFigure> {
    let (stat, division, name_zh, y, value, unit_zh, source_url, note) = row;
    Ok(PublishedFigure {
        stat,
        division: division.as_deref().map(code).transpose()?,
        name_zh,
        year: year(y)?,
        value: decimal(&value)?,
        unit_zh,
        source_url,
        note,
    })
}

/// `SELECT name, files, sha256, source, loaded_at FROM datasets`, loaded_at as ISO 8601 UTC text
pub type DatasetRow = (String, String, String, String, String);

pub fn dataset((name, files, sha256, source, loaded_at): DatasetRow) -> DatasetRecord {
    DatasetRecord {
        dataset: Dataset { name, files: files.lines().map(str::to_owned).collect(), sha256, source },
        loaded_at,
    }
}

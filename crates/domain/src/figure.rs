//! Figures published by statistics bureaus and the press, kept as printed with where they were found.

use rust_decimal::Decimal;

use crate::DivisionCode;

/// A published figure as its source printed it: its own statistic name and unit, not yet mapped to a TTDZ data
/// element. `division` is `None` for a national figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFigure {
    pub stat: String,
    pub division: Option<DivisionCode>,
    pub name_zh: String,
    pub year: i32,
    pub value: Decimal,
    pub unit_zh: String,
    pub source_url: Option<String>,
    pub note: String,
}

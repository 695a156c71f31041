//! Many-row inserts, described once as columns and rendered by each backend the way its database loads rows
//! fastest: SQLite as multi-row `VALUES` in chunks, PostgreSQL as one `UNNEST` over arrays. This is the one place
//! where the two write the same rows differently; what is written is decided here.

use ttdz_domain::contract::{ContractFlow, ContractRollup};
use ttdz_domain::counted::CountedNumbers;
use ttdz_domain::{DivisionSet, PublishedFigure, Zone};

use crate::{DivisionValue, ZoneValue};

/// How to read one column's value of row `i`. A column is read when it is sent, not gathered beforehand: a
/// registry batch of hundreds of thousands of rows is never held twice.
pub enum Column<'a> {
    Text(Box<dyn Fn(usize) -> Option<&'a str> + Send + Sync + 'a>),
    Int(Box<dyn Fn(usize) -> i64 + Send + Sync + 'a>),
    /// Exact decimals as canonical text: NUMERIC on PostgreSQL, decimal text on SQLite.
    Decimal(Box<dyn Fn(usize) -> String + Send + Sync + 'a>),
}

/// Rows for one table: `len` rows of named columns, and what to do when a row's key is already stored.
pub struct Rows<'a> {
    pub table: &'static str,
    pub columns: Vec<(&'static str, Column<'a>)>,
    /// Appended as is: empty, or an `ON CONFLICT ...` clause both databases read alike.
    pub on_conflict: &'static str,
    pub len: usize,
}

impl Rows<'_> {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `INSERT INTO table (a, b, ...) `, the start both renderings share.
    pub fn insert_into(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        format!("INSERT INTO {} ({}) ", self.table, names.join(", "))
    }
}

fn text<'a, T: Sync>(items: &'a [T], f: impl Fn(&'a T) -> &'a str + Send + Sync + 'a) -> Column<'a> {
    Column::Text(Box::new(move |i| Some(f(&items[i]))))
}

fn optional_text<'a, T: Sync>(items: &'a [T], f: impl Fn(&'a T) -> Option<&'a str> + Send + Sync + 'a) -> Column<'a> {
    Column::Text(Box::new(move |i| f(&items[i])))
}

fn repeated(value: &str) -> Column<'_> {
    Column::Text(Box::new(move |_| Some(value)))
}

fn int<'a, T: Sync>(items: &'a [T], f: impl Fn(&T) -> i64 + Send + Sync + 'a) -> Column<'a> {
    Column::Int(Box::new(move |i| f(&items[i])))
}

fn position<'a>() -> Column<'a> {
    Column::Int(Box::new(|i| i as i64))
}

fn decimal<'a, T: Sync>(items: &'a [T], f: impl Fn(&T) -> String + Send + Sync + 'a) -> Column<'a> {
    Column::Decimal(Box::new(move |i| f(&items[i])))
}

/// A division list. Ordered by code, so every parent comes before its children.
pub fn divisions(set: &DivisionSet) -> Rows<'_> {
    let d = set.divisions();
    Rows {
        table: "divisions",
        columns: vec![
            ("vintage", int(d, move |_| set.vintage().year())),
            ("code", text(d, |d| d.code.as_str())),
            ("name_zh", text(d, |d| d.name_zh.as_str())),
            ("parent_code", optional_text(d, |d| d.parent.as_ref().map(|p| p.as_str()))),
            ("grouping_zh", optional_text(d, |d| d.grouping_zh.as_deref())),
        ],
        on_conflict: "",
        len: d.len(),
    }
}

/// A zone's members, in their order.
pub fn zone_members(zone: &Zone) -> Rows<'_> {
    let m = &zone.members;
    Rows {
        table: "zone_members",
        columns: vec![
            ("zone_key", repeated(zone.key.as_str())),
            ("position", position()),
            ("division_code", text(m, |c| c.as_str())),
        ],
        on_conflict: "",
        len: m.len(),
    }
}

/// Values of a batch for divisions. A later value for the same key replaces an earlier one (reference data lists
/// a few twice).
pub fn division_values<'a>(values: &'a [DivisionValue], dataset: &'a str) -> Rows<'a> {
    Rows {
        table: "element_values",
        columns: vec![
            ("element", text(values, |v| v.element.as_str())),
            ("division_code", text(values, |v| v.division.as_str())),
            ("year", int(values, |v| i64::from(v.year))),
            ("value", decimal(values, |v| v.value.to_string())),
            ("dataset", repeated(dataset)),
            ("note", optional_text(values, |v| v.note.as_deref())),
        ],
        on_conflict: " ON CONFLICT (element, division_code, year, dataset) DO UPDATE SET value = excluded.value, note = excluded.note",
        len: values.len(),
    }
}

/// Values of a batch for zones as a whole.
pub fn zone_values<'a>(values: &'a [ZoneValue], dataset: &'a str) -> Rows<'a> {
    Rows {
        table: "zone_values",
        columns: vec![
            ("element", text(values, |v| v.element.as_str())),
            ("zone_key", text(values, |v| v.zone.as_str())),
            ("year", int(values, |v| i64::from(v.year))),
            ("value", decimal(values, |v| v.value.to_string())),
            ("dataset", repeated(dataset)),
            ("note", optional_text(values, |v| v.note.as_deref())),
        ],
        on_conflict: "",
        len: values.len(),
    }
}

/// Contract roll-ups of a batch.
pub fn rollups<'a>(rollups: &'a [ContractRollup], dataset: &'a str) -> Rows<'a> {
    Rows {
        table: "contract_rollups",
        columns: vec![
            ("dataset", repeated(dataset)),
            ("side", text(rollups, |r| r.side.as_str())),
            ("division_code", text(rollups, |r| r.division.as_str())),
            ("year", int(rollups, |r| i64::from(r.year))),
            ("contract_type", text(rollups, |r| r.contract_type.name_zh())),
            ("contracts", int(rollups, |r| r.contracts as i64)),
            ("turnover", decimal(rollups, |r| r.turnover.to_string())),
            ("tech_amount", decimal(rollups, |r| r.tech_amount.to_string())),
        ],
        on_conflict: "",
        len: rollups.len(),
    }
}

/// Contract flows of a batch.
pub fn flows<'a>(flows: &'a [ContractFlow], dataset: &'a str) -> Rows<'a> {
    Rows {
        table: "contract_flows",
        columns: vec![
            ("dataset", repeated(dataset)),
            ("seller_division", text(flows, |f| f.seller.as_str())),
            ("buyer_division", text(flows, |f| f.buyer.as_str())),
            ("year", int(flows, |f| i64::from(f.year))),
            ("contracts", int(flows, |f| f.contracts as i64)),
            ("turnover", decimal(flows, |f| f.turnover.to_string())),
        ],
        on_conflict: "",
        len: flows.len(),
    }
}

/// The contract numbers a registry file counted, a row per group.
pub fn contract_numbers<'a>(numbers: &'a CountedNumbers, dataset: &'a str) -> Rows<'a> {
    let groups = numbers.groups();
    Rows {
        table: "contract_numbers",
        columns: vec![
            ("bucket", int(groups, |(bucket, _)| i64::from(*bucket))),
            ("dataset", repeated(dataset)),
            ("numbers", text(groups, |(_, numbers)| numbers.as_str())),
        ],
        on_conflict: "",
        len: groups.len(),
    }
}

/// Published figures of the demo, numbered from 1 in their order.
pub fn figures<'a>(figures: &'a [PublishedFigure], dataset: &'a str) -> Rows<'a> {
    Rows {
        table: "published_figures",
        columns: vec![
            ("dataset", repeated(dataset)),
            ("row_index", Column::Int(Box::new(|i| i as i64 + 1))),
            ("stat", text(figures, |f| f.stat.as_str())),
            ("division_code", optional_text(figures, |f| f.division.as_ref().map(|d| d.as_str()))),
            ("name_zh", text(figures, |f| f.name_zh.as_str())),
            ("year", int(figures, |f| i64::from(f.year))),
            ("value", decimal(figures, |f| f.value.to_string())),
            ("unit_zh", text(figures, |f| f.unit_zh.as_str())),
            ("source_url", optional_text(figures, |f| f.source_url.as_deref())),
            ("note", text(figures, |f| f.note.as_str())),
        ],
        on_conflict: "",
        len: figures.len(),
    }
}

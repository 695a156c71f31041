//! Excel reporting templates (填报模板): for a zone and a year, one sheet per indicator category with a row per
//! data element and member division, the previous year's value beside each input, every cell locked but the
//! inputs, numbers validated. Read back by (area, element) keys, not by position, so sorting or inserting rows
//! in a spreadsheet program does not break it. A workbook with bad cells comes back as the same layout with each
//! bad cell marked and commented.

pub mod tables;

use std::collections::HashSet;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, DataValidation, DataValidationRule, Format, FormatBorder, Note, Workbook, XlsxError};
use ttdz_domain::element::{ElementSpec, Scope, parse_amount};
use ttdz_domain::{DivisionCode, DivisionTree, Indicator, IndicatorKind, Zone, ZoneKey};
use ttdz_store::{DivisionValue, ZoneValue};

/// Limits on what an uploaded workbook may unpack to: far above any real template, far below exhausting memory.
const MAX_ENTRIES: usize = 200;
const MAX_UNPACKED_BYTES: u64 = 64 << 20;
const META_SHEET: &str = "_ttdz";
const HEADER_ROW: u32 = 3;
const COL_AREA: u16 = 0;
const COL_ELEMENT: u16 = 3;
const COL_VALUE: u16 = 6;
const COL_SOURCE: u16 = 7;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot write the workbook: {0}")]
    Write(#[from] XlsxError),
    /// The upload is not a workbook this template can read at all.
    #[error("{0}")]
    Unreadable(String),
}

/// Which area a row is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowArea {
    Division { code: DivisionCode, name: String },
    Zone { key: ZoneKey, name: String },
}

impl RowArea {
    fn id(&self) -> String {
        match self {
            RowArea::Division { code, .. } => code.to_string(),
            RowArea::Zone { key, .. } => key.to_string(),
        }
    }
    fn name(&self) -> &str {
        match self {
            RowArea::Division { name, .. } | RowArea::Zone { name, .. } => name,
        }
    }
}

/// What was typed into a row's input cells, kept as text so it can be shown again exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entered {
    pub value: String,
    pub source: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TemplateRow {
    pub area: RowArea,
    pub element: &'static ElementSpec,
    pub previous: Option<Decimal>,
    pub entered: Entered,
}

#[derive(Debug, Clone)]
pub struct TemplateSheet {
    pub category_zh: String,
    pub rows: Vec<TemplateRow>,
}

/// The layout of one zone's template for one year.
#[derive(Debug, Clone)]
pub struct Template {
    pub zone: ZoneKey,
    pub zone_name: String,
    pub year: i32,
    pub sheets: Vec<TemplateSheet>,
}

impl Template {
    /// Lays out the template: per category of quantitative indicators, each data element the category needs
    /// (an element appears once, in the first category that uses it), for each outermost member of the zone, or
    /// for the zone itself where the element is reported per zone. `previous` gives last year's figure of a row.
    pub fn layout(
        zone: &Zone,
        tree: &DivisionTree,
        indicators: &[Indicator],
        year: i32,
        previous: &dyn Fn(&RowArea, &ElementSpec) -> Option<Decimal>,
    ) -> Template {
        let members = ttdz_domain::measure::outermost_members(zone);
        let mut placed: HashSet<&str> = HashSet::new();
        let mut sheets: Vec<TemplateSheet> = Vec::new();
        for indicator in indicators.iter().filter(|i| i.kind == IndicatorKind::Quantitative) {
            let elements: Vec<&'static ElementSpec> = indicator
                .numerator
                .iter()
                .chain(&indicator.denominator)
                .filter_map(|e| ElementSpec::find(e.as_str()))
                .filter(|e| placed.insert(e.code))
                .collect();
            if elements.is_empty() {
                continue;
            }
            let sheet = match sheets.iter_mut().position(|s| s.category_zh == indicator.category_zh) {
                Some(i) => &mut sheets[i],
                None => {
                    sheets.push(TemplateSheet { category_zh: indicator.category_zh.clone(), rows: Vec::new() });
                    sheets.last_mut().unwrap_or_else(|| unreachable!("just pushed"))
                }
            };
            for element in elements {
                let areas: Vec<RowArea> = match element.scope {
                    Scope::Zone => vec![RowArea::Zone { key: zone.key.clone(), name: zone.short_name_zh.clone() }],
                    Scope::Division => members
                        .iter()
                        .map(|m| RowArea::Division {
                            code: *m,
                            name: tree.get(m).map_or_else(|| m.to_string(), |d| d.name_zh.clone()),
                        })
                        .collect(),
                };
                for area in areas {
                    let previous = previous(&area, element);
                    sheet.rows.push(TemplateRow { area, element, previous, entered: Entered::default() });
                }
            }
        }
        Template { zone: zone.key.clone(), zone_name: zone.name_zh.clone(), year, sheets }
    }

    /// The workbook people fill in, with whatever was entered (and marked) already in it.
    pub fn write(&self) -> Result<Vec<u8>, TemplateError> {
        let mut book = Workbook::new();
        let title = Format::new().set_bold().set_font_size(14);
        let header = Format::new().set_bold().set_background_color(Color::RGB(0xDDE3EA)).set_border(FormatBorder::Thin);
        let locked = Format::new().set_border(FormatBorder::Thin);
        let previous = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_color(Color::RGB(0x555555))
            .set_num_format("#,##0.##");
        let input =
            Format::new().set_unlocked().set_background_color(Color::RGB(0xFFF2CC)).set_border(FormatBorder::Thin);
        let bad =
            Format::new().set_unlocked().set_background_color(Color::RGB(0xF8C9C4)).set_border(FormatBorder::Thin);
        let validation = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_title("数值无效")?
            .set_error_message("请输入不小于 0 的数值；单位见“单位”列。")?;

        for sheet in &self.sheets {
            let ws = book.add_worksheet();
            ws.set_name(&sheet.category_zh)?;
            ws.write_string_with_format(
                0,
                0,
                format!("{} · {}年度数据填报 · {}", self.zone_name, self.year, sheet.category_zh),
                &title,
            )?;
            ws.write_string(
                1,
                0,
                format!("请在黄色单元格填写 {} 年数值（单位见“单位”列）与来源；其余单元格已锁定。", self.year),
            )?;
            let headers = [
                "区划代码",
                "区划名称",
                "数据元素",
                "元素代码",
                "单位",
                &format!("{}年值", self.year - 1),
                &format!("{}年值", self.year),
                "来源/说明",
            ];
            for (col, h) in headers.iter().enumerate() {
                ws.write_string_with_format(HEADER_ROW, col as u16, *h, &header)?;
            }
            for (i, row) in sheet.rows.iter().enumerate() {
                let r = HEADER_ROW + 1 + i as u32;
                ws.write_string_with_format(r, COL_AREA, row.area.id(), &locked)?;
                ws.write_string_with_format(r, 1, row.area.name(), &locked)?;
                ws.write_string_with_format(r, 2, row.element.name_zh, &locked)?;
                ws.write_string_with_format(r, COL_ELEMENT, row.element.code, &locked)?;
                ws.write_string_with_format(r, 4, row.element.unit_zh, &locked)?;
                // Spreadsheet cells hold binary floats; this column is for reading only and is never read back.
                match row.previous.and_then(|p| p.to_f64()) {
                    Some(p) => ws.write_number_with_format(r, 5, p, &previous)?,
                    None => ws.write_string_with_format(r, 5, "", &locked)?,
                };
                let format = if row.entered.error.is_some() { &bad } else { &input };
                match row.entered.value.parse::<f64>() {
                    Ok(n) if row.entered.error.is_none() => ws.write_number_with_format(r, COL_VALUE, n, format)?,
                    _ => ws.write_string_with_format(r, COL_VALUE, &row.entered.value, format)?,
                };
                ws.write_string_with_format(r, COL_SOURCE, &row.entered.source, &input)?;
                if let Some(error) = &row.entered.error {
                    ws.insert_note(r, COL_VALUE, &Note::new(error).set_author("TTDZ"))?;
                }
            }
            if !sheet.rows.is_empty() {
                let last = HEADER_ROW + sheet.rows.len() as u32;
                ws.add_data_validation(HEADER_ROW + 1, COL_VALUE, last, COL_VALUE, &validation)?;
            }
            for (col, width) in [(0, 10.0), (1, 16.0), (2, 34.0), (3, 30.0), (4, 6.0), (5, 16.0), (6, 16.0), (7, 30.0)]
            {
                ws.set_column_width(col, width)?;
            }
            ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
            ws.protect();
        }
        let meta = book.add_worksheet();
        meta.set_name(META_SHEET)?;
        meta.write_string(0, 0, "ttdz-template")?;
        meta.write_string(0, 1, self.zone.as_str())?;
        meta.write_number(0, 2, f64::from(self.year))?;
        meta.set_hidden(true);
        meta.protect();
        Ok(book.save_to_buffer()?)
    }

    /// Reads a filled workbook. Returns the values, or the template with every bad cell marked when any is bad.
    pub fn read(&self, bytes: &[u8]) -> Result<Result<Filled, Template>, TemplateError> {
        check_archive(bytes)?;
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e| TemplateError::Unreadable(format!("not a readable .xlsx workbook: {e}")))?;
        self.check_meta(&mut book)?;
        let mut marked = self.clone();
        let mut filled = Filled::default();
        let mut any_error = false;
        for sheet in &mut marked.sheets {
            let Ok(range) = book.worksheet_range(&sheet.category_zh) else {
                return Err(TemplateError::Unreadable(format!("the sheet '{}' is missing", sheet.category_zh)));
            };
            let text = |row: u32, col: u16| -> String {
                match range.get_value((row, u32::from(col))) {
                    Some(Data::String(s)) => s.trim().to_owned(),
                    Some(Data::Float(f)) => format!("{f}"),
                    Some(Data::Int(i)) => i.to_string(),
                    Some(Data::Bool(b)) => b.to_string(),
                    Some(Data::Error(e)) => format!("#{e:?}"),
                    Some(Data::DateTime(d)) => d.as_f64().to_string(),
                    Some(Data::DateTimeIso(s) | Data::DurationIso(s)) => s.clone(),
                    Some(Data::Empty) | None => String::new(),
                }
            };
            let end = range.end().map_or(0, |(r, _)| r);
            for r in HEADER_ROW + 1..=end {
                let (area, element) = (text(r, COL_AREA), text(r, COL_ELEMENT));
                let Some(row) = sheet.rows.iter_mut().find(|t| t.area.id() == area && t.element.code == element) else {
                    // A value whose row no longer names a known area and element would be lost without a word.
                    if text(r, COL_VALUE).is_empty() {
                        continue;
                    }
                    return Err(TemplateError::Unreadable(format!(
                        "{}!{}{}: the row's locked cells were changed ('{area}', '{element}' is not a row of this \
                         template); download the template again and enter the values there",
                        sheet.category_zh,
                        column_letter(COL_VALUE),
                        r + 1
                    )));
                };
                row.entered.value = text(r, COL_VALUE);
                row.entered.source = text(r, COL_SOURCE);
                if row.entered.value.is_empty() {
                    continue;
                }
                match checked_value(&row.entered.value, row.element) {
                    Ok(value) => {
                        let note = (!row.entered.source.is_empty()).then(|| row.entered.source.clone());
                        let element = row.element.element_code();
                        match &row.area {
                            RowArea::Division { code, .. } => filled.division_values.push(DivisionValue {
                                element,
                                division: *code,
                                year: self.year,
                                value,
                                note,
                            }),
                            RowArea::Zone { key, .. } => filled.zone_values.push(ZoneValue {
                                element,
                                zone: key.clone(),
                                year: self.year,
                                value,
                                note,
                            }),
                        }
                    }
                    Err(reason) => {
                        any_error = true;
                        filled.problems.push(CellProblem {
                            cell: format!("{}!{}{}", sheet.category_zh, column_letter(COL_VALUE), r + 1),
                            reason: reason.clone(),
                        });
                        row.entered.error = Some(reason);
                    }
                }
            }
        }
        Ok(if any_error { Err(marked) } else { Ok(filled) })
    }

    /// Every bad cell of a marked template, as `sheet!cell: reason`.
    pub fn problems(&self) -> Vec<CellProblem> {
        let mut out = Vec::new();
        for sheet in &self.sheets {
            for (i, row) in sheet.rows.iter().enumerate() {
                if let Some(reason) = &row.entered.error {
                    out.push(CellProblem {
                        cell: format!(
                            "{}!{}{}",
                            sheet.category_zh,
                            column_letter(COL_VALUE),
                            HEADER_ROW + 2 + i as u32
                        ),
                        reason: reason.clone(),
                    });
                }
            }
        }
        out
    }

    fn check_meta(&self, book: &mut Xlsx<Cursor<&[u8]>>) -> Result<(), TemplateError> {
        let (zone, year) = meta(book)?;
        if zone != self.zone.as_str() || year != self.year {
            return Err(TemplateError::Unreadable(format!(
                "this workbook is the template of {zone} {year}, not of {} {}",
                self.zone, self.year
            )));
        }
        Ok(())
    }
}

/// The template of a zone and year, with last year's figures from the store.
pub async fn template_for(
    store: &dyn ttdz_store::Store,
    tree: &DivisionTree,
    zone: &Zone,
    year: i32,
) -> Result<Template, ttdz_store::StoreError> {
    let indicators = store.indicators().await?;
    let reported = ttdz_store::reported_for(store, &indicators).await?;
    let previous = |area: &RowArea, element: &ElementSpec| {
        let values = reported.get(&element.element_code())?;
        let figure = match area {
            RowArea::Division { code, .. } => ttdz_domain::measure::division_figure(tree, values, code, year - 1),
            RowArea::Zone { .. } => ttdz_domain::measure::zone_figure(tree, values, zone, year - 1),
        };
        figure.map(|f| f.value)
    };
    Ok(Template::layout(zone, tree, &indicators, year, &previous))
}

/// The first sheet of a long-format values workbook as CSV text, one line per sheet row, so that it is checked by
/// exactly the same rules as a CSV file and its line numbers are the sheet's row numbers.
pub fn first_sheet_as_csv(bytes: &[u8]) -> Result<String, TemplateError> {
    check_archive(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| TemplateError::Unreadable(format!("not a readable .xlsx workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| TemplateError::Unreadable("the workbook has no sheet".into()))?
        .map_err(|e| TemplateError::Unreadable(format!("cannot read the first sheet: {e}")))?;
    let mut csv = String::new();
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // Rows above the used range are empty lines, so that line numbers stay the sheet's row numbers.
    for _ in 0..first_row {
        csv.push('\n');
    }
    for row in range.rows() {
        let cells: Vec<String> = std::iter::repeat_n(String::new(), first_col as usize)
            .chain(row.iter().map(|c| {
                let text = match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                };
                if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
            }))
            .collect();
        // A row with nothing in it is a blank line, which the CSV rules skip.
        if cells.iter().any(|c| !c.is_empty()) {
            csv.push_str(&cells.join(","));
        }
        csv.push('\n');
    }
    Ok(csv)
}

/// Which zone and year a filled template is for, from its hidden sheet.
pub fn identify(bytes: &[u8]) -> Result<(String, i32), TemplateError> {
    check_archive(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| TemplateError::Unreadable(format!("not a readable .xlsx workbook: {e}")))?;
    meta(&mut book)
}

fn meta(book: &mut Xlsx<Cursor<&[u8]>>) -> Result<(String, i32), TemplateError> {
    let range = book.worksheet_range(META_SHEET).map_err(|_| {
        TemplateError::Unreadable("this workbook is not a TTDZ reporting template (its hidden sheet is missing)".into())
    })?;
    let zone = match range.get_value((0, 1)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let year = match range.get_value((0, 2)) {
        Some(Data::Float(f)) => *f as i32,
        Some(Data::Int(i)) => *i as i32,
        Some(Data::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    };
    Ok((zone, year))
}

/// A bad input cell, as `sheet!G7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub cell: String,
    pub reason: String,
}

/// The values read from a filled template.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub division_values: Vec<DivisionValue>,
    pub zone_values: Vec<ZoneValue>,
    pub problems: Vec<CellProblem>,
}

impl Filled {
    /// The values as one reported batch, `template:<zone>-<year>` unless named otherwise: uploading the template
    /// again replaces what it reported before.
    pub fn into_batch(
        self,
        template: &Template,
        name: Option<&str>,
        file_name: &str,
        bytes: &[u8],
        recorded_by: &str,
        scope: Option<ttdz_domain::DivisionCode>,
    ) -> ttdz_store::Batch {
        let rows = (self.division_values.len() + self.zone_values.len()) as u64;
        ttdz_store::Batch {
            dataset: ttdz_domain::Dataset {
                name: format!(
                    "template:{}",
                    name.map_or_else(|| format!("{}-{}", template.zone, template.year), str::to_owned)
                ),
                files: vec![file_name.to_owned()],
                sha256: ttdz_domain::reference::sha256_hex(bytes),
                source: format!(
                    "reporting template of {} for {}, filled as {file_name}",
                    template.zone_name, template.year
                ),
            },
            kind: ttdz_domain::measure::SourceKind::Reported,
            recorded_by: recorded_by.to_owned(),
            scope,
            rows,
            division_values: self.division_values,
            zone_values: self.zone_values,
            rollups: Vec::new(),
            flows: Vec::new(),
            contract_numbers: Default::default(),
        }
    }
}

/// A typed-in value: a spreadsheet number arrives as the shortest decimal that round-trips the stored float.
fn checked_value(text: &str, element: &ElementSpec) -> Result<Decimal, String> {
    let value = parse_amount(text).map_err(|e| format!("{e}; enter a number in {}", element.unit_zh))?;
    element.check_value(value)?;
    Ok(value)
}

fn column_letter(col: u16) -> char {
    char::from(b'A' + col as u8)
}

/// Refuses archives that are not zip files or that would unpack to more than any template could.
fn check_archive(bytes: &[u8]) -> Result<(), TemplateError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TemplateError::Unreadable(format!("not a valid .xlsx (zip) file: {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(TemplateError::Unreadable(format!(
            "the workbook has {} parts; a template has far fewer",
            archive.len()
        )));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| TemplateError::Unreadable(format!("damaged .xlsx: {e}")))?;
        // Declared sizes can lie: count what actually comes out, and stop at the limit.
        let mut sink = [0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut sink).map_err(|e| TemplateError::Unreadable(format!("damaged .xlsx: {e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(TemplateError::Unreadable(format!(
                    "the workbook unpacks to more than {} MiB; refused",
                    MAX_UNPACKED_BYTES >> 20
                )));
            }
        }
    }
    Ok(())
}

/// True when the bytes are a zip container (an .xlsx) rather than text.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

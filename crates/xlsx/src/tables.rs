//! Plain tables as a workbook, one sheet each with its title, header row and source line: the statistics a
//! province sends upward. Amounts are exact decimals until the cell, which (as every spreadsheet number) is a
//! binary float shown with two decimals.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::TemplateError;

/// A cell's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// Shown with two decimals.
    Amount(Decimal),
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The tab's name (at most 31 characters).
    pub name: String,
    pub title: String,
    /// 数据来源, under the table.
    pub source: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The row the header stands on: the title and a blank row above it.
const HEADER_ROW: u32 = 2;

/// The workbook of `sheets`, in order.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, TemplateError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDE3EA))
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_border(FormatBorder::Thin);
    let count = Format::new().set_border(FormatBorder::Thin).set_num_format("0");
    let amount = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name)?;
        ws.write_string_with_format(0, 0, &sheet.title, &title)?;
        for (col, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, col as u16, h, &header)?;
            ws.set_column_width(col as u16, if col == 0 { 18.0 } else { 14.0 })?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = HEADER_ROW + 1 + i as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(s) => ws.write_string_with_format(r, col, s, &text)?,
                    Cell::Count(n) => ws.write_number_with_format(r, col, *n as f64, &count)?,
                    Cell::Amount(d) => {
                        ws.write_number_with_format(r, col, d.round_dp(2).to_f64().unwrap_or(0.0), &amount)?
                    }
                };
            }
        }
        ws.write_string(HEADER_ROW + sheet.rows.len() as u32 + 2, 0, &sheet.source)?;
        ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

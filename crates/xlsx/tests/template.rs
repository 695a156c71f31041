//! Templates written, filled (by this crate and by LibreOffice), and read back.

use std::path::Path;
use std::process::Command;

use rust_decimal::Decimal;
use ttdz_domain::{DivisionTree, ReferenceData, Zone};
use ttdz_xlsx::{RowArea, Template, TemplateError};

fn sunan() -> (Template, ReferenceData) {
    let data = ReferenceData::shipped().expect("shipped data");
    let tree = DivisionTree::new(data.divisions.clone());
    let zone: &Zone = data.zones.iter().find(|z| z.key.as_str() == "jiangsu-sunan").expect("zone");
    let previous = |area: &RowArea, element: &ttdz_domain::element::ElementSpec| match (area, element.code) {
        (RowArea::Division { code, .. }, "gdp_yuan") if code.as_str() == "320100" => {
            Some(Decimal::new(1_690_785, 2) * Decimal::from(100_000_000))
        }
        _ => None,
    };
    (Template::layout(zone, &tree, &data.indicators, 2023, &previous), data)
}

fn row_index(t: &Template, sheet: &str, area: &str, element: &str) -> (usize, usize) {
    let s = t.sheets.iter().position(|s| s.category_zh == sheet).expect("sheet");
    let r = t.sheets[s]
        .rows
        .iter()
        .position(|r| {
            matches!(&r.area, RowArea::Division { code, .. } if code.as_str() == area) && r.element.code == element
        })
        .expect("row");
    (s, r)
}

#[test]
fn the_layout_has_a_sheet_per_category_and_a_row_per_member_and_element() {
    let (t, _) = sunan();
    let names: Vec<&str> = t.sheets.iter().map(|s| s.category_zh.as_str()).collect();
    assert_eq!(names, ["技术交易", "转移机构", "产业孵化", "支撑保障"]);
    let trading = &t.sheets[0];
    // contract_turnover_yuan, invention_patents_held, resident_population × 5 cities.
    assert_eq!(trading.rows.len(), 15);
    let funds = t.sheets[3].rows.iter().filter(|r| r.element.code == "transfer_special_funds_yuan").count();
    assert_eq!(funds, 1, "special funds are one row for the zone as a whole");
    let population_rows =
        t.sheets.iter().flat_map(|s| &s.rows).filter(|r| r.element.code == "resident_population").count();
    assert_eq!(population_rows, 5, "an element used by two categories is asked for once");
}

#[test]
fn values_typed_into_the_template_come_back_exactly() {
    let (mut t, _) = sunan();
    let (s, r) = row_index(&t, "技术交易", "320100", "contract_turnover_yuan");
    t.sheets[s].rows[r].entered.value = "30217345678.9".into();
    t.sheets[s].rows[r].entered.source = "南京市科技局".into();
    let (s2, r2) = row_index(&t, "产业孵化", "320500", "gdp_yuan");
    t.sheets[s2].rows[r2].entered.value = "2467240000000".into();
    let bytes = t.write().expect("write");

    let (blank, _) = sunan();
    let filled = blank.read(&bytes).expect("readable").expect("no bad cells");
    assert_eq!(filled.division_values.len(), 2);
    let v = filled.division_values.iter().find(|v| v.division.as_str() == "320100").expect("南京");
    assert_eq!(v.value.to_string(), "30217345678.9");
    assert_eq!(v.note.as_deref(), Some("南京市科技局"));
    assert_eq!(v.year, 2023);
}

#[test]
fn bad_cells_come_back_marked_and_other_workbooks_are_refused() {
    let (mut t, _) = sunan();
    let (s, r) = row_index(&t, "技术交易", "320200", "invention_patents_held");
    t.sheets[s].rows[r].entered.value = "很多".into();
    let bytes = t.write().expect("write");
    let (blank, _) = sunan();
    let Ok(Err(marked)) = blank.read(&bytes) else { panic!("a bad cell is reported") };
    let problems = marked.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].cell, format!("技术交易!G{}", r + 5));
    assert!(problems[0].reason.contains("'很多' is not a number"), "{}", problems[0].reason);
    let again = marked.write().expect("the marked workbook");
    let Ok(Err(still)) = blank.read(&again) else { panic!("still bad") };
    assert_eq!(still.problems(), problems);

    assert!(matches!(blank.read(b"not a zip at all"), Err(TemplateError::Unreadable(_))));
    let (mut other_year, _) = sunan();
    other_year.year = 2022;
    let Err(TemplateError::Unreadable(message)) = blank.read(&other_year.write().expect("write")) else { panic!() };
    assert!(message.contains("template of jiangsu-sunan 2022, not of jiangsu-sunan 2023"), "{message}");
}

#[test]
fn a_zip_bomb_is_refused_without_unpacking_it_all() {
    use std::io::Write;
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).expect("entry");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..80 {
            zip.write_all(&zeros).expect("write");
        }
        zip.finish().expect("finish");
    }
    let bytes = buffer.into_inner();
    assert!(bytes.len() < 1 << 20, "80 MiB of zeros packs small");
    let (t, _) = sunan();
    let Err(TemplateError::Unreadable(message)) = t.read(&bytes) else { panic!("refused") };
    assert!(message.contains("unpacks to more than 64 MiB"), "{message}");
}

/// Fills the template in LibreOffice Calc (through its Python-UNO bridge) and saves it as LibreOffice writes
/// .xlsx, then reads it back. Skipped, loudly, where LibreOffice is not installed.
#[test]
fn a_workbook_filled_and_saved_by_libreoffice_reads_back() {
    let soffice =
        ["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice"].into_iter().find(|p| Path::new(p).exists());
    let python_uno = Command::new("/usr/bin/python3").args(["-c", "import uno"]).status().is_ok_and(|s| s.success());
    let (Some(soffice), true) = (soffice, python_uno) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but LibreOffice with python3-uno is not installed: .ci/run installs it");
        }
        eprintln!(
            "SKIPPED: LibreOffice Calc with python3-uno is not installed, so the spreadsheet round trip did not run"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (t, _) = sunan();
    let (s, r) = row_index(&t, "技术交易", "320100", "contract_turnover_yuan");
    std::fs::write(dir.path().join("template.xlsx"), t.write().expect("write")).expect("save");
    let script = format!(
        r#"
import subprocess, time, uno, sys
from com.sun.star.beans import PropertyValue
def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p
home = "{home}"
office = subprocess.Popen(["{soffice}", "--headless", "--invisible", "--norestore", "--nologo",
    "-env:UserInstallation=file://" + home + "/profile", "--accept=pipe,name={pipe};urp;"])
try:
    ctx = None
    for _ in range(120):
        try:
            resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
            ctx = resolver.resolve("uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("file://" + home + "/template.xlsx", "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByName("{sheet}")
    sheet.getCellByPosition(6, {row}).setValue(30217345678.9)
    sheet.getCellByPosition(7, {row}).setString("填于 LibreOffice")
    doc.storeToURL("file://" + home + "/filled.xlsx", (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
"#,
        home = dir.path().display(),
        soffice = soffice,
        pipe = format!("ttdz_test_{}", std::process::id()),
        sheet = t.sheets[s].category_zh,
        row = 4 + r,
    );
    let status = Command::new("/usr/bin/python3").arg("-c").arg(script).status().expect("run python3");
    assert!(status.success(), "LibreOffice filled and saved the workbook");
    let filled_bytes = std::fs::read(dir.path().join("filled.xlsx")).expect("LibreOffice's file");
    let filled = t.read(&filled_bytes).expect("readable").expect("no bad cells");
    assert_eq!(filled.division_values.len(), 1);
    assert_eq!(filled.division_values[0].value.to_string(), "30217345678.9");
    assert_eq!(filled.division_values[0].note.as_deref(), Some("填于 LibreOffice"));
}

#[test]
fn a_long_format_sheet_reads_as_csv_with_sheet_row_numbers() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (col, h) in ["division_code", "year", "element", "value", "unit", "source"].iter().enumerate() {
        ws.write_string(0, col as u16, *h).expect("header");
    }
    ws.write_string(1, 0, "320100").expect("cell");
    ws.write_number(1, 1, 2023.0).expect("cell");
    ws.write_string(1, 2, "gdp_yuan").expect("cell");
    ws.write_number(1, 3, 17421.4).expect("cell");
    ws.write_string(1, 4, "亿元").expect("cell");
    ws.write_string(1, 5, "统计公报, 2024").expect("cell");
    ws.write_string(3, 0, "320200").expect("cell");
    let bytes = book.save_to_buffer().expect("save");
    assert!(ttdz_xlsx::is_xlsx(&bytes));
    let csv = ttdz_xlsx::first_sheet_as_csv(&bytes).expect("readable");
    assert_eq!(
        csv,
        "division_code,year,element,value,unit,source\n320100,2023,gdp_yuan,17421.4,亿元,\"统计公报, 2024\"\n\n320200,,,,,\n"
    );
}

#[test]
fn a_value_in_a_row_whose_locked_cells_were_changed_is_refused_not_dropped() {
    let (mut t, _) = sunan();
    let (s, r) = row_index(&t, "技术交易", "320100", "contract_turnover_yuan");
    // As if someone had unlocked the sheet and typed another element code over the row's own.
    t.sheets[s].rows[r].element = ttdz_domain::element::ElementSpec::find("tech_brokers").expect("element");
    t.sheets[s].rows[r].entered.value = "30217345678.9".into();
    let bytes = t.write().expect("write");
    let (blank, _) = sunan();
    let err = blank.read(&bytes).expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("技术交易!") && message.contains("tech_brokers"), "{message}");
    assert!(message.contains("locked cells were changed"), "{message}");
}

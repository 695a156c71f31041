//! Long-format values: one row per value, `division_code,year,element,value[,unit][,source]`, or `zone_key` in the
//! first column for values that belong to a zone as a whole.

use std::collections::HashMap;
use std::collections::HashSet;

use ttdz_domain::element::{ElementSpec, Scope, parse_amount};
use ttdz_domain::reference::sha256_hex;
use ttdz_domain::{DivisionCode, DivisionTree, ZoneKey};
use ttdz_store::{DivisionValue, ZoneValue};

use crate::{Encoding, IngestError, Problems};

/// A checked values file.
#[derive(Debug, Clone)]
pub struct ValuesFile {
    pub encoding: Encoding,
    /// Data rows in the file.
    pub rows: u64,
    pub sha256: String,
    pub division_values: Vec<DivisionValue>,
    pub zone_values: Vec<ZoneValue>,
    /// Bad rows; empty unless the caller allowed skipping them.
    pub problems: Problems,
    /// The bad rows as they stood, with line and reason, for an error file.
    pub rejected: Vec<(String, u64, String)>,
    pub header: String,
}

/// What values are checked against.
pub struct Context<'a> {
    pub tree: &'a DivisionTree,
    pub zones: &'a [ZoneKey],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AreaColumn {
    Division,
    Zone,
}

/// Parses and checks a values file (CSV). With `skip_invalid` false, any bad row makes the whole file fail.
pub fn parse_csv(file: &str, bytes: &[u8], ctx: &Context<'_>, skip_invalid: bool) -> Result<ValuesFile, IngestError> {
    let (encoding, text) = Encoding::detect_and_decode(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let whole_file = |reason: String| {
        let mut p = Problems::new(file);
        p.add(1, None, reason);
        IngestError::Invalid(p)
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| whole_file(format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let area_column = match header.first().map(String::as_str) {
        Some("division_code") => AreaColumn::Division,
        Some("zone_key") => AreaColumn::Zone,
        _ => return Err(whole_file(header_message(&header))),
    };
    let optional: Vec<&str> = header.iter().skip(4).map(String::as_str).collect();
    let header_ok = header.get(1..4).is_some_and(|h| h == ["year", "element", "value"])
        && matches!(optional.as_slice(), [] | ["unit"] | ["source"] | ["unit", "source"]);
    if !header_ok {
        return Err(whole_file(header_message(&header)));
    }
    let unit_at = header.iter().position(|h| h == "unit");
    let source_at = header.iter().position(|h| h == "source");
    let zone_set: HashSet<&ZoneKey> = ctx.zones.iter().collect();

    let mut out = ValuesFile {
        encoding,
        rows: 0,
        sha256: sha256_hex(bytes),
        division_values: Vec::new(),
        zone_values: Vec::new(),
        problems: Problems::new(file),
        rejected: Vec::new(),
        header: header.join(","),
    };
    let mut first_seen: HashMap<(String, String, i32), u64> = HashMap::new();
    for record in reader.records() {
        out.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.problems.add(line, None, format!("unreadable row: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let raw = record.iter().map(quote).collect::<Vec<_>>().join(",");
        let get = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        let checked = (|| -> Result<(), (Option<&'static str>, String)> {
            if record.len() != header.len() {
                return Err((None, format!("{} fields, the header has {}", record.len(), header.len())));
            }
            let year = match get(1).parse::<i32>() {
                Ok(y) if (1949..=2200).contains(&y) => y,
                _ => return Err((Some("year"), format!("'{}' is not a year", get(1)))),
            };
            let spec = ElementSpec::find(get(2)).ok_or_else(|| {
                (Some("element"), format!("unknown data element '{}' (see /api/v1/elements)", get(2)))
            })?;
            let number = parse_amount(get(3)).map_err(|e| (Some("value"), e.0))?;
            let unit = unit_at.map(get).unwrap_or("");
            let value = spec.to_stored_unit(number, unit).map_err(|e| (Some("unit"), e.0))?;
            spec.check_value(value).map_err(|e| (Some("value"), e))?;
            let note = source_at.map(get).filter(|s| !s.is_empty()).map(str::to_owned);
            let element = spec.element_code();
            let area = get(0);
            if let Some(first) = first_seen.get(&(area.to_owned(), spec.code.to_owned(), year)) {
                return Err((None, format!("{area} {} {year} is given again (first on line {first})", spec.code)));
            }
            match area_column {
                AreaColumn::Division => {
                    let code = DivisionCode::parse(area).map_err(|e| (Some("division_code"), e.0))?;
                    if ctx.tree.get(&code).is_none() {
                        return Err((Some("division_code"), format!("unknown division {code}")));
                    }
                    if spec.scope == Scope::Zone {
                        return Err((Some("element"), format!("{} is reported per zone, with zone_key", spec.code)));
                    }
                    out.division_values.push(DivisionValue { element, division: code, year, value, note });
                }
                AreaColumn::Zone => {
                    let key = ZoneKey::parse(area).map_err(|e| (Some("zone_key"), e.0))?;
                    if !zone_set.contains(&key) {
                        return Err((Some("zone_key"), format!("unknown zone '{key}'")));
                    }
                    out.zone_values.push(ZoneValue { element, zone: key, year, value, note });
                }
            }
            first_seen.insert((area.to_owned(), spec.code.to_owned(), year), line);
            Ok(())
        })();
        if let Err((field, reason)) = checked {
            out.problems.add(line, field, &reason);
            out.rejected.push((raw, line, reason));
        }
    }
    if !out.problems.is_empty() && !skip_invalid {
        return Err(IngestError::Invalid(out.problems));
    }
    Ok(out)
}

fn header_message(found: &[String]) -> String {
    format!(
        "the header must be division_code,year,element,value (or zone_key,year,element,value), optionally followed by \
         unit and source; found '{}'",
        found.join(",")
    )
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_owned() }
}

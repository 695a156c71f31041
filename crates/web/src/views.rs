//! What the API returns and the pages show, built from domain values. One shape serves both, so the HTML never
//! says something the JSON does not.

use std::collections::BTreeSet;

use serde::Serialize;
use ttdz_domain::{
    CensusPopulation, Division, DivisionCode, DivisionTree, Indicator, IndicatorKind, Level, PublishedFigure, Zone,
};
use utoipa::ToSchema;

/// A division of the current (or requested) code vintage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DivisionView {
    /// 6-digit GB/T 2260 code.
    #[schema(example = "320102")]
    pub code: String,
    /// Official Chinese name.
    #[schema(example = "玄武区")]
    pub name: String,
    #[schema(value_type = String, example = "county")]
    pub level: Level,
    /// Parent division; for counties directly under a province, the province.
    #[schema(example = "320100")]
    pub parent: Option<String>,
    /// The statistical grouping a county sits in when it hangs directly under its province
    /// (市辖区, 县, 省直辖县级行政区划).
    pub grouping: Option<String>,
    pub has_children: bool,
    /// The year of the code list this division comes from.
    #[schema(example = 2023)]
    pub vintage: i64,
}

impl DivisionView {
    pub fn new(d: &Division, tree: &DivisionTree) -> Self {
        DivisionView {
            code: d.code.to_string(),
            name: d.name_zh.clone(),
            level: d.level(),
            parent: d.parent.map(|p| p.to_string()),
            grouping: d.grouping_zh.clone(),
            has_children: tree.has_children(&d.code),
            vintage: tree.vintage().year(),
        }
    }
}

/// A zone that covers some or all of a division.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneCoverage {
    pub key: String,
    pub short_name: String,
    /// True when every basic unit of the division lies in the zone.
    pub whole: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CensusView {
    #[schema(example = 2020)]
    pub year: i32,
    /// Resident population (常住人口), persons.
    #[schema(example = 84748016_u64)]
    pub persons: u64,
    pub dataset: String,
}

/// One division with its place in the tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DivisionDetail {
    #[serde(flatten)]
    pub division: DivisionView,
    /// From the province down to the parent.
    pub ancestors: Vec<DivisionView>,
    pub children: Vec<DivisionView>,
    /// Basic units (counties, and cities without a county level) under this division.
    pub basic_units: usize,
    pub zones: Vec<ZoneCoverage>,
    /// Census population, for provinces.
    pub census_population: Option<CensusView>,
}

impl DivisionDetail {
    pub fn new(d: &Division, tree: &DivisionTree, zones: &[Zone], census: Option<(&CensusPopulation, &str)>) -> Self {
        let units: BTreeSet<DivisionCode> = tree.leaves_under(&d.code).into_iter().collect();
        let zones = zones
            .iter()
            .filter_map(|z| {
                let area = tree.area_of(&z.members);
                let shared = units.intersection(&area).count();
                (shared > 0).then(|| ZoneCoverage {
                    key: z.key.to_string(),
                    short_name: z.short_name_zh.clone(),
                    whole: shared == units.len(),
                })
            })
            .collect();
        DivisionDetail {
            division: DivisionView::new(d, tree),
            ancestors: tree.ancestors(&d.code).into_iter().map(|a| DivisionView::new(a, tree)).collect(),
            children: tree.children(&d.code).map(|c| DivisionView::new(c, tree)).collect(),
            basic_units: units.len(),
            zones,
            census_population: census.map(|(c, dataset)| CensusView {
                year: c.year,
                persons: c.persons,
                dataset: dataset.to_owned(),
            }),
        }
    }
}

/// A zone member, resolved in the division list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    #[schema(example = "320100")]
    pub code: String,
    #[schema(example = "南京市")]
    pub name: String,
    #[schema(value_type = String, example = "prefecture")]
    pub level: Level,
    pub basic_units: usize,
}

/// A national S&T achievement transformation demonstration zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneView {
    #[schema(example = "jiangsu-sunan")]
    pub key: String,
    #[schema(example = "江苏苏南国家科技成果转移转化示范区")]
    pub name: String,
    #[schema(example = "江苏·苏南")]
    pub short_name: String,
    /// The province that builds the zone (建设主体).
    #[schema(example = "320000")]
    pub province: String,
    pub province_name: String,
    /// Member divisions, 6-digit codes, in the order the sources list them.
    #[schema(example = json!(["320100", "320200", "320400", "320500", "321100"]))]
    pub members: Vec<String>,
    pub member_details: Vec<MemberView>,
    /// Ministry approval as ISO 8601, to the precision the sources confirm (`2016-10`, `2016-12-20`);
    /// null where no source gives a date.
    #[schema(example = "2016-12-20")]
    pub approved: Option<String>,
    /// What the sources say of the approval, and where that is from, in English.
    pub approval_note: String,
    pub source: String,
    /// The same in Chinese.
    pub approval_note_zh: String,
    pub source_zh: String,
    /// Basic units in the zone's area, each counted once however many members cover it.
    pub basic_units: usize,
}

impl ZoneView {
    pub fn new(z: &Zone, tree: &DivisionTree) -> Self {
        let name_of = |c: &DivisionCode| tree.get(c).map(|d| d.name_zh.clone()).unwrap_or_else(|| c.to_string());
        ZoneView {
            key: z.key.to_string(),
            name: z.name_zh.clone(),
            short_name: z.short_name_zh.clone(),
            province: z.province.to_string(),
            province_name: name_of(&z.province),
            members: z.members.iter().map(ToString::to_string).collect(),
            member_details: z
                .members
                .iter()
                .map(|m| MemberView {
                    code: m.to_string(),
                    name: name_of(m),
                    level: m.level(),
                    basic_units: tree.leaves_under(m).len(),
                })
                .collect(),
            approved: z.approved.map(|d| d.to_string()),
            approval_note: z.approval_note.clone(),
            source: z.source.clone(),
            approval_note_zh: z.approval_note_zh.clone(),
            source_zh: z.source_zh.clone(),
            basic_units: tree.area_of(&z.members).len(),
        }
    }
}

/// One row of the Annex 2 indicator system, names and units exactly as printed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    #[schema(example = 1)]
    pub seq: u8,
    #[schema(example = "contract_turnover")]
    pub code: String,
    #[schema(example = "技术交易")]
    pub category_zh: String,
    pub category_en: String,
    #[schema(example = "技术合同成交额")]
    pub name_zh: String,
    pub name_en: String,
    #[schema(example = "亿元")]
    pub unit_zh: String,
    pub unit_en: String,
    /// `quantitative`, `qualitative` (assessed against a rubric) or `featured` (defined per zone).
    #[schema(value_type = String, example = "quantitative")]
    pub kind: IndicatorKind,
    /// Data element summed over the area's divisions.
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    /// Exact decimal, as a string: indicator = factor × Σ numerator / Σ denominator.
    #[schema(example = "0.00000001")]
    pub factor: Option<String>,
    /// `+` when more is better.
    pub direction: Option<String>,
}

impl From<&Indicator> for IndicatorView {
    fn from(i: &Indicator) -> Self {
        IndicatorView {
            seq: i.seq,
            code: i.code.to_string(),
            category_zh: i.category_zh.clone(),
            category_en: i.category_en.clone(),
            name_zh: i.name_zh.clone(),
            name_en: i.name_en.clone(),
            unit_zh: i.unit_zh.clone(),
            unit_en: i.unit_en.clone(),
            kind: i.kind,
            numerator: i.numerator.as_ref().map(ToString::to_string),
            denominator: i.denominator.as_ref().map(ToString::to_string),
            factor: i.factor.map(|f| f.to_string()),
            direction: i.direction.map(|d| d.symbol().to_owned()),
        }
    }
}

/// A figure as a statistics bulletin or news item published it (demo data), with where it was found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedFigureView {
    #[schema(example = "tech_contract_turnover")]
    pub stat: String,
    /// 6-digit code; null for a national figure.
    pub division: Option<String>,
    pub name: String,
    pub year: i32,
    /// Exact decimal as printed, as a string.
    #[schema(example = "3452.6")]
    pub value: String,
    pub unit: String,
    pub source_url: Option<String>,
    pub note: String,
}

impl From<&PublishedFigure> for PublishedFigureView {
    fn from(f: &PublishedFigure) -> Self {
        PublishedFigureView {
            stat: f.stat.clone(),
            division: f.division.map(|d| d.to_string()),
            name: f.name_zh.clone(),
            year: f.year,
            value: f.value.to_string(),
            unit: f.unit_zh.clone(),
            source_url: f.source_url.clone(),
            note: f.note.clone(),
        }
    }
}

/// A dataset (reference data, demo data or an import batch), with the checksum every value loaded from it can
/// be traced to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatasetView {
    #[schema(example = "divisions-2023")]
    pub name: String,
    /// `reference`, `reported`, `registry`, `demo` or `synthetic`.
    pub kind: &'static str,
    pub files: Vec<String>,
    pub sha256: String,
    pub source: String,
    /// Order of recording among all datasets; higher is newer.
    pub revision: i64,
    pub recorded_by: Option<String>,
    /// Data rows in the file, for import batches.
    pub rows: Option<u64>,
    pub loaded_at: String,
}

/// From a record as `ttdz_app::catalog::datasets` returns it: who recorded it and its files as the viewer may see
/// them.
impl From<ttdz_store::DatasetRecord> for DatasetView {
    fn from(r: ttdz_store::DatasetRecord) -> Self {
        DatasetView {
            name: r.dataset.name,
            kind: r.kind.as_str(),
            files: r.dataset.files,
            sha256: r.dataset.sha256,
            source: r.dataset.source,
            revision: r.revision,
            recorded_by: r.recorded_by,
            rows: r.rows,
            loaded_at: r.loaded_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthView {
    #[schema(example = "ok")]
    pub status: &'static str,
    #[schema(example = "sqlite")]
    pub backend: &'static str,
    pub version: &'static str,
    /// The newest stored division-code vintage.
    pub division_vintage: Option<i64>,
}

/// A data element of the dictionary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ElementView {
    #[schema(example = "contract_turnover_yuan")]
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The unit values are stored in; imports may also give 万元/亿元 for money and 万人 for persons.
    #[schema(example = "元")]
    pub unit_zh: &'static str,
    /// `stock` (year-end) or `flow` (total over the year).
    #[schema(example = "flow")]
    pub measure: &'static str,
    /// `division` (reported per division, summed up the tree) or `zone` (reported for a zone as a whole).
    #[schema(example = "division")]
    pub scope: &'static str,
}

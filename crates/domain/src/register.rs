//! The registers kept in TTDZ whose year-end counts are Annex 2 data elements: national technology transfer
//! demonstration institutions (row 3), the transfer offices of universities and institutes (row 4), technology
//! brokers (row 5), angel and venture capital institutions (row 10), professional maker spaces (row 11) and the
//! technology firms in incubators (row 12).
//!
//! An entry stands in one basic unit (a county, or a city without counties) from the day it was recognised,
//! certified or admitted until the day it was revoked, left or graduated. A register's count for a division and year
//! is the number of its entries in force on 31 December inside the division.
//!
//! Coverage: a register covers a province from the year of the first entry it holds there (the register of national
//! demonstration institutions, kept by the ministry, covers every province from its first entry anywhere), through
//! the current year. Where a register covers a place, its count is the figure, zero where it holds nothing; a
//! number reported for the same element, place and year is kept beside it as a discrepancy, never preferred
//! (`measure::resolve`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::contract::rules;
use crate::{DivisionCode, DivisionTree, ElementCode};

/// One of the six registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// 国家技术转移示范机构, recognised by the ministry in batches.
    NationalTtInstitutions,
    /// 高校、科研院所专业化技术转移机构.
    UniversityTtOffices,
    /// 职业化技术经纪人 (persons).
    TechBrokers,
    /// 天使和创业投资机构.
    AngelVcInstitutions,
    /// 专业化众创空间.
    MakerSpaces,
    /// 孵化器在孵技术型企业 (each entry a firm in an incubator).
    IncubatedTechFirms,
}

/// Who keeps a register, and so how far its coverage reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeper {
    /// The ministry, for the whole country.
    Ministry,
    /// Each province's S&T department, for its province.
    Province,
}

impl Register {
    pub const ALL: [Register; 6] = [
        Register::NationalTtInstitutions,
        Register::UniversityTtOffices,
        Register::TechBrokers,
        Register::AngelVcInstitutions,
        Register::MakerSpaces,
        Register::IncubatedTechFirms,
    ];

    /// The key in URLs and files, which is also the data element it counts.
    pub fn as_str(self) -> &'static str {
        match self {
            Register::NationalTtInstitutions => "national_tt_institutions",
            Register::UniversityTtOffices => "university_tt_offices",
            Register::TechBrokers => "tech_brokers",
            Register::AngelVcInstitutions => "angel_vc_institutions",
            Register::MakerSpaces => "maker_spaces",
            Register::IncubatedTechFirms => "incubated_tech_firms",
        }
    }

    pub fn parse(s: &str) -> Option<Register> {
        Register::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Annex 2 data element whose figure the register's count is.
    pub fn element(self) -> ElementCode {
        ElementCode::parse(self.as_str()).unwrap_or_else(|_| unreachable!("register keys are element codes"))
    }

    /// The Annex 2 row.
    pub fn row(self) -> u8 {
        match self {
            Register::NationalTtInstitutions => 3,
            Register::UniversityTtOffices => 4,
            Register::TechBrokers => 5,
            Register::AngelVcInstitutions => 10,
            Register::MakerSpaces => 11,
            Register::IncubatedTechFirms => 12,
        }
    }

    pub fn keeper(self) -> Keeper {
        match self {
            Register::NationalTtInstitutions => Keeper::Ministry,
            _ => Keeper::Province,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Register::NationalTtInstitutions => "国家技术转移示范机构",
            Register::UniversityTtOffices => "高校、科研院所技术转移机构",
            Register::TechBrokers => "技术经纪人",
            Register::AngelVcInstitutions => "天使和创业投资机构",
            Register::MakerSpaces => "专业化众创空间",
            Register::IncubatedTechFirms => "在孵技术型企业",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Register::NationalTtInstitutions => "National technology transfer demonstration institutions",
            Register::UniversityTtOffices => "Technology transfer offices of universities and institutes",
            Register::TechBrokers => "Technology brokers",
            Register::AngelVcInstitutions => "Angel and venture capital institutions",
            Register::MakerSpaces => "Professional maker spaces",
            Register::IncubatedTechFirms => "Technology firms in incubators",
        }
    }

    /// The batch its counts are stored under.
    pub fn batch_name(self) -> String {
        format!("register:{}", self.as_str())
    }

    /// The fields an entry of this register has beyond name, place and dates, and whether each is required.
    pub fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            Register::NationalTtInstitutions => &[("batch", true), ("host", false)],
            Register::UniversityTtOffices => &[("host", true), ("host_kind", true)],
            Register::TechBrokers => &[("level", true), ("institution", false), ("trainings", false)],
            Register::AngelVcInstitutions => &[("capital_kind", true)],
            Register::MakerSpaces => &[("recognition", true), ("field", false)],
            Register::IncubatedTechFirms => &[("incubator", true), ("recognition", true), ("field", false)],
        }
    }
}

/// A training a broker took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// ISO 8601.
    pub date: String,
    pub course: String,
    pub hours: u32,
}

/// An entry as stored: valid by construction (see [`EntryInput::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub register: Register,
    /// The institution, person or firm.
    pub name: String,
    /// The basic unit it stands in.
    pub division: DivisionCode,
    /// Recognised, certified or admitted on (ISO 8601).
    pub from: String,
    /// Revoked, left or graduated on (ISO 8601); `None` while in force.
    pub until: Option<String>,
    /// The register's own fields (see [`Register::fields`]), only those that apply.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trainings: Vec<Training>,
}

impl Entry {
    /// In force on 31 December of `year`.
    pub fn in_force_at_end_of(&self, year: i32) -> bool {
        let end = format!("{year:04}-12-31");
        self.from.as_str() <= end.as_str() && self.until.as_deref().is_none_or(|u| u > end.as_str())
    }

    pub fn first_year(&self) -> i32 {
        year_of(&self.from)
    }
}

fn year_of(date: &str) -> i32 {
    date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// A field that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct EntryError {
    pub field: String,
    pub reason: String,
}

fn refuse(field: &str, reason: impl Into<String>) -> EntryError {
    EntryError { field: field.to_owned(), reason: reason.into() }
}

/// An entry as sent. Fields that do not apply to the register are refused, not ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub name: String,
    pub division: String,
    pub from: String,
    #[serde(default)]
    pub until: Option<String>,
    /// 国家技术转移示范机构的批次 (1, 2, ...).
    #[serde(default)]
    pub batch: Option<String>,
    /// The university or institute a transfer office belongs to, or an institution's host.
    #[serde(default)]
    pub host: Option<String>,
    /// 高校 or 科研院所.
    #[serde(default)]
    pub host_kind: Option<String>,
    /// A broker's level: 初级, 中级 or 高级.
    #[serde(default)]
    pub level: Option<String>,
    /// The institution a broker works for.
    #[serde(default)]
    pub institution: Option<String>,
    /// 天使投资 or 创业投资.
    #[serde(default)]
    pub capital_kind: Option<String>,
    /// 国家级 or 省级.
    #[serde(default)]
    pub recognition: Option<String>,
    /// The incubator a firm is in.
    #[serde(default)]
    pub incubator: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub trainings: Vec<Training>,
}

/// The values a choice field takes.
fn choices(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "host_kind" => Some(&["高校", "科研院所"]),
        "level" => Some(&["初级", "中级", "高级"]),
        "capital_kind" => Some(&["天使投资", "创业投资"]),
        "recognition" => Some(&["国家级", "省级"]),
        _ => None,
    }
}

pub fn choices_of(field: &str) -> &'static [&'static str] {
    choices(field).unwrap_or(&[])
}

impl EntryInput {
    /// Checks the entry for `register`, `today` being the latest date it may begin or end; the first field wrong
    /// is named. The place is checked against the division tree by the caller (it must be a basic unit).
    pub fn parse(self, register: Register, today: &str) -> Result<Entry, EntryError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(refuse("name", "must not be empty"));
        }
        if name.chars().count() > 200 {
            return Err(refuse("name", "must be at most 200 characters"));
        }
        let division = DivisionCode::parse(self.division.trim()).map_err(|e| refuse("division", e.to_string()))?;
        let date = |field: &str, value: &str| -> Result<String, EntryError> {
            let value = value.trim();
            rules::registration_year(value).map_err(|e| refuse(field, e))?;
            if value > today {
                return Err(refuse(field, format!("{value} is in the future")));
            }
            Ok(value.to_owned())
        };
        let from = date("from", &self.from)?;
        let until = match self.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let until = date("until", u)?;
                if until < from {
                    return Err(refuse("until", format!("{until} is before the entry began ({from})")));
                }
                Some(until)
            }
            None => None,
        };
        let sent = [
            ("batch", self.batch),
            ("host", self.host),
            ("host_kind", self.host_kind),
            ("level", self.level),
            ("institution", self.institution),
            ("capital_kind", self.capital_kind),
            ("recognition", self.recognition),
            ("incubator", self.incubator),
            ("field", self.field),
        ];
        let allowed = register.fields();
        let mut details = BTreeMap::new();
        for (field, value) in sent {
            let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else { continue };
            if !allowed.iter().any(|(f, _)| *f == field) {
                return Err(refuse(field, format!("does not apply to the register of {}", register.name_en())));
            }
            if let Some(options) = choices(field)
                && !options.contains(&value.as_str())
            {
                return Err(refuse(field, format!("'{value}' is not one of {}", options.join(", "))));
            }
            if field == "batch" && !value.parse::<u16>().is_ok_and(|b| b > 0) {
                return Err(refuse(field, format!("'{value}' is not a batch number (1, 2, ...)")));
            }
            if value.chars().count() > 200 {
                return Err(refuse(field, "must be at most 200 characters"));
            }
            details.insert(field.to_owned(), value);
        }
        if let Some((missing, _)) =
            allowed.iter().find(|(f, required)| *required && *f != "trainings" && !details.contains_key(*f))
        {
            return Err(refuse(missing, "is required"));
        }
        if !self.trainings.is_empty() && !allowed.iter().any(|(f, _)| *f == "trainings") {
            return Err(refuse("trainings", format!("does not apply to the register of {}", register.name_en())));
        }
        let trainings = self
            .trainings
            .into_iter()
            .map(|t| {
                let course = t.course.trim().to_owned();
                if course.is_empty() {
                    return Err(refuse("trainings", "a training needs its course"));
                }
                Ok(Training { date: date("trainings", &t.date)?, course, hours: t.hours })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Entry { register, name: name.to_owned(), division, from, until, details, trainings })
    }
}

/// A register's year-end count for a division and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub division: DivisionCode,
    pub year: i32,
    pub entries: u64,
}

/// The counts a register's entries make, `through` being the last year (the current one): for every province and
/// year it covers, the province's count (zero included: it says the province is covered), and the count of every
/// division inside it that holds an entry in force at the year's end (its basic unit and every ancestor). Entries
/// whose place is not in `tree` are left out.
pub fn counts(register: Register, entries: &[Entry], tree: &DivisionTree, through: i32) -> Vec<Count> {
    let mut first_year: BTreeMap<DivisionCode, i32> = BTreeMap::new();
    for e in entries.iter().filter(|e| tree.get(&e.division).is_some()) {
        let year = first_year.entry(e.division.province()).or_insert(i32::MAX);
        *year = (*year).min(e.first_year());
    }
    if register.keeper() == Keeper::Ministry
        && let Some(first) = first_year.values().min().copied()
    {
        first_year = tree.provinces().map(|p| (p.code, first)).collect();
    }
    let mut counts: BTreeMap<(DivisionCode, i32), u64> = BTreeMap::new();
    for (province, first) in &first_year {
        for year in *first..=through {
            counts.insert((*province, year), 0);
        }
    }
    for e in entries {
        if tree.get(&e.division).is_none() {
            continue;
        }
        let places: BTreeSet<DivisionCode> =
            tree.ancestors(&e.division).iter().map(|d| d.code).chain([e.division]).collect();
        for year in e.first_year()..=through {
            if e.in_force_at_end_of(year) {
                for place in &places {
                    *counts.entry((*place, year)).or_default() += 1;
                }
            }
        }
    }
    counts.into_iter().map(|((division, year), entries)| Count { division, year, entries }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Division, DivisionSet, Vintage};

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("code")
    }

    fn tree() -> DivisionTree {
        let d = |c: &str, p: Option<&str>| Division {
            code: code(c),
            name_zh: c.into(),
            parent: p.map(code),
            grouping_zh: None,
        };
        DivisionTree::new(
            DivisionSet::new(
                Vintage::new(2023).expect("vintage"),
                vec![
                    d("320000", None),
                    d("320100", Some("320000")),
                    d("320102", Some("320100")),
                    d("320104", Some("320100")),
                    d("330000", None),
                    d("330100", Some("330000")),
                    d("330106", Some("330100")),
                ],
            )
            .expect("set"),
        )
    }

    fn broker(name: &str, division: &str, from: &str, until: Option<&str>) -> Entry {
        EntryInput {
            name: name.into(),
            division: division.into(),
            from: from.into(),
            until: until.map(Into::into),
            level: Some("中级".into()),
            ..EntryInput::default()
        }
        .parse(Register::TechBrokers, "2026-12-01")
        .expect("a broker")
    }

    #[test]
    fn an_entry_counts_at_the_end_of_each_year_it_is_in_force_and_the_province_is_covered_from_its_first() {
        let entries = [
            broker("张三", "320102", "2022-03-01", None),
            broker("李四", "320104", "2023-06-30", Some("2024-12-31")),
            broker("王五", "320104", "2024-12-31", Some("2025-01-02")),
        ];
        let counts = counts(Register::TechBrokers, &entries, &tree(), 2026);
        let at = |c: &str, y: i32| counts.iter().find(|n| n.division == code(c) && n.year == y).map(|n| n.entries);
        assert_eq!(at("320000", 2021), None, "not covered before the first entry");
        assert_eq!(at("320000", 2022), Some(1));
        assert_eq!(at("320000", 2023), Some(2));
        // 李四 left on the last day of 2024, so is not there at its end; 王五 came that day.
        assert_eq!((at("320000", 2024), at("320104", 2024), at("320100", 2024)), (Some(2), Some(1), Some(2)));
        assert_eq!((at("320000", 2026), at("320104", 2026)), (Some(1), None), "a place without entries has no row");
        assert_eq!(at("330000", 2026), None, "a province register covers only its province");
    }

    #[test]
    fn the_ministrys_register_covers_every_province_from_its_first_entry() {
        let entry = EntryInput {
            name: "某技术转移中心".into(),
            division: "320102".into(),
            from: "2019-01-10".into(),
            batch: Some("4".into()),
            ..EntryInput::default()
        }
        .parse(Register::NationalTtInstitutions, "2026-12-01")
        .expect("an institution");
        let counts = counts(Register::NationalTtInstitutions, &[entry], &tree(), 2020);
        let zhejiang: Vec<_> = counts.iter().filter(|c| c.division == code("330000")).map(|c| c.entries).collect();
        assert_eq!(zhejiang, [0, 0], "covered with nothing in it");
    }

    #[test]
    fn a_bad_entry_is_refused_naming_its_field() {
        let good = || EntryInput {
            name: "李四".into(),
            division: "320102".into(),
            from: "2024-01-01".into(),
            level: Some("高级".into()),
            ..EntryInput::default()
        };
        let field = |input: EntryInput, register| input.parse(register, "2026-12-01").expect_err("bad").field;
        assert_eq!(field(EntryInput { level: Some("特级".into()), ..good() }, Register::TechBrokers), "level");
        assert_eq!(field(EntryInput { level: None, ..good() }, Register::TechBrokers), "level");
        assert_eq!(field(EntryInput { until: Some("2023-01-01".into()), ..good() }, Register::TechBrokers), "until");
        assert_eq!(field(EntryInput { from: "2027-01-01".into(), ..good() }, Register::TechBrokers), "from");
        assert_eq!(field(good(), Register::MakerSpaces), "level", "a broker's level on a maker space");
        assert_eq!(field(EntryInput { division: "32010".into(), ..good() }, Register::TechBrokers), "division");
        let trained = EntryInput {
            trainings: vec![Training {
                date: "2025-05-01".into(), course: "技术经纪人中级培训".into(), hours: 48
            }],
            ..good()
        };
        assert_eq!(trained.parse(Register::TechBrokers, "2026-12-01").expect("good").trainings.len(), 1);
    }
}

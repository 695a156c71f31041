//! Administrative divisions (GB/T 2260) as a tree of a given code vintage.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseError;

/// A 6-digit GB/T 2260 division code: `PPCCXX`, province `PP`, prefecture `CC`, county `XX`.
///
/// The shape fixes the level: `PP0000` is a province, `PPCC00` a prefecture, anything else a county, and a county
/// always has a non-zero prefecture part (counties directly under a province use a grouping part such as `90`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode([u8; 6]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    Prefecture,
    County,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
        }
    }
}

impl DivisionCode {
    /// Parses the 6-digit form used by the API and by files.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bytes: [u8; 6] =
            s.as_bytes().try_into().map_err(|_| ParseError(format!("'{s}' is not a 6-digit division code")))?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ParseError(format!("'{s}' is not a 6-digit division code")));
        }
        if &bytes[0..2] == b"00" {
            return Err(ParseError(format!("'{s}' has no province part")));
        }
        if &bytes[2..4] == b"00" && &bytes[4..6] != b"00" {
            return Err(ParseError(format!("'{s}' has a county part under no prefecture")));
        }
        Ok(DivisionCode(bytes))
    }

    /// Parses the unpadded statistical form of the NBS lists: 2 digits for a province (13 -> 130000), 4 for a
    /// prefecture (1301 -> 130100), 6 for a county.
    pub fn from_nbs(s: &str) -> Result<Self, ParseError> {
        match s.len() {
            2 => Self::parse(&format!("{s}0000")),
            4 => Self::parse(&format!("{s}00")),
            6 => Self::parse(s),
            _ => Err(ParseError(format!("'{s}' is not a 2-, 4- or 6-digit statistical division code"))),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??????")
    }

    pub fn level(&self) -> Level {
        match (&self.0[2..4], &self.0[4..6]) {
            (b"00", _) => Level::Province,
            (_, b"00") => Level::Prefecture,
            _ => Level::County,
        }
    }

    /// The province this code lies in (itself for a province).
    pub fn province(&self) -> DivisionCode {
        DivisionCode([self.0[0], self.0[1], b'0', b'0', b'0', b'0'])
    }

    /// True when `self` is `other` or lies under it by the shape of the codes.
    pub fn is_within(&self, other: &DivisionCode) -> bool {
        match other.level() {
            Level::Province => self.0[0..2] == other.0[0..2],
            Level::Prefecture => self.0[0..4] == other.0[0..4],
            Level::County => self == other,
        }
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({})", self.as_str())
    }
}

impl FromStr for DivisionCode {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl Serialize for DivisionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DivisionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The year of a division code list (统计用区划代码 of that year). Lists of different vintages live side by side:
/// a newer list is added, never written over an older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Vintage(u16);

impl Vintage {
    pub fn new(year: i64) -> Result<Self, ParseError> {
        if (1980..=2200).contains(&year) {
            Ok(Vintage(year as u16))
        } else {
            Err(ParseError(format!("{year} is not a plausible division-code vintage (1980-2200)")))
        }
    }
    pub fn year(&self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Vintage {
    type Error = ParseError;
    fn try_from(y: i64) -> Result<Self, ParseError> {
        Vintage::new(y)
    }
}

impl From<Vintage> for i64 {
    fn from(v: Vintage) -> i64 {
        v.year()
    }
}

impl fmt::Display for Vintage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One division of a vintage.
///
/// `grouping_zh` names the statistical grouping a county sits in when it hangs directly under its province:
/// 市辖区 of a municipality, 县 of 重庆, 省直辖县级行政区划. Those groupings are not divisions themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name_zh: String,
    pub parent: Option<DivisionCode>,
    pub grouping_zh: Option<String>,
}

impl Division {
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

/// A whole code list of one vintage, checked as a tree: codes unique, every parent present and one level up
/// (or a province for grouped counties), every code lying inside its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionSet {
    vintage: Vintage,
    divisions: Vec<Division>,
}

/// Why a list of divisions is not a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("division {0} appears more than once")]
    Duplicate(DivisionCode),
    #[error("division {code} names parent {parent}, which is not in the list")]
    UnknownParent { code: DivisionCode, parent: DivisionCode },
    #[error("division {code} ({level}) cannot have parent {parent} ({parent_level})")]
    WrongParent { code: DivisionCode, level: &'static str, parent: DivisionCode, parent_level: &'static str },
    #[error("province {0} cannot have a parent")]
    ProvinceWithParent(DivisionCode),
    #[error("division {0} has no parent")]
    Orphan(DivisionCode),
    #[error("division {0} has an empty name")]
    EmptyName(DivisionCode),
}

impl DivisionSet {
    pub fn new(vintage: Vintage, mut divisions: Vec<Division>) -> Result<Self, TreeError> {
        divisions.sort_by_key(|d| d.code);
        for pair in divisions.windows(2) {
            if pair[0].code == pair[1].code {
                return Err(TreeError::Duplicate(pair[0].code));
            }
        }
        let levels: HashMap<DivisionCode, Level> = divisions.iter().map(|d| (d.code, d.level())).collect();
        for d in &divisions {
            if d.name_zh.trim().is_empty() {
                return Err(TreeError::EmptyName(d.code));
            }
            let Some(parent) = d.parent else {
                if d.level() == Level::Province {
                    continue;
                }
                return Err(TreeError::Orphan(d.code));
            };
            if d.level() == Level::Province {
                return Err(TreeError::ProvinceWithParent(d.code));
            }
            let Some(&parent_level) = levels.get(&parent) else {
                return Err(TreeError::UnknownParent { code: d.code, parent });
            };
            let fits = parent_level < d.level() && d.code.is_within(&parent);
            if !fits {
                return Err(TreeError::WrongParent {
                    code: d.code,
                    level: d.level().as_str(),
                    parent,
                    parent_level: parent_level.as_str(),
                });
            }
        }
        Ok(DivisionSet { vintage, divisions })
    }

    pub fn vintage(&self) -> Vintage {
        self.vintage
    }

    /// All divisions, ordered by code.
    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    pub fn count(&self, level: Level) -> usize {
        self.divisions.iter().filter(|d| d.level() == level).count()
    }
}

/// A [`DivisionSet`] indexed for lookups: children, ancestors, and the basic units (leaves) under an area.
#[derive(Debug, Clone)]
pub struct DivisionTree {
    set: DivisionSet,
    index: HashMap<DivisionCode, usize>,
    children: HashMap<DivisionCode, Vec<usize>>,
    provinces: Vec<usize>,
}

impl DivisionTree {
    pub fn new(set: DivisionSet) -> Self {
        let mut index = HashMap::with_capacity(set.divisions.len());
        let mut children: HashMap<DivisionCode, Vec<usize>> = HashMap::new();
        let mut provinces = Vec::new();
        for (i, d) in set.divisions.iter().enumerate() {
            index.insert(d.code, i);
            match d.parent {
                Some(p) => children.entry(p).or_default().push(i),
                None => provinces.push(i),
            }
        }
        DivisionTree { set, index, children, provinces }
    }

    pub fn vintage(&self) -> Vintage {
        self.set.vintage
    }

    pub fn set(&self) -> &DivisionSet {
        &self.set
    }

    pub fn get(&self, code: &DivisionCode) -> Option<&Division> {
        self.index.get(code).map(|&i| &self.set.divisions[i])
    }

    pub fn provinces(&self) -> impl Iterator<Item = &Division> {
        self.provinces.iter().map(|&i| &self.set.divisions[i])
    }

    /// Direct children, ordered by code.
    pub fn children(&self, code: &DivisionCode) -> impl Iterator<Item = &Division> {
        self.children.get(code).into_iter().flatten().map(|&i| &self.set.divisions[i])
    }

    pub fn has_children(&self, code: &DivisionCode) -> bool {
        self.children.contains_key(code)
    }

    /// From the province down to the parent of `code`.
    pub fn ancestors(&self, code: &DivisionCode) -> Vec<&Division> {
        let mut chain = Vec::new();
        let mut current = self.get(code).and_then(|d| d.parent);
        while let Some(p) = current {
            let Some(d) = self.get(&p) else { break };
            chain.push(d);
            current = d.parent;
        }
        chain.reverse();
        chain
    }

    /// The basic units under `code`: the divisions with no children (counties, and prefecture-level cities such as
    /// 东莞市 that have no county level). A basic unit is its own only leaf.
    pub fn leaves_under(&self, code: &DivisionCode) -> Vec<DivisionCode> {
        let mut out = Vec::new();
        let mut stack = vec![*code];
        while let Some(c) = stack.pop() {
            match self.children.get(&c) {
                Some(kids) => stack.extend(kids.iter().map(|&i| self.set.divisions[i].code)),
                None if self.index.contains_key(&c) => out.push(c),
                None => {}
            }
        }
        out.sort();
        out
    }

    /// The area covered by a set of divisions at any level: the union of their basic units, each counted once
    /// however many of the areas cover it. This is what keeps overlapping zones (宁波 inside 浙江) from counting a
    /// county twice.
    pub fn area_of<'a>(&self, codes: impl IntoIterator<Item = &'a DivisionCode>) -> BTreeSet<DivisionCode> {
        codes.into_iter().flat_map(|c| self.leaves_under(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    fn div(c: &str, parent: Option<&str>) -> Division {
        Division { code: code(c), name_zh: format!("名{c}"), parent: parent.map(code), grouping_zh: None }
    }

    #[test]
    fn level_follows_the_shape_of_the_code() {
        assert_eq!(code("320000").level(), Level::Province);
        assert_eq!(code("320100").level(), Level::Prefecture);
        assert_eq!(code("320102").level(), Level::County);
        assert_eq!(code("419001").level(), Level::County);
        assert_eq!(code("320102").province(), code("320000"));
    }

    #[test]
    fn rejects_malformed_codes() {
        for s in ["32010", "3201020", "32a102", "000000", "320002", "", "３２０１００"] {
            assert!(DivisionCode::parse(s).is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn pads_statistical_codes() {
        assert_eq!(DivisionCode::from_nbs("13").unwrap(), code("130000"));
        assert_eq!(DivisionCode::from_nbs("1301").unwrap(), code("130100"));
        assert_eq!(DivisionCode::from_nbs("110101").unwrap(), code("110101"));
        assert!(DivisionCode::from_nbs("131").is_err());
    }

    #[test]
    fn a_set_must_be_a_tree() {
        let v = Vintage::new(2023).unwrap();
        let ok = vec![div("320000", None), div("320100", Some("320000")), div("320102", Some("320100"))];
        assert!(DivisionSet::new(v, ok.clone()).is_ok());

        let mut dup = ok.clone();
        dup.push(div("320100", Some("320000")));
        assert_eq!(DivisionSet::new(v, dup), Err(TreeError::Duplicate(code("320100"))));

        let unknown = vec![div("320000", None), div("320102", Some("320100"))];
        assert!(matches!(DivisionSet::new(v, unknown), Err(TreeError::UnknownParent { .. })));

        let outside = vec![div("320000", None), div("330000", None), div("330100", Some("320000"))];
        assert!(matches!(DivisionSet::new(v, outside), Err(TreeError::WrongParent { .. })));

        let orphan = vec![div("320100", None)];
        assert_eq!(DivisionSet::new(v, orphan), Err(TreeError::Orphan(code("320100"))));
    }

    #[test]
    fn area_counts_each_basic_unit_once() {
        let v = Vintage::new(2023).unwrap();
        let set = DivisionSet::new(
            v,
            vec![
                div("330000", None),
                div("330100", Some("330000")),
                div("330102", Some("330100")),
                div("330200", Some("330000")),
                div("330203", Some("330200")),
                div("330205", Some("330200")),
                div("441900", Some("440000")),
                div("440000", None),
            ],
        )
        .unwrap();
        let tree = DivisionTree::new(set);
        assert_eq!(tree.leaves_under(&code("330200")), vec![code("330203"), code("330205")]);
        // A prefecture with no county level is its own basic unit.
        assert_eq!(tree.leaves_under(&code("441900")), vec![code("441900")]);
        let overlapping = [code("330000"), code("330200")];
        assert_eq!(tree.area_of(&overlapping).len(), 3);
        assert_eq!(
            tree.ancestors(&code("330203")).iter().map(|d| d.code).collect::<Vec<_>>(),
            [code("330000"), code("330200")]
        );
    }
}

//! Demonstration zones (示范区): a named set of divisions built by one province.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DivisionCode, ParseError, PartialDate};

/// The stable identifier of a zone in URLs and files: lower-case ASCII words joined by hyphens
/// (`jiangsu-sunan`), at most 64 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ZoneKey(String);

impl ZoneKey {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let words_ok =
            s.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if s.is_empty() || s.len() > 64 || !words_ok {
            return Err(ParseError(format!(
                "'{s}' is not a zone key (lower-case letters and digits in words joined by '-', at most 64)"
            )));
        }
        Ok(ZoneKey(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ZoneKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ZoneKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZoneKey({})", self.0)
    }
}

impl Serialize for ZoneKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ZoneKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A national S&T achievement transformation demonstration zone.
///
/// `members` are divisions at any level, in the order the source lists them. Zones may overlap one another;
/// the area of a zone is the union of the basic units under its members (see `DivisionTree::area_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub key: ZoneKey,
    pub name_zh: String,
    pub short_name_zh: String,
    pub province: DivisionCode,
    pub members: Vec<DivisionCode>,
    /// Approval by the ministry, to the precision the sources confirm; `None` where no source gives a date.
    pub approved: Option<PartialDate>,
    /// What the sources say of the approval, and where it is from: in English (`approval_note`, `source`) for the
    /// English pages and in Chinese (`*_zh`) for the Chinese ones.
    pub approval_note: String,
    pub source: String,
    pub approval_note_zh: String,
    pub source_zh: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_keys() {
        assert!(ZoneKey::parse("jiangsu-sunan").is_ok());
        assert!(ZoneKey::parse("ningbo").is_ok());
        for bad in ["", "Ningbo", "a--b", "-a", "a-", "宁波", "a_b", &"x".repeat(65)] {
            assert!(ZoneKey::parse(bad).is_err(), "{bad}");
        }
    }
}

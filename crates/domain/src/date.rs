use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseError;

/// A calendar date known to the year, the month or the day, written in ISO 8601 with reduced precision:
/// `2016`, `2016-10` or `2016-12-20`. Sources often give approval dates only to the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    pub fn day(&self) -> Option<u8> {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for PartialDate {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError(format!("'{s}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"));
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, len: usize| -> Result<u16, ParseError> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let year = number(parts.first().ok_or_else(bad)?, 4)?;
        if !(1900..=2200).contains(&year) {
            return Err(ParseError(format!("'{s}': year {year} is out of range")));
        }
        let month = match parts.get(1) {
            None => None,
            Some(p) => {
                let m = number(p, 2)? as u8;
                if !(1..=12).contains(&m) {
                    return Err(ParseError(format!("'{s}': there is no month {m}")));
                }
                Some(m)
            }
        };
        let day = match (parts.get(2), month) {
            (None, _) => None,
            (Some(p), Some(m)) => {
                let d = number(p, 2)? as u8;
                if d == 0 || d > days_in_month(year, m) {
                    return Err(ParseError(format!("'{s}': there is no day {d} in {year}-{m:02}")));
                }
                Some(d)
            }
            (Some(_), None) => return Err(bad()),
        };
        if parts.len() > 3 {
            return Err(bad());
        }
        Ok(PartialDate { year, month, day })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_precision_it_was_given() {
        for s in ["2016", "2016-10", "2016-12-20", "2024-02-29"] {
            assert_eq!(s.parse::<PartialDate>().map(|d| d.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in ["2021-02-29", "2021-02-30", "2016-13", "2016-00", "16-10", "2016/10", "2016-10-1", "", "2016-10-20-1"]
        {
            assert!(s.parse::<PartialDate>().is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn orders_by_year_then_month_then_day() {
        let a: PartialDate = "2016-10".parse().unwrap();
        let b: PartialDate = "2016-12-20".parse().unwrap();
        assert!(a < b);
    }
}

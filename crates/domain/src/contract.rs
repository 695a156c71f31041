//! Technology contracts (技术合同) as the registry reports them, rolled up by area and year.

use rust_decimal::Decimal;

use crate::DivisionCode;

/// The five contract types of the technology-contract registration rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContractType {
    Development,
    Transfer,
    Licensing,
    Consulting,
    Service,
}

impl ContractType {
    pub const ALL: [ContractType; 5] = [
        ContractType::Development,
        ContractType::Transfer,
        ContractType::Licensing,
        ContractType::Consulting,
        ContractType::Service,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            ContractType::Development => "技术开发",
            ContractType::Transfer => "技术转让",
            ContractType::Licensing => "技术许可",
            ContractType::Consulting => "技术咨询",
            ContractType::Service => "技术服务",
        }
    }

    pub fn parse(s: &str) -> Option<ContractType> {
        ContractType::ALL.into_iter().find(|t| t.name_zh() == s)
    }
}

/// Stored and sent by its Chinese name, as the registry writes it.
impl serde::Serialize for ContractType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name_zh())
    }
}

impl<'de> serde::Deserialize<'de> for ContractType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        rules::contract_type(&name).map_err(serde::de::Error::custom)
    }
}

/// Which party's area a contract is counted in: the seller's (输出, 技术合同成交额) or the buyer's (吸纳).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Seller,
    Buyer,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Seller => "seller",
            Side::Buyer => "buyer",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "seller" => Some(Side::Seller),
            "buyer" => Some(Side::Buyer),
            _ => None,
        }
    }
}

/// Contracts of one type registered in one year, counted on one side in one basic unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRollup {
    pub side: Side,
    pub division: DivisionCode,
    pub year: i32,
    pub contract_type: ContractType,
    pub contracts: u64,
    /// 成交额, yuan.
    pub turnover: Decimal,
    /// 技术交易额, yuan.
    pub tech_amount: Decimal,
}

/// Contracts registered in one year whose seller is in one basic unit and whose buyer is in another (or the same):
/// the technology flow between places, at the finest level contracts name, so that any zone (of provinces, cities
/// or counties) can be summed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFlow {
    /// The seller's basic unit.
    pub seller: DivisionCode,
    /// The buyer's basic unit.
    pub buyer: DivisionCode,
    pub year: i32,
    pub contracts: u64,
    /// 成交额, yuan.
    pub turnover: Decimal,
}

/// The rules every technology contract row obeys, wherever it comes from: a registry's file (the bulk import) or a
/// contract filed and registered in TTDZ. Each answers why a value is refused; the caller names the field. They are
/// `#[inline]`: the bulk importer calls them for every one of millions of rows.
pub mod rules {
    use super::ContractType;

    /// An amount in yuan with at most two decimals, as fen (0.01 yuan): no sign, no exponent, no grouping.
    #[inline]
    pub fn amount_in_fen(s: &str) -> Result<i64, String> {
        if s.starts_with('-') {
            return Err(format!("'{s}' is negative"));
        }
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits_ok = !whole.is_empty()
            && whole.len() <= 15
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 2
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(s.contains('.') && frac.is_empty());
        if !digits_ok {
            return Err(format!("'{s}' is not an amount in yuan with at most 2 decimals"));
        }
        let mut n: i64 = whole.parse().map_err(|_| format!("'{s}' is not an amount"))?;
        for i in 0..2 {
            n = n * 10 + frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
        }
        Ok(n)
    }

    /// The year of an ISO date (YYYY-MM-DD) that exists, between 1980 and 2200.
    #[inline]
    pub fn registration_year(s: &str) -> Result<i32, String> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(format!("'{s}' is not a date YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("'{s}': there is no month {m}")),
        };
        if d == 0 || d > days {
            return Err(format!("'{s}': there is no day {d} in {y}-{m:02}"));
        }
        if !(1980..=2200).contains(&y) {
            return Err(format!("'{s}': year {y} is out of range"));
        }
        Ok(y as i32)
    }

    /// One of the five contract types, by its Chinese name.
    #[inline]
    pub fn contract_type(s: &str) -> Result<ContractType, String> {
        ContractType::parse(s)
            .ok_or_else(|| format!("'{s}' is not one of 技术开发 技术转让 技术许可 技术咨询 技术服务"))
    }

    /// The technical part (技术交易额) cannot exceed the whole (成交额); both in fen.
    #[inline]
    pub fn technical_within_turnover(tech_fen: i64, turnover_fen: i64) -> Result<(), String> {
        if tech_fen > turnover_fen {
            let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
            return Err(format!("{} exceeds the contract's turnover {}", yuan(tech_fen), yuan(turnover_fen)));
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn amounts_become_fen_exactly() {
            assert_eq!(amount_in_fen("0"), Ok(0));
            assert_eq!(amount_in_fen("12.3"), Ok(1230));
            assert_eq!(amount_in_fen("12.34"), Ok(1234));
            assert_eq!(amount_in_fen("999999999999999.99"), Ok(99_999_999_999_999_999));
            for bad in ["", "-1", "1.234", "1.", ".5", "1,000", "1e3", "abc", "1234567890123456"] {
                assert!(amount_in_fen(bad).is_err(), "{bad}");
            }
        }

        #[test]
        fn dates_must_exist() {
            assert_eq!(registration_year("2024-02-29"), Ok(2024));
            for bad in ["2021-02-29", "2021-02-30", "2021-13-01", "2021-04-31", "2021-4-1", "20210401", "2021-00-10"] {
                assert!(registration_year(bad).is_err(), "{bad}");
            }
        }

        #[test]
        fn the_technical_part_stays_within_the_turnover() {
            assert_eq!(technical_within_turnover(100, 100), Ok(()));
            assert_eq!(
                technical_within_turnover(2000, 1000),
                Err("20.00 exceeds the contract's turnover 10.00".to_owned())
            );
            assert!(contract_type("技术革新").is_err() && contract_type("技术服务").is_ok());
        }
    }
}

//! The data elements: raw quantities reported per division (or per zone) and year, from which the Annex 2
//! indicators are computed.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{ElementCode, ParseError};

/// Whether a quantity is a year-end stock or a total over the calendar year. Sums over areas are valid for both;
/// sums over years only for flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Stock,
    Flow,
}

/// Where an element can be reported: per division (summable up the tree), or only for a zone as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Division,
    Zone,
}

/// One entry of the data dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementSpec {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The unit values are stored in.
    pub unit_zh: &'static str,
    pub measure: Measure,
    pub scope: Scope,
}

const fn spec(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    unit_zh: &'static str,
    measure: Measure,
    scope: Scope,
) -> ElementSpec {
    ElementSpec { code, name_zh, name_en, unit_zh, measure, scope }
}

use Measure::{Flow, Stock};
use Scope::{Division, Zone};

/// The data dictionary: every numerator and denominator of Annex 2, and what the contract registry rolls up.
pub const ELEMENTS: &[ElementSpec] = &[
    spec(
        "contract_turnover_yuan",
        "技术合同成交额（输出）",
        "Technology contract turnover (seller side)",
        "元",
        Flow,
        Division,
    ),
    spec(
        "contract_tech_amount_yuan",
        "技术交易额（输出）",
        "Technical transaction amount (seller side)",
        "元",
        Flow,
        Division,
    ),
    spec("contract_count", "技术合同数（输出）", "Technology contracts (seller side)", "项", Flow, Division),
    spec(
        "absorbed_contract_turnover_yuan",
        "技术合同成交额（吸纳）",
        "Technology contract turnover (buyer side)",
        "元",
        Flow,
        Division,
    ),
    spec("absorbed_contract_count", "技术合同数（吸纳）", "Technology contracts (buyer side)", "项", Flow, Division),
    spec("invention_patents_held", "发明专利拥有量", "Invention patents held", "件", Stock, Division),
    spec("resident_population", "常住人口", "Resident population", "人", Stock, Division),
    spec(
        "national_tt_institutions",
        "国家技术转移示范机构数",
        "National technology transfer demonstration institutions",
        "家",
        Stock,
        Division,
    ),
    spec(
        "university_tt_offices",
        "高校、科研院所专业化技术转移机构数",
        "Technology transfer offices of universities and institutes",
        "家",
        Stock,
        Division,
    ),
    spec("tech_brokers", "职业化技术经纪人数量", "Professional technology brokers", "人", Stock, Division),
    spec(
        "hitech_main_revenue_yuan",
        "高新技术企业主营业务收入",
        "Main business revenue of high-tech enterprises",
        "元",
        Flow,
        Division,
    ),
    spec(
        "above_scale_industrial_revenue_yuan",
        "规上工业企业主营业务收入",
        "Main business revenue of industrial enterprises above designated size",
        "元",
        Flow,
        Division,
    ),
    spec(
        "kis_value_added_yuan",
        "知识密集型服务业增加值",
        "Value added of knowledge-intensive services",
        "元",
        Flow,
        Division,
    ),
    spec("gdp_yuan", "地区生产总值", "Gross domestic product", "元", Flow, Division),
    spec("new_registered_enterprises", "新增注册企业数", "Newly registered enterprises", "家", Flow, Division),
    spec(
        "transfer_special_funds_yuan",
        "地方财政投入成果转化专项资金",
        "Local fiscal special funds for achievement transformation",
        "元",
        Flow,
        Zone,
    ),
    spec(
        "angel_vc_institutions",
        "天使和创业投资机构数",
        "Angel and venture capital institutions",
        "家",
        Stock,
        Division,
    ),
    spec("maker_spaces", "专业化众创空间数量", "Specialised maker spaces", "个", Stock, Division),
    spec("incubated_tech_firms", "孵化器在孵技术型企业数", "Technology firms in incubators", "家", Stock, Division),
];

impl ElementSpec {
    pub fn find(code: &str) -> Option<&'static ElementSpec> {
        ELEMENTS.iter().find(|e| e.code == code)
    }

    pub fn element_code(&self) -> ElementCode {
        // Every code in the table is a valid identifier (a test checks it).
        ElementCode::parse(self.code).unwrap_or_else(|_| unreachable!("invalid code in ELEMENTS: {}", self.code))
    }

    /// Whether `value`, in the element's own unit, is one it can take: never negative, a count whole, a share at
    /// most 100 percent. The message names the element.
    pub fn check_value(&self, value: Decimal) -> Result<(), String> {
        if value.is_sign_negative() {
            return Err(format!("{} cannot be negative", self.name_zh));
        }
        if self.is_count() && !value.fract().is_zero() {
            return Err(format!("{} is a count ({}): a whole number", self.name_zh, self.unit_zh));
        }
        if self.unit_zh == "%" && value > Decimal::ONE_HUNDRED {
            return Err(format!("{} is a share: at most 100", self.name_zh));
        }
        Ok(())
    }

    /// Counted in whole things: contracts, patents, people, firms, spaces.
    pub fn is_count(&self) -> bool {
        matches!(self.unit_zh, "项" | "件" | "人" | "家" | "个")
    }

    /// Converts a number given in `unit` (empty: the element's own unit) to the element's unit, exactly.
    /// Money accepts 元, 万元 and 亿元; persons 人 and 万人.
    pub fn to_stored_unit(&self, value: Decimal, unit: &str) -> Result<Decimal, ParseError> {
        if unit.is_empty() || unit == self.unit_zh {
            return Ok(value);
        }
        let factor = match (self.unit_zh, unit) {
            ("元", "万元") | ("人", "万人") => Decimal::from(10_000),
            ("元", "亿元") => Decimal::from(100_000_000),
            _ => {
                return Err(ParseError(format!(
                    "unit '{unit}' does not fit {} (stored in {}{})",
                    self.code,
                    self.unit_zh,
                    match self.unit_zh {
                        "元" => "; 万元 and 亿元 are converted",
                        "人" => "; 万人 is converted",
                        _ => "",
                    }
                )));
            }
        };
        value.checked_mul(factor).ok_or_else(|| ParseError(format!("{value} {unit} is too large")))
    }
}

/// Parses a decimal number as written in a report: plain digits with an optional sign and fraction; no
/// exponent, no thousands separators (they are ambiguous between locales).
pub fn parse_amount(s: &str) -> Result<Decimal, ParseError> {
    let ok = !s.is_empty()
        && s.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit() || c == '.')
        && s.matches('.').count() <= 1
        && s.trim_start_matches(['-', '+']).chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(ParseError(format!("'{s}' is not a number")));
    }
    let value = Decimal::from_str(s).map_err(|_| ParseError(format!("'{s}' is not a number within range")))?;
    // The decimal type keeps 28 digits after the point and about 28 in all; beyond that it would round silently.
    if value.normalize().to_string() != canonical_decimal(s) {
        return Err(ParseError(format!(
            "'{s}' has more digits than can be kept exactly (at most 28 significant digits and 28 after the point)"
        )));
    }
    Ok(value)
}

/// A plain decimal numeral without redundant zeros or sign: `-007.50` is `-7.5`, `-0.0` is `0`.
fn canonical_decimal(s: &str) -> String {
    let negative = s.starts_with('-');
    let digits = s.trim_start_matches(['-', '+']);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut out = if int.is_empty() { "0".to_owned() } else { int.to_owned() };
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if negative && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReferenceData;

    #[test]
    fn every_indicator_element_is_in_the_dictionary() {
        let data = ReferenceData::shipped().unwrap();
        for i in &data.indicators {
            for e in i.numerator.iter().chain(&i.denominator) {
                assert!(ElementSpec::find(e.as_str()).is_some(), "{e} of {} is missing", i.code);
            }
        }
        for e in ELEMENTS {
            assert!(ElementCode::parse(e.code).is_ok(), "{}", e.code);
        }
    }

    #[test]
    fn amounts_beyond_the_kept_precision_are_refused_not_rounded() {
        assert_eq!(parse_amount("-007.50").unwrap().to_string(), "-7.50");
        assert_eq!(
            parse_amount("0.0000000000000000000000000001").unwrap().to_string(),
            "0.0000000000000000000000000001"
        );
        assert!(parse_amount("0.0000000000000000000000000000001").is_err_and(|e| e.0.contains("more digits")));
        assert!(parse_amount("123456789012345678901234567890.1").is_err());
        assert!(parse_amount("-0.000").is_ok());
        assert!(parse_amount("12345678901234567890.12345678").is_ok());
    }

    #[test]
    fn values_an_element_cannot_take_are_refused_by_name() {
        let count = ElementSpec::find("contract_count").unwrap();
        assert!(count.check_value(Decimal::from(3)).is_ok());
        assert!(count.check_value(Decimal::new(25, 1)).unwrap_err().contains("whole number"));
        assert!(count.check_value(Decimal::from(-1)).unwrap_err().contains("cannot be negative"));
        let money = ElementSpec::find("gdp_yuan").unwrap();
        assert!(money.check_value(Decimal::new(125, 1)).is_ok(), "money may have fen");
        let share = ElementSpec { unit_zh: "%", ..*money };
        assert!(share.check_value(Decimal::from(100)).is_ok());
        assert!(share.check_value(Decimal::new(1005, 1)).unwrap_err().contains("at most 100"));
    }

    #[test]
    fn units_convert_exactly() {
        let money = ElementSpec::find("contract_turnover_yuan").unwrap();
        let v = parse_amount("3452.6").unwrap();
        assert_eq!(money.to_stored_unit(v, "亿元").unwrap().to_string(), "345260000000.0");
        assert_eq!(money.to_stored_unit(v, "").unwrap(), v);
        assert!(money.to_stored_unit(v, "人").is_err());
        let people = ElementSpec::find("resident_population").unwrap();
        assert_eq!(people.to_stored_unit(parse_amount("946.5").unwrap(), "万人").unwrap(), Decimal::from(9_465_000));
    }

    #[test]
    fn amounts_are_plain_decimals() {
        assert!(parse_amount("12.50").is_ok());
        assert!(parse_amount("-3").is_ok());
        for bad in ["", "1e5", "1,000", "abc", "1.2.3", "-", "."] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }
}

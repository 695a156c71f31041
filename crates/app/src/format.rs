//! Figures as an official reads them (../shared/design/UI.md): money in 亿元 for zones, provinces and the nation and
//! in 万元 for smaller divisions, with two decimals; shares in percent with one; per-10,000-residents figures with
//! two; counts whole. The API keeps the exact values; only what people read (pages, documents) is rounded.

use rust_decimal::{Decimal, RoundingStrategy};

/// How large the area is whose figure is shown: money is read in 亿元 for the large, in 万元 for the small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaSize {
    /// A zone, a province or the nation.
    Large,
    /// A prefecture or a county.
    Small,
}

fn rounded(value: Decimal, places: u32) -> String {
    let r = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    format!("{r:.prec$}", prec = places as usize)
}

/// An indicator's exact value (in the unit Annex 2 prints, `unit_zh`) as shown on a page, with the unit shown.
/// A value that is not a decimal is shown as it came.
pub fn indicator_value(value: &str, unit_zh: &str, name_zh: &str, size: AreaSize) -> (String, String) {
    let Ok(v) = value.parse::<Decimal>() else { return (value.to_owned(), unit_zh.to_owned()) };
    match unit_zh {
        "亿元" if size == AreaSize::Small => (rounded(v * Decimal::from(10_000), 2), "万元".to_owned()),
        "亿元" | "万元" => (rounded(v, 2), unit_zh.to_owned()),
        "%" => (rounded(v, 1), unit_zh.to_owned()),
        _ if name_zh.contains("每万人") || unit_zh.contains("万人") => (rounded(v, 2), unit_zh.to_owned()),
        _ => (rounded(v, 0), unit_zh.to_owned()),
    }
}

/// A percentage given as an exact decimal (`93.456`), with one decimal and the sign.
pub fn percent(value: &str) -> String {
    value.parse::<Decimal>().map_or_else(|_| value.to_owned(), |v| format!("{}%", rounded(v, 1)))
}

/// An amount in yuan (an exact decimal) in 亿元 with two decimals, as zones' and provinces' money is read.
pub fn yuan_in_yi(yuan: &str) -> String {
    yuan.parse::<Decimal>().map_or_else(|_| yuan.to_owned(), |v| rounded(v / Decimal::from(100_000_000), 2))
}

/// An amount in yuan in 万元 with two decimals, as a single contract's or deal's money is read.
pub fn yuan_in_wan(yuan: &str) -> String {
    yuan.parse::<Decimal>().map_or_else(|_| yuan.to_owned(), |v| rounded(v / Decimal::from(10_000), 2))
}

/// An ISO 8601 instant as Beijing time to the minute (China Standard Time, UTC+8 all year): 2026-06-15 12:00.
pub fn beijing_time(iso: &str) -> String {
    iso.parse::<jiff::Timestamp>().map_or_else(
        |_| iso.to_owned(),
        |t| jiff::tz::TimeZone::fixed(jiff::tz::offset(8)).to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_shares_rates_and_counts_read_as_officials_expect() {
        assert_eq!(yuan_in_yi("721874466.03"), "7.22");
        assert_eq!(yuan_in_yi("0"), "0.00");
        assert_eq!(yuan_in_wan("650000.50"), "65.00");
        assert_eq!(yuan_in_wan("1234"), "0.12");
        assert_eq!(beijing_time("2026-06-15T16:30:00Z"), "2026-06-16 00:30");
        assert_eq!(
            indicator_value("18.7723723461", "亿元", "技术合同成交额", AreaSize::Large),
            ("18.77".into(), "亿元".into())
        );
        assert_eq!(
            indicator_value("0.0123456", "亿元", "技术合同成交额", AreaSize::Small),
            ("123.46".into(), "万元".into())
        );
        assert_eq!(
            indicator_value("12.345", "%", "高新技术企业主营业务收入占比", AreaSize::Large),
            ("12.3".into(), "%".into())
        );
        assert_eq!(
            indicator_value("94.805", "件", "每万人发明专利拥有量", AreaSize::Large),
            ("94.81".into(), "件".into())
        );
        assert_eq!(
            indicator_value("3.1", "家/万人", "每万人新增注册企业数", AreaSize::Small),
            ("3.10".into(), "家/万人".into())
        );
        assert_eq!(indicator_value("120", "人", "职业化技术经纪人数量", AreaSize::Large), ("120".into(), "人".into()));
        assert_eq!(indicator_value("2", "亿元", "x", AreaSize::Large), ("2.00".into(), "亿元".into()));
        assert_eq!(indicator_value("—", "亿元", "x", AreaSize::Large), ("—".into(), "亿元".into()));
        assert_eq!(percent("93.456"), "93.5%");
        assert_eq!(percent("100"), "100.0%");
    }
}

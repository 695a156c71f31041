//! Assessing an achievement (科技成果评估, 三、(一) 社会化评估): a structured judgement on the dimensions of GB/T
//! 44731-2024 (scientific, technical, economic and social value, and transformation potential), each scored with
//! its reasons, and a valuation by the three standard approaches (cost, market comparables, income), each with
//! every assumption and step shown, never a bare number. Sums and products are exact decimals; only the result is
//! rounded, to the fen.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The dimensions an achievement is assessed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Scientific,
    Technical,
    Economic,
    Social,
    Potential,
}

impl Dimension {
    pub const ALL: [Dimension; 5] =
        [Dimension::Scientific, Dimension::Technical, Dimension::Economic, Dimension::Social, Dimension::Potential];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Scientific => "scientific",
            Dimension::Technical => "technical",
            Dimension::Economic => "economic",
            Dimension::Social => "social",
            Dimension::Potential => "potential",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Dimension::Scientific => "科学价值",
            Dimension::Technical => "技术价值",
            Dimension::Economic => "经济价值",
            Dimension::Social => "社会价值",
            Dimension::Potential => "转化潜力",
        }
    }
}

/// One dimension's score, 1 (weak) to 5 (outstanding), with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    pub dimension: Dimension,
    pub score: u8,
    pub reasons: String,
}

/// An assessment as its assessor states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Every dimension once.
    pub scores: Vec<Score>,
    pub conclusion: String,
    pub evidence: String,
    #[serde(default)]
    pub valuation: Option<ValuationInput>,
}

impl Assessment {
    /// Checks every field, naming the first that is wrong.
    pub fn check(&self) -> Result<(), ParseError> {
        for d in Dimension::ALL {
            let given: Vec<&Score> = self.scores.iter().filter(|s| s.dimension == d).collect();
            match given.as_slice() {
                [one] if (1..=5).contains(&one.score) => {
                    if one.reasons.trim().is_empty() {
                        return Err(ParseError(format!("scores.{}: say why", d.as_str())));
                    }
                    crate::limits::check_text(&format!("scores.{}.reasons", d.as_str()), &one.reasons, 5_000)?;
                }
                [one] => {
                    return Err(ParseError(format!("scores.{}: {} is not from 1 to 5", d.as_str(), one.score)));
                }
                [] => return Err(ParseError(format!("scores.{}: every dimension is scored", d.as_str()))),
                _ => return Err(ParseError(format!("scores.{}: scored twice", d.as_str()))),
            }
        }
        for (name, text) in [("conclusion", &self.conclusion), ("evidence", &self.evidence)] {
            if text.trim().is_empty() {
                return Err(ParseError(format!("{name} is missing")));
            }
            crate::limits::check_text(name, text, 20_000)?;
        }
        if let Some(v) = &self.valuation {
            v.valuate()?;
        }
        Ok(())
    }

    /// The mean score, to two decimals.
    pub fn mean(&self) -> Decimal {
        let sum: Decimal = self.scores.iter().map(|s| Decimal::from(s.score)).sum();
        (sum / Decimal::from(self.scores.len().max(1))).round_dp(2)
    }
}

/// What the valuation approaches are given; any of them may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuationInput {
    #[serde(default)]
    pub cost: Option<CostInput>,
    #[serde(default)]
    pub market: Option<MarketInput>,
    #[serde(default)]
    pub income: Option<IncomeInput>,
}

/// The cost approach: what re-creating the achievement would cost, less its obsolescence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostInput {
    /// Cost items in yuan (R&D staff, materials, equipment, tests, ...).
    pub items: Vec<Named>,
    /// How much of that the achievement has lost to age and newer technology, percent.
    #[serde(with = "rust_decimal::serde::str")]
    pub obsolescence_percent: Decimal,
}

/// The market approach: prices of comparable transactions, adjusted for how the achievement differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketInput {
    /// Comparable deals: their prices in yuan.
    pub comparables: Vec<Named>,
    /// The adjustment for the differences, percent (negative where the achievement is worth less).
    #[serde(with = "rust_decimal::serde::str")]
    pub adjustment_percent: Decimal,
}

/// The income approach: the earnings the achievement brings, its share of them, discounted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeInput {
    /// Expected revenue of the products using it, yuan, year 1, 2, ...
    #[serde(with = "decimal_list")]
    pub revenues: Vec<Decimal>,
    /// Profit margin on that revenue, percent.
    #[serde(with = "rust_decimal::serde::str")]
    pub margin_percent: Decimal,
    /// The achievement's share of the profit (the royalty or profit-sharing rate), percent.
    #[serde(with = "rust_decimal::serde::str")]
    pub share_percent: Decimal,
    /// The discount rate, percent a year.
    #[serde(with = "rust_decimal::serde::str")]
    pub discount_percent: Decimal,
}

/// An amount with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

mod decimal_list {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| crate::element::parse_amount(t.trim()).map_err(|e| serde::de::Error::custom(e.0)))
            .collect()
    }
}

/// One approach's value and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApproachResult {
    /// Yuan, to the fen.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// Every assumption and intermediate figure, in order.
    pub steps: Vec<String>,
}

/// The valuation by each approach given, and the range they span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Valuation {
    pub cost: Option<ApproachResult>,
    pub market: Option<ApproachResult>,
    pub income: Option<ApproachResult>,
    /// The lowest and highest of the approaches' values: the valuation is a range, not one number.
    pub range: Option<(String, String)>,
}

fn percent(name: &str, p: Decimal, low: Decimal, high: Decimal) -> Result<Decimal, ParseError> {
    if p < low || p > high {
        return Err(ParseError(format!("{name}: {p}% is outside {low}% to {high}%")));
    }
    Ok(p / Decimal::ONE_HUNDRED)
}

fn money(name: &str, v: Decimal) -> Result<Decimal, ParseError> {
    if v < Decimal::ZERO {
        return Err(ParseError(format!("{name}: an amount cannot be negative")));
    }
    Ok(v)
}

fn yuan(v: Decimal) -> String {
    format!("{} 元", v.round_dp(2))
}

impl ValuationInput {
    /// The value by each approach given, each with its steps; an input out of range is refused by name.
    pub fn valuate(&self) -> Result<Valuation, ParseError> {
        let hundred = Decimal::ONE_HUNDRED;
        let cost = self
            .cost
            .as_ref()
            .map(|c| -> Result<ApproachResult, ParseError> {
                if c.items.is_empty() {
                    return Err(ParseError("valuation.cost.items: list at least one cost".into()));
                }
                let mut steps = Vec::new();
                let mut total = Decimal::ZERO;
                for (i, item) in c.items.iter().enumerate() {
                    total += money(&format!("valuation.cost.items[{i}].value"), item.value)?;
                    steps.push(format!("重置成本：{} {}", item.name, yuan(item.value)));
                }
                let lost =
                    percent("valuation.cost.obsolescence_percent", c.obsolescence_percent, Decimal::ZERO, hundred)?;
                steps.push(format!("重置成本合计 {}", yuan(total)));
                steps.push(format!("贬值率 {}%，成新率 {}%", c.obsolescence_percent, hundred - c.obsolescence_percent));
                let value = (total * (Decimal::ONE - lost)).round_dp(2);
                steps.push(format!(
                    "成本法评估值 = {} × (1 − {}%) = {}",
                    yuan(total),
                    c.obsolescence_percent,
                    yuan(value)
                ));
                Ok(ApproachResult { value, steps })
            })
            .transpose()?;
        let market = self
            .market
            .as_ref()
            .map(|m| -> Result<ApproachResult, ParseError> {
                if m.comparables.is_empty() {
                    return Err(ParseError("valuation.market.comparables: list at least one comparable deal".into()));
                }
                let adjust = percent(
                    "valuation.market.adjustment_percent",
                    m.adjustment_percent,
                    -hundred,
                    Decimal::from(1000),
                )?;
                let mut steps = Vec::new();
                let mut sum = Decimal::ZERO;
                for (i, deal) in m.comparables.iter().enumerate() {
                    sum += money(&format!("valuation.market.comparables[{i}].value"), deal.value)?;
                    steps.push(format!("可比交易：{} {}", deal.name, yuan(deal.value)));
                }
                let mean = sum / Decimal::from(m.comparables.len());
                steps.push(format!("可比交易均价 {}", yuan(mean)));
                steps.push(format!("差异调整 {}%", m.adjustment_percent));
                let value = (mean * (Decimal::ONE + adjust)).round_dp(2);
                steps.push(format!(
                    "市场法评估值 = {} × (1 + {}%) = {}",
                    yuan(mean),
                    m.adjustment_percent,
                    yuan(value)
                ));
                Ok(ApproachResult { value, steps })
            })
            .transpose()?;
        let income = self
            .income
            .as_ref()
            .map(|x| -> Result<ApproachResult, ParseError> {
                if x.revenues.is_empty() || x.revenues.len() > 20 {
                    return Err(ParseError("valuation.income.revenues: give the revenue of 1 to 20 years".into()));
                }
                let margin = percent("valuation.income.margin_percent", x.margin_percent, Decimal::ZERO, hundred)?;
                let share = percent("valuation.income.share_percent", x.share_percent, Decimal::ZERO, hundred)?;
                let rate = percent("valuation.income.discount_percent", x.discount_percent, Decimal::ZERO, hundred)?;
                let mut steps = vec![format!(
                    "利润率 {}%，技术分成率 {}%，折现率 {}%",
                    x.margin_percent, x.share_percent, x.discount_percent
                )];
                let (mut total, mut factor) = (Decimal::ZERO, Decimal::ONE);
                for (i, revenue) in x.revenues.iter().enumerate() {
                    let revenue = money(&format!("valuation.income.revenues[{i}]"), *revenue)?;
                    factor *= Decimal::ONE + rate;
                    let earned = revenue * margin * share;
                    let present = earned / factor;
                    total += present;
                    steps.push(format!(
                        "第{}年：收入 {} × 利润率 × 分成率 = {}，折现系数 1/{} → 现值 {}",
                        i + 1,
                        yuan(revenue),
                        yuan(earned),
                        factor.round_dp(6),
                        yuan(present)
                    ));
                }
                let value = total.round_dp(2);
                steps.push(format!("收益法评估值 = 各年现值之和 = {}", yuan(value)));
                Ok(ApproachResult { value, steps })
            })
            .transpose()?;
        let values: Vec<Decimal> =
            [&cost, &market, &income].iter().filter_map(|r| r.as_ref().map(|r| r.value)).collect();
        let range = match (values.iter().min(), values.iter().max()) {
            (Some(low), Some(high)) => Some((low.to_string(), high.to_string())),
            _ => None,
        };
        Ok(Valuation { cost, market, income, range })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn each_approach_shows_its_steps_and_the_values_are_exact() {
        let input = ValuationInput {
            cost: Some(CostInput {
                items: vec![
                    Named { name: "研发人工".into(), value: d("600000") },
                    Named { name: "材料".into(), value: d("400000") },
                ],
                obsolescence_percent: d("30"),
            }),
            market: Some(MarketInput {
                comparables: vec![
                    Named { name: "A".into(), value: d("900000") },
                    Named { name: "B".into(), value: d("1100000") },
                ],
                adjustment_percent: d("-10"),
            }),
            income: Some(IncomeInput {
                revenues: vec![d("10000000"), d("10000000")],
                margin_percent: d("20"),
                share_percent: d("25"),
                discount_percent: d("10"),
            }),
        };
        let v = input.valuate().expect("valuation");
        assert_eq!(v.cost.as_ref().map(|c| c.value), Some(d("700000.00")));
        assert_eq!(v.market.as_ref().map(|m| m.value), Some(d("900000.00")));
        // 500,000 / 1.1 + 500,000 / 1.21 = 454,545.45 + 413,223.14 = 867,768.60 (to the fen).
        assert_eq!(v.income.as_ref().map(|i| i.value), Some(d("867768.60")));
        assert_eq!(v.range, Some(("700000.00".into(), "900000.00".into())));
        assert!(v.income.as_ref().is_some_and(|i| i.steps.len() == 4), "assumptions, two years, the sum");
    }

    #[test]
    fn inputs_out_of_range_are_refused_by_name() {
        let bad = ValuationInput {
            income: Some(IncomeInput {
                revenues: vec![d("1")],
                margin_percent: d("120"),
                share_percent: d("25"),
                discount_percent: d("10"),
            }),
            ..ValuationInput::default()
        };
        let refused = bad.valuate().err().map(|e| e.0).unwrap_or_default();
        assert!(refused.contains("valuation.income.margin_percent"), "{refused}");
    }

    #[test]
    fn an_assessment_scores_every_dimension_once_with_reasons() {
        let score = |dimension, score| Score { dimension, score, reasons: "依据".into() };
        let mut a = Assessment {
            scores: Dimension::ALL.iter().map(|d| score(*d, 4)).collect(),
            conclusion: "建议转化".into(),
            evidence: "检测报告".into(),
            valuation: None,
        };
        assert!(a.check().is_ok());
        assert_eq!(a.mean(), d("4"));
        a.scores.pop();
        assert!(a.check().err().is_some_and(|e| e.0.contains("scores.potential")));
        a.scores.push(score(Dimension::Potential, 6));
        assert!(a.check().err().is_some_and(|e| e.0.contains("6 is not from 1 to 5")));
    }
}

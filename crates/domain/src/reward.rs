//! Rewards for the people who made an achievement (促进科技成果转化法 第四十五条). An institution that transfers,
//! licenses, invests or implements an achievement rewards those who made it and transformed it. Where the
//! institution has a rule of its own, or an agreement with them, that sets the share, the share is the rule's, higher
//! or lower; only where there is none do the law's floors apply:
//! - transfer (转让) or licence (许可): at least 50% of the net income from it;
//! - equity (作价投资): at least 50% of the shares or contribution obtained;
//! - own or joint implementation (自行实施或者与他人合作实施): at least 5% of the operating profit from it, every year
//!   for three to five years after it succeeds.
//!
//! Amounts are exact decimals in yuan; the pool is rounded to the fen, and a split among the people hands out
//! exactly the pool, the last fen going by the largest remainders.

use rust_decimal::{Decimal, RoundingStrategy};

/// How the achievement was transformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardMode {
    Transfer,
    License,
    Equity,
    Implementation,
}

impl RewardMode {
    pub const ALL: [RewardMode; 4] =
        [RewardMode::Transfer, RewardMode::License, RewardMode::Equity, RewardMode::Implementation];

    pub fn as_str(self) -> &'static str {
        match self {
            RewardMode::Transfer => "transfer",
            RewardMode::License => "license",
            RewardMode::Equity => "equity",
            RewardMode::Implementation => "implementation",
        }
    }

    pub fn parse(s: &str) -> Option<RewardMode> {
        RewardMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RewardMode::Transfer => "转让",
            RewardMode::License => "许可",
            RewardMode::Equity => "作价投资",
            RewardMode::Implementation => "自行实施或合作实施",
        }
    }

    /// What the amount is, for this mode.
    pub fn base_zh(self) -> &'static str {
        match self {
            RewardMode::Transfer | RewardMode::License => "净收入",
            RewardMode::Equity => "所得股份或出资比例（按价值计）",
            RewardMode::Implementation => "当年营业利润",
        }
    }

    /// The law's floor where the institution has no rule of its own.
    pub fn statutory_ratio(self) -> Decimal {
        match self {
            RewardMode::Implementation => Decimal::new(5, 2),
            _ => Decimal::new(50, 2),
        }
    }

    /// The clause of Article 45 that sets the floor.
    pub fn clause_zh(self) -> &'static str {
        match self {
            RewardMode::Transfer | RewardMode::License => "促进科技成果转化法第四十五条第一款第（一）项",
            RewardMode::Equity => "促进科技成果转化法第四十五条第一款第（二）项",
            RewardMode::Implementation => "促进科技成果转化法第四十五条第一款第（三）项",
        }
    }
}

/// Which share applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardBasis {
    /// The law's floor: the institution has no rule or agreement of its own.
    Statute,
    /// The institution's own rule or agreement.
    InstitutionRule,
}

impl RewardBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardBasis::Statute => "statute",
            RewardBasis::InstitutionRule => "institution rule",
        }
    }
}

/// A question for the calculator, every number checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RewardQuestion {
    pub mode: RewardMode,
    /// Yuan, at least 0.
    pub amount: Decimal,
    /// The institution's own share, from 0 to 1, where it has a rule or agreement.
    pub institution_ratio: Option<Decimal>,
    /// Who shares the pool, with their contribution shares (summing to 1).
    pub shares: Vec<(String, Decimal)>,
}

/// What the calculator answers.
#[derive(Debug, Clone, PartialEq)]
pub struct RewardAnswer {
    pub mode: RewardMode,
    pub amount: Decimal,
    pub ratio: Decimal,
    pub basis: RewardBasis,
    /// The people's reward pool, in yuan to the fen (for implementation: each year's).
    pub pool: Decimal,
    /// Each person's part of the pool, in yuan, adding up to exactly the pool.
    pub split: Vec<(String, Decimal)>,
}

/// A number that broke a rule: the field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RewardError {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> RewardError {
    RewardError { field, reason: reason.into() }
}

impl RewardQuestion {
    /// Checks and answers the question.
    pub fn answer(&self) -> Result<RewardAnswer, RewardError> {
        if self.amount.is_sign_negative() {
            return Err(refuse("amount", format!("{} is negative", self.amount)));
        }
        let (ratio, basis) = match self.institution_ratio {
            Some(r) if r.is_sign_negative() || r > Decimal::ONE => {
                return Err(refuse("institution_ratio", format!("{r} is not a share from 0 to 1 (e.g. 0.7 for 70%)")));
            }
            Some(r) => (r, RewardBasis::InstitutionRule),
            None => (self.mode.statutory_ratio(), RewardBasis::Statute),
        };
        let mut pool = (self.amount * ratio).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // Always to the fen, as money is written: 300000.00, not 300000.0.
        pool.rescale(2);
        Ok(RewardAnswer {
            mode: self.mode,
            amount: self.amount,
            ratio: ratio.normalize(),
            basis,
            split: split(pool, &self.shares)?,
            pool,
        })
    }
}

/// `pool` shared by contribution: each part rounded down to the fen, the fen left over handed out one each by the
/// largest remainders (the earlier name first on a tie), so the parts add up to exactly the pool.
fn split(pool: Decimal, shares: &[(String, Decimal)]) -> Result<Vec<(String, Decimal)>, RewardError> {
    if shares.is_empty() {
        return Ok(Vec::new());
    }
    for (name, share) in shares {
        if name.trim().is_empty() {
            return Err(refuse("shares", "every share needs the person's name"));
        }
        if share.is_sign_negative() || share.is_zero() {
            return Err(refuse("shares", format!("{name}'s share {share} is not above 0")));
        }
    }
    let total: Decimal = shares.iter().map(|(_, s)| *s).sum();
    if total != Decimal::ONE {
        return Err(refuse("shares", format!("the contribution shares add up to {total}, not 1")));
    }
    let fen = Decimal::new(1, 2);
    let mut parts: Vec<(usize, Decimal, Decimal)> = shares
        .iter()
        .enumerate()
        .map(|(i, (_, share))| {
            let exact = pool * share;
            let down = exact.round_dp_with_strategy(2, RoundingStrategy::ToZero);
            (i, down, exact - down)
        })
        .collect();
    let handed: Decimal = parts.iter().map(|p| p.1).sum();
    let mut left = ((pool - handed) / fen).round().to_string().parse::<usize>().unwrap_or(0);
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for part in parts.iter_mut() {
        if left == 0 {
            break;
        }
        part.1 += fen;
        left -= 1;
    }
    parts.sort_by_key(|p| p.0);
    Ok(parts
        .into_iter()
        .map(|(i, mut amount, _)| {
            amount.rescale(2);
            (shares[i].0.clone(), amount)
        })
        .collect())
}

/// The most years an implementation's reward is paid for (第四十五条（三）: three to five years after it succeeds).
pub const IMPLEMENTATION_YEARS: usize = 5;

/// A reward paid out, as an institution records it in its ledger: for which achievement, on which basis, the pool
/// and each person's part with the contribution share it rests on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Distribution {
    pub achievement: String,
    pub achievement_id: Option<i64>,
    /// The registered contract the income came from, for a transfer or licence.
    pub contract_id: Option<i64>,
    pub mode: RewardMode,
    /// The year the income, shares or profit belong to.
    pub year: i32,
    pub amount: Decimal,
    pub ratio: Decimal,
    pub basis: RewardBasis,
    pub pool: Decimal,
    pub lines: Vec<DistributionLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DistributionLine {
    pub name: String,
    pub share: Decimal,
    pub amount: Decimal,
}

/// A person's line as sent: the contribution share, and the amount paid if the institution states it (then every
/// line states one and they add up to the pool).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub name: String,
    #[serde(deserialize_with = "crate::registration::text_or_number")]
    pub share: String,
    #[serde(default, deserialize_with = "optional_text_or_number")]
    pub amount_yuan: Option<String>,
}

fn optional_text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "crate::registration::text_or_number")] String);
    Ok(<Option<Wrapped> as serde::Deserialize>::deserialize(deserializer)?.map(|w| w.0))
}

/// A distribution as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionInput {
    pub achievement: String,
    pub achievement_id: Option<i64>,
    pub contract_id: Option<i64>,
    /// transfer, license, equity or implementation.
    pub mode: String,
    pub year: i32,
    #[serde(deserialize_with = "crate::registration::text_or_number")]
    pub amount_yuan: String,
    /// The institution's own share where it has a rule or agreement (`0.7` or `70%`).
    #[serde(default, deserialize_with = "optional_text_or_number")]
    pub institution_ratio: Option<String>,
    pub lines: Vec<LineInput>,
}

/// `text` as a decimal, or a percent (`70%` is 0.7); `field` names it when it is neither.
pub fn number(field: &'static str, text: &str) -> Result<Decimal, RewardError> {
    let text = text.trim();
    let parsed = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<Decimal>().map(|p| p / Decimal::ONE_HUNDRED),
        None => text.parse::<Decimal>(),
    };
    parsed.map_err(|_| refuse(field, format!("'{text}' is not a number")))
}

impl DistributionInput {
    /// Checks the distribution: the pool by the institution's rule or the law's floor, the contribution shares
    /// adding up to 1, and the amounts, when stated, adding up to exactly the pool (otherwise they are the shares'
    /// exact split). `this_year` bounds the year.
    pub fn parse(self, this_year: i32) -> Result<Distribution, RewardError> {
        let achievement = self.achievement.trim().to_owned();
        if achievement.is_empty() {
            return Err(refuse("achievement", "must not be empty"));
        }
        let mode = RewardMode::parse(self.mode.trim()).ok_or_else(|| {
            refuse("mode", format!("'{}' is not one of transfer, license, equity, implementation", self.mode.trim()))
        })?;
        if !(1980..=this_year).contains(&self.year) {
            return Err(refuse("year", format!("{} is not from 1980 to {this_year}", self.year)));
        }
        if self.lines.is_empty() {
            return Err(refuse("lines", "name the people rewarded, with their contribution shares"));
        }
        let shares = self
            .lines
            .iter()
            .map(|l| Ok((l.name.trim().to_owned(), number("lines", &l.share)?)))
            .collect::<Result<Vec<_>, RewardError>>()?;
        let institution_ratio = self
            .institution_ratio
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| number("institution_ratio", r))
            .transpose()?;
        let amount = number("amount_yuan", &self.amount_yuan)?;
        let answer = RewardQuestion { mode, amount, institution_ratio, shares: shares.clone() }
            .answer()
            .map_err(|e| if e.field == "shares" { refuse("lines", e.reason) } else { e })?;
        let stated = self
            .lines
            .iter()
            .map(|l| l.amount_yuan.as_deref().map(str::trim).filter(|a| !a.is_empty()))
            .collect::<Vec<_>>();
        let amounts = if stated.iter().all(Option::is_none) {
            answer.split.iter().map(|(_, a)| *a).collect::<Vec<_>>()
        } else {
            let mut amounts = Vec::new();
            for (line, text) in self.lines.iter().zip(&stated) {
                let text = text.ok_or_else(|| {
                    refuse("lines", format!("{}'s amount is missing: state every amount, or none", line.name.trim()))
                })?;
                let a = number("lines", text)?;
                if a.is_sign_negative() || a.normalize().scale() > 2 {
                    return Err(refuse("lines", format!("{}'s amount {a} is not yuan to the fen", line.name.trim())));
                }
                amounts.push(a);
            }
            let sum: Decimal = amounts.iter().sum();
            if sum != answer.pool {
                return Err(refuse("lines", format!("the amounts add up to {sum}, not the pool {}", answer.pool)));
            }
            amounts
        };
        Ok(Distribution {
            achievement,
            achievement_id: self.achievement_id,
            contract_id: self.contract_id,
            mode,
            year: self.year,
            amount: answer.amount,
            ratio: answer.ratio,
            basis: answer.basis,
            pool: answer.pool,
            lines: shares
                .into_iter()
                .zip(amounts)
                .map(|((name, share), mut amount)| {
                    amount.rescale(2);
                    DistributionLine { name, share: share.normalize(), amount }
                })
                .collect(),
        })
    }
}

/// Whether one more year of an implementation's reward may be recorded for an achievement that has these years
/// recorded already: at most [`IMPLEMENTATION_YEARS`] distinct years.
pub fn implementation_year_allowed(recorded: &[i32], year: i32) -> Result<(), RewardError> {
    let mut years: Vec<i32> = recorded.to_vec();
    years.sort_unstable();
    years.dedup();
    if !years.contains(&year) && years.len() >= IMPLEMENTATION_YEARS {
        return Err(refuse(
            "year",
            format!("an implementation is rewarded for {IMPLEMENTATION_YEARS} years at most; recorded: {years:?}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    fn ask(mode: RewardMode, amount: &str, ratio: Option<&str>) -> RewardQuestion {
        RewardQuestion { mode, amount: d(amount), institution_ratio: ratio.map(d), shares: Vec::new() }
    }

    #[test]
    fn the_floors_apply_only_without_an_institutional_rule() {
        let statute = ask(RewardMode::Transfer, "1000000", None).answer().expect("answer");
        assert_eq!((statute.pool, statute.ratio, statute.basis), (d("500000.00"), d("0.5"), RewardBasis::Statute));
        let equity = ask(RewardMode::Equity, "2000000", None).answer().expect("answer");
        assert_eq!(equity.pool, d("1000000.00"));
        let implementation = ask(RewardMode::Implementation, "3000000", None).answer().expect("answer");
        assert_eq!((implementation.pool, implementation.ratio), (d("150000.00"), d("0.05")));
        // An institution's rule sets its own share, below the floor as well as above it.
        let lower = ask(RewardMode::License, "1000000", Some("0.3")).answer().expect("answer");
        assert_eq!((lower.pool, lower.basis), (d("300000.00"), RewardBasis::InstitutionRule));
        let higher = ask(RewardMode::Transfer, "1000000", Some("0.7")).answer().expect("answer");
        assert_eq!(higher.pool, d("700000.00"));
    }

    #[test]
    fn bad_numbers_are_refused_by_field() {
        let negative = ask(RewardMode::Transfer, "-1", None).answer().expect_err("refused");
        assert_eq!(negative.field, "amount");
        let over = ask(RewardMode::Transfer, "1", Some("1.5")).answer().expect_err("refused");
        assert_eq!(over.field, "institution_ratio");
        let mut uneven = ask(RewardMode::Transfer, "100", None);
        uneven.shares = vec![("张三".into(), d("0.6")), ("李四".into(), d("0.3"))];
        let refused = uneven.answer().expect_err("refused");
        assert_eq!(refused.field, "shares");
        assert!(refused.reason.contains("0.9"), "{refused}");
    }

    #[test]
    fn a_split_hands_out_exactly_the_pool() {
        let odd = ask(RewardMode::Transfer, "100.01", None).answer().expect("answer");
        assert_eq!(odd.pool, d("50.01"), "rounded half away from zero: 50.005");
        let mut question = ask(RewardMode::Transfer, "100", None);
        let third = d("0.3333333333333333333333333333");
        question.shares =
            vec![("张三".into(), third), ("李四".into(), third), ("王五".into(), Decimal::ONE - third - third)];
        let answer = question.answer().expect("answer");
        let parts: Vec<Decimal> = answer.split.iter().map(|(_, a)| *a).collect();
        assert_eq!(parts.iter().copied().sum::<Decimal>(), d("50.00"), "not a fen more or less");
        // 16.666… each: two fen left after rounding down go to the largest remainders (王五's share is the largest).
        assert_eq!(parts, [d("16.67"), d("16.66"), d("16.67")]);
    }

    fn distribution(lines: Vec<LineInput>) -> DistributionInput {
        DistributionInput {
            achievement: "石墨烯导热膜".into(),
            mode: "transfer".into(),
            year: 2026,
            amount_yuan: "1000000".into(),
            lines,
            ..DistributionInput::default()
        }
    }

    fn line(name: &str, share: &str, amount: Option<&str>) -> LineInput {
        LineInput { name: name.into(), share: share.into(), amount_yuan: amount.map(str::to_owned) }
    }

    #[test]
    fn a_ledger_line_is_the_shares_exact_split_or_amounts_that_add_up_to_the_pool() {
        let split =
            distribution(vec![line("张三", "0.6", None), line("李四", "40%", None)]).parse(2026).expect("split");
        assert_eq!((split.basis, split.pool), (RewardBasis::Statute, Decimal::new(50_000_000, 2)));
        let amounts: Vec<String> = split.lines.iter().map(|l| l.amount.to_string()).collect();
        assert_eq!(amounts, ["300000.00", "200000.00"]);
        let stated = distribution(vec![line("张三", "0.6", Some("350000")), line("李四", "0.4", Some("150000"))]);
        assert_eq!(stated.parse(2026).expect("stated").lines[0].amount, Decimal::new(35_000_000, 2));
        let short = distribution(vec![line("张三", "0.6", Some("350000")), line("李四", "0.4", Some("100000"))]);
        let err = short.parse(2026).expect_err("450000 is not the pool");
        assert_eq!(err.field, "lines");
        assert!(err.reason.contains("450000") && err.reason.contains("500000.00"), "{err}");
        let partial = distribution(vec![line("张三", "0.6", Some("350000")), line("李四", "0.4", None)]);
        assert!(partial.parse(2026).is_err_and(|e| e.reason.contains("李四")));
        let shares = distribution(vec![line("张三", "0.6", None), line("李四", "0.3", None)]);
        assert!(shares.parse(2026).is_err_and(|e| e.field == "lines" && e.reason.contains("0.9")));
        let own_rule = DistributionInput {
            institution_ratio: Some("70%".into()),
            ..distribution(vec![line("张三", "1", None)])
        };
        let own_rule = own_rule.parse(2026).expect("rule");
        assert_eq!((own_rule.basis, own_rule.pool), (RewardBasis::InstitutionRule, Decimal::new(70_000_000, 2)));
        let future = DistributionInput { year: 2027, ..distribution(vec![line("张三", "1", None)]) };
        assert!(future.parse(2026).is_err_and(|e| e.field == "year"));
        assert!(implementation_year_allowed(&[2021, 2022, 2023, 2024, 2025], 2026).is_err_and(|e| e.field == "year"));
        assert!(implementation_year_allowed(&[2021, 2022, 2023, 2024, 2025], 2025).is_ok(), "a year again");
        assert!(implementation_year_allowed(&[2022, 2023], 2024).is_ok());
    }
}

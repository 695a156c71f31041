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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

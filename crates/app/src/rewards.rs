//! The inventors' reward calculator (促进科技成果转化法 第四十五条): what share of a transfer's, licence's, equity's
//! or implementation's proceeds goes to the people who made the achievement, by the institution's own rule where it
//! has one and by the law's floors where it has none, and each person's part by contribution.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use ttdz_domain::reward::{RewardMode, RewardQuestion};

use crate::AppError;

/// One person's part of the pool.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardPart {
    pub name: String,
    pub share: String,
    /// Yuan, to the fen.
    pub amount: String,
}

/// What the calculator answers; amounts are exact decimals in the unit of `amount` (yuan).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardView {
    /// `transfer`, `license`, `equity` or `implementation`.
    pub mode: &'static str,
    pub mode_zh: &'static str,
    /// What `amount` is for this mode (净收入, 股份, 营业利润).
    pub base_zh: &'static str,
    pub amount: String,
    /// The share of `amount` that goes to the people, from 0 to 1.
    pub ratio: String,
    /// `statute` (the law's floor: the institution has no rule of its own) or `institution rule`.
    pub basis: &'static str,
    /// The people's reward pool, to the fen; for implementation, each year's, for three to five years.
    pub pool: String,
    /// For implementation only: the pool recurs every year for three to five years after the implementation
    /// succeeds.
    pub yearly: bool,
    pub legal_basis: &'static str,
    /// Each person's part by contribution, adding up to exactly the pool.
    pub split: Vec<RewardPart>,
}

fn decimal(field: &str, text: &str) -> Result<Decimal, AppError> {
    let text = text.trim();
    let parsed = text.strip_suffix('%').map_or_else(
        || Decimal::from_str(text),
        |percent| Decimal::from_str(percent.trim()).map(|p| p / Decimal::ONE_HUNDRED),
    );
    parsed.map_err(|_| AppError::Rejected(format!("{field}: '{text}' is not a number")))
}

/// Answers the calculator: `mode`, `amount` in yuan, the institution's own share (`0.7` or `70%`) where it has a
/// rule or agreement, and who shares the pool (`name:share`, the shares adding up to 1).
pub fn calculate(
    mode: &str,
    amount: &str,
    institution_ratio: Option<&str>,
    shares: &[String],
) -> Result<RewardView, AppError> {
    let mode = RewardMode::parse(mode.trim()).ok_or_else(|| {
        AppError::Rejected(format!("mode: '{mode}' is not one of transfer, license, equity, implementation"))
    })?;
    let shares = shares
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (name, share) = s
                .rsplit_once([':', '：'])
                .ok_or_else(|| AppError::Rejected(format!("shares: '{s}' is not name:share (e.g. 张三:0.6)")))?;
            Ok((name.trim().to_owned(), decimal("shares", share)?))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let question = RewardQuestion {
        mode,
        amount: decimal("amount", amount)?,
        institution_ratio: institution_ratio
            .filter(|r| !r.trim().is_empty())
            .map(|r| decimal("institution_ratio", r))
            .transpose()?,
        shares: shares.clone(),
    };
    let answer = question.answer().map_err(|e| AppError::Rejected(e.to_string()))?;
    Ok(RewardView {
        mode: mode.as_str(),
        mode_zh: mode.label_zh(),
        base_zh: mode.base_zh(),
        amount: answer.amount.normalize().to_string(),
        ratio: answer.ratio.to_string(),
        basis: answer.basis.as_str(),
        pool: answer.pool.to_string(),
        yearly: mode == RewardMode::Implementation,
        legal_basis: mode.clause_zh(),
        split: answer
            .split
            .into_iter()
            .zip(shares)
            .map(|((name, amount), (_, share))| RewardPart {
                name,
                share: share.normalize().to_string(),
                amount: amount.to_string(),
            })
            .collect(),
    })
}

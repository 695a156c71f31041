//! The inventors' reward calculator (促进科技成果转化法 第四十五条): what share of a transfer's, licence's, equity's
//! or implementation's proceeds goes to the people who made the achievement, by the institution's own rule where it
//! has one and by the law's floors where it has none, and each person's part by contribution; and the ledger in
//! which institutions record the rewards they paid, per achievement and person.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;
use ttdz_domain::account::Role;
use ttdz_domain::reward::{DistributionInput, RewardMode, RewardQuestion, implementation_year_allowed};

use crate::{AppError, Context, Viewer};

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

fn decimal(field: &'static str, text: &str) -> Result<Decimal, AppError> {
    ttdz_domain::reward::number(field, text).map_err(|e| AppError::Rejected(e.to_string()))
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

/// One person's line in a recorded distribution.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerLine {
    pub name: String,
    pub share: String,
    /// Yuan, to the fen.
    pub amount: String,
}

/// A distribution as the ledger shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionView {
    pub id: i64,
    pub institution: String,
    pub division: String,
    pub achievement: String,
    pub achievement_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub mode: &'static str,
    pub mode_zh: &'static str,
    pub year: i32,
    pub amount: String,
    pub ratio: String,
    /// `statute` or `institution rule`.
    pub basis: &'static str,
    pub pool: String,
    pub lines: Vec<LedgerLine>,
    pub recorded_at: String,
}

/// What one person received, over the distributions shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonTotal {
    pub name: String,
    /// The achievements they were rewarded for.
    pub achievements: Vec<String>,
    /// Yuan, to the fen.
    pub total: String,
}

/// The reward ledger as the viewer may read it: the distributions, and the totals per achievement and person.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerView {
    pub distributions: Vec<DistributionView>,
    /// (achievement, the pools' total in yuan)
    pub achievements: Vec<(String, String)>,
    pub people: Vec<PersonTotal>,
    /// Whether the viewer records distributions (an institution).
    pub may_record: bool,
}

fn distribution_view(s: ttdz_store::StoredDistribution) -> DistributionView {
    let d = s.distribution;
    DistributionView {
        id: s.id,
        institution: s.owner,
        division: s.division.to_string(),
        achievement: d.achievement,
        achievement_id: d.achievement_id,
        contract_id: d.contract_id,
        mode: d.mode.as_str(),
        mode_zh: d.mode.label_zh(),
        year: d.year,
        amount: format!("{:.2}", d.amount),
        ratio: d.ratio.to_string(),
        basis: d.basis.as_str(),
        pool: d.pool.to_string(),
        lines: d
            .lines
            .into_iter()
            .map(|l| LedgerLine { name: l.name, share: l.share.to_string(), amount: l.amount.to_string() })
            .collect(),
        recorded_at: s.recorded_at,
    }
}

/// Whose ledger the viewer reads: an institution its own, a province its province's institutions', the ministry
/// every one.
fn ledger_scope(viewer: &Viewer) -> Result<(Option<String>, Option<String>), AppError> {
    match viewer {
        Viewer::Public => Err(AppError::Unauthorized("sign in to read the reward ledger".into())),
        Viewer::Service | Viewer::Operator(_) => Ok((None, None)),
        Viewer::Account(a) => match a.role {
            Role::Institution => Ok((Some(a.username.as_str().to_owned()), None)),
            Role::Province => Ok((None, a.province.map(|p| crate::registration::prefix(&p)))),
            Role::Ministry => Ok((None, None)),
            Role::Expert | Role::Registrar | Role::Broker => {
                Err(AppError::Forbidden(format!("{} may not read the reward ledger", viewer.label())))
            }
        },
    }
}

/// The reward ledger the viewer may read, for one achievement if asked.
pub async fn ledger(ctx: &Context, viewer: &Viewer, achievement: Option<&str>) -> Result<LedgerView, AppError> {
    let (owner, within) = ledger_scope(viewer)?;
    let achievement = achievement.map(str::trim).filter(|a| !a.is_empty());
    let stored = ctx.store().distributions(owner.as_deref(), within.as_deref()).await?;
    let stored: Vec<_> =
        stored.into_iter().filter(|s| achievement.is_none_or(|a| s.distribution.achievement == a)).collect();
    let mut pools: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut people: BTreeMap<String, (BTreeSet<String>, Decimal)> = BTreeMap::new();
    for s in &stored {
        let d = &s.distribution;
        *pools.entry(d.achievement.clone()).or_default() += d.pool;
        for line in &d.lines {
            let person = people.entry(line.name.clone()).or_default();
            person.0.insert(d.achievement.clone());
            person.1 += line.amount;
        }
    }
    Ok(LedgerView {
        distributions: stored.into_iter().map(distribution_view).collect(),
        achievements: pools.into_iter().map(|(a, p)| (a, format!("{p:.2}"))).collect(),
        people: people
            .into_iter()
            .map(|(name, (achievements, total))| PersonTotal {
                name,
                achievements: achievements.into_iter().collect(),
                total: format!("{total:.2}"),
            })
            .collect(),
        may_record: matches!(viewer, Viewer::Account(a) if a.role == Role::Institution),
    })
}

/// Records a distribution for the institution that paid it: the pool by its own rule or the law's floor, the
/// people's parts by contribution (or as stated, adding up to the pool); the contract and the achievement, when
/// named, its own; an implementation rewarded for five years at most.
pub async fn record(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    input: DistributionInput,
) -> Result<DistributionView, AppError> {
    let account = match viewer {
        Viewer::Account(a) if a.role == Role::Institution => a,
        Viewer::Public => return Err(AppError::Unauthorized("sign in as an institution to record rewards".into())),
        _ => {
            return Err(AppError::Forbidden(format!(
                "{} may not record rewards: the institution that paid them does",
                viewer.label()
            )));
        }
    };
    let division = account.division.ok_or_else(|| {
        AppError::Forbidden(format!("{} has no division: an institution's account needs one", viewer.label()))
    })?;
    let distribution = input.parse(ctx.clock().year()).map_err(|e| AppError::Rejected(e.to_string()))?;
    let username = account.username.as_str();
    if let Some(id) = distribution.contract_id {
        let own =
            ctx.store().contract(id).await?.filter(|c| {
                c.filed_by == username && c.status == ttdz_domain::registration::ContractStatus::Registered
            });
        if own.is_none() {
            return Err(AppError::Rejected(format!("contract_id: {id} is not a registered contract of yours")));
        }
    }
    if let Some(id) = distribution.achievement_id {
        let own = ctx.store().record(id).await?.filter(|r| {
            r.kind == ttdz_domain::achievement::RecordKind::Achievement && r.owner.as_deref() == Some(username)
        });
        if own.is_none() {
            return Err(AppError::Rejected(format!("achievement_id: {id} is not one of your achievements")));
        }
    }
    if distribution.mode == RewardMode::Implementation {
        let years: Vec<i32> = ctx
            .store()
            .distributions(Some(username), None)
            .await?
            .into_iter()
            .map(|s| s.distribution)
            .filter(|d| d.mode == RewardMode::Implementation && d.achievement == distribution.achievement)
            .map(|d| d.year)
            .collect();
        implementation_year_allowed(&years, distribution.year).map_err(|e| AppError::Rejected(e.to_string()))?;
    }
    let audit = crate::audit(viewer, origin, Some(division.province()));
    Ok(distribution_view(ctx.store().add_distribution(username, &division, &distribution, &audit).await?))
}

//! Technology contract registration (技术合同认定登记): an institution files the contracts it sells; a registrar of
//! the seller's locality registers each under a number (correcting its technical part if need be) or refuses it
//! with reasons, and may revoke a registered one; the seller or the registrar cancels one that was ended. The store
//! rebuilds the year's figures from the registered contracts in the same transaction, so a registration raises the
//! seller's 技术合同成交额 by exactly its amount and a revocation takes it back.

use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::account::Role;
use ttdz_domain::registration::{ContractAction, ContractFiling, ContractStatus, FilingInput, next_status};
use ttdz_store::{ContractDecision, ContractEvent, ContractFilter, StoredContract};

use crate::{AppError, Context, Viewer};

/// A contract as its readers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractView {
    pub id: i64,
    /// `filed`, `registered`, `refused`, `revoked` or `cancelled`.
    pub status: &'static str,
    pub status_zh: &'static str,
    /// The registration number, once registered: year, locality, sequence.
    pub contract_no: Option<String>,
    /// The registration date's year.
    pub year: Option<i32>,
    pub locality: Option<String>,
    pub filed_by: String,
    pub title: String,
    pub contract_type: &'static str,
    pub seller_name: String,
    pub buyer_name: String,
    pub seller_division: String,
    pub buyer_division: String,
    pub seller_kind: String,
    pub field: String,
    pub signed_on: String,
    /// 成交额, yuan (exact).
    pub turnover_yuan: String,
    /// 技术交易额, yuan (exact), as registered.
    pub tech_amount_yuan: String,
    /// (item, yuan)
    pub non_technical: Vec<(String, String)>,
    pub vat_exempt: bool,
    pub transfer_income: bool,
    /// Every step with who took it, when, and why.
    pub history: Vec<ContractStep>,
    /// For `If-Match`.
    pub version: i64,
    /// What the viewer may do now: `register`, `refuse`, `revoke`, `cancel`.
    pub actions: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractStep {
    pub at: String,
    pub by: String,
    pub action: String,
    pub reason: Option<String>,
}

/// The viewer's locality as a registrar.
fn locality(viewer: &Viewer) -> Option<DivisionCode> {
    match viewer {
        Viewer::Account(a) if a.role == Role::Registrar => a.division,
        _ => None,
    }
}

/// Whether `viewer` may see the contract: the institution that filed it, a registrar of its seller's locality, the
/// seller's province, the ministry.
fn may_see(viewer: &Viewer, c: &StoredContract) -> bool {
    match viewer {
        Viewer::Public => false,
        Viewer::Service | Viewer::Operator(_) => true,
        Viewer::Account(a) => match a.role {
            Role::Ministry => true,
            Role::Province => a.province.is_some_and(|p| c.filing.seller_division.is_within(&p)),
            Role::Registrar => locality(viewer).is_some_and(|l| c.filing.seller_division.is_within(&l)),
            Role::Institution => a.username.as_str() == c.filed_by,
            Role::Expert | Role::Broker => false,
        },
    }
}

/// What `viewer` may do to `c` now.
fn actions(viewer: &Viewer, c: &StoredContract) -> Vec<&'static str> {
    ContractAction::ALL
        .into_iter()
        .filter(|a| next_status(c.status, *a).is_ok() && may_take(viewer, c, *a).is_ok())
        .map(ContractAction::as_str)
        .collect()
}

fn may_take(viewer: &Viewer, c: &StoredContract, action: ContractAction) -> Result<(), AppError> {
    let label = viewer.label();
    match (viewer, action) {
        (Viewer::Account(a), ContractAction::Cancel | ContractAction::Amend) if a.role == Role::Institution => {
            if a.username.as_str() != c.filed_by {
                Err(AppError::Forbidden(format!("{label} did not file contract {}", c.id)))
            } else if action == ContractAction::Amend && c.status != ContractStatus::Filed {
                Err(AppError::Forbidden(format!(
                    "{label} may not amend contract {}: once registered, its registrar amends it",
                    c.id
                )))
            } else {
                Ok(())
            }
        }
        (Viewer::Account(a), _) if a.role == Role::Registrar => match locality(viewer) {
            Some(l) if c.filing.seller_division.is_within(&l) => Ok(()),
            Some(l) => Err(AppError::Forbidden(format!(
                "{label} registers for {l}: the seller's division {} is outside it",
                c.filing.seller_division
            ))),
            None => Err(AppError::Forbidden(format!("{label} serves no locality"))),
        },
        _ => Err(AppError::Forbidden(format!(
            "{label} may not {} a contract: {}",
            action.as_str(),
            if matches!(action, ContractAction::Cancel | ContractAction::Amend) {
                "only the registrar of the seller's locality or the institution that filed it may"
            } else {
                "only a registrar of the seller's locality may"
            }
        ))),
    }
}

fn view(viewer: &Viewer, c: StoredContract) -> ContractView {
    let actions = actions(viewer, &c);
    let f = c.filing;
    ContractView {
        id: c.id,
        status: c.status.as_str(),
        status_zh: c.status.label_zh(),
        contract_no: f.contract_no.filter(|_| c.status != ContractStatus::Filed && c.status != ContractStatus::Refused),
        year: c.year,
        locality: c.locality.map(|l| l.to_string()),
        filed_by: c.filed_by,
        title: f.title,
        contract_type: f.contract_type.name_zh(),
        seller_name: f.seller_name,
        buyer_name: f.buyer_name,
        seller_division: f.seller_division.to_string(),
        buyer_division: f.buyer_division.to_string(),
        seller_kind: f.seller_kind,
        field: f.field,
        signed_on: f.signed_on,
        turnover_yuan: f.turnover_yuan.to_string(),
        tech_amount_yuan: f.tech_amount_yuan.to_string(),
        non_technical: f.non_technical.into_iter().map(|i| (i.name, i.amount_yuan.to_string())).collect(),
        vat_exempt: f.vat_exempt,
        transfer_income: f.transfer_income,
        history: c
            .history
            .into_iter()
            .map(|e| ContractStep { at: e.at, by: e.by, action: e.action, reason: e.reason })
            .collect(),
        version: c.version,
        actions,
    }
}

fn event(ctx: &Context, viewer: &Viewer, action: &str, reason: Option<&str>) -> ContractEvent {
    ContractEvent {
        at: ctx.clock().now().to_string(),
        by: viewer.label(),
        action: action.to_owned(),
        reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned),
    }
}

/// Files a contract for the institution selling it: every field by the registry's rules, both parties in basic
/// units (counties, or cities without counties), the seller within the institution's own division.
pub async fn file(ctx: &Context, viewer: &Viewer, origin: &str, input: FilingInput) -> Result<ContractView, AppError> {
    let Viewer::Account(account) = viewer else {
        return Err(AppError::Forbidden(format!("{} may not file contracts: institutions file them", viewer.label())));
    };
    if account.role != Role::Institution {
        return Err(AppError::Forbidden(format!("{} may not file contracts: institutions file them", viewer.label())));
    }
    let filing = checked_filing(ctx, input, account.division.map(|d| (d, "the institution's division"))).await?;
    let audit = crate::audit(viewer, origin, Some(filing.seller_division.province()));
    let id =
        ctx.store().add_contract(account.username.as_str(), &filing, &event(ctx, viewer, "file", None), &audit).await?;
    get(ctx, viewer, id).await
}

/// `input` by the registry's rules, both parties in basic units (counties, or cities without counties), the seller
/// within `within` (a division and what it is) if given, signed by today.
async fn checked_filing(
    ctx: &Context,
    input: FilingInput,
    within: Option<(DivisionCode, &str)>,
) -> Result<ContractFiling, AppError> {
    let filing = input.parse().map_err(|e| AppError::Rejected(e.to_string()))?;
    let tree = ctx.tree(None).await?;
    for (field, code) in [("seller_division", &filing.seller_division), ("buyer_division", &filing.buyer_division)] {
        if tree.get(code).is_none() || tree.has_children(code) {
            return Err(AppError::Rejected(format!("{field}: '{code}' is not a county-level division code")));
        }
    }
    if let Some((own, what)) = within
        && !filing.seller_division.is_within(&own)
    {
        return Err(AppError::Rejected(format!(
            "seller_division: '{}' is outside {what} {own}",
            filing.seller_division
        )));
    }
    if filing.signed_on > ctx.clock().today_iso() {
        return Err(AppError::Rejected(format!("signed_on: '{}' is after today", filing.signed_on)));
    }
    // Told now rather than at registration, which checks again (a file may arrive in between).
    if let Some(number) = &filing.contract_no
        && let Some(batch) = ctx.store().batch_counting(number).await?
    {
        return Err(AppError::Rejected(ttdz_store::counted_already(number, &batch)));
    }
    Ok(filing)
}

/// One contract, for those who may see it.
pub async fn get(ctx: &Context, viewer: &Viewer, id: i64) -> Result<ContractView, AppError> {
    match ctx.store().contract(id).await? {
        Some(c) if may_see(viewer, &c) => Ok(view(viewer, c)),
        _ => Err(AppError::NotFound(format!("there is no contract {id} you may see"))),
    }
}

/// The contracts `viewer` deals with, newest first, in `status` if given: an institution its own, a registrar its
/// locality's, a province its own, the ministry all.
pub async fn list(ctx: &Context, viewer: &Viewer, status: Option<&str>) -> Result<Vec<ContractView>, AppError> {
    let status = status
        .map(|s| {
            ContractStatus::parse(s).ok_or_else(|| {
                AppError::Invalid(format!("status: '{s}' is not filed, registered, refused, revoked or cancelled"))
            })
        })
        .transpose()?;
    let mut filter = ContractFilter { status, ..ContractFilter::default() };
    match viewer {
        Viewer::Public => return Err(AppError::Unauthorized("sign in to see contracts".into())),
        Viewer::Account(a) => match a.role {
            Role::Institution => filter.filed_by = Some(a.username.as_str().to_owned()),
            Role::Registrar => filter.seller_prefix = locality(viewer).map(|l| prefix(&l)),
            Role::Province => filter.seller_prefix = a.province.map(|p| prefix(&p)),
            Role::Ministry => {}
            Role::Expert | Role::Broker => {
                return Err(AppError::Forbidden(format!("{} may not see contracts", viewer.label())));
            }
        },
        Viewer::Service | Viewer::Operator(_) => {}
    }
    let found = ctx.store().contracts(&filter).await?;
    Ok(found.into_iter().filter(|c| may_see(viewer, c)).map(|c| view(viewer, c)).collect())
}

/// The significant digits of a division code: `32` for a province, `3201` for a city, all six for a county.
pub(crate) fn prefix(code: &DivisionCode) -> String {
    let digits = match code.level() {
        ttdz_domain::Level::Province => 2,
        ttdz_domain::Level::Prefecture => 4,
        ttdz_domain::Level::County => 6,
    };
    code.as_str()[..digits].to_owned()
}

/// A step on a contract as asked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Why (for a refusal, a revocation or a cancellation).
    pub reason: Option<String>,
    /// The technical part as the registrar corrects it (a registration only), yuan.
    pub tech_amount_yuan: Option<String>,
    /// An amendment's new terms: the fields of a filing (the number, once registered, is kept).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub contract: Option<FilingInput>,
}

/// The terms of an amendment, checked as a filing is: the seller stays within the institution's division (before
/// registration) or the registrar's locality (after), and a registered contract keeps its number.
async fn amended(
    ctx: &Context,
    viewer: &Viewer,
    contract: &StoredContract,
    terms: FilingInput,
) -> Result<ContractFiling, AppError> {
    let within = match viewer {
        Viewer::Account(a) if a.role == Role::Institution => a.division.map(|d| (d, "the institution's division")),
        _ => locality(viewer).map(|l| (l, "the registrar's locality")),
    };
    let asked_number = terms.contract_no.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let filing = checked_filing(ctx, terms, within).await?;
    if contract.status == ContractStatus::Registered
        && asked_number.is_some_and(|n| Some(&n) != contract.filing.contract_no.as_ref())
    {
        return Err(AppError::Rejected("contract_no: a registered contract keeps its number".into()));
    }
    Ok(filing)
}

/// Takes `action` on contract `id`, based on `version` (default: as it stands): a registration (this year, in the
/// registrar's locality, with the technical part as the registrar corrects it), a refusal, a revocation, a
/// cancellation or an amendment with its new terms (each with its reason).
pub async fn decide(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (id, action, version): (i64, &str, Option<i64>),
    input: &DecisionInput,
) -> Result<ContractView, AppError> {
    let (reason, tech_amount_yuan) = (input.reason.as_deref(), input.tech_amount_yuan.as_deref());
    let action = ContractAction::parse(action).ok_or_else(|| {
        AppError::NotFound(format!("'{action}' is not an action on contracts (register, refuse, revoke, cancel)"))
    })?;
    let contract = match ctx.store().contract(id).await? {
        Some(c) if may_see(viewer, &c) => c,
        _ => return Err(AppError::NotFound(format!("there is no contract {id} you may see"))),
    };
    may_take(viewer, &contract, action)?;
    let status = next_status(contract.status, action).map_err(AppError::Conflict)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if action.needs_reason() && reason.is_none() {
        return Err(AppError::Rejected(format!("reason: say why the contract is {}ed", action.as_str())));
    }
    let tech_amount = match tech_amount_yuan.map(str::trim).filter(|t| !t.is_empty()) {
        Some(_) if action != ContractAction::Register => {
            return Err(AppError::Rejected("tech_amount_yuan: only a registration corrects the technical part".into()));
        }
        Some(text) => {
            let tech = ttdz_domain::registration::amount("tech_amount_yuan", text)
                .map_err(|e| AppError::Rejected(e.to_string()))?;
            if tech > contract.filing.turnover_yuan {
                return Err(AppError::Rejected(format!(
                    "tech_amount_yuan: {tech} exceeds the contract's turnover {}",
                    contract.filing.turnover_yuan
                )));
            }
            Some(tech)
        }
        None => None,
    };
    let today = ctx.clock().today_iso();
    let registration = match (action, locality(viewer)) {
        (ContractAction::Register, Some(l)) => {
            if contract.filing.signed_on > today {
                return Err(AppError::Rejected(format!(
                    "signed_on: '{}' is after the registration date {today}",
                    contract.filing.signed_on
                )));
            }
            Some((l, ctx.clock().year()))
        }
        _ => None,
    };
    let filing = match (action, input.contract.clone()) {
        (ContractAction::Amend, Some(terms)) => Some(amended(ctx, viewer, &contract, terms).await?),
        (ContractAction::Amend, None) => {
            return Err(AppError::Rejected("contract: send the contract's terms as amended".into()));
        }
        (_, Some(_)) => return Err(AppError::Rejected("contract: only an amendment sends new terms".into())),
        (_, None) => None,
    };
    let decision = ContractDecision {
        status,
        event: event(ctx, viewer, action.as_str(), reason),
        registration,
        tech_amount,
        filing,
    };
    let audit = crate::audit(viewer, origin, Some(contract.filing.seller_division.province()));
    let decided = ctx.store().decide_contract(id, version.unwrap_or(contract.version), &decision, &audit).await?;
    Ok(view(viewer, decided))
}

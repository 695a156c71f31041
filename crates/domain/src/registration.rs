//! Technology contract registration (技术合同认定登记): a seller files a contract; a registrar of the seller's
//! locality checks it, may correct its technical part (技术交易额), and registers it under a number, or refuses it
//! with reasons; a registered contract can be revoked by the registrar or cancelled, each with its reason. Only
//! registered contracts count in the figures. The rows obey the same `contract::rules` as a registry's file.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DivisionCode;
use crate::account::Role;
use crate::contract::{ContractType, rules};

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Filed by the seller, awaiting the registrar.
    Filed,
    /// Registered: counted in the figures.
    Registered,
    /// Refused by the registrar, with reasons.
    Refused,
    /// Registered, then revoked by the registrar (认定有误): no longer counted.
    Revoked,
    /// Registered, then cancelled because the contract was ended (解除): no longer counted.
    Cancelled,
}

impl ContractStatus {
    pub const ALL: [ContractStatus; 5] = [
        ContractStatus::Filed,
        ContractStatus::Registered,
        ContractStatus::Refused,
        ContractStatus::Revoked,
        ContractStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Filed => "filed",
            ContractStatus::Registered => "registered",
            ContractStatus::Refused => "refused",
            ContractStatus::Revoked => "revoked",
            ContractStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ContractStatus> {
        ContractStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ContractStatus::Filed => "待登记",
            ContractStatus::Registered => "已登记",
            ContractStatus::Refused => "不予登记",
            ContractStatus::Revoked => "已撤销",
            ContractStatus::Cancelled => "已解除",
        }
    }
}

/// What can be done to a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractAction {
    Register,
    Refuse,
    Revoke,
    Cancel,
    /// 变更: the contract's terms replaced, its number and registration kept, the change and its reason traced.
    Amend,
}

impl ContractAction {
    pub const ALL: [ContractAction; 5] = [
        ContractAction::Register,
        ContractAction::Refuse,
        ContractAction::Revoke,
        ContractAction::Cancel,
        ContractAction::Amend,
    ];

    pub fn parse(s: &str) -> Option<ContractAction> {
        ContractAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ContractAction::Register => "register",
            ContractAction::Refuse => "refuse",
            ContractAction::Revoke => "revoke",
            ContractAction::Cancel => "cancel",
            ContractAction::Amend => "amend",
        }
    }

    /// Who takes it: the registrar registers, refuses and revokes; the seller who filed it, or the registrar,
    /// cancels; the seller amends its filing before registration, the registrar a registered contract.
    pub fn roles(self) -> &'static [Role] {
        match self {
            ContractAction::Register | ContractAction::Refuse | ContractAction::Revoke => &[Role::Registrar],
            ContractAction::Cancel | ContractAction::Amend => &[Role::Registrar, Role::Institution],
        }
    }

    /// Whether it needs a reason.
    pub fn needs_reason(self) -> bool {
        self != ContractAction::Register
    }
}

/// Where `action` takes a contract that stands at `from`, or why it cannot.
pub fn next_status(from: ContractStatus, action: ContractAction) -> Result<ContractStatus, String> {
    use ContractAction as A;
    use ContractStatus as S;
    match (from, action) {
        (S::Filed, A::Register) => Ok(S::Registered),
        (S::Filed, A::Refuse) => Ok(S::Refused),
        (S::Registered, A::Revoke) => Ok(S::Revoked),
        (S::Registered, A::Cancel) => Ok(S::Cancelled),
        (S::Filed, A::Amend) => Ok(S::Filed),
        (S::Registered, A::Amend) => Ok(S::Registered),
        (from, action) => Err(format!("a contract that is {} cannot be {}ed", from.label_zh(), action.as_str())),
    }
}

/// A non-technical item of the price (设备、材料、原材料 and the like), outside the technical part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonTechnicalItem {
    pub name: String,
    pub amount_yuan: Decimal,
}

/// A contract as filed, every field checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFiling {
    /// The registration number, once registered (or the number a contract carries from elsewhere).
    pub contract_no: Option<String>,
    pub title: String,
    pub contract_type: ContractType,
    pub seller_name: String,
    pub buyer_name: String,
    pub seller_division: DivisionCode,
    pub buyer_division: DivisionCode,
    /// 企业, 高校, 科研院所, 医疗机构, 其他...
    pub seller_kind: String,
    /// The technical field.
    pub field: String,
    /// ISO 8601.
    pub signed_on: String,
    /// 成交额, yuan.
    pub turnover_yuan: Decimal,
    /// 技术交易额, yuan: at most the turnover.
    pub tech_amount_yuan: Decimal,
    /// The non-technical items; when listed, with the technical part they make up the turnover.
    pub non_technical: Vec<NonTechnicalItem>,
    /// The transfer or development is eligible for the VAT exemption (增值税免税).
    pub vat_exempt: bool,
    /// The income is technology-transfer income for the income-tax relief (技术转让所得).
    pub transfer_income: bool,
}

/// A field that broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FilingError {
    pub field: &'static str,
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> FilingError {
    FilingError { field, reason: reason.into() }
}

/// `yuan` as an amount in yuan with at most two decimals, by the registry's rule.
pub fn amount(field: &'static str, yuan: &str) -> Result<Decimal, FilingError> {
    rules::amount_in_fen(yuan.trim()).map(|fen| Decimal::new(fen, 2)).map_err(|e| refuse(field, e))
}

/// An amount as sent: text, or a number (a whole one exactly; a fraction as its shortest decimal writing).
pub(crate) fn text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Sent {
        Text(String),
        Whole(u64),
        Negative(i64),
        Fraction(f64),
    }
    Ok(match Sent::deserialize(deserializer)? {
        Sent::Text(s) => s,
        Sent::Whole(n) => n.to_string(),
        Sent::Negative(n) => n.to_string(),
        Sent::Fraction(x) => x.to_string(),
    })
}

/// A non-technical item as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub amount_yuan: String,
}

/// A filing as sent: the fields of a registry's contracts file (amounts as text or numbers, the contract type by
/// its Chinese name), with the parties' names, the non-technical items and the tax flags. `registered_on` is set at
/// registration: a value sent is not taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilingInput {
    pub contract_no: Option<String>,
    #[serde(default)]
    pub registered_on: Option<String>,
    pub title: Option<String>,
    pub contract_type: String,
    pub seller_name: Option<String>,
    pub buyer_name: Option<String>,
    pub seller_division: String,
    pub buyer_division: String,
    pub seller_kind: String,
    pub field: String,
    pub signed_on: String,
    #[serde(deserialize_with = "text_or_number")]
    pub turnover_yuan: String,
    #[serde(deserialize_with = "text_or_number")]
    pub tech_amount_yuan: String,
    #[serde(default)]
    pub non_technical: Vec<ItemInput>,
    #[serde(default)]
    pub vat_exempt: bool,
    #[serde(default)]
    pub transfer_income: bool,
}

impl FilingInput {
    /// Checks every field by the registry's rules; the first one wrong is named.
    pub fn parse(self) -> Result<ContractFiling, FilingError> {
        let text = |field: &'static str, value: &str| {
            let value = value.trim();
            if value.is_empty() { Err(refuse(field, "must not be empty")) } else { Ok(value.to_owned()) }
        };
        let contract_type = rules::contract_type(self.contract_type.trim()).map_err(|e| refuse("contract_type", e))?;
        let division = |field: &'static str, code: &str| {
            DivisionCode::parse(code.trim()).map_err(|e| refuse(field, e.to_string()))
        };
        rules::registration_year(self.signed_on.trim()).map_err(|e| refuse("signed_on", e))?;
        let turnover = amount("turnover_yuan", &self.turnover_yuan)?;
        let tech = amount("tech_amount_yuan", &self.tech_amount_yuan)?;
        let fen = |d: Decimal| (d * Decimal::ONE_HUNDRED).trunc().to_string().parse::<i64>().unwrap_or(i64::MAX);
        rules::technical_within_turnover(fen(tech), fen(turnover)).map_err(|e| refuse("tech_amount_yuan", e))?;
        let non_technical = self
            .non_technical
            .iter()
            .map(|item| {
                Ok(NonTechnicalItem {
                    name: text("non_technical", &item.name)?,
                    amount_yuan: amount("non_technical", &item.amount_yuan)?,
                })
            })
            .collect::<Result<Vec<_>, FilingError>>()?;
        if !non_technical.is_empty() {
            let listed: Decimal = non_technical.iter().map(|i| i.amount_yuan).sum();
            if listed + tech != turnover {
                return Err(refuse(
                    "non_technical",
                    format!(
                        "the items ({listed}) and the technical part ({tech}) do not add up to the turnover ({turnover})"
                    ),
                ));
            }
        }
        Ok(ContractFiling {
            contract_no: self.contract_no.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
            title: self.title.map(|t| t.trim().to_owned()).unwrap_or_default(),
            contract_type,
            seller_name: self.seller_name.map(|t| t.trim().to_owned()).unwrap_or_default(),
            buyer_name: self.buyer_name.map(|t| t.trim().to_owned()).unwrap_or_default(),
            seller_division: division("seller_division", &self.seller_division)?,
            buyer_division: division("buyer_division", &self.buyer_division)?,
            seller_kind: text("seller_kind", &self.seller_kind)?,
            field: text("field", &self.field)?,
            signed_on: self.signed_on.trim().to_owned(),
            turnover_yuan: turnover,
            tech_amount_yuan: tech,
            non_technical,
            vat_exempt: self.vat_exempt,
            transfer_income: self.transfer_income,
        })
    }
}

/// The registration number: the year, the registering locality's 6-digit code and the locality's sequence in that
/// year, six digits (2024 + 320102 + 000017 = `2024320102000017`).
pub fn registration_number(year: i32, locality: &DivisionCode, sequence: u32) -> String {
    format!("{year}{locality}{sequence:06}")
}

/// A number in the registration scheme split into its prefix (year and locality, ten digits) and sequence; `None`
/// for a number in any other shape (registries elsewhere number as they like).
pub fn scheme_parts(number: &str) -> Option<(&str, u32)> {
    if number.len() != 16 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (prefix, sequence) = number.split_at(10);
    Some((prefix, sequence.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_numbers_split_into_prefix_and_sequence() {
        let locality = DivisionCode::parse("320100").expect("code");
        let number = registration_number(2026, &locality, 17);
        assert_eq!(scheme_parts(&number), Some(("2026320100", 17)));
        for other in ["S2026320100000017", "202632010000001", "2026320100x00017", "20263201000000170"] {
            assert_eq!(scheme_parts(other), None, "{other}");
        }
    }

    fn input() -> FilingInput {
        FilingInput {
            contract_type: "技术开发".into(),
            seller_division: "320102".into(),
            buyer_division: "330106".into(),
            seller_kind: "高校".into(),
            field: "电子信息".into(),
            signed_on: "2024-03-15".into(),
            turnover_yuan: "1000000".into(),
            tech_amount_yuan: "800000.50".into(),
            ..FilingInput::default()
        }
    }

    fn item(name: &str, yuan: &str) -> ItemInput {
        ItemInput { name: name.into(), amount_yuan: yuan.into() }
    }

    #[test]
    fn amounts_come_as_text_or_numbers() {
        let sent: FilingInput = serde_json::from_value(serde_json::json!({
            "contract_type": "技术转让", "seller_division": "320102", "buyer_division": "330106",
            "seller_kind": "企业", "field": "新材料", "signed_on": "2024-01-02",
            "turnover_yuan": 1000.5, "tech_amount_yuan": "800"
        }))
        .expect("a filing");
        assert_eq!(sent.parse().expect("good").turnover_yuan.to_string(), "1000.50");
    }

    #[test]
    fn a_filing_obeys_the_registry_rules_and_names_the_field() {
        let filing = input().parse().expect("a good filing");
        assert_eq!(
            (filing.turnover_yuan.to_string(), filing.contract_type),
            ("1000000.00".into(), ContractType::Development)
        );
        for (change, field) in [
            (FilingInput { tech_amount_yuan: "2000000".into(), ..input() }, "tech_amount_yuan"),
            (FilingInput { turnover_yuan: "-1".into(), ..input() }, "turnover_yuan"),
            (FilingInput { turnover_yuan: "1.234".into(), ..input() }, "turnover_yuan"),
            (FilingInput { signed_on: "2024-02-30".into(), ..input() }, "signed_on"),
            (FilingInput { contract_type: "技术革新".into(), ..input() }, "contract_type"),
            (FilingInput { seller_division: "3201".into(), ..input() }, "seller_division"),
            (FilingInput { seller_kind: " ".into(), ..input() }, "seller_kind"),
            (FilingInput { non_technical: vec![item("设备", "100")], ..input() }, "non_technical"),
        ] {
            assert_eq!(change.parse().expect_err("refused").field, field);
        }
        let listed = FilingInput { non_technical: vec![item("设备", "199999.50")], ..input() };
        assert_eq!(listed.parse().expect("adds up").non_technical.len(), 1);
    }

    #[test]
    fn only_a_filed_contract_is_registered_and_only_a_registered_one_revoked() {
        use ContractAction as A;
        use ContractStatus as S;
        assert_eq!(next_status(S::Filed, A::Register), Ok(S::Registered));
        assert_eq!(next_status(S::Filed, A::Refuse), Ok(S::Refused));
        assert_eq!(next_status(S::Registered, A::Revoke), Ok(S::Revoked));
        assert_eq!(next_status(S::Registered, A::Cancel), Ok(S::Cancelled));
        assert!(next_status(S::Registered, A::Register).is_err(), "never twice");
        assert!(next_status(S::Refused, A::Register).is_err());
        assert!(next_status(S::Filed, A::Revoke).is_err());
        assert_eq!(registration_number(2024, &DivisionCode::parse("320102").expect("code"), 17), "2024320102000017");
    }
}

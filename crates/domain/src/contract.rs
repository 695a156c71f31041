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

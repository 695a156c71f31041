//! Listing and auction of achievements (挂牌交易, 拍卖): a seller offers an achievement for transfer or licence at a
//! reserve price, under a public notice that runs for a period; buyers bid or state their interest; at the close the
//! result is recorded and a deal becomes a contract to be registered.
//!
//! The price is set in one of the three ways of 促进科技成果转化法 第十八条: by agreement (协议定价), by listing on a
//! technology market (挂牌交易) or by auction (拍卖). Agreement and listing publish the achievement and the price for
//! at least 15 days (实施〈促进科技成果转化法〉若干规定: 公示时间不少于15日); an auction is announced at least 7 days
//! before it (拍卖法 第四十五条).

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DivisionCode;
use crate::contract::ContractType;
use crate::registration::{FilingError, amount};

/// How the price is determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceMethod {
    /// 协议定价: the seller agrees the price with a buyer of its choice among those who came forward.
    Agreement,
    /// 挂牌交易: offers at or above the listed price; the highest at the close wins.
    Listing,
    /// 拍卖: ascending bids, each above the highest so far; the highest at the close wins.
    Auction,
}

impl PriceMethod {
    pub const ALL: [PriceMethod; 3] = [PriceMethod::Agreement, PriceMethod::Listing, PriceMethod::Auction];

    pub fn as_str(self) -> &'static str {
        match self {
            PriceMethod::Agreement => "agreement",
            PriceMethod::Listing => "listing",
            PriceMethod::Auction => "auction",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PriceMethod::Agreement => "协议定价",
            PriceMethod::Listing => "挂牌交易",
            PriceMethod::Auction => "拍卖",
        }
    }

    pub fn parse(s: &str) -> Option<PriceMethod> {
        PriceMethod::ALL.into_iter().find(|m| m.as_str() == s || m.label_zh() == s)
    }

    /// The shortest public notice: the days from `opens_on` to `closes_on`, both counted.
    pub fn notice_days(self) -> i64 {
        match self {
            PriceMethod::Agreement | PriceMethod::Listing => 15,
            PriceMethod::Auction => 7,
        }
    }
}

/// Where a listing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// Under notice: bids are taken from `opens_on` to `closes_on`.
    Open,
    /// Closed with a deal; the contract is drafted for registration.
    Sold,
    /// Closed without a bid (流拍).
    Unsold,
    /// Taken back by the seller before the close, with a reason.
    Withdrawn,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Open => "open",
            ListingStatus::Sold => "sold",
            ListingStatus::Unsold => "unsold",
            ListingStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ListingStatus> {
        [ListingStatus::Open, ListingStatus::Sold, ListingStatus::Unsold, ListingStatus::Withdrawn]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ListingStatus::Open => "公示中",
            ListingStatus::Sold => "已成交",
            ListingStatus::Unsold => "流拍",
            ListingStatus::Withdrawn => "已撤回",
        }
    }
}

/// What is offered and on which terms, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingTerms {
    pub title: String,
    /// The published achievement offered, if it is in the information service.
    pub achievement_id: Option<i64>,
    /// The public notice: what is offered, the conditions, how to take part.
    pub notice: String,
    pub method: PriceMethod,
    /// 技术转让 or 技术许可: the contract a deal makes.
    pub contract_type: String,
    pub reserve_yuan: Decimal,
    pub seller_name: String,
    pub seller_division: DivisionCode,
    /// 高校, 科研院所, 企业 …, as the contracts file says.
    pub seller_kind: String,
    pub field: String,
    /// ISO dates, both counted.
    pub opens_on: String,
    pub closes_on: String,
}

impl ListingTerms {
    pub fn contract_type(&self) -> ContractType {
        ContractType::parse(&self.contract_type).unwrap_or(ContractType::Transfer)
    }
}

/// A listing as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingInput {
    pub title: String,
    pub achievement_id: Option<i64>,
    pub notice: String,
    /// `agreement`, `listing` or `auction` (or 协议定价, 挂牌交易, 拍卖).
    pub method: String,
    pub contract_type: String,
    #[serde(deserialize_with = "crate::registration::text_or_number")]
    pub reserve_yuan: String,
    pub seller_name: String,
    pub seller_division: String,
    pub seller_kind: String,
    pub field: String,
    pub opens_on: String,
    pub closes_on: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> FilingError {
    FilingError { field, reason: reason.into() }
}

fn date(field: &'static str, s: &str) -> Result<Date, FilingError> {
    s.trim().parse::<Date>().map_err(|_| refuse(field, format!("'{}' is not a date (YYYY-MM-DD)", s.trim())))
}

impl ListingInput {
    /// Checks every field; the first one wrong is named. `today` is the day it is filed: a notice does not open
    /// in the past.
    pub fn parse(self, today: &str) -> Result<ListingTerms, FilingError> {
        let text = |field: &'static str, value: &str| {
            let value = value.trim();
            if value.is_empty() { Err(refuse(field, "must not be empty")) } else { Ok(value.to_owned()) }
        };
        let method = PriceMethod::parse(self.method.trim()).ok_or_else(|| {
            refuse("method", format!("'{}' is not agreement, listing or auction", self.method.trim()))
        })?;
        let contract_type = match ContractType::parse(self.contract_type.trim()) {
            Some(t @ (ContractType::Transfer | ContractType::Licensing)) => t,
            _ => {
                return Err(refuse(
                    "contract_type",
                    format!("'{}' is not 技术转让 or 技术许可", self.contract_type.trim()),
                ));
            }
        };
        let reserve = amount("reserve_yuan", &self.reserve_yuan)?;
        if reserve <= Decimal::ZERO {
            return Err(refuse("reserve_yuan", "must be above zero"));
        }
        let (opens, closes) = (date("opens_on", &self.opens_on)?, date("closes_on", &self.closes_on)?);
        if today.parse::<Date>().is_ok_and(|today| opens < today) {
            return Err(refuse("opens_on", format!("{opens} is before today ({today})")));
        }
        let shortest = method.notice_days();
        if closes < opens || opens.checked_add((shortest - 1).days()).is_ok_and(|last| closes < last) {
            return Err(refuse(
                "closes_on",
                format!(
                    "{} needs a notice of at least {shortest} days: from {opens} it closes on {} or later",
                    method.label_zh(),
                    opens.checked_add((shortest - 1).days()).map_or_else(|_| "?".into(), |d| d.to_string())
                ),
            ));
        }
        let seller_division =
            DivisionCode::parse(self.seller_division.trim()).map_err(|e| refuse("seller_division", e.to_string()))?;
        Ok(ListingTerms {
            title: text("title", &self.title)?,
            achievement_id: self.achievement_id,
            notice: text("notice", &self.notice)?,
            method,
            contract_type: contract_type.name_zh().to_owned(),
            reserve_yuan: reserve,
            seller_name: text("seller_name", &self.seller_name)?,
            seller_division,
            seller_kind: text("seller_kind", &self.seller_kind)?,
            field: text("field", &self.field)?,
            opens_on: opens.to_string(),
            closes_on: closes.to_string(),
        })
    }
}

/// A bid, an offer or an expression of interest, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub id: i64,
    /// The bidding account.
    pub bidder: String,
    /// The organisation that would buy, and its basic unit: the contract's buyer.
    pub buyer_name: String,
    pub buyer_division: DivisionCode,
    pub amount_yuan: Decimal,
    /// ISO 8601 time it was placed.
    pub at: String,
}

/// Whether a bid of `amount` may be placed on `terms` in `status` on `today`, given the bids so far: inside the
/// period, at or above the reserve, and in an auction above the highest bid.
pub fn check_bid(
    terms: &ListingTerms,
    status: ListingStatus,
    bids: &[Bid],
    amount: Decimal,
    today: &str,
) -> Result<(), FilingError> {
    if status != ListingStatus::Open {
        return Err(refuse("status", format!("the listing is {}: it takes no more bids", status.as_str())));
    }
    if today < terms.opens_on.as_str() {
        return Err(refuse("opens_on", format!("bidding opens on {}", terms.opens_on)));
    }
    if today > terms.closes_on.as_str() {
        return Err(refuse("closes_on", format!("bidding closed on {}", terms.closes_on)));
    }
    if amount < terms.reserve_yuan {
        return Err(refuse("amount_yuan", format!("{amount} is under the reserve price {}", terms.reserve_yuan)));
    }
    if terms.method == PriceMethod::Auction
        && let Some(highest) = bids.iter().map(|b| b.amount_yuan).max()
        && amount <= highest
    {
        return Err(refuse("amount_yuan", format!("{amount} does not exceed the highest bid {highest}")));
    }
    Ok(())
}

/// The bid a close takes: in an agreement the one the seller `chose` (the highest if none), otherwise the highest,
/// the earliest of equal ones. `None` without bids.
pub fn winning_bid(method: PriceMethod, bids: &[Bid], chose: Option<i64>) -> Result<Option<&Bid>, FilingError> {
    match (method, chose) {
        (PriceMethod::Agreement, Some(id)) => bids
            .iter()
            .find(|b| b.id == id)
            .map(Some)
            .ok_or_else(|| refuse("bid_id", format!("there is no bid {id} on this listing"))),
        (_, Some(_)) => Err(refuse("bid_id", "only an agreement lets the seller choose the buyer")),
        (_, None) => Ok(bids.iter().fold(None, |best: Option<&Bid>, b| match best {
            Some(x) if x.amount_yuan >= b.amount_yuan => Some(x),
            _ => Some(b),
        })),
    }
}

/// Whether a listing may be closed on `today`: after its last day.
pub fn may_close(terms: &ListingTerms, today: &str) -> Result<(), FilingError> {
    if today <= terms.closes_on.as_str() {
        return Err(refuse("closes_on", format!("the notice runs until {}: close it after that day", terms.closes_on)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(method: &str, opens: &str, closes: &str) -> ListingInput {
        ListingInput {
            title: "一种高导热石墨烯复合材料".into(),
            notice: "拟转让专利 ZL2021xxxx，欢迎意向受让方报价。".into(),
            method: method.into(),
            contract_type: "技术转让".into(),
            reserve_yuan: "500000".into(),
            seller_name: "南京大学".into(),
            seller_division: "320106".into(),
            seller_kind: "高校".into(),
            field: "新材料".into(),
            opens_on: opens.into(),
            closes_on: closes.into(),
            ..ListingInput::default()
        }
    }

    fn bid(id: i64, amount: i64) -> Bid {
        Bid {
            id,
            bidder: format!("buyer{id}"),
            buyer_name: "某公司".into(),
            buyer_division: DivisionCode::parse("330106").expect("code"),
            amount_yuan: Decimal::from(amount),
            at: "2026-06-12T00:00:00Z".into(),
        }
    }

    #[test]
    fn notices_run_as_long_as_the_law_says() {
        let today = "2026-06-10";
        assert!(input("agreement", "2026-06-10", "2026-06-24").parse(today).is_ok(), "15 days counted");
        let short = input("agreement", "2026-06-10", "2026-06-23").parse(today);
        assert!(short.is_err_and(|e| e.field == "closes_on" && e.reason.contains("2026-06-24")));
        assert!(input("auction", "2026-06-10", "2026-06-16").parse(today).is_ok(), "7 days");
        assert!(input("auction", "2026-06-10", "2026-06-15").parse(today).is_err());
        let past = input("listing", "2026-06-09", "2026-07-30").parse(today);
        assert!(past.is_err_and(|e| e.field == "opens_on"));
        let reversed = input("listing", "2026-07-30", "2026-06-30").parse(today);
        assert!(reversed.is_err_and(|e| e.field == "closes_on"));
        let service =
            ListingInput { contract_type: "技术服务".into(), ..input("listing", "2026-06-10", "2026-07-30") };
        assert!(service.parse(today).is_err_and(|e| e.field == "contract_type"));
        let free = ListingInput { reserve_yuan: "0".into(), ..input("listing", "2026-06-10", "2026-07-30") };
        assert!(free.parse(today).is_err_and(|e| e.field == "reserve_yuan"));
        assert!(input("sale", "2026-06-10", "2026-07-30").parse(today).is_err_and(|e| e.field == "method"));
        let chinese = input("拍卖", "2026-06-10", "2026-07-30").parse(today).expect("by its Chinese name");
        assert_eq!(chinese.method, PriceMethod::Auction);
    }

    #[test]
    fn bids_stay_inside_the_period_above_the_reserve_and_in_an_auction_above_the_highest() {
        let auction = input("auction", "2026-06-10", "2026-06-20").parse("2026-06-01").expect("terms");
        let open = ListingStatus::Open;
        let ok = |amount: i64, bids: &[Bid], today: &str| check_bid(&auction, open, bids, Decimal::from(amount), today);
        assert!(ok(500_000, &[], "2026-06-10").is_ok(), "the reserve itself");
        assert!(ok(499_999, &[], "2026-06-10").is_err_and(|e| e.field == "amount_yuan"));
        assert!(ok(600_000, &[], "2026-06-09").is_err_and(|e| e.field == "opens_on"));
        assert!(ok(600_000, &[], "2026-06-21").is_err_and(|e| e.field == "closes_on"));
        assert!(ok(600_000, &[bid(1, 600_000)], "2026-06-20").is_err_and(|e| e.reason.contains("highest")));
        assert!(ok(600_001, &[bid(1, 600_000)], "2026-06-20").is_ok());
        let sold = check_bid(&auction, ListingStatus::Sold, &[], Decimal::from(600_000), "2026-06-12");
        assert!(sold.is_err_and(|e| e.field == "status"));
        let listing = ListingTerms { method: PriceMethod::Listing, ..auction };
        let same = check_bid(&listing, open, &[bid(1, 600_000)], Decimal::from(600_000), "2026-06-12");
        assert!(same.is_ok(), "a listing takes equal offers");
    }

    #[test]
    fn the_highest_bid_wins_the_earliest_of_equals_and_an_agreement_takes_the_chosen() {
        let bids = [bid(1, 600_000), bid(2, 700_000), bid(3, 700_000)];
        let won = |m, chose| winning_bid(m, &bids, chose).map(|b| b.map(|b| b.id));
        assert_eq!(won(PriceMethod::Auction, None), Ok(Some(2)));
        assert_eq!(won(PriceMethod::Listing, None), Ok(Some(2)));
        assert_eq!(won(PriceMethod::Agreement, Some(1)), Ok(Some(1)));
        assert!(won(PriceMethod::Agreement, Some(9)).is_err_and(|e| e.field == "bid_id"));
        assert!(won(PriceMethod::Auction, Some(1)).is_err_and(|e| e.field == "bid_id"));
        assert_eq!(winning_bid(PriceMethod::Auction, &[], None), Ok(None));
    }
}

//! The achievement and demand information service (三、(一) 科技成果信息汇交与发布): S&T achievements (科技成果) and
//! technology demands (技术需求) as their holders file them, moderated by the province and published in batches.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::Role;
use crate::{DivisionCode, ParseError, PartialDate};

/// The technical fields of 国家重点支持的高新技术领域 (高新技术企业认定管理办法, 附件), the classification the
/// technology market and the high-tech enterprise statistics already use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Electronics,
    Biomedicine,
    Aerospace,
    NewMaterials,
    HitechServices,
    NewEnergy,
    ResourcesEnvironment,
    AdvancedManufacturing,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Electronics,
        Field::Biomedicine,
        Field::Aerospace,
        Field::NewMaterials,
        Field::HitechServices,
        Field::NewEnergy,
        Field::ResourcesEnvironment,
        Field::AdvancedManufacturing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Electronics => "electronics",
            Field::Biomedicine => "biomedicine",
            Field::Aerospace => "aerospace",
            Field::NewMaterials => "new_materials",
            Field::HitechServices => "hitech_services",
            Field::NewEnergy => "new_energy",
            Field::ResourcesEnvironment => "resources_environment",
            Field::AdvancedManufacturing => "advanced_manufacturing",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Field::Electronics => "电子信息",
            Field::Biomedicine => "生物与新医药",
            Field::Aerospace => "航空航天",
            Field::NewMaterials => "新材料",
            Field::HitechServices => "高技术服务",
            Field::NewEnergy => "新能源与节能",
            Field::ResourcesEnvironment => "资源与环境",
            Field::AdvancedManufacturing => "先进制造与自动化",
        }
    }

    pub fn parse(s: &str) -> Result<Field, ParseError> {
        Field::ALL.into_iter().find(|f| f.as_str() == s || f.label_zh() == s).ok_or_else(|| {
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
            ParseError(format!("'{s}' is not a technical field ({})", known.join(", ")))
        })
    }
}

/// Technology readiness (技术就绪水平, GB/T 22900): 1 (principles observed) to 9 (proven in operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Maturity(u8);

impl Maturity {
    pub const LEVELS_ZH: [&'static str; 9] = [
        "发现基本原理",
        "形成技术概念",
        "关键功能实验室验证",
        "实验室原理样机",
        "相关环境中部件验证",
        "相关环境中系统样机演示",
        "实际环境中系统样机试验",
        "实际系统完成并通过试验",
        "实际应用中成功运行",
    ];

    pub fn new(level: u8) -> Result<Maturity, ParseError> {
        if (1..=9).contains(&level) {
            Ok(Maturity(level))
        } else {
            Err(ParseError(format!("maturity {level} is not a readiness level from 1 to 9")))
        }
    }

    pub fn level(self) -> u8 {
        self.0
    }

    pub fn label_zh(self) -> &'static str {
        Maturity::LEVELS_ZH[usize::from(self.0 - 1)]
    }
}

impl TryFrom<u8> for Maturity {
    type Error = ParseError;
    fn try_from(level: u8) -> Result<Maturity, ParseError> {
        Maturity::new(level)
    }
}

impl From<Maturity> for u8 {
    fn from(m: Maturity) -> u8 {
        m.0
    }
}

/// How an achievement may be transferred (促进科技成果转化法 第十六条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferMode {
    Transfer,
    License,
    Equity,
    Cooperation,
}

impl TransferMode {
    pub const ALL: [TransferMode; 4] =
        [TransferMode::Transfer, TransferMode::License, TransferMode::Equity, TransferMode::Cooperation];

    pub fn as_str(self) -> &'static str {
        match self {
            TransferMode::Transfer => "transfer",
            TransferMode::License => "license",
            TransferMode::Equity => "equity",
            TransferMode::Cooperation => "cooperation",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TransferMode::Transfer => "转让",
            TransferMode::License => "许可",
            TransferMode::Equity => "作价投资",
            TransferMode::Cooperation => "合作开发",
        }
    }

    pub fn parse(s: &str) -> Result<TransferMode, ParseError> {
        TransferMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s || m.label_zh() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a transfer mode (transfer, license, equity, cooperation)")))
    }
}

/// An intellectual-property right an achievement rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpRight {
    /// The patent or registration number, e.g. ZL202110000000.0.
    pub number: String,
    /// `invention`, `utility_model`, `design`, `software`, `plant_variety`, `layout_design` or `other`.
    pub kind: String,
    /// e.g. 已授权, 实审中, 已失效.
    #[serde(default)]
    pub status: String,
}

const IP_KINDS: [&str; 7] =
    ["invention", "utility_model", "design", "software", "plant_variety", "layout_design", "other"];

/// Which kind of record of the information service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Achievement,
    Demand,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Achievement => "achievement",
            RecordKind::Demand => "demand",
        }
    }

    pub fn parse(s: &str) -> Result<RecordKind, ParseError> {
        match s {
            "achievement" => Ok(RecordKind::Achievement),
            "demand" => Ok(RecordKind::Demand),
            _ => Err(ParseError(format!("'{s}' is not a record kind (achievement, demand)"))),
        }
    }
}

/// A record's place in the information service: filed as a draft, moderated by the province, published, closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Draft,
    Review,
    Published,
    Closed,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 4] =
        [RecordStatus::Draft, RecordStatus::Review, RecordStatus::Published, RecordStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Draft => "draft",
            RecordStatus::Review => "review",
            RecordStatus::Published => "published",
            RecordStatus::Closed => "closed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordStatus::Draft => "草稿",
            RecordStatus::Review => "待审核",
            RecordStatus::Published => "已发布",
            RecordStatus::Closed => "已关闭",
        }
    }

    pub fn parse(s: &str) -> Result<RecordStatus, ParseError> {
        RecordStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a record status (draft, review, published, closed)")))
    }
}

/// A step a record takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordAction {
    /// The owner sends the draft for moderation.
    Submit,
    /// The province publishes what it moderated.
    Publish,
    /// The province sends it back to the owner, with reasons.
    Return,
    /// The owner takes a published record back to edit it.
    Withdraw,
    /// The owner or the province ends it (transferred, no longer offered, demand met).
    Close,
}

impl RecordAction {
    pub const ALL: [RecordAction; 5] = [
        RecordAction::Submit,
        RecordAction::Publish,
        RecordAction::Return,
        RecordAction::Withdraw,
        RecordAction::Close,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordAction::Submit => "submit",
            RecordAction::Publish => "publish",
            RecordAction::Return => "return",
            RecordAction::Withdraw => "withdraw",
            RecordAction::Close => "close",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordAction::Submit => "提交审核",
            RecordAction::Publish => "审核发布",
            RecordAction::Return => "退回修改",
            RecordAction::Withdraw => "撤回修改",
            RecordAction::Close => "关闭",
        }
    }

    pub fn parse(s: &str) -> Result<RecordAction, ParseError> {
        RecordAction::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| {
            ParseError(format!("'{s}' is not a record action (submit, publish, return, withdraw, close)"))
        })
    }
}

/// Who is acting on a record: its owner, the province that moderates its division, or the ministry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Owner,
    Moderator,
}

/// The status after `action` from `status` by someone of `standing`, or why not.
pub fn next_status(status: RecordStatus, action: RecordAction, standing: Standing) -> Result<RecordStatus, ParseError> {
    use RecordAction::*;
    use RecordStatus::*;
    let to = match (action, status, standing) {
        (Submit, Draft, Standing::Owner) => Review,
        (Publish, Review, Standing::Moderator) => Published,
        (Return, Review, Standing::Moderator) => Draft,
        (Withdraw, Published, Standing::Owner) => Draft,
        (Close, Draft | Review | Published, _) => Closed,
        _ => {
            let who = match standing {
                Standing::Owner => "its owner",
                Standing::Moderator => "the moderating province",
            };
            return Err(ParseError(format!("a {} record cannot be {} by {who}", status.as_str(), past(action))));
        }
    };
    Ok(to)
}

fn past(action: RecordAction) -> &'static str {
    match action {
        RecordAction::Submit => "submitted",
        RecordAction::Publish => "published",
        RecordAction::Return => "returned",
        RecordAction::Withdraw => "withdrawn",
        RecordAction::Close => "closed",
    }
}

/// The roles that file records of their own.
pub fn files_records(role: Role) -> bool {
    role == Role::Institution
}

/// An S&T achievement as its holder describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Achievement {
    pub title: String,
    /// True where the source had no title and TTDZ made one from the abstract.
    #[serde(default)]
    pub title_derived: bool,
    #[serde(rename = "abstract", default)]
    pub summary: String,
    /// The holder institution (完成单位 / 权利人).
    #[serde(default)]
    pub holder: String,
    pub division: Option<DivisionCode>,
    /// Inventors or completers (完成人).
    #[serde(default)]
    pub inventors: Vec<String>,
    pub field: Option<Field>,
    pub maturity: Option<Maturity>,
    #[serde(default)]
    pub ip: Vec<IpRight>,
    #[serde(default)]
    pub modes: Vec<TransferMode>,
    /// Asking price in yuan; `None` is negotiable (面议).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub price: Option<Decimal>,
    #[serde(default)]
    pub contact: String,
    /// The fiscal S&T programme it comes from (财政科技计划成果), if any.
    pub programme: Option<String>,
    /// The S&T award it received (科技奖励成果), if any.
    pub award: Option<String>,
}

/// A technology demand as an enterprise (or a region) states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    pub title: String,
    #[serde(default)]
    pub title_derived: bool,
    #[serde(default)]
    pub description: String,
    /// The enterprise that needs it.
    #[serde(default)]
    pub enterprise: String,
    pub division: Option<DivisionCode>,
    pub field: Option<Field>,
    /// What it may spend, in yuan; `None` is negotiable.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub budget: Option<Decimal>,
    pub deadline: Option<PartialDate>,
    #[serde(default)]
    pub contact: String,
}

/// Texts' limits, in characters.
pub const TITLE_CHARS: usize = 200;
/// Abstracts of registered patents run to 12,000 characters.
pub const SUMMARY_CHARS: usize = 20_000;
pub const SHORT_CHARS: usize = 500;

fn text(name: &str, value: &str, limit: usize, required: bool) -> Result<(), ParseError> {
    if required && value.trim().is_empty() {
        return Err(ParseError(format!("{name} is missing")));
    }
    crate::limits::check_text(name, value, limit)
}

impl Achievement {
    /// Checks every field, naming the first that is wrong.
    pub fn check(&self) -> Result<(), ParseError> {
        text("title", &self.title, TITLE_CHARS, true)?;
        // A registry's record may carry its title alone.
        text("abstract", &self.summary, SUMMARY_CHARS, false)?;
        text("holder", &self.holder, SHORT_CHARS, false)?;
        text("contact", &self.contact, SHORT_CHARS, false)?;
        for (i, name) in self.inventors.iter().enumerate() {
            text(&format!("inventors[{i}]"), name, SHORT_CHARS, true)?;
        }
        for (i, right) in self.ip.iter().enumerate() {
            text(&format!("ip[{i}].number"), &right.number, SHORT_CHARS, true)?;
            if !IP_KINDS.contains(&right.kind.as_str()) {
                return Err(ParseError(format!(
                    "ip[{i}].kind: '{}' is not one of {}",
                    right.kind,
                    IP_KINDS.join(", ")
                )));
            }
            text(&format!("ip[{i}].status"), &right.status, SHORT_CHARS, false)?;
        }
        if self.price.is_some_and(|p| p < Decimal::ZERO) {
            return Err(ParseError("price: a price cannot be negative (leave it out for 面议)".into()));
        }
        for (name, value) in [("programme", &self.programme), ("award", &self.award)] {
            if let Some(v) = value {
                text(name, v, SHORT_CHARS, true)?;
            }
        }
        Ok(())
    }
}

impl Demand {
    /// Checks every field, naming the first that is wrong.
    pub fn check(&self) -> Result<(), ParseError> {
        text("title", &self.title, TITLE_CHARS, true)?;
        text("description", &self.description, SUMMARY_CHARS, true)?;
        text("enterprise", &self.enterprise, SHORT_CHARS, false)?;
        text("contact", &self.contact, SHORT_CHARS, false)?;
        if self.budget.is_some_and(|b| b < Decimal::ZERO) {
            return Err(ParseError("budget: a budget cannot be negative (leave it out for 面议)".into()));
        }
        Ok(())
    }
}

/// Markings of classified or internal material (保守国家秘密法: 绝密, 机密, 秘密; and internal-use notes): a record
/// carrying one is for the moderator to look at before anything is published.
const MARKINGS: [&str; 7] = ["绝密", "机密", "秘密", "涉密", "内部资料", "内部使用", "不得公开"];

/// The markings of classified or internal material `text` carries.
pub fn sensitive_markings(text: &str) -> Vec<&'static str> {
    MARKINGS.into_iter().filter(|m| text.contains(m)).collect()
}

/// A short title made from an abstract, for records whose source carries none: its first clause, without the
/// boilerplate patent abstracts open with, at most 40 characters.
pub fn derived_title(summary: &str) -> String {
    let mut first = summary.trim();
    for opening in [
        "本发明公开了",
        "本发明涉及",
        "本发明提供了",
        "本发明提供",
        "本申请涉及",
        "本申请提供",
        "本实用新型涉及",
        "本公开涉及",
    ] {
        if let Some(rest) = first.strip_prefix(opening) {
            first = rest;
            break;
        }
    }
    let clause: String =
        first.chars().take_while(|c| !matches!(c, '，' | '。' | '；' | ',' | ';' | '：' | ':')).collect();
    let clause = if clause.trim().is_empty() { first.to_owned() } else { clause };
    let chars: Vec<char> = clause.trim().chars().collect();
    if chars.len() > 40 {
        format!("{}…", chars[..40].iter().collect::<String>())
    } else {
        chars.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_derived_from_the_first_clause_without_boilerplate() {
        assert_eq!(
            derived_title("本申请涉及使用近红外光谱法评估牙齿表面上的聚合物沉积的方法，从而提供一种快速方法。"),
            "使用近红外光谱法评估牙齿表面上的聚合物沉积的方法"
        );
        assert_eq!(derived_title("一种井道层站门锁定系统。"), "一种井道层站门锁定系统");
        let long = "一".repeat(60);
        assert_eq!(derived_title(&long).chars().count(), 41, "40 characters and an ellipsis");
    }

    #[test]
    fn records_move_only_as_their_owner_and_moderator_may_move_them() {
        use RecordAction::*;
        use RecordStatus::*;
        assert_eq!(next_status(Draft, Submit, Standing::Owner), Ok(Review));
        assert_eq!(next_status(Review, Publish, Standing::Moderator), Ok(Published));
        assert_eq!(next_status(Review, Return, Standing::Moderator), Ok(Draft));
        assert_eq!(next_status(Published, Withdraw, Standing::Owner), Ok(Draft));
        assert!(next_status(Review, Publish, Standing::Owner).is_err(), "an owner does not publish its own");
        assert!(next_status(Draft, Publish, Standing::Moderator).is_err(), "only what was submitted");
        assert!(next_status(Closed, Submit, Standing::Owner).is_err(), "closed is final");
        assert_eq!(next_status(Published, Close, Standing::Moderator), Ok(Closed));
    }

    #[test]
    fn classified_markings_are_found() {
        assert_eq!(sensitive_markings("本成果属机密级，内部资料"), ["机密", "内部资料"]);
        assert!(sensitive_markings("一种石墨烯导热膜").is_empty());
    }

    #[test]
    fn maturity_is_a_readiness_level() {
        assert!(Maturity::new(0).is_err() && Maturity::new(10).is_err());
        assert_eq!(Maturity::new(9).map(Maturity::label_zh), Ok("实际应用中成功运行"));
        let parsed: Result<Maturity, _> = serde_json::from_str("12");
        assert!(parsed.is_err());
    }
}

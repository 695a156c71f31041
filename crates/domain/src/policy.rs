//! Policies in force in each zone (八、营造良好政策环境) with checks of their implementation over time, which inform the
//! qualitative rows 13-15 of Annex 2; and the library of replicable policies and experience (可复制可推广) that the
//! ministry publishes in the 示范推广 step.

use crate::{ParseError, PartialDate, ZoneKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyLevel {
    National,
    Local,
}

impl PolicyLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyLevel::National => "national",
            PolicyLevel::Local => "local",
        }
    }
    pub fn parse(s: &str) -> Result<PolicyLevel, ParseError> {
        match s {
            "national" => Ok(PolicyLevel::National),
            "local" => Ok(PolicyLevel::Local),
            _ => Err(ParseError(format!("'{s}' is not a policy level (national or local)"))),
        }
    }
}

/// A policy registered for a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Assigned by the store; 0 before.
    pub id: i64,
    pub zone: ZoneKey,
    pub level: PolicyLevel,
    pub issuer: String,
    /// The document number, e.g. 国科发创〔2017〕304号.
    pub number: String,
    pub issued: PartialDate,
    pub title: String,
    pub provisions: String,
}

/// The first of `fields` (name, value) that is blank, as an error naming it.
use crate::limits::{LONG_TEXT, SHORT_TEXT, required};

impl Policy {
    pub fn check(&self) -> Result<(), ParseError> {
        required(&[
            ("issuer", &self.issuer, SHORT_TEXT),
            ("number", &self.number, SHORT_TEXT),
            ("title", &self.title, SHORT_TEXT),
            ("provisions", &self.provisions, LONG_TEXT),
        ])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Implemented,
    Partial,
    NotImplemented,
}

impl Finding {
    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Implemented => "implemented",
            Finding::Partial => "partial",
            Finding::NotImplemented => "not_implemented",
        }
    }
    pub fn parse(s: &str) -> Result<Finding, ParseError> {
        [Finding::Implemented, Finding::Partial, Finding::NotImplemented]
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a finding (implemented, partial, not_implemented)")))
    }
}

/// One check of a policy's implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCheck {
    pub policy: i64,
    pub checked_on: PartialDate,
    /// Set by the store from the caller.
    pub checked_by: String,
    pub finding: Finding,
    pub evidence: String,
    /// The qualitative row of Annex 2 (13, 14 or 15) the check informs.
    pub annex_row: Option<u8>,
}

impl PolicyCheck {
    pub fn check(&self) -> Result<(), ParseError> {
        required(&[("evidence", &self.evidence, LONG_TEXT)])?;
        if self.annex_row.is_some_and(|r| !(13..=15).contains(&r)) {
            return Err(ParseError("annex_row is one of the qualitative rows 13, 14 or 15".into()));
        }
        Ok(())
    }
}

/// An entry of the experience library: proposed by a zone, published by the ministry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Experience {
    pub id: i64,
    pub zone: ZoneKey,
    pub title: String,
    pub summary: String,
    /// Registered policies of the same zone it rests on; may be none (a practice rather than a rule).
    pub policies: Vec<i64>,
    /// ISO 8601 date of publication; `None` while proposed.
    pub published_on: Option<String>,
}

impl Experience {
    pub fn check(&self) -> Result<(), ParseError> {
        required(&[("title", &self.title, SHORT_TEXT), ("summary", &self.summary, LONG_TEXT)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            id: 0,
            zone: ZoneKey::parse("zhejiang").expect("key"),
            level: PolicyLevel::National,
            issuer: "科技部".into(),
            number: "国科发创〔2017〕304号".into(),
            issued: "2017-09".parse().expect("date"),
            title: "国家科技成果转移转化示范区建设指引".into(),
            provisions: "示范区建设".into(),
        }
    }

    #[test]
    fn blank_fields_are_named() {
        assert!(policy().check().is_ok());
        let blank = Policy { provisions: "  ".into(), ..policy() };
        assert_eq!(blank.check().expect_err("blank").0, "provisions is required");
        let check = PolicyCheck {
            policy: 1,
            checked_on: "2026-06".parse().expect("date"),
            checked_by: String::new(),
            finding: Finding::Implemented,
            evidence: "文件".into(),
            annex_row: Some(12),
        };
        assert!(check.check().expect_err("row 12").0.contains("13, 14 or 15"));
        assert_eq!(
            PolicyCheck { evidence: String::new(), annex_row: None, ..check }.check().expect_err("e").0,
            "evidence is required"
        );
    }

    #[test]
    fn levels_and_findings_round_trip() {
        for level in [PolicyLevel::National, PolicyLevel::Local] {
            assert_eq!(PolicyLevel::parse(level.as_str()), Ok(level));
        }
        for finding in [Finding::Implemented, Finding::Partial, Finding::NotImplemented] {
            assert_eq!(Finding::parse(finding.as_str()), Ok(finding));
        }
        assert!(Finding::parse("done").is_err());
    }
}

/// An expert's grade of one of Annex 2 rows 13-15 (政策环境) for a zone and year, on the row's rubric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub zone: ZoneKey,
    pub year: i32,
    pub annex_row: u8,
    /// The expert.
    pub graded_by: String,
    /// 1 to 5, as the rubric describes each level.
    pub score: u8,
    pub reasons: String,
    pub evidence: String,
    /// The zone's policies the grade rests on.
    pub policies: Vec<i64>,
    /// ISO 8601 UTC; set by the store.
    pub graded_at: String,
}

/// The rubric experts grade rows 13-15 on: what each score means, per row.
pub struct Rubric {
    pub annex_row: u8,
    /// Levels 5 (best) down to 1.
    pub levels_zh: [&'static str; 5],
}

pub const RUBRICS: [Rubric; 3] = [
    Rubric {
        annex_row: 13,
        levels_zh: [
            "高校、科研院所配套政策全部出台并落实到位，收益分配、职务成果赋权等机制运行有效",
            "主要配套政策已出台并落实，个别机制仍在完善",
            "配套政策部分出台，落实程度一般",
            "配套政策出台较少，落实不到位",
            "基本没有配套政策或未落实",
        ],
    },
    Rubric {
        annex_row: 14,
        levels_zh: [
            "科技金融服务创新活跃，财税优惠政策全面兑现并形成示范",
            "科技金融服务和财税政策较完善，兑现情况良好",
            "有一定的科技金融服务和财税政策，兑现一般",
            "科技金融服务和财税政策较少，兑现不足",
            "基本没有科技金融服务和财税配套政策",
        ],
    },
    Rubric {
        annex_row: 15,
        levels_zh: [
            "市县基层工作网络健全，队伍专业稳定，运行机制顺畅",
            "工作网络基本健全，运行较好",
            "工作网络初步建立，覆盖不全",
            "工作网络薄弱，运行不畅",
            "尚未建立工作网络",
        ],
    },
];

impl Grade {
    /// Checks a grade against the rubric: a row of 13-15, a score of 1-5, reasons and evidence given.
    pub fn check(&self) -> Result<(), ParseError> {
        if !(13..=15).contains(&self.annex_row) {
            return Err(ParseError(format!("annex_row: {} is not one of the graded rows 13, 14, 15", self.annex_row)));
        }
        if !(1..=5).contains(&self.score) {
            return Err(ParseError(format!("score: {} is outside the rubric's scale of 1 to 5", self.score)));
        }
        if self.reasons.trim().is_empty() {
            return Err(ParseError("reasons: a grade gives its reasons".into()));
        }
        if self.evidence.trim().is_empty() {
            return Err(ParseError("evidence: a grade names its evidence".into()));
        }
        Ok(())
    }
}

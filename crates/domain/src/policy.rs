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
        if self.evidence.trim().is_empty() {
            return Err(ParseError("a check records its evidence".into()));
        }
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
    /// Registered policies it rests on.
    pub policies: Vec<i64>,
    /// ISO 8601 date of publication; `None` while proposed.
    pub published_on: Option<String>,
}

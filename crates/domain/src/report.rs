//! Annual reports (年度建设情况书面报告): a zone-year's values and written report, drafted by the province, submitted
//! by the end of December, then accepted or returned by the ministry.

use crate::ParseError;
use crate::account::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Draft,
    Submitted,
    Returned,
    Accepted,
}

impl ReportStatus {
    /// Sent to the ministry: submitted, or accepted after it. A draft or a returned report is not.
    pub fn is_sent(self) -> bool {
        matches!(self, ReportStatus::Submitted | ReportStatus::Accepted)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportStatus::Draft => "草稿",
            ReportStatus::Submitted => "已报送",
            ReportStatus::Returned => "已退回修改",
            ReportStatus::Accepted => "已接受",
        }
    }

    pub fn parse(s: &str) -> Result<ReportStatus, ParseError> {
        [ReportStatus::Draft, ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Accepted]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a report status")))
    }

    /// Submitted and accepted reports are locked: their values cannot be edited.
    pub fn locked(self) -> bool {
        matches!(self, ReportStatus::Submitted | ReportStatus::Accepted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    Edit,
    Submit,
    Return,
    Accept,
}

impl ReportAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Return => "return",
            ReportAction::Accept => "accept",
        }
    }
}

/// Why a report action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the {role} role may not {action} an annual report")]
    Forbidden { role: Role, action: &'static str },
    #[error("{}", locked_message(status))]
    Locked { status: &'static str },
    #[error("a report that is {status} cannot be {action}")]
    OutOfOrder { status: &'static str, action: &'static str },
}

/// Why a report in `status` cannot be edited. An accepted report is final: its values are published figures, and
/// a correction is a new report of the same year's figures by import, which keeps the trail of both.
fn locked_message(status: &str) -> String {
    if status == ReportStatus::Accepted.as_str() {
        "the report is accepted: it is final, and its values are published".to_owned()
    } else {
        format!("the report is {status}: it is locked until the ministry returns or accepts it")
    }
}

/// The status after `action` on a report in `status` (`None`: no report yet), by `role`.
pub fn next_status(
    status: Option<ReportStatus>,
    action: ReportAction,
    role: Role,
) -> Result<ReportStatus, ReportError> {
    let by = |roles: &[Role]| {
        if roles.contains(&role) { Ok(()) } else { Err(ReportError::Forbidden { role, action: action.as_str() }) }
    };
    let current = status.unwrap_or(ReportStatus::Draft);
    match action {
        ReportAction::Edit => {
            by(&[Role::Province])?;
            if current.locked() {
                return Err(ReportError::Locked { status: current.as_str() });
            }
            Ok(current)
        }
        ReportAction::Submit => {
            by(&[Role::Province])?;
            match current {
                ReportStatus::Draft | ReportStatus::Returned if status.is_some() => Ok(ReportStatus::Submitted),
                _ => Err(ReportError::OutOfOrder {
                    status: status.map_or("missing", |s| s.as_str()),
                    action: "submitted",
                }),
            }
        }
        ReportAction::Return | ReportAction::Accept => {
            by(&[Role::Ministry])?;
            if current != ReportStatus::Submitted || status.is_none() {
                return Err(ReportError::OutOfOrder {
                    status: status.map_or("missing", |s| s.as_str()),
                    action: if action == ReportAction::Return { "returned" } else { "accepted" },
                });
            }
            Ok(if action == ReportAction::Return { ReportStatus::Returned } else { ReportStatus::Accepted })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_drafted_submitted_and_then_returned_or_accepted() {
        use ReportAction::*;
        use ReportStatus::*;
        assert_eq!(next_status(None, Edit, Role::Province), Ok(Draft));
        assert_eq!(next_status(Some(Draft), Submit, Role::Province), Ok(Submitted));
        assert_eq!(
            next_status(Some(Submitted), Edit, Role::Province),
            Err(ReportError::Locked { status: "submitted" })
        );
        assert_eq!(
            next_status(Some(Submitted), Accept, Role::Expert),
            Err(ReportError::Forbidden { role: Role::Expert, action: "accept" })
        );
        assert_eq!(next_status(Some(Submitted), Return, Role::Ministry), Ok(Returned));
        assert_eq!(next_status(Some(Returned), Edit, Role::Province), Ok(Returned));
        assert_eq!(next_status(Some(Returned), Submit, Role::Province), Ok(Submitted));
        assert_eq!(next_status(Some(Submitted), Accept, Role::Ministry), Ok(Accepted));
        let final_ = next_status(Some(Accepted), Edit, Role::Province).expect_err("final");
        assert_eq!(final_.to_string(), "the report is accepted: it is final, and its values are published");
        assert!(next_status(Some(Accepted), Return, Role::Ministry).is_err(), "an accepted report stays accepted");
        assert!(next_status(None, Submit, Role::Province).is_err(), "nothing to submit");
    }
}

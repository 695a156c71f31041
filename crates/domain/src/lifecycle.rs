//! The procedure of the guideline (四、建设程序) as a state machine per zone: every step a named action, with who
//! may take it, the stages it may start from, and the stage it leads to.

use crate::account::Role;
use crate::{ParseError, PartialDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    DemandProposed,
    PlanDrafted,
    PlanReviewed,
    PlanSubmitted,
    PlanReturned,
    Approved,
    UnderConstruction,
    Evaluated,
    Rectifying,
    Revoked,
    Continued,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::DemandProposed,
        Stage::PlanDrafted,
        Stage::PlanReviewed,
        Stage::PlanSubmitted,
        Stage::PlanReturned,
        Stage::Approved,
        Stage::UnderConstruction,
        Stage::Evaluated,
        Stage::Rectifying,
        Stage::Revoked,
        Stage::Continued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::DemandProposed => "demand_proposed",
            Stage::PlanDrafted => "plan_drafted",
            Stage::PlanReviewed => "plan_reviewed",
            Stage::PlanSubmitted => "plan_submitted",
            Stage::PlanReturned => "plan_returned",
            Stage::Approved => "approved",
            Stage::UnderConstruction => "under_construction",
            Stage::Evaluated => "evaluated",
            Stage::Rectifying => "rectifying",
            Stage::Revoked => "revoked",
            Stage::Continued => "continued",
        }
    }

    /// True from approval on: before it, a zone and its procedure are the business of its province, the ministry
    /// and its assigned experts only.
    pub fn is_public(self) -> bool {
        !matches!(
            self,
            Stage::DemandProposed
                | Stage::PlanDrafted
                | Stage::PlanReviewed
                | Stage::PlanSubmitted
                | Stage::PlanReturned
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::DemandProposed => "已提出需求",
            Stage::PlanDrafted => "方案已制定",
            Stage::PlanReviewed => "已专家论证",
            Stage::PlanSubmitted => "已报送科技部",
            Stage::PlanReturned => "科技部退回修改",
            Stage::Approved => "科技部已批复",
            Stage::UnderConstruction => "建设中",
            Stage::Evaluated => "已总结评估",
            Stage::Rectifying => "整改中",
            Stage::Revoked => "已撤销",
            Stage::Continued => "后续支持",
        }
    }

    pub fn parse(s: &str) -> Result<Stage, ParseError> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| ParseError(format!("'{s}' is not a stage")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ProposeDemand,
    DraftPlan,
    AssignExperts,
    ReviewPlan,
    SubmitPlan,
    ReturnPlan,
    ApprovePlan,
    StartConstruction,
    EvaluateTerm,
    Rectify,
    Revoke,
    Continue,
    AppointExperts,
    GiveOpinion,
    RecordPlan,
}

/// An action's rule: who, from which stages (`None` in the list: a zone that does not exist yet), and where to.
pub struct Rule {
    pub roles: &'static [Role],
    pub from: &'static [Option<Stage>],
    /// `None`: the stage stays (the action records something within it).
    pub to: Option<Stage>,
}

use Stage::*;

/// The stages at which the ministry consults experts of its own: a plan it is reviewing, and a term it evaluates.
const CONSULTED: &[Option<Stage>] = &[Some(PlanSubmitted), Some(UnderConstruction), Some(Rectifying), Some(Evaluated)];

impl Action {
    pub const ALL: [Action; 15] = [
        Action::ProposeDemand,
        Action::DraftPlan,
        Action::AssignExperts,
        Action::ReviewPlan,
        Action::SubmitPlan,
        Action::ReturnPlan,
        Action::ApprovePlan,
        Action::StartConstruction,
        Action::EvaluateTerm,
        Action::Rectify,
        Action::Revoke,
        Action::Continue,
        Action::AppointExperts,
        Action::GiveOpinion,
        Action::RecordPlan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ProposeDemand => "propose_demand",
            Action::DraftPlan => "draft_plan",
            Action::AssignExperts => "assign_experts",
            Action::ReviewPlan => "review_plan",
            Action::SubmitPlan => "submit_plan",
            Action::ReturnPlan => "return_plan",
            Action::ApprovePlan => "approve_plan",
            Action::StartConstruction => "start_construction",
            Action::EvaluateTerm => "evaluate_term",
            Action::Rectify => "rectify",
            Action::Revoke => "revoke",
            Action::Continue => "continue",
            Action::AppointExperts => "appoint_experts",
            Action::GiveOpinion => "give_opinion",
            Action::RecordPlan => "record_plan",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Action::ProposeDemand => "提出需求",
            Action::DraftPlan => "制定方案",
            Action::AssignExperts => "指定论证专家",
            Action::ReviewPlan => "专家论证",
            Action::SubmitPlan => "报送科技部",
            Action::ReturnPlan => "科技部退回修改",
            Action::ApprovePlan => "科技部批复",
            Action::StartConstruction => "启动建设",
            Action::EvaluateTerm => "总结评估",
            Action::Rectify => "整改",
            Action::Revoke => "撤销",
            Action::Continue => "后续支持",
            Action::AppointExperts => "科技部指定咨询专家",
            Action::GiveOpinion => "专家咨询意见",
            Action::RecordPlan => "登记已批复方案",
        }
    }

    pub fn parse(s: &str) -> Result<Action, ParseError> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a lifecycle action")))
    }

    pub fn rule(self) -> Rule {
        const PROVINCE: &[Role] = &[Role::Province];
        const MINISTRY: &[Role] = &[Role::Ministry];
        const EXPERT: &[Role] = &[Role::Expert];
        match self {
            Action::ProposeDemand => Rule { roles: PROVINCE, from: &[None], to: Some(DemandProposed) },
            Action::DraftPlan => {
                Rule { roles: PROVINCE, from: &[Some(DemandProposed), Some(PlanReturned)], to: Some(PlanDrafted) }
            }
            Action::AssignExperts => Rule { roles: PROVINCE, from: &[Some(PlanDrafted)], to: None },
            Action::ReviewPlan => Rule { roles: EXPERT, from: &[Some(PlanDrafted)], to: None },
            Action::SubmitPlan => Rule { roles: PROVINCE, from: &[Some(PlanReviewed)], to: Some(PlanSubmitted) },
            Action::ReturnPlan => Rule { roles: MINISTRY, from: &[Some(PlanSubmitted)], to: Some(PlanReturned) },
            Action::ApprovePlan => Rule { roles: MINISTRY, from: &[Some(PlanSubmitted)], to: Some(Approved) },
            Action::StartConstruction => {
                Rule { roles: MINISTRY, from: &[Some(Approved), Some(Continued)], to: Some(UnderConstruction) }
            }
            Action::EvaluateTerm => {
                Rule { roles: MINISTRY, from: &[Some(UnderConstruction), Some(Rectifying)], to: Some(Evaluated) }
            }
            Action::Rectify => Rule { roles: MINISTRY, from: &[Some(Evaluated)], to: Some(Rectifying) },
            Action::Revoke => Rule { roles: MINISTRY, from: &[Some(Evaluated)], to: Some(Revoked) },
            Action::Continue => Rule { roles: MINISTRY, from: &[Some(Evaluated)], to: Some(Continued) },
            // The ministry's own experts (调研咨询, 总结评估): on a plan under its review and on a term.
            Action::AppointExperts => Rule { roles: MINISTRY, from: CONSULTED, to: None },
            Action::GiveOpinion => Rule { roles: EXPERT, from: CONSULTED, to: None },
            // A zone approved before TTDZ has its plan on paper: its province (or the ministry) enters it, so that
            // its tasks, targets and featured indicators count as if it had been drafted here.
            Action::RecordPlan => Rule {
                roles: &[Role::Province, Role::Ministry],
                from: &[Some(Approved), Some(UnderConstruction), Some(Rectifying), Some(Continued)],
                to: None,
            },
        }
    }
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("the {role} role may not {action}")]
    Forbidden { role: Role, action: &'static str },
    #[error("{action} cannot follow the stage {stage}")]
    OutOfOrder { action: &'static str, stage: &'static str },
    #[error("{0}")]
    Document(String),
}

/// The stage after `action` from `stage` by `role`, or why not.
pub fn next_stage(stage: Option<Stage>, action: Action, role: Role) -> Result<Option<Stage>, LifecycleError> {
    let rule = action.rule();
    if !rule.roles.contains(&role) {
        return Err(LifecycleError::Forbidden { role, action: action.as_str() });
    }
    if !rule.from.contains(&stage) {
        return Err(LifecycleError::OutOfOrder { action: action.as_str(), stage: stage.map_or("none", Stage::as_str) });
    }
    Ok(rule.to.or(stage))
}

/// The actions `role` may take at `stage`.
pub fn allowed(stage: Option<Stage>, role: Role) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| next_stage(stage, *a, role).is_ok()).collect()
}

/// The sections of the construction plan, in the order of Annex 1 (附件1 提纲).
pub const PLAN_SECTIONS: [&str; 7] =
    ["建设基础和重要意义", "总体要求", "特色定位", "示范任务", "组织实施", "重点任务分解与进度安排", "建设目标与指标"];

/// The parts 总体要求 must have.
pub const GENERAL_REQUIREMENTS: [&str; 4] = ["指导思想", "建设原则", "总体布局", "建设目标与指标"];

/// A term of 3 to 5 years (建设期原则上为3至5年), from its first to its last day.
pub fn check_term(start: &PartialDate, end: &PartialDate) -> Result<(), LifecycleError> {
    let full = |d: &PartialDate| {
        jiff::civil::Date::new(
            i16::try_from(d.year()).ok()?,
            i8::try_from(d.month()?).ok()?,
            i8::try_from(d.day()?).ok()?,
        )
        .ok()
    };
    let (Some(first), Some(last)) = (full(start), full(end)) else {
        return Err(LifecycleError::Document("the term needs full dates, YYYY-MM-DD".into()));
    };
    // The day after the last lies between three and five years after the first: 2026-01-01 to 2028-12-31 is
    // three years to the day.
    let after = |years: i64| first.checked_add(jiff::Span::new().years(years)).ok();
    let within = match (last.tomorrow().ok(), after(3), after(5)) {
        (Some(next), Some(shortest), Some(longest)) => shortest <= next && next <= longest,
        _ => false,
    };
    if !within {
        return Err(LifecycleError::Document(format!(
            "a construction term runs 3 to 5 years (国科发创〔2017〕304号), not {start} to {end}"
        )));
    }
    Ok(())
}

/// A key task of the plan (建设方案任务, Annex 1 section 6): who carries it out, by when, to what end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTask {
    pub title: String,
    pub owner: String,
    pub deadline: PartialDate,
    pub output: String,
}

/// Where a task stands in a year's report (四(三) 加强建设方案任务落实).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Done,
    OnTrack,
    Late,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Done, TaskStatus::OnTrack, TaskStatus::Late];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::OnTrack => "on_track",
            TaskStatus::Late => "late",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TaskStatus::Done => "已完成",
            TaskStatus::OnTrack => "按进度推进",
            TaskStatus::Late => "滞后",
        }
    }

    pub fn parse(s: &str) -> Result<TaskStatus, ParseError> {
        TaskStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a task status (done, on_track or late)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_procedure_runs_in_order_by_the_right_hands() {
        let mut stage = None;
        for (action, role) in [
            (Action::ProposeDemand, Role::Province),
            (Action::DraftPlan, Role::Province),
            (Action::AssignExperts, Role::Province),
            (Action::ReviewPlan, Role::Expert),
        ] {
            stage = next_stage(stage, action, role).unwrap();
        }
        assert_eq!(stage, Some(PlanDrafted), "reviews record within the stage; the last review moves it on");
        assert_eq!(next_stage(Some(PlanReviewed), Action::SubmitPlan, Role::Province), Ok(Some(PlanSubmitted)));
        assert_eq!(next_stage(Some(PlanSubmitted), Action::ReturnPlan, Role::Ministry), Ok(Some(PlanReturned)));
        assert_eq!(next_stage(Some(PlanReturned), Action::DraftPlan, Role::Province), Ok(Some(PlanDrafted)));
        assert_eq!(next_stage(Some(Evaluated), Action::Continue, Role::Ministry), Ok(Some(Continued)));
        assert_eq!(next_stage(Some(Continued), Action::StartConstruction, Role::Ministry), Ok(Some(UnderConstruction)));
        assert_eq!(
            next_stage(Some(PlanSubmitted), Action::ApprovePlan, Role::Expert),
            Err(LifecycleError::Forbidden { role: Role::Expert, action: "approve_plan" })
        );
        assert_eq!(
            next_stage(Some(PlanDrafted), Action::ApprovePlan, Role::Ministry),
            Err(LifecycleError::OutOfOrder { action: "approve_plan", stage: "plan_drafted" })
        );
        assert_eq!(
            allowed(Some(Evaluated), Role::Ministry),
            [Action::Rectify, Action::Revoke, Action::Continue, Action::AppointExperts]
        );
        assert!(allowed(Some(Revoked), Role::Ministry).is_empty());
    }

    #[test]
    fn terms_run_three_to_five_years() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(check_term(&d("2024-01-01"), &d("2027-12-31")).is_ok());
        assert!(check_term(&d("2026-01-01"), &d("2028-12-31")).is_ok(), "three years to the day");
        assert!(check_term(&d("2026-03-15"), &d("2031-03-14")).is_ok(), "five years to the day");
        assert!(check_term(&d("2026-03-15"), &d("2031-03-15")).is_err(), "a day over five years");
        assert!(check_term(&d("2026-01-02"), &d("2028-12-31")).is_err(), "a day short of three years");
        assert!(check_term(&d("2024-01-01"), &d("2025-12-31")).is_err());
        assert!(check_term(&d("2024-01-01"), &d("2030-12-31")).is_err());
        assert!(check_term(&d("2024"), &d("2027")).is_err());
    }
}

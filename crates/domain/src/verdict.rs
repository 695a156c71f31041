//! The proposed end-of-term verdict (总结评估): from the attainment of the plan's targets, the growth of the main
//! indicators over the term, the qualitative assessments of Annex 2 rows 13-15 (from the policy checks) and the
//! timeliness of the annual reports, a proposal of 整改, 撤销 or 后续支持 with every reason listed. The ministry confirms
//! or overrides it in the procedure (rectify / revoke / continue). The thresholds are configuration.

use rust_decimal::Decimal;

use crate::policy::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 整改
    Rectify,
    /// 撤销
    Revoke,
    /// 后续支持
    Continue,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Rectify => "rectify",
            Verdict::Revoke => "revoke",
            Verdict::Continue => "continue",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Rectify => "整改",
            Verdict::Revoke => "撤销",
            Verdict::Continue => "后续支持",
        }
    }
}

/// Where the verdict turns. Attainments are percent; growth rates are fractions per year.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Mean target attainment below this proposes revocation.
    pub revoke_below_attainment: Decimal,
    /// Mean target attainment below this (and not below the revocation line) proposes rectification.
    pub rectify_below_attainment: Decimal,
    /// A main indicator growing slower than this over the term proposes rectification.
    pub min_growth: f64,
    /// More late reports than this proposes rectification.
    pub max_late_reports: u32,
    /// This many missing reports or more proposes revocation; fewer, but any, rectification.
    pub revoke_from_missing_reports: u32,
    /// A qualitative row whose policy score (implemented 1, partial 0.5, not implemented 0) is below this proposes
    /// rectification.
    pub min_policy_score: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            revoke_below_attainment: Decimal::from(60),
            rectify_below_attainment: Decimal::from(90),
            min_growth: 0.0,
            max_late_reports: 1,
            revoke_from_missing_reports: 2,
            min_policy_score: Decimal::new(6, 1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    Late,
    /// Not submitted by its due date.
    Missing,
}

/// What the term's record shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TermRecord {
    /// Mean attainment of the plan's targets (each capped at 100), percent; `None` without targets.
    pub attainment: Option<Decimal>,
    /// Each main indicator and its compound growth over the term, where it can be computed.
    pub growth: Vec<(String, Option<f64>)>,
    /// Each report year whose due date has passed, and how its report came.
    pub reports: Vec<(i32, Timeliness)>,
    /// The findings of the latest check of each policy, by the qualitative row (13, 14 or 15) they inform.
    pub policy_findings: Vec<(u8, Finding)>,
    /// The plan's key tasks as the latest report states them: how many, and how many of them are late.
    pub tasks: Option<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The verdict this reason argues for.
    pub towards: Verdict,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

fn finding_score(finding: Finding) -> Decimal {
    match finding {
        Finding::Implemented => Decimal::ONE,
        Finding::Partial => Decimal::new(5, 1),
        Finding::NotImplemented => Decimal::ZERO,
    }
}

/// The mean policy score of each qualitative row with findings, ascending by row.
pub fn policy_scores(findings: &[(u8, Finding)]) -> Vec<(u8, Decimal)> {
    let mut rows: Vec<u8> = findings.iter().map(|(r, _)| *r).collect();
    rows.sort_unstable();
    rows.dedup();
    rows.into_iter()
        .map(|row| {
            let scores: Vec<Decimal> =
                findings.iter().filter(|(r, _)| *r == row).map(|(_, f)| finding_score(*f)).collect();
            let mean = scores.iter().sum::<Decimal>() / Decimal::from(scores.len());
            (row, mean.round_dp(4).normalize())
        })
        .collect()
}

/// The proposal: revocation when any reason argues for it, else rectification when any does, else continued
/// support. Every reason, for or against, is listed.
pub fn propose(record: &TermRecord, t: &Thresholds) -> Proposal {
    let mut reasons = Vec::new();
    let mut say = |towards: Verdict, text: String| reasons.push(Reason { towards, text });
    match record.attainment {
        None => say(Verdict::Continue, "the plan sets no targets for the year: attainment not assessed".into()),
        Some(a) if a < t.revoke_below_attainment => say(
            Verdict::Revoke,
            format!("targets attained {a}% on average, below the revocation line of {}%", t.revoke_below_attainment),
        ),
        Some(a) if a < t.rectify_below_attainment => {
            say(Verdict::Rectify, format!("targets attained {a}% on average, below {}%", t.rectify_below_attainment))
        }
        Some(a) => say(Verdict::Continue, format!("targets attained {a}% on average")),
    }
    for (indicator, growth) in &record.growth {
        match growth {
            None => say(Verdict::Continue, format!("{indicator}: growth over the term cannot be computed")),
            Some(g) if *g < t.min_growth => say(
                Verdict::Rectify,
                format!("{indicator} grew {:.2}% a year over the term, below {:.2}%", g * 100.0, t.min_growth * 100.0),
            ),
            Some(g) => say(Verdict::Continue, format!("{indicator} grew {:.2}% a year over the term", g * 100.0)),
        }
    }
    let years = |which: Timeliness| -> Vec<String> {
        record.reports.iter().filter(|(_, w)| *w == which).map(|(y, _)| y.to_string()).collect()
    };
    let (late, missing) = (years(Timeliness::Late), years(Timeliness::Missing));
    if missing.len() as u32 >= t.revoke_from_missing_reports {
        say(Verdict::Revoke, format!("annual reports missing for {}", missing.join(", ")));
    } else if !missing.is_empty() {
        say(Verdict::Rectify, format!("annual report missing for {}", missing.join(", ")));
    }
    if late.len() as u32 > t.max_late_reports {
        say(
            Verdict::Rectify,
            format!("annual reports late for {} (at most {} allowed)", late.join(", "), t.max_late_reports),
        );
    }
    if missing.is_empty() && late.len() as u32 <= t.max_late_reports {
        say(Verdict::Continue, format!("{} annual reports due, none missing", record.reports.len()));
    }
    for (row, score) in policy_scores(&record.policy_findings) {
        if score < t.min_policy_score {
            say(
                Verdict::Rectify,
                format!("Annex 2 row {row}: policies implemented {score} on average, below {}", t.min_policy_score),
            );
        } else {
            say(Verdict::Continue, format!("Annex 2 row {row}: policies implemented {score} on average"));
        }
    }
    // 四(三): a plan whose tasks fall behind is rectified; more than a third late is falling behind.
    if let Some((total, late)) = record.tasks.filter(|(total, _)| *total > 0) {
        if late * 3 > total {
            say(Verdict::Rectify, format!("{late} of the plan's {total} key tasks are late"));
        } else {
            say(Verdict::Continue, format!("{late} of the plan's {total} key tasks are late"));
        }
    }
    let argues = |v: Verdict| reasons.iter().any(|r| r.towards == v);
    let verdict = if argues(Verdict::Revoke) {
        Verdict::Revoke
    } else if argues(Verdict::Rectify) {
        Verdict::Rectify
    } else {
        Verdict::Continue
    };
    Proposal { verdict, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> TermRecord {
        TermRecord {
            attainment: Some(Decimal::from(95)),
            growth: vec![("contract_turnover".into(), Some(0.12))],
            reports: vec![(2027, Timeliness::OnTime), (2028, Timeliness::Late)],
            policy_findings: vec![(14, Finding::Implemented), (14, Finding::Partial)],
            tasks: Some((6, 1)),
        }
    }

    #[test]
    fn a_good_term_earns_continued_support_with_its_reasons() {
        let p = propose(&good(), &Thresholds::default());
        assert_eq!(p.verdict, Verdict::Continue);
        assert!(p.reasons.iter().all(|r| r.towards == Verdict::Continue));
        assert!(p.reasons.iter().any(|r| r.text == "Annex 2 row 14: policies implemented 0.75 on average"));
        assert!(p.reasons.iter().any(|r| r.text == "contract_turnover grew 12.00% a year over the term"));
    }

    #[test]
    fn each_shortfall_argues_its_way_and_the_gravest_wins() {
        let t = Thresholds::default();
        let low = TermRecord { attainment: Some(Decimal::from(80)), ..good() };
        assert_eq!(propose(&low, &t).verdict, Verdict::Rectify);
        let shrinking = TermRecord { growth: vec![("contract_turnover".into(), Some(-0.02))], ..good() };
        assert_eq!(propose(&shrinking, &t).verdict, Verdict::Rectify);
        let behind = TermRecord { tasks: Some((6, 3)), ..good() };
        assert_eq!(propose(&behind, &Thresholds::default()).verdict, Verdict::Rectify, "half the tasks late");
        let weak = TermRecord { policy_findings: vec![(13, Finding::NotImplemented)], ..good() };
        assert_eq!(propose(&weak, &t).verdict, Verdict::Rectify);
        let one_missing = TermRecord { reports: vec![(2027, Timeliness::Missing)], ..good() };
        assert_eq!(propose(&one_missing, &t).verdict, Verdict::Rectify);
        let two_missing =
            TermRecord { reports: vec![(2027, Timeliness::Missing), (2028, Timeliness::Missing)], ..shrinking };
        let p = propose(&two_missing, &t);
        assert_eq!(p.verdict, Verdict::Revoke);
        assert!(p.reasons.iter().any(|r| r.towards == Verdict::Rectify), "the lesser reasons are listed too");
        let failing = TermRecord { attainment: Some(Decimal::from(40)), ..good() };
        assert_eq!(propose(&failing, &t).verdict, Verdict::Revoke);
    }

    #[test]
    fn thresholds_are_configuration() {
        let strict = Thresholds { rectify_below_attainment: Decimal::from(99), ..Thresholds::default() };
        assert_eq!(propose(&good(), &strict).verdict, Verdict::Rectify);
        let lenient = Thresholds { max_late_reports: 0, ..Thresholds::default() };
        assert_eq!(propose(&good(), &lenient).verdict, Verdict::Rectify, "one late report is too many at 0");
    }
}

//! The indicator system of the guideline's Annex 2 (附件2 国家科技成果转化示范区建设指标体系).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::ParseError;

fn snake_identifier(what: &str, s: &str) -> Result<String, ParseError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_lowercase()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(ParseError(format!("'{s}' is not a valid {what} (lower-case snake_case, at most 64 characters)")))
    }
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                snake_identifier($what, s).map($name)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

identifier!(
    /// The stable code of an indicator (`contract_turnover`), used by the API, files and tests.
    IndicatorCode,
    "indicator code"
);
identifier!(
    /// A data element: a raw quantity reported per division and year (`contract_turnover_yuan`).
    ElementCode,
    "data element code"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorKind {
    /// Counted: factor × Σ numerator / Σ denominator over an area's divisions.
    Quantitative,
    /// Assessed against a rubric (Annex 2 rows 13-15), not counted.
    Qualitative,
    /// Defined by each zone in its plan (Annex 2 row 16).
    Featured,
}

impl IndicatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Quantitative => "quantitative",
            IndicatorKind::Qualitative => "qualitative",
            IndicatorKind::Featured => "featured",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s {
            "quantitative" => Ok(IndicatorKind::Quantitative),
            "qualitative" => Ok(IndicatorKind::Qualitative),
            "featured" => Ok(IndicatorKind::Featured),
            _ => Err(ParseError(format!("'{s}' is not an indicator kind (quantitative, qualitative, featured)"))),
        }
    }
}

/// Whether more is better (`+`) or less is better (`-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s {
            "+" => Ok(Direction::HigherIsBetter),
            "-" => Ok(Direction::LowerIsBetter),
            _ => Err(ParseError(format!("'{s}' is not a direction (+ or -)"))),
        }
    }

    pub fn sign(self) -> i8 {
        match self {
            Direction::HigherIsBetter => 1,
            Direction::LowerIsBetter => -1,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "+",
            Direction::LowerIsBetter => "-",
        }
    }
}

/// One row of Annex 2. Names, categories and units are kept exactly as the guideline prints them.
///
/// The formula fields are consistent with the kind: a quantitative indicator has a numerator, a factor and a
/// direction; a qualitative one has a direction and no formula; a featured one has neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub seq: u8,
    pub code: IndicatorCode,
    pub category_zh: String,
    pub category_en: String,
    pub name_zh: String,
    pub unit_zh: String,
    pub name_en: String,
    pub unit_en: String,
    pub kind: IndicatorKind,
    pub numerator: Option<ElementCode>,
    pub denominator: Option<ElementCode>,
    pub factor: Option<Decimal>,
    pub direction: Option<Direction>,
}

impl Indicator {
    /// Checks that the formula fields fit the kind; returns the first misfit, naming the field.
    pub fn check_formula(&self) -> Result<(), ParseError> {
        let misfit = |field: &str, should: &str| {
            Err(ParseError(format!("{}: a {} indicator {should} {field}", self.code, self.kind.as_str())))
        };
        match self.kind {
            IndicatorKind::Quantitative => {
                if self.numerator.is_none() {
                    return misfit("numerator", "needs a");
                }
                if self.factor.is_none() {
                    return misfit("factor", "needs a");
                }
                if self.direction.is_none() {
                    return misfit("direction", "needs a");
                }
            }
            IndicatorKind::Qualitative | IndicatorKind::Featured => {
                if self.numerator.is_some() || self.denominator.is_some() {
                    return misfit("numerator or denominator", "has no");
                }
                if self.factor.is_some() {
                    return misfit("factor", "has no");
                }
            }
        }
        if self.factor.is_some_and(|f| f <= Decimal::ZERO) {
            return Err(ParseError(format!("{}: the factor must be positive", self.code)));
        }
        Ok(())
    }
}

/// A zone's own featured indicator (Annex 2 row 16, 特色指标), defined in its plan: measured as a ratio of data
/// elements, as the Annex 2 rows are, or stated directly in each annual report; with its targets per year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturedIndicator {
    pub code: IndicatorCode,
    pub name_zh: String,
    pub unit_zh: String,
    pub direction: Direction,
    pub measure: FeaturedMeasure,
    pub targets: Vec<(i32, Decimal)>,
}

/// How a featured indicator is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeaturedMeasure {
    /// `numerator / denominator × factor` over the data elements.
    Ratio { numerator: ElementCode, denominator: Option<ElementCode>, factor: Decimal },
    /// The zone states the value in its annual report, as a zone-level value of the element named like the
    /// indicator ([`FeaturedIndicator::reported_element`]).
    Reported,
}

impl FeaturedIndicator {
    /// The element a reported indicator's values are stored under: its own code, which is a valid element code
    /// since both are snake-case identifiers.
    pub fn reported_element(&self) -> Option<ElementCode> {
        matches!(self.measure, FeaturedMeasure::Reported).then(|| ElementCode(self.code.0.clone()))
    }

    /// The indicator as the Annex 2 rows are computed: row 16, quantitative; a reported one is its element as is.
    pub fn as_indicator(&self) -> Indicator {
        let (numerator, denominator, factor) = match &self.measure {
            FeaturedMeasure::Ratio { numerator, denominator, factor } => {
                (numerator.clone(), denominator.clone(), *factor)
            }
            FeaturedMeasure::Reported => (ElementCode(self.code.0.clone()), None, Decimal::ONE),
        };
        Indicator {
            seq: 16,
            code: self.code.clone(),
            category_zh: "特色指标".into(),
            category_en: "Featured".into(),
            name_zh: self.name_zh.clone(),
            unit_zh: self.unit_zh.clone(),
            name_en: self.name_zh.clone(),
            unit_en: self.unit_zh.clone(),
            kind: IndicatorKind::Quantitative,
            numerator: Some(numerator),
            denominator,
            factor: Some(factor),
            direction: Some(self.direction),
        }
    }

    pub fn target(&self, year: i32) -> Option<Decimal> {
        self.targets.iter().find(|(y, _)| *y == year).map(|(_, t)| *t)
    }
}

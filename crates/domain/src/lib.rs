//! The domain of TTDZ: the words of the guideline (国科发创〔2017〕304号) as types.
//!
//! Every type here can only hold a valid value: a [`DivisionCode`] is six digits of GB/T 2260 shape, a
//! [`DivisionSet`] is a tree whose every parent exists, a [`ReferenceData`] has zones whose members are all
//! divisions. This crate knows nothing of HTTP, SQL or files on disk: it parses text it is given.

pub mod account;
pub mod achievement;
pub mod assessment;
pub mod audit;
pub mod clock;
pub mod contract;
pub mod counted;
pub mod date;
pub mod division;
pub mod document;
pub mod element;
pub mod figure;
pub mod indicator;
pub mod lifecycle;
pub mod limits;
pub mod listing;
pub mod measure;
pub mod policy;
pub mod reference;
pub mod register;
pub mod registration;
pub mod report;
pub mod reward;
pub mod verdict;
pub mod zone;

pub use clock::Clock;
pub use date::PartialDate;
pub use division::{Division, DivisionCode, DivisionSet, DivisionTree, Level, Vintage};
pub use figure::PublishedFigure;
pub use indicator::{
    Direction, ElementCode, FeaturedIndicator, FeaturedMeasure, Indicator, IndicatorCode, IndicatorKind,
};
pub use reference::{CensusPopulation, Dataset, ReferenceData, ReferenceError};
pub use zone::{Zone, ZoneKey};

/// A value that failed to parse into a domain type: says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

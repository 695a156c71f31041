//! Reading data files into TTDZ. Every row is checked; every problem is reported with its file, line and field;
//! nothing here writes to a store: the result is a `ttdz_store::Batch` that the caller stores whole, or not at all.
//!
//! - [`values`]: long-format values (`division_code|zone_key, year, element, value[, unit][, source]`).
//! - [`contracts`]: technology-contract registry micro-data, rolled up while streaming, on all cores.
//! - [`panel`]: the demo's synthetic panel of every other data element, from a documented seeded model.

pub mod contracts;
pub mod panel;
mod problems;
mod rng;
mod text;
pub mod values;

pub use problems::{Problem, Problems, Rejects};
pub use text::Encoding;

/// Why a file could not be read at all (as opposed to rows that failed their checks).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {file}: {source}")]
    Io { file: String, source: std::io::Error },
    /// The file's rows failed their checks: nothing may be stored.
    #[error("{0}")]
    Invalid(Problems),
}

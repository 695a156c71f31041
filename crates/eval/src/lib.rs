//! The evaluation engine: a composite-indicator pipeline over a panel of units × indicators, with a tree of
//! aggregates (indicators → pillars → … → index), as COINr and the JRC/OECD Handbook on Constructing Composite
//! Indicators build it. Steps: denominate, impute, screen, treat, normalise, aggregate; results are the score and
//! rank of every unit at every aggregate.
//!
//! Statistics here are binary floating point, as in every statistical package it is compared with; exact decimals
//! stop at the edge of this crate.

mod config;
mod input;
mod pipeline;
pub mod stats;
mod uncertainty;

pub use config::{Aggregation, Config, Fallback, Imputation, Normalisation, Treatment};
pub use input::{Meta, MetaNode, NodeKind, Panel};
pub use pipeline::{Results, Score, evaluate};
pub use uncertainty::{Sensitivity, Uncertainty, UncertaintyReport, UnitUncertainty, analyse};

/// Why an evaluation could not run. Each names the file, line, node or setting at fault; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{file}:{line}: {message}")]
    Input { file: String, line: u64, message: String },
    #[error("config: {0}")]
    Config(String),
    #[error("tree: {0}")]
    Tree(String),
    #[error("{0}")]
    Method(String),
}

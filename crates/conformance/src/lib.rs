//! The store conformance suite: every case takes a freshly migrated `&dyn Store` and must pass unchanged on every
//! backend. `tests/conformance.rs` runs each case on SQLite and on PostgreSQL.
//!
//! [`backends`] makes those fresh stores; other crates' tests use it to run the real application on either backend.

pub mod backends;
pub mod cases;

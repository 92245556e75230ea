//! The jx555 engine: a checked pack and the facts in, award lines out. Pure: no IO, same inputs give the
//! same lines anywhere.
//!
//! ```text
//! ir::Pack ──┐
//! FactIndex ─┼─> evaluate(year) ─> rule by rule (in parallel):  conditions narrow the subjects column by
//! Ledger ────┘                      column, amounts run in the order the pack states (award, scale, cap)
//!                                 ─> settle: once / 连续N年 / 就高不重复 (补差) / caps per key / 市区共担
//!                                 ─> Run { lines, stats, principles }
//! explain(subject, rule) ─> every condition, the facts it read, the distance to a threshold
//! what_if(overrides)     ─> the difference to the baseline by rule, lead department, county and fund
//! summary::totals(run, by) ─> the run's figures by one key: what every report and page shows
//! ```
//!
//! Every expression is evaluated over whole Arrow columns at once ([`eval`]); numbers are exact
//! fixed-point decimals ([`col`]); money leaves the engine as integer fen.
#![forbid(unsafe_code)]

pub mod col;
pub mod eval;
pub mod exact;
pub mod explain;
pub mod facts;
pub mod key;
pub mod ledger;
pub mod params;
pub mod review;
pub mod run;
pub mod summary;
pub mod targets;
pub mod whatif;

pub use facts::FactIndex;
pub use ledger::{Ledger, LedgerEntry};
pub use params::Override;
pub use run::{AwardLine, Decisions, LineMode, Request, Run, Status, evaluate, evaluate_decided};

/// Why an evaluation could not be done. Nothing partial is returned with an error.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The year is outside a pack's validity window.
    #[error("pack {pack} is in force from {from} to {until}; {year} is outside that window")]
    OutsideValidity {
        /// The pack.
        pack: String,
        /// The year asked for.
        year: i32,
        /// First day.
        from: String,
        /// Last day.
        until: String,
    },
    /// A rule reads a column the facts do not have.
    #[error("table {table} has no column {column}, which rule {rule} reads")]
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The rule.
        rule: String,
    },
    /// A table, column or row of the facts is wrong.
    #[error("table {table}{}{}: {message}", .row.map(|r| format!(", row {}", r + 1)).unwrap_or_default(), .column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    Data {
        /// The table.
        table: String,
        /// The row (0-based; shown 1-based).
        row: Option<usize>,
        /// The column.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A what-if override is wrong.
    #[error("what-if: {0}")]
    Override(String),
    /// The subject asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A computation failed (an overflow) in a rule.
    #[error("rule {rule}: {message}")]
    Compute {
        /// The rule.
        rule: String,
        /// What failed.
        message: String,
    },
    /// An amount beyond what a fen amount holds (±92,233,720,368,547.75元): an error, never a
    /// saturated or wrapped figure.
    #[error(
        "rule {rule}, record {subject}: {what} is beyond what jx555 can pay (at most 92,233,720,368,547.75元)"
    )]
    Overflow {
        /// The rule.
        rule: String,
        /// The record.
        subject: String,
        /// Which amount.
        what: String,
    },
    /// A fault of the engine itself; the checker should have made it impossible.
    #[error("internal error: {0}")]
    Internal(String),
}

impl EngineError {
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        EngineError::Internal(message.into())
    }

    pub(crate) fn data(
        table: &str,
        row: Option<usize>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        EngineError::Data {
            table: table.to_string(),
            row,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }

    pub(crate) fn missing_column(table: &str, column: &str) -> Self {
        EngineError::MissingColumn {
            table: table.to_string(),
            column: column.to_string(),
            rule: String::new(),
        }
    }

    /// Names the rule an error happened in.
    pub(crate) fn in_rule(self, rule: &str) -> Self {
        match self {
            EngineError::MissingColumn { table, column, .. } => EngineError::MissingColumn {
                table,
                column,
                rule: rule.to_string(),
            },
            EngineError::Internal(message) => EngineError::Compute {
                rule: rule.to_string(),
                message,
            },
            other => other,
        }
    }
}

impl From<arrow::error::ArrowError> for EngineError {
    fn from(e: arrow::error::ArrowError) -> Self {
        EngineError::Internal(e.to_string())
    }
}

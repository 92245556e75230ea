//! Persistence for jx555: the facts, the award ledger and every evaluation run.
//!
//! ```text
//! Dataset ─> Store::replace_facts (one transaction; all or nothing) ─> Store::facts ─> Dataset ─> engine
//! Run ─────> Store::save_run (packs with versions and hashes, facts hash, year, overrides, lines)
//! Store::approve(run) ─> ledger entries (once per run, one approved run per year, refused when the
//!                        facts or the earlier years' ledger changed since the run) ─> Store::ledger
//! ```
//!
//! Accounts, sessions and API tokens ([`accounts`]) live in the same store.
//!
//! Every change (import, run, approval, account, login) appends an entry to the hash-chained audit log ([`audit`]) in
//! its own transaction.
//!
//! Callers see the [`Store`] trait; [`sqlite::SqliteStore`] is the embedded default (one file, WAL,
//! foreign keys on, migrations). A PostgreSQL backend implements the same trait.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod desk;
pub mod desk_demo;
pub mod sqlite;

use jx555_engine::{AwardLine, Ledger, Override, Run};
use jx555_facts::Dataset;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Why the store could not do what was asked. The store is unchanged after any error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no (or could not be opened).
    #[error("database {path}: {message}")]
    Database {
        /// The database.
        path: String,
        /// What it said.
        message: String,
    },
    /// A run id that does not exist.
    #[error("there is no run #{0}; `jx555 runs` lists them")]
    NoRun(i64),
    /// A run that was already approved.
    #[error("run #{0} was already approved on {1}; a run can be approved once")]
    AlreadyApproved(i64, String),
    /// Another run of the same year is approved: approving this one would pay twice.
    #[error(
        "run #{other} of {year} is already approved; approving run #{run} too would pay the year twice"
    )]
    YearApproved {
        /// The run asked for.
        run: i64,
        /// The approved run.
        other: i64,
        /// The year.
        year: i32,
    },
    /// An import was stopped before it finished; nothing of it was kept.
    #[error("the import was stopped; the store is as it was")]
    Aborted,
    /// A what-if run is a simulation, not a payout.
    #[error(
        "run #{0} is a what-if (it changes parameters); only a run under the packs as written can be approved"
    )]
    WhatIf(i64),
    /// The run was computed on facts or a ledger that have changed since: approving it could pay on
    /// old facts or pay again what an earlier year's approval already paid.
    #[error(
        "run #{run} of {year} cannot be approved: {what}; evaluate {year} again and approve the new run"
    )]
    Stale {
        /// The run.
        run: i64,
        /// Its year.
        year: i32,
        /// What changed.
        what: String,
    },
    /// An account name that is not there.
    #[error("there is no account {0:?}; `jx555 user list` lists them")]
    NoAccount(String),
    /// An account name already taken.
    #[error("an account {0:?} already exists")]
    AccountExists(String),
    /// A case number that is not there.
    #[error("there is no case #{0}")]
    NoCase(i64),
    /// The case changed since it was read: the action was not recorded.
    #[error("case #{0} was changed by someone else meanwhile; look again and retry")]
    CaseChanged(i64),
    /// A run released already, or another run of its year.
    #[error("{0}")]
    Release(String),
    /// The award case's rules refuse the step (`jx555_workflow::case`), with the reason.
    #[error("{0}")]
    Refused(String),
    /// A token number that is not there, or was revoked already.
    #[error("there is no live API token #{0}; `jx555 token list` lists them")]
    NoToken(i64),
    /// The store holds no facts yet.
    #[error("the store holds no facts yet; run `jx555 import <folder>` or `jx555 demo` first")]
    NoFacts,
}

/// The facts held, as of their import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsInfo {
    /// SHA-256 of the facts in the canonical CSV form: the same facts, the same hash.
    pub hash: String,
    /// How many enterprises.
    pub enterprises: usize,
    /// When they were imported (UTC, ISO 8601).
    pub imported_at: String,
}

/// A pack as a run used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    /// The pack's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// SHA-256 of its files, so a changed pack is seen even under the same version.
    pub hash: String,
}

/// What a run was, without its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run's number.
    pub id: i64,
    /// The year evaluated.
    pub year: i32,
    /// The packs evaluated together.
    pub packs: Vec<PackRef>,
    /// The facts' hash.
    pub facts_hash: String,
    /// What-if overrides (empty for a real payout).
    pub overrides: Vec<Override>,
    /// When it ran (UTC, ISO 8601).
    pub created_at: String,
    /// Total payable, in fen.
    pub total: i64,
    /// How many lines.
    pub lines: usize,
    /// When it was approved, if it was.
    pub approved_at: Option<String>,
    /// Values it fixed for parameters the document leaves open (市区共担's shares): the policy as
    /// paid, not a what-if.
    pub settings: Vec<Override>,
}

/// A run to store.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    /// The packs.
    pub packs: Vec<PackRef>,
    /// The facts' hash.
    pub facts_hash: String,
    /// What-if overrides.
    pub overrides: Vec<Override>,
    /// Values fixed for parameters the document leaves open ([`RunInfo::settings`]).
    pub settings: Vec<Override>,
    /// The ledger the run was computed on (the whole ledger; the entries of earlier years count):
    /// approval refuses the run when it has changed since.
    pub ledger: &'a Ledger,
    /// The result.
    pub run: &'a Run,
}

/// A digest of the ledger as a run of `year` sees it (the entries of earlier years, in the order they
/// were written): what approval compares to refuse a stale run.
pub fn ledger_state(ledger: &Ledger, year: i32) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for e in ledger.entries().iter().filter(|e| e.year < year) {
        let fields = [
            e.year.to_string(),
            e.pack.clone(),
            e.rule.clone(),
            e.subject.clone(),
            e.exclusive.clone().unwrap_or_default(),
            e.cap_keys.join("\u{1f}"),
            e.amount.to_string(),
        ];
        for f in fields {
            h.update(f.len().to_le_bytes());
            h.update(f.as_bytes());
        }
    }
    format!("{:x}", h.finalize())
}

/// Progress of a long operation: done and total rows. Returning `Break` stops it, and nothing of it is kept.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize) -> ControlFlow<()>;

/// Where jx555 keeps its data.
pub trait Store: accounts::Accounts + calendar::Calendars + cases::Cases + desk::Desk {
    /// Replaces all facts by `data`, in one transaction.
    fn replace_facts(
        &mut self,
        data: &Dataset,
        progress: Progress<'_>,
    ) -> Result<FactsInfo, StoreError>;
    /// The facts held, or `None` before the first import.
    fn facts(&self) -> Result<Option<(Dataset, FactsInfo)>, StoreError>;
    /// Which facts are held (their hash, size, import time), without reading them: how a reader
    /// sees that an import replaced them.
    fn facts_info(&self) -> Result<Option<FactsInfo>, StoreError>;
    /// Stores a run and returns its number.
    fn save_run(&mut self, run: &NewRun<'_>) -> Result<i64, StoreError>;
    /// A stored run with its lines.
    fn run(&self, id: i64) -> Result<(RunInfo, Run), StoreError>;
    /// A stored run's record, without its lines.
    fn run_info(&self, id: i64) -> Result<RunInfo, StoreError>;
    /// A page of a stored run's lines, in order: `limit` lines from `offset` (a page shows a few
    /// hundred of a run's tens of thousands without decoding the rest).
    fn run_lines(&self, id: i64, offset: usize, limit: usize)
    -> Result<Vec<AwardLine>, StoreError>;
    /// Every run, newest first.
    fn runs(&self) -> Result<Vec<RunInfo>, StoreError>;
    /// Records a run's paying lines in the ledger; returns how many.
    fn approve(&mut self, id: i64) -> Result<usize, StoreError>;
    /// The ledger: every payment (a case paid, or a run approved before cases existed).
    fn ledger(&self) -> Result<Ledger, StoreError>;
    /// The ledger's entries with where each payment is recorded (`case:12 batch:3 voucher:…`, or
    /// `approved run`), in the order written.
    fn payments(&self) -> Result<Vec<(jx555_engine::LedgerEntry, String)>, StoreError>;
    /// Who the following changes are made by: each change appends an audit entry naming them, in the
    /// change's own transaction.
    fn set_actor(&mut self, actor: audit::Actor);
    /// The audit log's entries that pass the filter, in order.
    fn audit(&self, filter: &audit::AuditFilter) -> Result<Vec<audit::AuditEntry>, StoreError>;
    /// The audit log recomputed from its first entry: its checkpoint, or the first entry that does
    /// not match.
    fn verify_audit(&self) -> Result<Result<audit::Checkpoint, audit::Break>, StoreError>;
}

/// Now, as UTC ISO 8601 (seconds).
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i32::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let date = jx555_lang::types::Date::from_days(days);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

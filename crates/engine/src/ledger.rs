//! The award ledger: what was granted in earlier years. Once-only, 连续N年, 就高不重复 with 补差 and caps
//! per key all read it; an approved run adds to it.

use crate::run::Run;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One granted award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The year of the run that granted it.
    pub year: i32,
    /// The pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// The record it was granted for.
    pub subject: String,
    /// The exclusivity group and key, if the rule has one.
    pub exclusive: Option<String>,
    /// The caps per key it counts against.
    pub cap_keys: Vec<String>,
    /// The amount granted, in fen.
    pub amount: i64,
}

/// The awards granted before the year being evaluated, indexed for the lookups a run makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    first: HashMap<(String, String, String), i32>,
    by_key: HashMap<String, i64>,
    by_cap: HashMap<String, i64>,
    /// The latest year among the entries that count.
    latest: Option<i32>,
}

impl Ledger {
    /// A ledger of entries, all of which count.
    pub fn new(entries: Vec<LedgerEntry>) -> Self {
        Self::indexed(entries, None)
    }

    /// The same ledger seen from a year: only entries of earlier years count.
    pub fn before(&self, year: i32) -> Ledger {
        Self::indexed(self.entries.clone(), Some(year))
    }

    fn indexed(entries: Vec<LedgerEntry>, before: Option<i32>) -> Self {
        let mut first: HashMap<(String, String, String), i32> = HashMap::new();
        let mut by_key: HashMap<String, i64> = HashMap::new();
        let mut by_cap: HashMap<String, i64> = HashMap::new();
        let mut latest: Option<i32> = None;
        for e in entries.iter().filter(|e| before.is_none_or(|y| e.year < y)) {
            latest = latest.max(Some(e.year));
            if e.amount > 0 {
                let y = first
                    .entry((e.pack.clone(), e.rule.clone(), e.subject.clone()))
                    .or_insert(e.year);
                *y = (*y).min(e.year);
            }
            if let Some(k) = &e.exclusive {
                *by_key.entry(k.clone()).or_insert(0) += e.amount;
            }
            for k in &e.cap_keys {
                *by_cap.entry(k.clone()).or_insert(0) += e.amount;
            }
        }
        Self {
            entries,
            first,
            by_key,
            by_cap,
            latest,
        }
    }

    /// The ledger as a run of `year` sees it: only earlier years count. Borrowed when nothing of
    /// `year` or later counts already (the common case), so `evaluate` can always apply it.
    pub fn seen_from(&self, year: i32) -> std::borrow::Cow<'_, Ledger> {
        match self.latest {
            Some(y) if y >= year => std::borrow::Cow::Owned(self.before(year)),
            _ => std::borrow::Cow::Borrowed(self),
        }
    }

    /// Every entry.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// The first year a rule granted a record anything.
    pub fn first_year(&self, pack: &str, rule: &str, subject: &str) -> Option<i32> {
        if self.first.is_empty() {
            return None;
        }
        self.first
            .get(&(pack.to_string(), rule.to_string(), subject.to_string()))
            .copied()
    }

    /// What was granted for an exclusivity group and key.
    pub fn paid_for_key(&self, key: &str) -> i64 {
        self.by_key.get(key).copied().unwrap_or(0)
    }

    /// What was granted against a cap per key.
    pub fn paid_for_cap(&self, key: &str) -> i64 {
        self.by_cap.get(key).copied().unwrap_or(0)
    }

    /// The entries a run adds when it is approved: every line that pays something.
    pub fn entries_of(run: &Run) -> Vec<LedgerEntry> {
        run.lines
            .iter()
            .filter(|l| l.payable > 0)
            .map(|l| LedgerEntry {
                year: run.year,
                pack: l.rule.pack.clone(),
                rule: l.rule.id.clone(),
                subject: l.subject.clone(),
                exclusive: l.exclusive.clone(),
                cap_keys: l.cap_keys.iter().map(|c| c.key.clone()).collect(),
                amount: l.payable,
            })
            .collect()
    }
}

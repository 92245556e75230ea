//! The award ledger: what was granted in earlier years. Once-only, 连续N年, 就高不重复 with 补差 and caps
//! per key all read it; an approved run adds to it.

use crate::run::Run;
use serde::{Deserialize, Serialize};

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

/// The awards granted before the year being evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    before: Option<i32>,
}

impl Ledger {
    /// A ledger of entries.
    pub fn new(entries: Vec<LedgerEntry>) -> Self {
        Self {
            entries,
            before: None,
        }
    }

    /// The same ledger seen from a year: only entries of earlier years count.
    pub fn before(&self, year: i32) -> Ledger {
        Ledger {
            entries: self.entries.clone(),
            before: Some(year),
        }
    }

    /// Every entry.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    fn visible(&self) -> impl Iterator<Item = &LedgerEntry> {
        let before = self.before;
        self.entries
            .iter()
            .filter(move |e| before.is_none_or(|y| e.year < y))
    }

    /// The first year a rule granted a record anything.
    pub fn first_year(&self, pack: &str, rule: &str, subject: &str) -> Option<i32> {
        self.visible()
            .filter(|e| e.pack == pack && e.rule == rule && e.subject == subject && e.amount > 0)
            .map(|e| e.year)
            .min()
    }

    /// What was granted for an exclusivity group and key.
    pub fn paid_for_key(&self, key: &str) -> i64 {
        self.visible()
            .filter(|e| e.exclusive.as_deref() == Some(key))
            .map(|e| e.amount)
            .sum()
    }

    /// What was granted against a cap per key.
    pub fn paid_for_cap(&self, key: &str) -> i64 {
        self.visible()
            .filter(|e| e.cap_keys.iter().any(|k| k == key))
            .map(|e| e.amount)
            .sum()
    }

    /// The entries a run adds when it is approved: every line that pays something.
    pub fn entries_of(run: &Run) -> Vec<LedgerEntry> {
        run.lines
            .iter()
            .filter(|l| l.payable > 0)
            .map(|l| LedgerEntry {
                year: run.year,
                pack: l.pack.clone(),
                rule: l.rule.clone(),
                subject: l.subject.clone(),
                exclusive: l.exclusive.clone(),
                cap_keys: l.cap_keys.iter().map(|c| c.key.clone()).collect(),
                amount: l.payable,
            })
            .collect()
    }
}

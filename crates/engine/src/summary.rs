//! A run's figures by one key: the only place totals and comparisons of runs are made, so the CLI,
//! the XLSX, the pages and the API show the same numbers.
//!
//! Every view but one is **additive**: each line counts under exactly one key, so the totals add up to
//! the run's total. [`By::Participating`] (参与单位: every department a rule names, 31 of the 33 Jiaxing
//! rules name two or more) counts a line under each of them and does not add up; whoever shows it
//! says so. The lead department (牵头单位) is the first a rule names.

use crate::run::{AwardLine, LineMode, Run, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// What lines are totalled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The rule (pack and id). Additive.
    Rule,
    /// The lead department (牵头单位), the first a rule names. Additive.
    LeadDepartment,
    /// The county of the enterprise, park or organisation; none for city-level units. Additive.
    County,
    /// The fund (专项资金). Additive.
    Fund,
    /// Where the line stands (payable, flagged for review, superseded …). Additive.
    Standing,
    /// The record awarded. Additive.
    Subject,
    /// Every department a rule names (参与单位). **Not additive**: a line counts under each.
    Participating,
}

impl By {
    /// Every view.
    pub const ALL: [By; 7] = [
        By::Rule,
        By::LeadDepartment,
        By::County,
        By::Fund,
        By::Standing,
        By::Subject,
        By::Participating,
    ];

    /// Whether the totals of this view add up to the run's total.
    pub fn additive(self) -> bool {
        self != By::Participating
    }

    /// The keys a line counts under (one, except for [`By::Participating`]).
    pub fn keys(self, l: &AwardLine) -> Vec<Key> {
        match self {
            By::Rule => vec![Key::Rule {
                pack: l.rule.pack.clone(),
                id: l.rule.id.clone(),
                title: l.rule.title.clone(),
                clause: l.rule.citation.clause.clone(),
            }],
            By::LeadDepartment => vec![Key::Department(l.rule.departments.first().cloned())],
            By::County => vec![Key::County(l.county.clone())],
            By::Fund => vec![Key::Fund(l.rule.fund.clone())],
            By::Standing => vec![Key::Standing(l.standing())],
            By::Subject => vec![Key::Subject(l.subject.clone())],
            By::Participating => match l.rule.departments.is_empty() {
                true => vec![Key::Department(None)],
                false => l
                    .rule
                    .departments
                    .iter()
                    .map(|d| Key::Department(Some(d.clone())))
                    .collect(),
            },
        }
    }
}

/// Where a line stands, as one word: its status, with a flagged line's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// To be paid.
    Payable,
    /// Flagged: decided by review up to a cap.
    Review,
    /// Flagged: 一事一议.
    CaseByCase,
    /// Flagged: the document fixes no amount.
    Pending,
    /// Flagged: a fact the amount needs is missing.
    MissingData,
    /// 就高不重复: another line is higher.
    Superseded,
    /// Paid in an earlier year.
    AlreadyPaid,
    /// 连续N年 over.
    Expired,
    /// A cap per key used up.
    CapReached,
}

impl Standing {
    /// Its stable identifier, as serialized.
    pub fn id(self) -> &'static str {
        match self {
            Standing::Payable => "payable",
            Standing::Review => "review",
            Standing::CaseByCase => "case_by_case",
            Standing::Pending => "pending",
            Standing::MissingData => "missing_data",
            Standing::Superseded => "superseded",
            Standing::AlreadyPaid => "already_paid",
            Standing::Expired => "expired",
            Standing::CapReached => "cap_reached",
        }
    }
}

impl AwardLine {
    /// Where the line stands, as one word.
    pub fn standing(&self) -> Standing {
        match (&self.status, &self.mode) {
            (Status::Payable, _) => Standing::Payable,
            (Status::Flagged, LineMode::Review { .. }) => Standing::Review,
            (Status::Flagged, LineMode::CaseByCase) => Standing::CaseByCase,
            (Status::Flagged, LineMode::Pending { .. }) => Standing::Pending,
            (Status::Flagged, LineMode::Automatic) => Standing::MissingData,
            (Status::Superseded { .. }, _) => Standing::Superseded,
            (Status::AlreadyPaid, _) => Standing::AlreadyPaid,
            (Status::Expired, _) => Standing::Expired,
            (Status::CapReached, _) => Standing::CapReached,
        }
    }
}

/// One key of a view. `None` is a line with no county (a city-level unit), no fund or no department.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum Key {
    /// A rule: pack and id identify it; the title and clause are for reading.
    Rule {
        /// The pack.
        pack: String,
        /// The rule's id.
        id: String,
        /// The rule's title.
        title: Option<String>,
        /// The clause.
        clause: String,
    },
    /// A department.
    Department(Option<String>),
    /// A county.
    County(Option<String>),
    /// A fund.
    Fund(Option<String>),
    /// A standing.
    Standing(Standing),
    /// A record.
    Subject(String),
}

impl Key {
    /// The key as one stable identifier (`pack/rule` for a rule, the name otherwise, empty for none):
    /// what tools match on; people read the labels of `jx555_report`.
    pub fn id(&self) -> String {
        match self {
            Key::Rule { pack, id, .. } => format!("{pack}/{id}"),
            Key::Department(x) | Key::County(x) | Key::Fund(x) => x.clone().unwrap_or_default(),
            Key::Standing(s) => s.id().to_string(),
            Key::Subject(s) => s.clone(),
        }
    }
}

/// The total of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The key.
    pub key: Key,
    /// Lines counted under it.
    pub lines: usize,
    /// Of them, lines that pay something.
    pub paying: usize,
    /// What they pay, in fen.
    pub payable: i64,
}

/// The totals of a run by one key, in key order.
pub fn totals(run: &Run, by: By) -> Vec<Total> {
    let mut m: BTreeMap<Key, Total> = BTreeMap::new();
    for l in &run.lines {
        for key in by.keys(l) {
            let t = m.entry(key.clone()).or_insert(Total {
                key,
                lines: 0,
                paying: 0,
                payable: 0,
            });
            t.lines += 1;
            t.paying += usize::from(l.payable > 0);
            t.payable += l.payable;
        }
    }
    m.into_values().collect()
}

/// The change of one key's total between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The key.
    pub key: Key,
    /// In the first run (the baseline), in fen.
    pub baseline: i64,
    /// In the second run (the variant), in fen.
    pub variant: i64,
    /// variant − baseline.
    pub change: i64,
}

/// Two runs' totals by one key side by side, in key order; keys of either run appear.
pub fn compare(a: &Run, b: &Run, by: By) -> Vec<Change> {
    let mut m: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for (i, run) in [a, b].into_iter().enumerate() {
        for t in totals(run, by) {
            let e = m.entry(t.key).or_default();
            if i == 0 {
                e.0 = t.payable
            } else {
                e.1 = t.payable
            }
        }
    }
    m.into_iter()
        .map(|(key, (baseline, variant))| Change {
            key,
            baseline,
            variant,
            change: variant - baseline,
        })
        .collect()
}

/// 市区共担 of a run: what the city and the counties pay, and what no rule has split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CostShare {
    /// The city's part, in fen.
    pub city: i64,
    /// The counties' part, in fen.
    pub county: i64,
    /// Payable lines whose rule states no split (or whose share is not yet set), in fen.
    pub unassigned: i64,
}

impl CostShare {
    /// The split of a run; the three parts add up to its total.
    pub fn of(run: &Run) -> CostShare {
        run.lines.iter().fold(CostShare::default(), |mut s, l| {
            match (l.city_share, l.county_share) {
                (Some(c), Some(k)) => {
                    s.city += c;
                    s.county += k;
                }
                _ => s.unassigned += l.payable,
            }
            s
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_participating_is_not_additive() {
        for by in By::ALL {
            assert_eq!(by.additive(), by != By::Participating, "{by:?}");
        }
    }
}

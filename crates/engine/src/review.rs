//! 终期评估: the policy's period looked back on — each target by year against its goal, the money paid
//! (the ledger: what was paid) by clause, year, lead department, county and fund, the enterprises
//! reached and those paid in more than one year, each principle year by year, the rules that never
//! paid, and the review lines nobody decided. Pure: the packs, the facts, the ledger and the open
//! lines (the store knows them) in; figures out.

use crate::EngineError;
use crate::facts::FactIndex;
use crate::ledger::Ledger;
use crate::summary::Standing;
use crate::targets::{TargetStatus, targets};
use jx555_lang::ir::Pack;
use jx555_lang::types::EntityKind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The review of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// The first and last year.
    pub from: i32,
    /// The last year.
    pub to: i32,
    /// Each target, its status in each year of the period.
    pub targets: Vec<(String, Vec<TargetStatus>)>,
    /// Paid, in fen, by rule (pack, rule id), with the count of payments.
    pub by_rule: Vec<Paid>,
    /// Paid by year.
    pub by_year: BTreeMap<i32, i64>,
    /// Paid by lead department (`None`: the rule names none).
    pub by_department: BTreeMap<Option<String>, i64>,
    /// Paid by county (`None`: a city-level unit).
    pub by_county: BTreeMap<Option<String>, i64>,
    /// Paid by fund.
    pub by_fund: BTreeMap<Option<String>, i64>,
    /// The total paid.
    pub total: i64,
    /// Enterprises that received something.
    pub enterprises_reached: usize,
    /// Enterprises paid in more than one year.
    pub repeat_recipients: usize,
    /// Each principle by its title, year by year.
    pub principles: Vec<(String, Vec<PrincipleYear>)>,
    /// Rules that paid nothing in the period: pack, rule, clause, title.
    pub never_paid: Vec<(String, String, String, String)>,
    /// Review, 一事一议 and pending lines nobody decided, counted by year, rule and where they stopped.
    pub undecided: Vec<Undecided>,
}

/// A line that needed a decision and never had one: of a year released into cases, a case still
/// awaiting its application or a review; of a year approved directly, a line left unreviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Open {
    /// The year.
    pub year: i32,
    /// The pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// Why it needed a decision (review up to a cap, 一事一议, amount pending).
    pub standing: Standing,
    /// Where its case stopped (待申报, 待初审 …); `None` when the year was approved directly.
    pub state: Option<String>,
}

/// Open lines of one year and rule that stopped at the same place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undecided {
    /// The year.
    pub year: i32,
    /// The rule's clause.
    pub clause: String,
    /// The rule's title.
    pub title: String,
    /// Why they needed a decision.
    pub standing: Standing,
    /// Where they stopped (`None`: the year was approved directly).
    pub state: Option<String>,
    /// How many.
    pub count: usize,
}

/// A principle in one year: its fund's total paid, the tagged part, whether the share holds (None: nothing paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipleYear {
    /// The year.
    pub year: i32,
    /// What the principle's fund paid that year, in fen.
    pub fund: i64,
    /// The part of it the principle counts, in fen.
    pub tagged: i64,
    /// Whether the share holds.
    pub holds: Option<bool>,
}

/// What one rule paid over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paid {
    /// The pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// Its clause.
    pub clause: String,
    /// Its title.
    pub title: String,
    /// How many payments.
    pub payments: usize,
    /// How much, in fen.
    pub amount: i64,
}

/// Reviews the years `from..=to` of the packs over the facts and the ledger.
pub fn review(
    packs: &[&Pack],
    facts: &FactIndex,
    ledger: &Ledger,
    open: &[Open],
    from: i32,
    to: i32,
) -> Result<Review, EngineError> {
    let mut by_target: BTreeMap<String, Vec<TargetStatus>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for year in from..=to {
        for t in targets(packs, facts, year)? {
            if !by_target.contains_key(&t.id) {
                order.push(t.id.clone());
            }
            by_target.entry(t.id.clone()).or_default().push(t);
        }
    }
    let rule_of = |pack: &str, rule: &str| {
        packs
            .iter()
            .filter(|p| p.manifest.id == pack)
            .find_map(|p| p.rule(rule))
    };
    let entries: Vec<_> = ledger
        .entries()
        .iter()
        .filter(|e| (from..=to).contains(&e.year))
        .collect();
    let mut by_rule: BTreeMap<(String, String), (usize, i64)> = BTreeMap::new();
    let mut by_year = BTreeMap::new();
    let mut by_department = BTreeMap::new();
    let mut by_county = BTreeMap::new();
    let mut by_fund = BTreeMap::new();
    let mut years_of: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
    let mut total = 0;
    for e in &entries {
        let rule = rule_of(&e.pack, &e.rule);
        let r = by_rule.entry((e.pack.clone(), e.rule.clone())).or_default();
        r.0 += 1;
        r.1 += e.amount;
        *by_year.entry(e.year).or_default() += e.amount;
        *by_department
            .entry(rule.and_then(|r| r.departments.first().cloned()))
            .or_default() += e.amount;
        *by_fund
            .entry(rule.and_then(|r| r.fund.clone()))
            .or_default() += e.amount;
        let kind = rule.map_or(EntityKind::Enterprise, |r| r.subject);
        let enterprise = owner(facts, kind, &e.subject);
        let county = county_of(facts, kind, &e.subject, enterprise.as_deref());
        *by_county.entry(county).or_default() += e.amount;
        if let Some(u) = enterprise {
            years_of.entry(u).or_default().insert(e.year);
        }
        total += e.amount;
    }
    let mut principles = Vec::new();
    for pack in packs {
        for p in &pack.principles {
            let mut rows = Vec::new();
            for year in from..=to {
                let (mut fund, mut tagged) = (0i64, 0i64);
                for e in entries.iter().filter(|e| e.year == year) {
                    let Some(r) = rule_of(&e.pack, &e.rule) else {
                        continue;
                    };
                    if r.fund.as_deref() == Some(p.fund.as_str()) {
                        fund += e.amount;
                        if r.tags.contains(&p.tag) {
                            tagged += e.amount;
                        }
                    }
                }
                let holds = crate::run::principle_holds(p, fund, tagged);
                rows.push(PrincipleYear {
                    year,
                    fund,
                    tagged,
                    holds,
                });
            }
            principles.push((p.title.clone().unwrap_or_else(|| p.id.clone()), rows));
        }
    }
    let mut never_paid = Vec::new();
    for pack in packs {
        for r in &pack.rules {
            if !by_rule.contains_key(&(pack.manifest.id.clone(), r.id.clone())) {
                never_paid.push((
                    pack.manifest.id.clone(),
                    r.id.clone(),
                    r.citation.clause.clone(),
                    r.title.clone().unwrap_or_else(|| r.id.clone()),
                ));
            }
        }
    }
    let mut undecided: BTreeMap<(i32, String, String, Standing, Option<String>), usize> =
        BTreeMap::new();
    for o in open.iter().filter(|o| (from..=to).contains(&o.year)) {
        let r = rule_of(&o.pack, &o.rule);
        let clause = r.map(|r| r.citation.clause.clone()).unwrap_or_default();
        let title = r
            .and_then(|r| r.title.clone())
            .unwrap_or_else(|| o.rule.clone());
        *undecided
            .entry((o.year, clause, title, o.standing, o.state.clone()))
            .or_default() += 1;
    }
    Ok(Review {
        undecided: undecided
            .into_iter()
            .map(
                |((year, clause, title, standing, state), count)| Undecided {
                    year,
                    clause,
                    title,
                    standing,
                    state,
                    count,
                },
            )
            .collect(),
        from,
        to,
        targets: order
            .into_iter()
            .map(|id| {
                let years = by_target.remove(&id).unwrap_or_default();
                (id, years)
            })
            .collect(),
        by_rule: by_rule
            .into_iter()
            .map(|((pack, rule), (payments, amount))| {
                let r = rule_of(&pack, &rule);
                Paid {
                    clause: r.map(|r| r.citation.clause.clone()).unwrap_or_default(),
                    title: r
                        .and_then(|r| r.title.clone())
                        .unwrap_or_else(|| rule.clone()),
                    pack,
                    rule,
                    payments,
                    amount,
                }
            })
            .collect(),
        by_year,
        by_department,
        by_county,
        by_fund,
        total,
        enterprises_reached: years_of.len(),
        repeat_recipients: years_of.values().filter(|y| y.len() > 1).count(),
        principles,
        never_paid,
    })
}

/// The enterprise a record belongs to (itself for an enterprise), if any.
fn owner(facts: &FactIndex, kind: EntityKind, subject: &str) -> Option<String> {
    if kind == EntityKind::Enterprise {
        return facts.enterprise_row(subject).map(|_| subject.to_string());
    }
    let row = facts.row_of(kind, subject)?;
    let e = facts.table(kind).enterprise.as_ref()?;
    arrow::array::Array::is_valid(e, row as usize).then(|| {
        facts
            .table(EntityKind::Enterprise)
            .ids
            .value(e.value(row as usize) as usize)
            .to_string()
    })
}

/// The county of a record: its enterprise's, or its own (a park, an organisation).
fn county_of(
    facts: &FactIndex,
    kind: EntityKind,
    subject: &str,
    enterprise: Option<&str>,
) -> Option<String> {
    let (kind, id) = match enterprise {
        Some(u) => (EntityKind::Enterprise, u),
        None => (kind, subject),
    };
    let row = facts.row_of(kind, id)?;
    facts
        .table(kind)
        .text("county", row as usize)
        .map(str::to_string)
}

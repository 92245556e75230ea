//! A year's evaluation: rules to award lines, then the ledger semantics (once, yearly for N years,
//! 就高不重复 with 补差, caps per key) and the city/county split.

use crate::EngineError;
use crate::col::{self, Col};
use crate::eval::{Evaluator, Frame};
use crate::facts::FactIndex;
use crate::ledger::Ledger;
use crate::params::{Override, Params, check_overrides};
use arrow::array::{Array, AsArray, Decimal128Array, StringArray, UInt32Array};
use arrow::datatypes::UInt32Type;
use jx555_lang::ir::{AmountStep, Expr, ExprKind, Mode, Pack, Recurrence, Rule};
use jx555_lang::pack::literate::Citation;
use jx555_lang::pack::manifest::RoundingMode;
use jx555_lang::schema;
use jx555_lang::types::{EntityKind, Type};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// What to evaluate.
pub struct Request<'a> {
    /// The packs evaluated together (就高不重复 spans them).
    pub packs: &'a [&'a Pack],
    /// The facts.
    pub facts: &'a FactIndex,
    /// What was granted: the whole ledger will do, since only entries of years before `year`
    /// count (`evaluate` applies `Ledger::before` itself; a caller cannot forget it).
    pub ledger: &'a Ledger,
    /// The evaluation year.
    pub year: i32,
    /// What-if overrides.
    pub overrides: &'a [Override],
}

/// How a line's amount is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum LineMode {
    /// Computed.
    Automatic,
    /// Decided by review up to a cap (fen); the approved amount when the facts give one.
    Review {
        /// The cap, in fen.
        cap: Option<i64>,
        /// The approved amount, in fen, never above the cap.
        approved: Option<i64>,
    },
    /// 一事一议.
    CaseByCase,
    /// The document fixes no amount.
    Pending {
        /// Why.
        reason: String,
    },
}

/// Where a line stands after the ledger semantics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Status {
    /// To be paid.
    Payable,
    /// Needs a decision before it can be paid (review, case by case, pending).
    Flagged,
    /// 就高不重复: another line of this run for the same achievement is higher.
    Superseded {
        /// The index of the winning line.
        by: usize,
    },
    /// The ledger already holds this achievement (once only, or exclusive without top-up, or fully
    /// topped up).
    AlreadyPaid,
    /// 连续N年: the N years since the first award are over.
    Expired,
    /// A cap per key is used up.
    CapReached,
}

/// What every line of one rule shares: shared, not copied, so a million lines stay cheap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    /// The pack.
    pub pack: String,
    /// The rule's id.
    pub id: String,
    /// The rule's title, if any.
    pub title: Option<String>,
    /// What kind of record the award is for.
    pub subject_kind: EntityKind,
    /// Where the policy says it.
    pub citation: Citation,
    /// 责任单位.
    pub departments: Vec<String>,
    /// 专项资金.
    pub fund: Option<String>,
    /// Tags of the rule.
    pub tags: Vec<String>,
    /// How often it pays.
    pub recurrence: Recurrence,
    /// Whether its exclusivity group tops up (补差).
    pub top_up: bool,
}

impl RuleRef {
    /// The shared part of a rule's lines.
    pub fn new(pack: &Pack, rule: &Rule) -> Self {
        RuleRef {
            pack: pack.manifest.id.clone(),
            id: rule.id.clone(),
            title: rule.title.clone(),
            subject_kind: rule.subject,
            citation: rule.citation.clone(),
            departments: rule.departments.clone(),
            fund: rule.fund.clone(),
            tags: rule.tags.clone(),
            recurrence: rule.recurrence,
            top_up: rule.exclusive.as_ref().is_some_and(|x| x.top_up),
        }
    }
}

/// One award line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardLine {
    /// The rule, its citation, departments and fund.
    pub rule: Arc<RuleRef>,
    /// The record's id (uscc for enterprises).
    pub subject: String,
    /// The enterprise's uscc, when the record belongs to one.
    pub enterprise: Option<String>,
    /// The county (区县) of the enterprise, park or organisation.
    pub county: Option<String>,
    /// How the amount is decided.
    pub mode: LineMode,
    /// The award after its multipliers, before caps, in fen.
    pub gross: Option<i64>,
    /// After the line's caps, in fen.
    pub after_caps: Option<i64>,
    /// What is paid this year after 就高不重复, the ledger and caps per key, in fen.
    pub payable: i64,
    /// Where the line stands.
    pub status: Status,
    /// The exclusivity group and key, when the rule has one.
    pub exclusive: Option<String>,
    /// Paid earlier for the same achievement, when this line tops it up (补差).
    pub topped_up_from: Option<i64>,
    /// The caps per key that this line counts against (单个项目最高2000万).
    pub cap_keys: Vec<CapKey>,
    /// The city's share of the cost as a ratio (市区共担), when the rule states it.
    pub city_ratio: Option<rust_decimal::Decimal>,
    /// The city's share of the payable amount, in fen, when the rule states the split.
    pub city_share: Option<i64>,
    /// The county's share, in fen.
    pub county_share: Option<i64>,
}

/// A cap on the total of lines that share a key, across the rules and years of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapKey {
    /// The key: the pack and the key's values ([`crate::key`]).
    pub key: String,
    /// The cap, in fen.
    pub cap: i64,
}

/// Counts for one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStats {
    /// The pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// Records evaluated.
    pub evaluated: usize,
    /// Records for which every condition held.
    pub eligible: usize,
    /// Total payable, in fen.
    pub payable: i64,
}

/// A principle checked over the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipleCheck {
    /// The pack.
    pub pack: String,
    /// The principle.
    pub principle: String,
    /// The fund's total payable, in fen.
    pub fund_total: i64,
    /// The tagged part, in fen.
    pub tagged: i64,
    /// Whether the share requirement holds (`None` when the fund pays nothing).
    pub holds: Option<bool>,
}

/// A year's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// The evaluation year.
    pub year: i32,
    /// Every line, in pack and rule order.
    pub lines: Vec<AwardLine>,
    /// Counts per rule.
    pub stats: Vec<RuleStats>,
    /// Principles.
    pub principles: Vec<PrincipleCheck>,
}

impl Run {
    /// Total payable, in fen.
    pub fn total(&self) -> i64 {
        self.lines.iter().map(|l| l.payable).sum()
    }
}

/// Whether a principle holds for a fund's total and its tagged part (`None` when the fund pays
/// nothing): the share of the tagged part compared as the principle says.
pub fn principle_holds(
    pr: &jx555_lang::ir::Principle,
    fund_total: i64,
    tagged: i64,
) -> Option<bool> {
    (fund_total > 0).then(|| {
        let share = rust_decimal::Decimal::from(tagged) / rust_decimal::Decimal::from(fund_total);
        crate::col::op_holds(pr.op, share.cmp(&pr.share))
    })
}

/// Evaluates the packs for a year over every record.
pub fn evaluate(req: &Request<'_>) -> Result<Run, EngineError> {
    evaluate_records(req, None)
}

/// Amounts decided on review (核定金额), in fen, by pack, rule and subject. A decided amount stands
/// where the facts' approved amount would (or, for a rule that reads none, as the approved amount
/// itself; for 一事一议 and amounts the document leaves open, as the line's amount), so the rule's
/// multipliers (投资补助系数1.5), caps, caps per key, 就高不重复 and 补差 apply to what officials
/// decided exactly as to what the facts give.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions(HashMap<(String, String), HashMap<String, i64>>);

impl Decisions {
    /// Records that `subject`'s line of `pack`'s `rule` was decided at `fen`.
    pub fn insert(&mut self, pack: &str, rule: &str, subject: &str, fen: i64) {
        self.0
            .entry((pack.to_string(), rule.to_string()))
            .or_default()
            .insert(subject.to_string(), fen);
    }

    /// The decided amounts of one rule, by subject.
    fn of(&self, pack: &str, rule: &str) -> Option<&HashMap<String, i64>> {
        self.0
            .get(&(pack.to_string(), rule.to_string()))
            .filter(|m| !m.is_empty())
    }
}

/// Evaluates the packs for a year with the amounts decided on review standing in for the facts'.
pub fn evaluate_decided(req: &Request<'_>, decided: &Decisions) -> Result<Run, EngineError> {
    evaluate_all(req, None, decided, CHUNK)
}

/// Records of each kind to evaluate; kinds not listed are not evaluated.
pub type Subset = HashMap<EntityKind, Vec<u32>>;

/// Evaluates the packs for a year over all records, or only over a subset (one enterprise and its
/// records, for explanations).
pub fn evaluate_records(req: &Request<'_>, subset: Option<&Subset>) -> Result<Run, EngineError> {
    evaluate_all(req, subset, &Decisions::default(), CHUNK)
}

/// The run, its subjects evaluated `chunk` records at a time.
fn evaluate_all(
    req: &Request<'_>,
    subset: Option<&Subset>,
    decided: &Decisions,
    chunk: usize,
) -> Result<Run, EngineError> {
    check_request(req)?;
    let params = req
        .packs
        .iter()
        .map(|pack| Params::new(pack, req.overrides))
        .collect::<Result<Vec<_>, _>>()?;
    let work: Vec<(&Pack, &Rule, &Params)> = req
        .packs
        .iter()
        .zip(&params)
        .flat_map(|(pack, params)| pack.rules.iter().map(move |rule| (*pack, rule, params)))
        .collect();
    // Data-parallel over every rule's chunks of subjects at once, each chunk's lines written once
    // into the run's (in rule order, as `collect` keeps it).
    let mut stats = Vec::with_capacity(work.len());
    let mut chunks = Vec::new();
    for (w, (pack, rule, _)) in work.iter().enumerate() {
        let rows =
            subset.map(|s| UInt32Array::from(s.get(&rule.subject).cloned().unwrap_or_default()));
        let (s, rows) = rule_subjects(pack, rule, req.facts, req.year, rows, chunk);
        chunks.extend(rows.into_iter().map(|rows| (w, rows)));
        stats.push(s);
    }
    let lines_of = |(w, rows): (usize, UInt32Array)| {
        let (pack, rule, params) = &work[w];
        let decided = decided.of(&pack.manifest.id, &rule.id);
        let (lines, eligible) = chunk_lines(pack, rule, params, req.facts, req.year, rows, decided)
            .map_err(|e| e.in_rule(&rule.id))?;
        Ok((w, lines, eligible))
    };
    // A run over fewer records than one chunk (an explanation's one enterprise) stays on this
    // thread: waking the others costs more than its work.
    let parts: Vec<(usize, Vec<AwardLine>, usize)> =
        if chunks.iter().map(|(_, r)| r.len()).sum::<usize>() <= chunk {
            chunks
                .into_iter()
                .map(lines_of)
                .collect::<Result<_, EngineError>>()?
        } else {
            chunks
                .into_par_iter()
                .map(lines_of)
                .collect::<Result<_, EngineError>>()?
        };
    let mut lines = Vec::with_capacity(parts.iter().map(|(_, l, _)| l.len()).sum());
    // Where each rule's lines are: its chunks' lines follow one another.
    let mut ranges: Vec<Option<std::ops::Range<usize>>> = vec![None; work.len()];
    for (w, l, eligible) in parts {
        stats[w].eligible += eligible;
        let start = lines.len();
        lines.extend(l);
        let from = ranges[w].as_ref().map_or(start, |r| r.start);
        ranges[w] = Some(from..lines.len());
    }
    let ledger = req.ledger.seen_from(req.year);
    settle(&mut lines, &ledger, req.year);
    // No amount is below zero (refused above), so when the run's total fits in fen every sum of its
    // lines (by rule, county, fund …) fits too: checked once here, no total downstream can wrap.
    lines.iter().try_fold(0i64, |total, l| {
        total
            .checked_add(l.payable)
            .ok_or_else(|| EngineError::Overflow {
                rule: l.rule.id.clone(),
                subject: l.subject.clone(),
                what: "the run's total up to this line".into(),
            })
    })?;
    for (s, range) in stats.iter_mut().zip(ranges) {
        s.payable = range.map_or(0, |r| lines[r].iter().map(|l| l.payable).sum());
    }
    let principles = req
        .packs
        .iter()
        .flat_map(|p| {
            p.principles.iter().map(|pr| {
                let of_fund = lines
                    .iter()
                    .filter(|l| l.rule.fund.as_deref() == Some(pr.fund.as_str()));
                let fund_total: i64 = of_fund.clone().map(|l| l.payable).sum();
                let tagged: i64 = of_fund
                    .filter(|l| l.rule.tags.contains(&pr.tag))
                    .map(|l| l.payable)
                    .sum();
                let holds = principle_holds(pr, fund_total, tagged);
                PrincipleCheck {
                    pack: p.manifest.id.clone(),
                    principle: pr.id.clone(),
                    fund_total,
                    tagged,
                    holds,
                }
            })
        })
        .collect();
    Ok(Run {
        year: req.year,
        lines,
        stats,
        principles,
    })
}

/// The year inside every pack's validity, and every fact the rules read present.
pub fn check_request(req: &Request<'_>) -> Result<(), EngineError> {
    for pack in req.packs {
        let m = &pack.manifest;
        if !m.covers_year(req.year) {
            return Err(EngineError::OutsideValidity {
                pack: m.id.clone(),
                year: req.year,
                from: m.effective_from.to_string(),
                until: m.effective_until.to_string(),
            });
        }
        for rule in &pack.rules {
            let mut missing = None;
            visit_rule(rule, &mut |e| {
                if let ExprKind::Field {
                    base,
                    field,
                    yearly,
                } = &e.kind
                {
                    if let Type::Entity(kind) = base.ty {
                        let table = if *yearly {
                            crate::facts::ENTERPRISE_YEARS
                        } else {
                            crate::facts::table_name(kind)
                        };
                        let stored = schema::field(kind, field).is_some_and(|f| {
                            !matches!(
                                f.ty,
                                schema::FieldType::Parent(_) | schema::FieldType::Children(_)
                            )
                        });
                        if stored && missing.is_none() && !req.facts.has_column(table, field) {
                            missing = Some((table, field.clone()));
                        }
                    }
                }
            });
            if let Some((table, column)) = missing {
                if !req.facts.has_table(table) {
                    return Err(EngineError::Data {
                        table: table.to_string(),
                        row: None,
                        column: None,
                        message: format!("is missing; rule {} reads its column {column}", rule.id),
                    });
                }
                return Err(EngineError::MissingColumn {
                    table: table.to_string(),
                    column,
                    rule: rule.id.clone(),
                });
            }
        }
    }
    check_overrides(req.packs, req.overrides)
}

/// Calls `f` on every expression of a rule, depth first.
pub fn visit_rule(rule: &Rule, f: &mut dyn FnMut(&Expr)) {
    let mut exprs: Vec<&Expr> = rule.lets.iter().map(|(_, e)| e).collect();
    exprs.extend(rule.conditions.iter().map(|c| &c.expr));
    for step in &rule.amount {
        match step {
            AmountStep::Award(e) | AmountStep::Cap(e) => exprs.push(e),
            AmountStep::Scale { factor, .. } => exprs.push(factor),
            AmountStep::CapPer { cap, key } => {
                exprs.push(cap);
                exprs.extend(key);
            }
        }
    }
    if let Mode::Review { cap, approved } = &rule.mode {
        exprs.push(cap);
        exprs.extend(approved);
    }
    if let Some(x) = &rule.exclusive {
        exprs.extend(&x.key);
    }
    exprs.extend(&rule.city_ratio);
    while let Some(e) = exprs.pop() {
        f(e);
        match &e.kind {
            ExprKind::Field { base, .. } => exprs.push(base),
            ExprKind::At { expr, year } => exprs.extend([&**expr, &**year]),
            ExprKind::Lookup { key, .. } => exprs.push(key),
            ExprKind::Unary(_, x) => exprs.push(x),
            ExprKind::Binary(_, a, b) => exprs.extend([&**a, &**b]),
            ExprKind::If(c, a, b) => exprs.extend([&**c, &**a, &**b]),
            ExprKind::Match(s, arms) => {
                exprs.push(s);
                exprs.extend(arms.iter().map(|(_, b)| b));
            }
            ExprKind::In(x, items) => {
                exprs.push(x);
                exprs.extend(items);
            }
            ExprKind::Call(_, args) | ExprKind::Tuple(args) => exprs.extend(args),
            ExprKind::Agg {
                coll, filter, map, ..
            } => {
                exprs.push(coll);
                exprs.extend(filter.as_deref());
                exprs.extend(map.as_deref());
            }
            ExprKind::Const(_)
            | ExprKind::Year
            | ExprKind::Param(_)
            | ExprKind::Local(_)
            | ExprKind::Var(_)
            | ExprKind::All(_) => {}
        }
    }
}

/// Whether a rule applies in a year (its own `effective` window, if any).
pub fn rule_in_force(rule: &Rule, year: i32) -> bool {
    rule.effective
        .is_none_or(|(from, until)| (from.year..=until.year).contains(&year))
}

/// A rule's counts so far and its subjects (all records of its kind, or `rows`) in chunks of
/// `chunk`; none when the rule is not in force in `year`.
fn rule_subjects(
    pack: &Pack,
    rule: &Rule,
    facts: &FactIndex,
    year: i32,
    rows: Option<UInt32Array>,
    chunk: usize,
) -> (RuleStats, Vec<UInt32Array>) {
    let all = match rows {
        Some(r) => r,
        None => UInt32Array::from_iter_values(
            0..u32::try_from(facts.table(rule.subject).rows).unwrap_or(u32::MAX),
        ),
    };
    let in_force = rule_in_force(rule, year);
    let n = if in_force { all.len() } else { 0 };
    let stats = RuleStats {
        pack: pack.manifest.id.clone(),
        rule: rule.id.clone(),
        evaluated: n,
        eligible: 0,
        payable: 0,
    };
    let chunks = (0..n)
        .step_by(chunk)
        .map(|start| all.slice(start, chunk.min(n - start)))
        .collect();
    (stats, chunks)
}

/// Rows evaluated together: large enough for the kernels to run at full speed, small enough to
/// spread a big table over the cores. At 65,536 the 77,274 recognitions of the million demo were
/// one big chunk and one small, one core idle for most of 单项冠军等认定奖励 (2.5 ms; 1.9 ms now).
const CHUNK: usize = 1 << 14;

fn chunk_lines(
    pack: &Pack,
    rule: &Rule,
    params: &Params,
    facts: &FactIndex,
    year: i32,
    rows: UInt32Array,
    decided: Option<&HashMap<String, i64>>,
) -> Result<(Vec<AwardLine>, usize), EngineError> {
    let ev = Evaluator::new(
        facts,
        params,
        year,
        &rule.lets,
        Frame::subjects(&rule.var, rows),
        false,
    );
    for c in &rule.conditions {
        if ev.root().n == 0 {
            break;
        }
        let held = ev.eval_root(&c.expr)?;
        let held = col::broadcast_bool(held.bool()?, ev.root().n);
        // Held for every record (制造业 for all the demo's enterprises): nothing to narrow.
        if held.true_count() < held.len() {
            ev.narrow(&col::true_positions(&held))?;
        }
    }
    let frame = ev.root();
    if frame.n == 0 {
        return Ok((Vec::new(), 0));
    }
    Ok((draft_lines(pack, rule, &ev, &frame, decided)?, frame.n))
}

/// Each value of an amount column in fen, rounded once as the pack says. A value beyond what a fen
/// amount holds is an error naming the rule and the record, never a saturated figure.
fn fens(
    c: &Col,
    n: usize,
    rounding: RoundingMode,
    what: &str,
    rule: &str,
    subject: &dyn Fn(usize) -> String,
) -> Result<Vec<Option<i64>>, EngineError> {
    let overflow = |i: usize| EngineError::Overflow {
        rule: rule.to_string(),
        subject: subject(i),
        what: what.to_string(),
    };
    // A constant (`award 30万`) is the same amount on every line: converted once.
    if c.len() == 1 && n > 1 {
        let one = fens(c, 1, rounding, what, rule, subject)?;
        return Ok(vec![one[0]; n]);
    }
    match c.spread(n)? {
        Col::Exact(x) => (0..n)
            .map(|i| {
                x.get(i)
                    .map(|q| crate::exact::fen(q, rounding).ok_or_else(|| overflow(i)))
                    .transpose()
            })
            .collect(),
        other => {
            let step = col::ONE / 100;
            let d = other.dec()?;
            d.iter()
                .enumerate()
                .map(|(i, v)| {
                    v.map(|v| {
                        i64::try_from(crate::eval::round_to(v, step, rounding) / step)
                            .map_err(|_| overflow(i))
                    })
                    .transpose()
                })
                .collect()
        }
    }
}

/// One amount per eligible record; `None` where a fact it needs is missing.
struct Amounts {
    /// After award and multipliers.
    gross: Vec<Option<i64>>,
    /// After caps on the line too.
    after_caps: Vec<Option<i64>>,
}

/// Runs the amount steps in the order the pack states them. A review rule without an `award` starts
/// from the approved amount, so its multipliers (投资补助系数1.5) and caps apply to what was approved.
fn amounts(
    rule: &Rule,
    ev: &Evaluator<'_>,
    rounding: RoundingMode,
    subject: &dyn Fn(usize) -> String,
    decided: Option<&HashMap<String, i64>>,
) -> Result<Amounts, EngineError> {
    let n = ev.root().n;
    let mut gross: Option<Col> = match review_base(rule) {
        Some(approved) => Some(with_decided(ev.eval_root(approved)?, n, subject, decided)?),
        None => None,
    };
    let mut capped: Option<Col> = gross.clone();
    for step in &rule.amount {
        match step {
            AmountStep::Award(e) => {
                let v = ev.eval_root(e)?;
                gross = Some(v.clone());
                capped = Some(v);
            }
            AmountStep::Scale { factor, .. } => {
                let f = ev.eval_root(factor)?;
                let scale = |c: &Option<Col>| -> Result<Option<Col>, EngineError> {
                    c.as_ref()
                        .map(|c| col::arith(col::Arith::Mul, c, &f))
                        .transpose()
                };
                gross = scale(&gross)?;
                capped = scale(&capped)?;
            }
            AmountStep::Cap(e) => {
                let cap = ev.eval_root(e)?;
                if let Some(c) = &capped {
                    let over = col::compare(jx555_lang::ir::CmpOp::Gt, c, &cap)?;
                    capped = Some(col::choose(over.bool()?, &cap, c)?);
                }
            }
            AmountStep::CapPer { .. } => {}
        }
    }
    let fen = |c: Option<Col>, what: &str| -> Result<Vec<Option<i64>>, EngineError> {
        match c {
            None => Ok(vec![None; n]),
            Some(c) => fens(&c, n, rounding, what, &rule.id, subject),
        }
    };
    let gross = fen(gross, "the award")?;
    // Without a cap of its own, a line's amount after caps is its gross amount.
    let after_caps = if rule.amount.iter().any(|s| matches!(s, AmountStep::Cap(_))) {
        fen(capped, "the award after its caps")?
    } else {
        gross.clone()
    };
    Ok(Amounts { gross, after_caps })
}

/// The approved amounts with the decided ones in their place.
fn with_decided(
    approved: Col,
    n: usize,
    subject: &dyn Fn(usize) -> String,
    decided: Option<&HashMap<String, i64>>,
) -> Result<Col, EngineError> {
    let Some(decided) = decided else {
        return Ok(approved);
    };
    let facts = approved.spread(n)?.dec()?;
    let values: Decimal128Array = (0..n)
        .map(|i| match decided.get(&subject(i)) {
            Some(fen) => Some(col::to_fixed(rust_decimal::Decimal::new(*fen, 2))),
            None => facts.is_valid(i).then(|| facts.value(i)),
        })
        .collect();
    Ok(Col::Dec(values.with_data_type(facts.data_type().clone())))
}

/// The approved amount a review rule's amount steps start from, when it has no `award` of its own.
fn review_base(rule: &Rule) -> Option<&Expr> {
    match &rule.mode {
        Mode::Review {
            approved: Some(a), ..
        } if !rule
            .amount
            .iter()
            .any(|s| matches!(s, AmountStep::Award(_))) =>
        {
            Some(a)
        }
        _ => None,
    }
}

/// Each record's key ([`crate::key`]): `head`, then the values of `key`.
fn keys(
    head: &str,
    key: &[Expr],
    ev: &Evaluator<'_>,
    n: usize,
) -> Result<Vec<String>, EngineError> {
    let cols = key
        .iter()
        .map(|k| ev.eval_root(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..n)
        .map(|i| {
            let mut out = crate::key::head(head);
            for (k, c) in key.iter().zip(&cols) {
                crate::key::push_part(
                    &mut out,
                    crate::eval::value_at(c, &k.ty, i, ev.facts).as_ref(),
                );
            }
            out
        })
        .collect())
}

fn draft_lines(
    pack: &Pack,
    rule: &Rule,
    ev: &Evaluator<'_>,
    frame: &Frame,
    decided: Option<&HashMap<String, i64>>,
) -> Result<Vec<AwardLine>, EngineError> {
    let n = frame.n;
    let rounding = pack.manifest.rounding;
    let facts = ev.facts;
    let (_, rows) = frame
        .vars
        .first()
        .ok_or_else(|| EngineError::internal("no subject"))?;
    let table = facts.table(rule.subject);
    // Each line's strings are gathered column by column first: read one line at a time, every
    // read of a million-row string column waited on memory by itself.
    let text = |c: &StringArray, rows: &UInt32Array| -> Result<StringArray, EngineError> {
        Ok(col::gather(c, rows)?.as_string::<i32>().clone())
    };
    let subjects = text(&table.ids, rows)?;
    let subject = |i: usize| subjects.value(i).to_string();
    let enterprises = facts.table(EntityKind::Enterprise);
    let enterprise_rows = match rule.subject {
        EntityKind::Enterprise => Some(rows.clone()),
        EntityKind::Recognition | EntityKind::Project | EntityKind::LandParcel => table
            .enterprise
            .as_ref()
            .map(|e| col::gather(e, rows).map(|r| r.as_primitive::<UInt32Type>().clone()))
            .transpose()?,
        EntityKind::Park | EntityKind::Organisation => None,
    };
    let enterprise_ids = match (rule.subject, &enterprise_rows) {
        (EntityKind::Enterprise, _) => Some(subjects.clone()),
        (_, Some(r)) => Some(text(&enterprises.ids, r)?),
        (_, None) => None,
    };
    let county_of = |t: &crate::facts::Table, rows: &UInt32Array| {
        t.cols
            .get("county")
            .and_then(|c| c.text())
            .map(|c| text(c, rows))
            .transpose()
    };
    let counties = match &enterprise_rows {
        Some(r) => county_of(enterprises, r)?,
        None => county_of(table, rows)?,
    };
    let county = |i: usize| -> Option<String> {
        let c = counties.as_ref()?;
        c.is_valid(i).then(|| c.value(i).to_string())
    };

    let amounts = amounts(rule, ev, rounding, &subject, decided)?;
    let fen = |c: &Col, what: &str| fens(c, n, rounding, what, &rule.id, &subject);
    let review = match &rule.mode {
        Mode::Review { cap, approved } => {
            let cap = fen(&ev.eval_root(cap)?, "the review cap")?;
            let mut approved = match approved {
                Some(a) => fen(&ev.eval_root(a)?, "the approved amount")?,
                None => vec![None; n],
            };
            if let Some(decided) = decided {
                for (i, a) in approved.iter_mut().enumerate() {
                    if let Some(fen) = decided.get(&subject(i)) {
                        *a = Some(*fen);
                    }
                }
            }
            Some((cap, approved))
        }
        _ => None,
    };
    let mut exclusive = match &rule.exclusive {
        Some(x) => Some(keys(&x.group, &x.key, ev, n)?),
        None => None,
    };
    let mut cap_keys: Vec<Vec<CapKey>> = vec![Vec::new(); n];
    for step in &rule.amount {
        if let AmountStep::CapPer { cap, key } = step {
            let caps = fen(&ev.eval_root(cap)?, "the cap per key")?;
            for (i, key) in keys(&pack.manifest.id, key, ev, n)?.into_iter().enumerate() {
                if let Some(cap) = caps[i] {
                    cap_keys[i].push(CapKey { key, cap });
                }
            }
        }
    }
    let city_ratio_col = match &rule.city_ratio {
        Some(e) => Some(ev.eval_root(e)?.spread(n)?.dec()?),
        None => None,
    };

    let shared = Arc::new(RuleRef::new(pack, rule));
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let (mode, payable, status) = match (&rule.mode, &review) {
            (Mode::Automatic, _) => {
                let amount = amounts.after_caps[i];
                (
                    LineMode::Automatic,
                    amount.unwrap_or(0),
                    if amount.is_some() {
                        Status::Payable
                    } else {
                        Status::Flagged
                    },
                )
            }
            (Mode::Review { .. }, Some((cap, approved))) => {
                let approved = if review_base(rule).is_some() {
                    amounts.after_caps[i]
                } else {
                    approved[i]
                };
                let approved = match (approved, cap[i]) {
                    (Some(a), Some(c)) => Some(a.min(c)),
                    (a, _) => a,
                };
                let status = if approved.is_some() {
                    Status::Payable
                } else {
                    Status::Flagged
                };
                (
                    LineMode::Review {
                        cap: cap[i],
                        approved,
                    },
                    approved.unwrap_or(0),
                    status,
                )
            }
            // 一事一议 and amounts the document leaves open pay only what was decided on them.
            (Mode::CaseByCase, _) => match decided.and_then(|d| d.get(&subject(i))) {
                Some(fen) => (LineMode::CaseByCase, *fen, Status::Payable),
                None => (LineMode::CaseByCase, 0, Status::Flagged),
            },
            (Mode::Pending(reason), _) => {
                let mode = LineMode::Pending {
                    reason: reason.clone(),
                };
                match decided.and_then(|d| d.get(&subject(i))) {
                    Some(fen) => (mode, *fen, Status::Payable),
                    None => (mode, 0, Status::Flagged),
                }
            }
            (Mode::Review { .. }, None) => return Err(EngineError::internal("review without cap")),
        };
        if payable < 0 {
            // A formula that comes out below zero is a fault of the pack or the facts, never an
            // amount to net against other awards.
            return Err(EngineError::Compute {
                rule: rule.id.clone(),
                message: format!(
                    "record {}: the amount comes to {}元, below zero; an award pays nothing or more",
                    subject(i),
                    rust_decimal::Decimal::new(payable, 2)
                ),
            });
        }
        let city_ratio = city_ratio_col
            .as_ref()
            .and_then(|s| s.is_valid(i).then(|| col::from_fixed(s.value(i))));
        if let Some(r) = city_ratio
            .filter(|r| *r < rust_decimal::Decimal::ZERO || *r > rust_decimal::Decimal::ONE)
        {
            // A city share above 100% would leave the county a negative share: refused, whether
            // a what-if or the pack gave it.
            return Err(EngineError::Override(format!(
                "rule {}, record {}: the city's share of the cost is {}%, outside 0%–100%",
                rule.id,
                subject(i),
                (r * rust_decimal::Decimal::ONE_HUNDRED).normalize()
            )));
        }
        lines.push(AwardLine {
            rule: Arc::clone(&shared),
            subject: subject(i),
            enterprise: enterprise_ids.as_ref().map(|e| e.value(i).to_string()),
            county: county(i),
            mode,
            gross: amounts.gross[i],
            after_caps: amounts.after_caps[i],
            payable,
            status,
            exclusive: exclusive.as_mut().map(|x| std::mem::take(&mut x[i])),
            topped_up_from: None,
            cap_keys: std::mem::take(&mut cap_keys[i]),
            city_ratio,
            city_share: None,
            county_share: None,
        });
    }
    Ok(lines)
}

/// The ledger semantics, one phase per principle of the policy, in this order (each phase sees what
/// the one before left payable):
///
/// 1. [`recurrence`] — 一次性 / 连续三年: once-only lines the ledger already paid, and yearly lines past
///    their N years, pay nothing;
/// 2. [`keep_highest`] — 就高不重复: of the lines of this run for one achievement only the highest pays;
/// 3. [`top_up`] — 补差: the winner pays the difference to what the ledger already paid for it;
/// 4. [`caps_per_key`] — 单个项目最高…: what the ledger and earlier lines count against a cap is taken off;
/// 5. [`cost_share`] — 市区共担: the city's and the county's part of what remains.
fn settle(lines: &mut [AwardLine], ledger: &Ledger, year: i32) {
    recurrence(lines, ledger, year);
    let winners = keep_highest(lines);
    top_up(lines, &winners, ledger);
    caps_per_key(lines, ledger);
    cost_share(lines);
}

/// 一次性 (“给予一次性50万元的财政奖励”) and 连续N年 (“连续三年每年给予100万元补助”): a once-only line whose rule already
/// granted the record something is `already_paid`; a yearly line N or more years after the first grant
/// is `expired`. Both pay nothing.
fn recurrence(lines: &mut [AwardLine], ledger: &Ledger, year: i32) {
    for line in lines.iter_mut() {
        let first = || ledger.first_year(&line.rule.pack, &line.rule.id, &line.subject);
        let done = match line.rule.recurrence {
            Recurrence::EachYear => None,
            Recurrence::Once => first().map(|_| Status::AlreadyPaid),
            Recurrence::Yearly(n) => first()
                .filter(|first| year >= first + i32::try_from(n).unwrap_or(i32::MAX))
                .map(|_| Status::Expired),
        };
        if let Some(status) = done {
            line.status = status;
            line.payable = 0;
        }
    }
}

/// 就高不重复 (“按照就高不重复原则实施”): of the payable lines with one exclusivity key, only the one with
/// the highest amount pays; the others are `superseded` and point at it. The amount that competes is
/// the line's payable amount after its own caps and before 补差 and caps per key. Ties go to the first
/// line in pack and rule order. Returns the winners.
fn keep_highest(lines: &mut [AwardLine]) -> Vec<usize> {
    // Each key's winner (the highest payable line, the first of equals), and each competing line
    // with its key's place among the winners, so that only they are visited again.
    let mut place: hashbrown::HashMap<&str, usize> = hashbrown::HashMap::new();
    let mut winners: Vec<usize> = Vec::new();
    let mut competing = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let (Some(key), Status::Payable) = (&line.exclusive, &line.status) {
            let k = *place.entry(key.as_str()).or_insert_with(|| {
                winners.push(i);
                winners.len() - 1
            });
            if line.payable > lines[winners[k]].payable {
                winners[k] = i;
            }
            competing.push((i, k));
        }
    }
    drop(place);
    for (i, k) in competing {
        if winners[k] != i {
            lines[i].status = Status::Superseded { by: winners[k] };
            lines[i].payable = 0;
        }
    }
    winners
}

/// 补差, 就高不重复 across years (the document has no sentence of its own for it: a unit recognised
/// 省级 one year and 国家级 the next is paid the higher, not both): when the ledger already paid
/// something for a winner's key, a rule with `top_up` pays the difference (nothing when the earlier grant was as high); a rule without pays
/// nothing. A winner left with nothing is `already_paid`.
fn top_up(lines: &mut [AwardLine], winners: &[usize], ledger: &Ledger) {
    for &i in winners {
        let line = &mut lines[i];
        let paid = line
            .exclusive
            .as_deref()
            .map_or(0, |key| ledger.paid_for_key(key));
        if paid == 0 {
            continue;
        }
        if line.rule.top_up {
            line.payable = (line.payable - paid).max(0);
            line.topped_up_from = Some(paid);
        } else {
            line.payable = 0;
        }
        if line.payable == 0 {
            line.status = Status::AlreadyPaid;
        }
    }
}

/// Caps per key (“单个项目最高奖补2000万元”): what the ledger and the earlier lines of this run (in pack
/// and rule order) count against a key is taken off its cap; a line with no room left is
/// `cap_reached`.
fn caps_per_key(lines: &mut [AwardLine], ledger: &Ledger) {
    let mut used: HashMap<String, i64> = HashMap::new();
    for line in lines.iter_mut() {
        for ck in &line.cap_keys {
            let before = *used
                .entry(ck.key.clone())
                .or_insert_with(|| ledger.paid_for_cap(&ck.key));
            let room = (ck.cap - before).max(0);
            if line.payable > room {
                line.payable = room;
                if room == 0 {
                    line.status = Status::CapReached;
                }
            }
        }
        for ck in &line.cap_keys {
            *used.entry(ck.key.clone()).or_insert(0) += line.payable;
        }
    }
}

/// 市区共担 (“坚持‘市区共担、突出重点’原则”): with a stated city share p the city pays p of the
/// payable amount, rounded to the fen half away from zero, and the county the rest, so the two add
/// up to the line exactly.
fn cost_share(lines: &mut [AwardLine]) {
    for line in lines.iter_mut() {
        if let Some((city, county)) = line.shares_of(line.payable) {
            line.city_share = Some(city);
            line.county_share = Some(county);
        }
    }
}

impl AwardLine {
    /// The city's and the county's part of `amount` (the line's, or what a decision made of it)
    /// under the line's 市区共担 ratio: the city's rounded to the fen half away from zero, the
    /// county's the rest. `None` when the rule states no split or the run left it unset.
    pub fn shares_of(&self, amount: i64) -> Option<(i64, i64)> {
        let ratio = self.city_ratio?;
        let city = (rust_decimal::Decimal::from(amount) * ratio)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let city = i64::try_from(city).unwrap_or(amount);
        Some((city, amount - city))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled pack over the demo Jiaxing, cut into chunks of 16 records (evaluated on every
    /// core, a rule's lines gathered from many chunks) and in one: the same run, line by line.
    #[test]
    fn a_run_in_many_chunks_is_the_run_in_one() -> Result<(), Box<dyn std::error::Error>> {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/jiaxing-555-2020/"
        );
        let read = |f: &str| std::fs::read_to_string(format!("{root}{f}"));
        let sources = jx555_lang::Sources::new(
            jx555_lang::SourceFile::new("pack.toml", read("pack.toml")?),
            jx555_lang::SourceFile::new("policy.md", read("policy.md")?),
            Some(jx555_lang::SourceFile::new(
                "catalog.toml",
                read("catalog.toml")?,
            )),
        );
        let pack = jx555_lang::check(&sources).pack.ok_or("the pack checks")?;
        let data = jx555_facts::demo::generate(3000, 9).map_err(|p| format!("{p:?}"))?;
        let facts = FactIndex::from_batches(&data.tables)?;
        let req = Request {
            packs: &[&pack],
            facts: &facts,
            ledger: &Ledger::default(),
            year: 2023,
            overrides: &[],
        };
        let one = evaluate_all(&req, None, &Decisions::default(), usize::MAX)?;
        let many = evaluate_all(&req, None, &Decisions::default(), 16)?;
        assert!(
            one.stats.iter().any(|s| s.eligible > 16),
            "a rule's lines come from more than one chunk"
        );
        assert_eq!(one, many);
        Ok(())
    }
}

//! Explanations: for one record and one rule, each named condition with its value, the facts it read
//! and how far a failed comparison is from its threshold; for an enterprise, what it gets, what it nearly
//! gets and what it lacks.

use crate::EngineError;
use crate::col::Col;
use crate::eval::{Evaluator, Frame, Read, display};
use crate::params::Params;
use crate::run::{AwardLine, Request, Status, Subset, evaluate_records, rule_in_force};
use arrow::array::{Array, UInt32Array};
use jx555_lang::ir::BinOp;
use jx555_lang::ir::{Builtin, Expr, ExprKind, Pack, Rule};
use jx555_lang::pack::literate::Citation;
use jx555_lang::schema;
use jx555_lang::types::{EntityKind, Type};
use serde::Serialize;

/// How far a comparison is from holding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// What was compared (a field's label, a `let`'s name).
    pub what: String,
    /// Its value, or `None` when a fact is missing.
    pub value: Option<String>,
    /// The comparison.
    pub op: String,
    /// The threshold.
    pub threshold: Option<String>,
    /// The sentence shown to people: 实缴税收增速 8.2%，需 ≥ 10%.
    pub message: String,
    /// Whether both sides are quantities (so "how far" means something).
    pub numeric: bool,
}

/// One named condition for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionTrace {
    /// The condition's name.
    pub name: String,
    /// Whether it holds; `None` when a fact it needs is missing.
    pub holds: Option<bool>,
    /// The facts it read.
    pub reads: Vec<Read>,
    /// Comparisons that do not hold.
    pub gaps: Vec<Gap>,
}

/// One rule for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The pack.
    pub pack: String,
    /// The rule.
    pub rule: String,
    /// Its title.
    pub title: Option<String>,
    /// Where the policy says it.
    pub citation: Citation,
    /// The record's kind.
    pub subject_kind: EntityKind,
    /// The record's id.
    pub subject: String,
    /// Whether every condition holds.
    pub eligible: bool,
    /// Each condition.
    pub conditions: Vec<ConditionTrace>,
    /// The line, when the record is eligible: its amount, and whether it was superseded and by what.
    pub line: Option<AwardLine>,
    /// The line that won when this one was superseded (就高不重复).
    pub superseded_by: Option<AwardLine>,
}

impl Explanation {
    /// The conditions that do not hold (or cannot be decided).
    pub fn failed(&self) -> impl Iterator<Item = &ConditionTrace> {
        self.conditions.iter().filter(|c| c.holds != Some(true))
    }
}

/// What one enterprise gets, nearly gets and lacks, over every rule about it or its records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseExplanation {
    /// The enterprise's uscc.
    pub uscc: String,
    /// Rules whose every condition holds.
    pub gets: Vec<Explanation>,
    /// Rules that fail on one quantity only (a threshold not reached): how far is in its gap.
    pub nearly: Vec<Explanation>,
    /// Rules that fail otherwise.
    pub lacks: Vec<Explanation>,
}

/// Explains one rule for one record.
pub fn explain(
    req: &Request<'_>,
    kind: EntityKind,
    subject: &str,
    rule: &str,
) -> Result<Explanation, EngineError> {
    let (pack, r) = req
        .packs
        .iter()
        .find_map(|p| p.rule(rule).map(|r| (*p, r)))
        .ok_or_else(|| EngineError::NotFound(format!("no rule {rule} in the packs")))?;
    if r.subject != kind {
        return Err(EngineError::NotFound(format!(
            "rule {rule} is for {}, not {}",
            r.subject.name(),
            kind.name()
        )));
    }
    let row = req.facts.row_of(kind, subject).ok_or_else(|| {
        EngineError::NotFound(format!("no {} {subject} in the facts", kind.name()))
    })?;
    // The lines of the record's enterprise compete with it (就高不重复): evaluate them all.
    let subset = match kind {
        EntityKind::Enterprise => family(req, row),
        EntityKind::Park | EntityKind::Organisation => Subset::from([(kind, vec![row])]),
        _ => match &req.facts.table(kind).enterprise {
            Some(owners) => family(req, owners.value(row as usize)),
            None => Subset::from([(kind, vec![row])]),
        },
    };
    let run = evaluate_records(req, Some(&subset))?;
    explain_row(req, pack, r, row, &run.lines)
}

/// An enterprise and its records.
fn family(req: &Request<'_>, enterprise: u32) -> Subset {
    let enterprises = req.facts.table(EntityKind::Enterprise);
    let mut subset = Subset::from([(EntityKind::Enterprise, vec![enterprise])]);
    for kind in [
        EntityKind::Recognition,
        EntityKind::Project,
        EntityKind::LandParcel,
    ] {
        subset.insert(kind, enterprises.children(kind, enterprise).to_vec());
    }
    subset
}

/// Explains every rule about an enterprise or its records.
pub fn explain_enterprise(
    req: &Request<'_>,
    uscc: &str,
) -> Result<EnterpriseExplanation, EngineError> {
    let facts = req.facts;
    let e = facts
        .enterprise_row(uscc)
        .ok_or_else(|| EngineError::NotFound(format!("no enterprise {uscc} in the facts")))?;
    let enterprises = facts.table(EntityKind::Enterprise);
    let mut subset = Subset::new();
    subset.insert(EntityKind::Enterprise, vec![e]);
    for kind in [
        EntityKind::Recognition,
        EntityKind::Project,
        EntityKind::LandParcel,
    ] {
        subset.insert(kind, enterprises.children(kind, e).to_vec());
    }
    let run = evaluate_records(req, Some(&subset))?;
    let mut report = EnterpriseExplanation {
        uscc: uscc.to_string(),
        gets: Vec::new(),
        nearly: Vec::new(),
        lacks: Vec::new(),
    };
    for pack in req.packs {
        for rule in pack.rules.iter().filter(|r| rule_in_force(r, req.year)) {
            for &row in subset
                .get(&rule.subject)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let x = explain_row(req, pack, rule, row, &run.lines)?;
                let failed: Vec<&ConditionTrace> = x.failed().collect();
                let near = failed.len() == 1 && failed[0].gaps.iter().any(|g| g.numeric);
                match (failed.is_empty(), near) {
                    (true, _) => report.gets.push(x),
                    (false, true) => report.nearly.push(x),
                    (false, false) => report.lacks.push(x),
                }
            }
        }
    }
    Ok(report)
}

fn explain_row(
    req: &Request<'_>,
    pack: &Pack,
    rule: &Rule,
    row: u32,
    lines: &[AwardLine],
) -> Result<Explanation, EngineError> {
    let params = Params::new(pack, req.overrides)?;
    let subject = req
        .facts
        .table(rule.subject)
        .ids
        .value(row as usize)
        .to_string();
    let mut conditions = Vec::new();
    for c in &rule.conditions {
        // A fresh evaluator per condition, so the facts read through a `let` are listed each time.
        let frame = Frame::subjects(&rule.var, UInt32Array::from(vec![row]));
        let ev = Evaluator::new(req.facts, &params, req.year, &rule.lets, frame, true);
        let v = ev.eval_root(&c.expr)?;
        let holds = v.bool()?;
        let holds = holds.is_valid(0).then(|| holds.value(0));
        let mut gaps = Vec::new();
        if holds != Some(true) {
            gaps_of(&c.expr, &ev, rule, &mut gaps)?;
        }
        conditions.push(ConditionTrace {
            name: c.name.clone(),
            holds,
            reads: ev.reads(),
            gaps,
        });
    }
    let eligible = conditions.iter().all(|c| c.holds == Some(true));
    let position = lines.iter().position(|l| {
        l.rule.pack == pack.manifest.id && l.rule.id == rule.id && l.subject == subject
    });
    let line = position.map(|i| lines[i].clone());
    let superseded_by = match &line {
        Some(AwardLine {
            status: Status::Superseded { by },
            ..
        }) => lines.get(*by).cloned(),
        _ => None,
    };
    Ok(Explanation {
        pack: pack.manifest.id.clone(),
        rule: rule.id.clone(),
        title: rule.title.clone(),
        citation: rule.citation.clone(),
        subject_kind: rule.subject,
        subject,
        eligible,
        conditions,
        line,
        superseded_by,
    })
}

/// The comparisons under `and`, `or` and `not` that do not hold, with their values.
fn gaps_of(
    e: &Expr,
    ev: &Evaluator<'_>,
    rule: &Rule,
    out: &mut Vec<Gap>,
) -> Result<(), EngineError> {
    match &e.kind {
        ExprKind::Binary(BinOp::And | BinOp::Or, a, b) => {
            gaps_of(a, ev, rule, out)?;
            gaps_of(b, ev, rule, out)
        }
        ExprKind::Binary(BinOp::Cmp(op), l, r) => {
            if truth(ev.eval_root(e)?) == Some(true) {
                return Ok(());
            }
            let value = one(ev, l)?;
            let threshold = one(ev, r)?;
            let what = describe(l, rule);
            let message = format!(
                "{what} {}，需 {} {}",
                value.clone().unwrap_or_else(|| "（缺少数据）".to_string()),
                symbol(op.symbol()),
                threshold
                    .clone()
                    .unwrap_or_else(|| "（缺少数据）".to_string())
            );
            let numeric = matches!(
                l.ty,
                Type::Int | Type::Decimal | Type::Money | Type::Percent
            );
            out.push(Gap {
                what,
                value,
                op: op.symbol().to_string(),
                threshold,
                message,
                numeric,
            });
            Ok(())
        }
        _ => Ok(()),
    }
}

fn truth(c: Col) -> Option<bool> {
    match c {
        Col::Bool(b) if b.is_valid(0) => Some(b.value(0)),
        _ => None,
    }
}

fn one(ev: &Evaluator<'_>, e: &Expr) -> Result<Option<String>, EngineError> {
    let v = ev.eval_root(e)?;
    Ok(display(&v, &e.ty, 0, ev.facts))
}

fn symbol(op: &str) -> &str {
    match op {
        ">=" => "≥",
        "<=" => "≤",
        "!=" => "≠",
        "==" => "=",
        other => other,
    }
}

/// A short name for the left side of a comparison, as people call it.
fn describe(e: &Expr, rule: &Rule) -> String {
    match &e.kind {
        ExprKind::Field { base, field, .. } => match base.ty {
            Type::Entity(kind) => {
                schema::field(kind, field).map_or_else(|| field.clone(), |f| f.label.to_string())
            }
            _ => field.clone(),
        },
        ExprKind::Local(name) => name.clone(),
        ExprKind::At { expr, .. } => describe(expr, rule),
        ExprKind::Call(Builtin::Growth, args) => format!(
            "{}增速",
            args.first().map(|a| describe(a, rule)).unwrap_or_default()
        ),
        ExprKind::Call(Builtin::Streak, _) => "连续满足年数".to_string(),
        ExprKind::Call(Builtin::FirstYear, _) => "首次满足年份".to_string(),
        ExprKind::Param(name) => name.clone(),
        _ => rule
            .conditions
            .iter()
            .find(|c| c.expr == *e)
            .map_or_else(|| "值".to_string(), |c| c.name.clone()),
    }
}

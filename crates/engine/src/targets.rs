//! The policy's targets against what the facts give: value, progress from the baseline, whether met,
//! and the yearly growth still needed.

use crate::EngineError;
use crate::eval::{Evaluator, Frame, value_at};
use crate::facts::FactIndex;
use crate::params::Params;
use jx555_lang::ir::Pack;
use jx555_lang::types::Value;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// One target in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetStatus {
    /// The pack.
    pub pack: String,
    /// The target's id.
    pub id: String,
    /// Its label.
    pub title: Option<String>,
    /// The clause that sets it.
    pub clause: String,
    /// The comparison, such as `>=`.
    pub op: String,
    /// The goal; for a goal relative to a base year (倍增), `None` while that year's value is unknown.
    pub goal: Option<Value>,
    /// The goal as the policy states it: `1.6万亿元`, or `2019年的200%`.
    pub goal_stated: String,
    /// The year a relative goal (倍增) is a share of.
    pub relative_to: Option<i32>,
    /// The year it is due.
    pub by: i32,
    /// The baseline and its year, when the policy states one.
    pub baseline: Option<(Value, i32)>,
    /// The value the facts give this year (or the indicator entered for it, or measured by the
    /// service desk); `None` when none does.
    pub value: Option<Value>,
    /// Whether the value was measured by the service desk (no indicator was entered).
    pub measured: bool,
    /// How far from the baseline (or from zero) to the goal the value is, as a ratio.
    pub progress: Option<Decimal>,
    /// Whether the value meets the goal; for a yearly floor, whether every year so far does (no
    /// when one does not, unknown while one has no value).
    pub met: Option<bool>,
    /// A yearly floor's years so far (from its first to this year, at most its last): each year's
    /// value and whether it holds. Empty for other targets.
    pub each_year: Vec<(i32, Option<Value>, Option<bool>)>,
    /// The growth per year still needed to reach the goal by its year (a rate for reading, not money).
    pub yearly_growth_needed: Option<Decimal>,
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => Some(*d),
        _ => None,
    }
}

/// Every target of the packs, measured over the facts of `year`. A target measured over a year the
/// facts do not cover, or one whose indicator is not given, has no value (and so no progress and no
/// verdict).
pub fn targets(
    packs: &[&Pack],
    facts: &FactIndex,
    year: i32,
) -> Result<Vec<TargetStatus>, EngineError> {
    targets_with(packs, facts, year, &|_, _| None)
}

/// Values measured outside the facts (the service desk's), by target id and year: an indicator
/// target not entered in the facts takes its value from here.
pub type Measured<'a> = &'a dyn Fn(&str, i32) -> Option<Decimal>;

/// [`targets`], with indicator targets the facts leave empty taken from `measured`.
pub fn targets_with(
    packs: &[&Pack],
    facts: &FactIndex,
    year: i32,
    measured: Measured<'_>,
) -> Result<Vec<TargetStatus>, EngineError> {
    let mut out = Vec::new();
    for pack in packs {
        let params = Params::new(pack, &[])?;
        for t in &pack.targets {
            let value_in = |year: i32| -> Result<Option<Value>, EngineError> {
                Ok(match &t.measure {
                    None => facts
                        .indicator(&t.id, year)
                        .or_else(|| measured(&t.id, year))
                        .map(|d| match &t.goal {
                            Value::Money(_) => Value::Money(d),
                            Value::Percent(_) => Value::Percent(d),
                            _ => Value::Decimal(d),
                        }),
                    // A year the facts do not cover has no value (无数据), not a value of 0.
                    Some(_) if !facts.has_year(year) => None,
                    Some(m) => {
                        let frame = Frame {
                            n: 1,
                            vars: Vec::new(),
                            root: None,
                        };
                        let ev = Evaluator::new(facts, &params, year, &[], frame, false);
                        let col = ev.eval_root(m)?;
                        value_at(&col, &m.ty, 0, facts)
                    }
                })
            };
            let value = value_in(year)?;
            let measured =
                t.measure.is_none() && facts.indicator(&t.id, year).is_none() && value.is_some();
            // 倍增: the goal is a share of the value the facts give for the base year.
            let (goal_value, baseline) = match t.relative_to {
                None => (Some(t.goal.clone()), t.baseline.clone()),
                Some(y) => {
                    let base = value_in(y)?;
                    let goal = match (&base, number(&t.goal)) {
                        (Some(b), Some(ratio)) => number(b).map(|n| {
                            let g = n * ratio;
                            match (b, g.to_i64()) {
                                (Value::Int(_), Some(i)) if g.fract().is_zero() => Value::Int(i),
                                (Value::Money(_), _) => Value::Money(g),
                                (Value::Percent(_), _) => Value::Percent(g),
                                _ => Value::Decimal(g),
                            }
                        }),
                        _ => None,
                    };
                    (goal, base.map(|b| (b, y)))
                }
            };
            let goal_stated = match (t.relative_to, t.yearly_from) {
                (Some(y), _) => format!("{}年的{}", y, t.goal),
                (None, Some(from)) => format!("{}（{from}–{}年每年）", t.goal, t.by),
                (None, None) => t.goal.to_string(),
            };
            let goal = goal_value.as_ref().and_then(number);
            let now = value.as_ref().and_then(number);
            let base = baseline
                .as_ref()
                .and_then(|(b, _)| number(b))
                .unwrap_or(Decimal::ZERO);
            let progress = match (now, goal) {
                (Some(v), Some(g)) if g != base => Some(((v - base) / (g - base)).round_dp(4)),
                _ => None,
            };
            let holds = |v: Option<Decimal>| match (v, goal) {
                (Some(v), Some(g)) => Some(crate::col::op_holds(t.op, v.cmp(&g))),
                _ => None,
            };
            let mut each_year = Vec::new();
            if let Some(from) = t.yearly_from {
                for y in from..=year.min(t.by) {
                    let v = if y == year {
                        value.clone()
                    } else {
                        value_in(y)?
                    };
                    let ok = holds(v.as_ref().and_then(number));
                    each_year.push((y, v, ok));
                }
            }
            let met = if t.yearly_from.is_none() {
                holds(now)
            } else if each_year.iter().any(|(_, _, ok)| *ok == Some(false)) {
                Some(false)
            } else if !each_year.is_empty() && each_year.iter().all(|(_, _, ok)| *ok == Some(true))
            {
                Some(true)
            } else {
                None
            };
            let years_left = t.by - year;
            let yearly_growth_needed = match (now, goal) {
                // A floor is held each year, not grown towards.
                _ if t.yearly_from.is_some() => None,
                (Some(v), Some(g)) if years_left > 0 && v > Decimal::ZERO && met == Some(false) => {
                    let ratio = (g / v).to_string().parse::<f64>().ok();
                    ratio
                        .map(|r| r.powf(1.0 / f64::from(years_left)) - 1.0)
                        .and_then(Decimal::from_f64_retain)
                        .map(|d| d.round_dp(4))
                }
                _ => None,
            };
            out.push(TargetStatus {
                pack: pack.manifest.id.clone(),
                id: t.id.clone(),
                title: t.title.clone(),
                clause: t.citation.clause.clone(),
                op: t.op.symbol().to_string(),
                goal: goal_value,
                goal_stated,
                relative_to: t.relative_to,
                by: t.by,
                baseline,
                value,
                measured,
                progress,
                met,
                each_year,
                yearly_growth_needed,
            });
        }
    }
    Ok(out)
}

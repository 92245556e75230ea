//! Vectorized evaluation of typed expressions: one kernel call per node over a whole frame of subjects.

use crate::EngineError;
use crate::col::{self, Col, ONE, broadcast_bool};
use crate::exact;
use crate::facts::{FactIndex, table_name};
use crate::params::Params;
use arrow::array::BooleanBufferBuilder;
use arrow::array::{
    Array, AsArray, BooleanArray, Decimal128Array, Int64Array, StringArray, UInt32Array,
};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::Int64Type;
use jx555_lang::ir::{AggKind, BinOp, CmpOp, UnOp};
use jx555_lang::ir::{Builtin, Expr, ExprKind};
use jx555_lang::pack::manifest::RoundingMode;
use jx555_lang::schema::{self, FieldType};
use jx555_lang::types::{EntityKind, Type, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// The records an expression is evaluated for: one row per subject (or per related record inside an
/// aggregate), with the record each variable stands for.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Rows.
    pub n: usize,
    /// Each variable's records, `n` long.
    pub vars: Vec<(String, UInt32Array)>,
    /// For a frame inside an aggregate: the subject row each row belongs to.
    pub root: Option<UInt32Array>,
}

impl Frame {
    /// The frame of a rule's subjects.
    pub fn subjects(var: &str, rows: UInt32Array) -> Frame {
        Frame {
            n: rows.len(),
            vars: vec![(var.to_string(), rows)],
            root: None,
        }
    }

    /// The rows at `keep` of this frame, as a frame whose `root` points back at the subject rows (so
    /// `let`s, cached for the subjects, are read at the right rows).
    fn subset(&self, keep: &UInt32Array) -> Result<Frame, EngineError> {
        let take = |r: &UInt32Array| -> Result<UInt32Array, EngineError> {
            Ok(arrow::compute::take(r, keep, None)?.as_primitive().clone())
        };
        Ok(Frame {
            n: keep.len(),
            vars: self
                .vars
                .iter()
                .map(|(n, r)| Ok((n.clone(), take(r)?)))
                .collect::<Result<_, EngineError>>()?,
            root: Some(match &self.root {
                Some(r) => take(r)?,
                None => keep.clone(),
            }),
        })
    }

    fn var(&self, name: &str) -> Result<&UInt32Array, EngineError> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
            .ok_or_else(|| EngineError::internal(format!("unbound variable {name}")))
    }
}

/// A fact read while explaining one subject.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Read {
    /// The field's Chinese label.
    pub label: String,
    /// The field.
    pub field: String,
    /// The year read, for yearly fields.
    pub year: Option<i32>,
    /// The value, or `None` when the facts do not give it.
    pub value: Option<String>,
}

/// Evaluates the expressions of one rule (or target) over frames, caching its `let`s.
pub struct Evaluator<'a> {
    /// The facts.
    pub facts: &'a FactIndex,
    /// Parameters, with what-if overrides applied.
    pub params: &'a Params,
    /// The evaluation year.
    pub year: i32,
    lets: &'a [(String, Expr)],
    cache: RefCell<HashMap<String, Col>>,
    root: RefCell<Frame>,
    trace: Option<RefCell<Vec<Read>>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over a root frame. With `trace`, every field read is recorded (for explanations).
    pub fn new(
        facts: &'a FactIndex,
        params: &'a Params,
        year: i32,
        lets: &'a [(String, Expr)],
        root: Frame,
        trace: bool,
    ) -> Self {
        Evaluator {
            facts,
            params,
            year,
            lets,
            cache: RefCell::new(HashMap::new()),
            root: RefCell::new(root),
            trace: trace.then(|| RefCell::new(Vec::new())),
        }
    }

    /// The root frame.
    pub fn root(&self) -> Frame {
        self.root.borrow().clone()
    }

    /// Keeps only the given rows of the root frame (and of the cached `let`s).
    pub fn narrow(&self, keep: &UInt32Array) -> Result<(), EngineError> {
        let mut root = self.root.borrow_mut();
        for (_, rows) in &mut root.vars {
            *rows = arrow::compute::take(rows, keep, None)?
                .as_primitive()
                .clone();
        }
        root.n = keep.len();
        let mut cache = self.cache.borrow_mut();
        for col in cache.values_mut() {
            *col = col.take(keep)?;
        }
        Ok(())
    }

    /// The facts read so far (explanations only).
    pub fn reads(&self) -> Vec<Read> {
        self.trace
            .as_ref()
            .map(|t| t.borrow().clone())
            .unwrap_or_default()
    }

    /// Evaluates on the root frame in the evaluation year.
    pub fn eval_root(&self, e: &Expr) -> Result<Col, EngineError> {
        let root = self.root();
        self.eval(e, &root, self.year)
    }

    /// Evaluates an expression over a frame, reading yearly facts of `year`.
    pub fn eval(&self, e: &Expr, frame: &Frame, year: i32) -> Result<Col, EngineError> {
        match &e.kind {
            ExprKind::Const(v) => Ok(Col::constant(v)),
            ExprKind::Year => Ok(Col::Int(Int64Array::from(vec![i64::from(year)]))),
            ExprKind::Param(name) => match self.params.constant(name)? {
                Some(v) => Ok(Col::constant(&v)),
                None => Col::missing(&e.ty),
            },
            ExprKind::Local(name) => self.local(name, frame),
            ExprKind::Var(name) => Ok(Col::Ref(frame.var(name)?.clone())),
            ExprKind::All(_) | ExprKind::Tuple(_) => {
                Err(EngineError::internal("a collection or key used as a value"))
            }
            ExprKind::Field {
                base,
                field,
                yearly,
            } => self.field(base, field, *yearly, frame, year),
            ExprKind::At { expr, year: at } => {
                let at = self.eval(at, frame, year)?;
                let Col::Int(years) = at else {
                    return Err(EngineError::internal("year is not whole"));
                };
                let distinct = distinct_years(&years);
                if years.len() == 1 || distinct.len() <= 1 {
                    let y = distinct.first().copied().unwrap_or(year);
                    return self.eval(expr, frame, y);
                }
                let mut acc: Option<Col> = None;
                for y in distinct {
                    let v = self.eval(expr, frame, y)?;
                    let mask = col::compare(
                        CmpOp::Eq,
                        &Col::Int(years.clone()),
                        &Col::Int(Int64Array::from(vec![i64::from(y)])),
                    )?;
                    let other = match &acc {
                        Some(a) => a.clone(),
                        None => v.nulls_like(frame.n),
                    };
                    acc = Some(col::choose(mask.bool()?, &v, &other)?);
                }
                acc.ok_or_else(|| EngineError::internal("no year"))
            }
            ExprKind::Lookup { table, key } => {
                let key = self.eval(key, frame, year)?;
                let (entries, default) = self.params.table(table)?;
                let mut acc = match default {
                    Some(d) => Col::constant(&d),
                    None => Col::missing(&e.ty)?,
                };
                for (k, v) in entries.iter().rev() {
                    let mask = col::compare(CmpOp::Eq, &key, &Col::constant(k))?;
                    acc = col::choose(mask.bool()?, &Col::constant(v), &acc)?;
                }
                Ok(acc)
            }
            ExprKind::Unary(op, x) => {
                let x = self.eval(x, frame, year)?;
                match (op, &x) {
                    (UnOp::Not, Col::Bool(b)) => Ok(Col::Bool(arrow::compute::not(b)?)),
                    (UnOp::Neg, Col::Int(i)) => Ok(Col::Int(col::binary::<Int64Type, Int64Type>(
                        i,
                        &Int64Array::from(vec![0]),
                        |a, _| a.checked_neg(),
                    )?)),
                    (UnOp::Neg, Col::Dec(_) | Col::Exact(_)) => {
                        col::arith(col::Arith::Sub, &Col::Int(Int64Array::from(vec![0])), &x)
                    }
                    _ => Err(EngineError::internal("bad unary operand")),
                }
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.eval(l, frame, year)?;
                let b = self.eval(r, frame, year)?;
                self.binary(*op, &a, &b, &e.ty, frame.n)
            }
            ExprKind::If(c, a, b) => {
                let c = self.eval(c, frame, year)?;
                let c = c.bool()?;
                if c.len() == 1 && c.is_valid(0) {
                    return self.eval(if c.value(0) { a } else { b }, frame, year);
                }
                let (a, b) = (self.eval(a, frame, year)?, self.eval(b, frame, year)?);
                col::choose(c, &a, &b)
            }
            ExprKind::Match(s, arms) => {
                let s = self.eval(s, frame, year)?;
                // Arms are folded from the last: an earlier arm that matches wins.
                let mut acc: Option<Col> = None;
                for (values, body) in arms.iter().rev() {
                    let v = self.eval(body, frame, year)?;
                    if values.is_empty() {
                        acc = Some(v);
                        continue;
                    }
                    let prev = acc.take().unwrap_or_else(|| v.nulls_like(1));
                    let mut mask = col::full_bool(1, false);
                    for value in values {
                        let m = col::compare(
                            CmpOp::Eq,
                            &s,
                            &Col::Text(StringArray::from(vec![value.as_str()])),
                        )?;
                        mask = or(&mask, m.bool()?, s.len())?;
                    }
                    acc = Some(col::choose(&mask, &v, &prev)?);
                }
                acc.ok_or_else(|| EngineError::internal("match without arms"))
            }
            ExprKind::In(x, items) => {
                let x = self.eval(x, frame, year)?;
                let mut acc: Option<BooleanArray> = None;
                for item in items {
                    let v = self.eval(item, frame, year)?;
                    let m = col::compare(CmpOp::Eq, &x, &v)?;
                    acc = Some(match acc {
                        None => m.bool()?.clone(),
                        Some(a) => or(&a, m.bool()?, frame.n)?,
                    });
                }
                Ok(Col::Bool(acc.unwrap_or_else(|| col::full_bool(1, false))))
            }
            ExprKind::Call(b, args) => self.call(b, args, frame, year),
            ExprKind::Agg {
                kind,
                var,
                coll,
                filter,
                map,
            } => self.agg(
                *kind,
                var,
                coll,
                filter.as_deref(),
                map.as_deref(),
                frame,
                year,
            ),
        }
    }

    fn local(&self, name: &str, frame: &Frame) -> Result<Col, EngineError> {
        let cached = self.cache.borrow().get(name).cloned();
        let value = match cached {
            Some(v) => v,
            None => {
                let (_, e) = self
                    .lets
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| EngineError::internal(format!("unknown let {name}")))?;
                let root = self.root();
                let v = self.eval(e, &root, self.year)?;
                self.cache.borrow_mut().insert(name.to_string(), v.clone());
                v
            }
        };
        match &frame.root {
            Some(rows) => value.take(rows),
            None => Ok(value),
        }
    }

    fn field(
        &self,
        base: &Expr,
        field: &str,
        yearly: bool,
        frame: &Frame,
        year: i32,
    ) -> Result<Col, EngineError> {
        let Type::Entity(kind) = base.ty else {
            return Err(EngineError::internal("field of a non-record"));
        };
        let rows = self.eval(base, frame, year)?;
        let rows = rows.refs()?;
        let table = self.facts.table(kind);
        let f = schema::field(kind, field)
            .ok_or_else(|| EngineError::internal(format!("no field {field}")))?;
        let value = if let FieldType::Parent(_) = f.ty {
            let parents = table
                .enterprise
                .as_ref()
                .ok_or_else(|| EngineError::internal("no parent index"))?;
            Col::Ref(
                arrow::compute::take(parents, rows, None)?
                    .as_primitive()
                    .clone(),
            )
        } else if yearly {
            self.facts
                .yearly(field, year, rows)?
                .ok_or_else(|| EngineError::missing_column(crate::facts::ENTERPRISE_YEARS, field))?
        } else {
            table
                .cols
                .get(field)
                .ok_or_else(|| EngineError::missing_column(table_name(kind), field))?
                .take(rows)?
        };
        if let Some(trace) = &self.trace {
            if value.len() == 1 && !matches!(f.ty, FieldType::Parent(_)) {
                trace.borrow_mut().push(Read {
                    label: f.label.to_string(),
                    field: field.to_string(),
                    year: yearly.then_some(year),
                    value: display(&value, &f.ty.to_type(), 0, self.facts),
                });
            }
        }
        Ok(value)
    }

    fn binary(&self, op: BinOp, a: &Col, b: &Col, ty: &Type, n: usize) -> Result<Col, EngineError> {
        match op {
            BinOp::And => Ok(Col::Bool(and(a.bool()?, b.bool()?, n)?)),
            BinOp::Or => Ok(Col::Bool(or(a.bool()?, b.bool()?, n)?)),
            BinOp::Cmp(c) => col::compare(c, a, b),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, a, b, ty),
        }
    }

    fn call(
        &self,
        b: &Builtin,
        args: &[Expr],
        frame: &Frame,
        year: i32,
    ) -> Result<Col, EngineError> {
        let arg = |i: usize| {
            args.get(i)
                .ok_or_else(|| EngineError::internal("missing argument"))
                .and_then(|a| self.eval(a, frame, year))
        };
        match b {
            Builtin::Round { unit, mode } => {
                let step = col::to_fixed(*unit);
                match arg(0)? {
                    Col::Exact(x) => {
                        let step = exact::of_fixed(step);
                        let rounded = x.map(|q| exact::round(q, &step, *mode));
                        // A rounded value has a fixed form unless it is beyond i128: then it stays exact.
                        Ok(Col::Exact(rounded.clone())
                            .dec()
                            .map_or(Col::Exact(rounded), Col::Dec))
                    }
                    x => Ok(Col::Dec(x.dec()?.unary(|v: i128| round_to(v, step, *mode)))),
                }
            }
            Builtin::Floor | Builtin::Ceil => {
                let ceil = matches!(b, Builtin::Ceil);
                let x = match arg(0)? {
                    Col::Exact(x) => {
                        return (0..x.len())
                            .map(|i| {
                                x.get(i)
                                    .map(|q| {
                                        exact::whole(q, ceil).ok_or_else(|| {
                                            EngineError::internal("a whole number beyond i64")
                                        })
                                    })
                                    .transpose()
                            })
                            .collect::<Result<Int64Array, _>>()
                            .map(Col::Int);
                    }
                    x => x.dec()?,
                };
                Ok(Col::Int(x.unary::<_, Int64Type>(|v: i128| {
                    let q = v.div_euclid(ONE) + i128::from(ceil && v.rem_euclid(ONE) != 0);
                    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
                })))
            }
            Builtin::Min | Builtin::Max => {
                let mut acc = arg(0)?;
                for i in 1..args.len() {
                    let next = arg(i)?;
                    let keep_acc = col::compare(
                        if matches!(b, Builtin::Min) {
                            CmpOp::Le
                        } else {
                            CmpOp::Ge
                        },
                        &acc,
                        &next,
                    )?;
                    acc = col::choose(keep_acc.bool()?, &acc, &next)?;
                }
                Ok(acc)
            }
            Builtin::Clamp => {
                let (x, lo, hi) = (arg(0)?, arg(1)?, arg(2)?);
                let below = col::compare(CmpOp::Lt, &x, &lo)?;
                let x = col::choose(below.bool()?, &lo, &x)?;
                let above = col::compare(CmpOp::Gt, &x, &hi)?;
                col::choose(above.bool()?, &hi, &x)
            }
            Builtin::Abs => match arg(0)? {
                Col::Int(i) => Ok(Col::Int(i.unary(|v: i64| v.saturating_abs()))),
                Col::Dec(d) => Ok(Col::Dec(d.unary(|v: i128| v.abs()))),
                Col::Exact(x) => Ok(Col::Exact(x.map(num_traits::Signed::abs))),
                _ => Err(EngineError::internal("abs of a non-number")),
            },
            Builtin::Growth => {
                let x = args
                    .first()
                    .ok_or_else(|| EngineError::internal("missing argument"))?;
                let now = self.eval(x, frame, year)?;
                let before = self.eval(x, frame, year - 1)?;
                let rise = col::arith(col::Arith::Sub, &now, &before)?;
                col::arith(col::Arith::Div, &rise, &before)
            }
            Builtin::FirstTime | Builtin::Streak | Builtin::FirstYear => {
                let c = args
                    .first()
                    .ok_or_else(|| EngineError::internal("missing argument"))?;
                self.history(b, c, frame, year)
            }
            Builtin::YearOf => match arg(0)? {
                Col::Date(d) => {
                    Ok(Col::Int(d.unary(|v| {
                        i64::from(jx555_lang::types::Date::from_days(v).year)
                    })))
                }
                _ => Err(EngineError::internal("year_of a non-date")),
            },
            Builtin::Exists => {
                let x = arg(0)?;
                Ok(Col::Bool(x.present()))
            }
        }
    }

    /// The years a bare yes/no yearly field of an enterprise held, as bits ([`FactIndex::held_years`]);
    /// `None` for any other condition, and when an explanation lists the facts read year by year.
    fn held_years(
        &self,
        c: &Expr,
        frame: &Frame,
        year: i32,
    ) -> Result<Option<Vec<u64>>, EngineError> {
        let ExprKind::Field {
            base,
            field,
            yearly: true,
        } = &c.kind
        else {
            return Ok(None);
        };
        if self.trace.is_some()
            || c.ty != Type::Bool
            || base.ty != Type::Entity(EntityKind::Enterprise)
        {
            return Ok(None);
        }
        let rows = self.eval(base, frame, year)?;
        Ok(self.facts.held_years(field, year, rows.refs()?))
    }

    /// 首次, 连续, 首年: the condition evaluated in each year the facts cover, up to this one — each
    /// earlier year only for the rows whose answer it can still change (a first time not yet
    /// disproved, a streak still unbroken, a first year not yet found).
    fn history(&self, b: &Builtin, c: &Expr, frame: &Frame, year: i32) -> Result<Col, EngineError> {
        let first = self.facts.first_year().unwrap_or(year).min(year);
        if let Some(held) = self.held_years(c, frame, year)? {
            return Ok(history_of_bits(b, &held, first, year));
        }
        // Where the condition held in year `y`, over the frame, for the rows marked in `rows` (false
        // elsewhere). A few rows are evaluated on their own; most of the frame is cheaper evaluated whole.
        let held = |rows: &BooleanBuffer, y: i32| -> Result<BooleanBuffer, EngineError> {
            let eval = |f: &Frame| -> Result<BooleanBuffer, EngineError> {
                let v = self.eval(c, f, y)?;
                Ok(broadcast_bool(&col::known_true(v.bool()?), f.n)
                    .values()
                    .clone())
            };
            if rows.count_set_bits() * 2 < frame.n {
                let keep = UInt32Array::from_iter_values(rows.set_indices_u32());
                let sub = eval(&frame.subset(&keep)?)?;
                let mut out = BooleanBufferBuilder::new(frame.n);
                out.append_n(frame.n, false);
                for i in sub.set_indices() {
                    out.set_bit(keep.value(i) as usize, true);
                }
                Ok(out.finish())
            } else {
                Ok(&eval(frame)? & rows)
            }
        };
        match b {
            Builtin::FirstTime => {
                let mut result = held(&BooleanBuffer::new_set(frame.n), year)?;
                for y in first..year {
                    if result.count_set_bits() == 0 {
                        break;
                    }
                    result = &result & &!&held(&result, y)?;
                }
                Ok(Col::Bool(BooleanArray::new(result, None)))
            }
            Builtin::Streak => {
                let mut alive = BooleanBuffer::new_set(frame.n);
                let mut count = vec![0i64; frame.n];
                for y in (first..=year).rev() {
                    if alive.count_set_bits() == 0 {
                        break;
                    }
                    alive = held(&alive, y)?;
                    for i in alive.set_indices() {
                        count[i] += 1;
                    }
                }
                Ok(Col::Int(Int64Array::from(count)))
            }
            _ => {
                let mut pending = BooleanBuffer::new_set(frame.n);
                let mut found = vec![0i64; frame.n];
                for y in first..=year {
                    if pending.count_set_bits() == 0 {
                        break;
                    }
                    let now = held(&pending, y)?;
                    for i in now.set_indices() {
                        found[i] = i64::from(y);
                    }
                    pending = &pending & &!&now;
                }
                Ok(Col::Int(Int64Array::new(
                    found.into(),
                    Some(NullBuffer::new(!&pending)),
                )))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn agg(
        &self,
        kind: AggKind,
        var: &str,
        coll: &Expr,
        filter: Option<&Expr>,
        map: Option<&Expr>,
        frame: &Frame,
        year: i32,
    ) -> Result<Col, EngineError> {
        let Type::List(child) = coll.ty else {
            return Err(EngineError::internal("aggregate over a non-list"));
        };
        let mut rows: Vec<u32> = Vec::new();
        let mut parent: Vec<u32> = Vec::new();
        let mut offsets: Vec<usize> = Vec::with_capacity(frame.n + 1);
        offsets.push(0);
        match &coll.kind {
            ExprKind::All(_) => {
                let all = u32::try_from(self.facts.table(child).rows).unwrap_or(u32::MAX);
                for i in 0..frame.n {
                    rows.extend(0..all);
                    parent.extend(std::iter::repeat_n(
                        u32::try_from(i).unwrap_or(u32::MAX),
                        all as usize,
                    ));
                    offsets.push(rows.len());
                }
            }
            ExprKind::Field { base, .. } => {
                let owners = self.eval(base, frame, year)?;
                let owners = owners.refs()?;
                let enterprises = self.facts.table(EntityKind::Enterprise);
                for i in 0..frame.n {
                    let j = if owners.len() == 1 { 0 } else { i };
                    if owners.is_valid(j) {
                        let kids = enterprises.children(child, owners.value(j));
                        rows.extend_from_slice(kids);
                        parent.extend(std::iter::repeat_n(
                            u32::try_from(i).unwrap_or(u32::MAX),
                            kids.len(),
                        ));
                    }
                    offsets.push(rows.len());
                }
            }
            _ => {
                return Err(EngineError::internal(
                    "aggregate over an unsupported collection",
                ));
            }
        }
        let parent = UInt32Array::from(parent);
        let mut vars = Vec::with_capacity(frame.vars.len() + 1);
        for (name, r) in &frame.vars {
            vars.push((
                name.clone(),
                arrow::compute::take(r, &parent, None)?
                    .as_primitive()
                    .clone(),
            ));
        }
        vars.push((var.to_string(), UInt32Array::from(rows)));
        let root = match &frame.root {
            Some(r) => arrow::compute::take(r, &parent, None)?
                .as_primitive()
                .clone(),
            None => parent.clone(),
        };
        let inner = Frame {
            n: parent.len(),
            vars,
            root: Some(root),
        };
        let keep = match filter {
            Some(f) => {
                let v = self.eval(f, &inner, year)?;
                broadcast_bool(&col::known_true(v.bool()?), inner.n)
            }
            None => col::full_bool(inner.n, true),
        };
        let segments = offsets.windows(2).map(|w| (w[0], w[1]));
        match kind {
            AggKind::Any => Ok(Col::Bool(
                segments
                    .map(|(a, b)| Some((a..b).any(|i| keep.value(i))))
                    .collect(),
            )),
            AggKind::Count => Ok(Col::Int(
                segments
                    .map(|(a, b)| Some((a..b).filter(|&i| keep.value(i)).count() as i64))
                    .collect(),
            )),
            AggKind::Sum | AggKind::Min | AggKind::Max => {
                let m = map.ok_or_else(|| EngineError::internal("aggregate without a value"))?;
                let v = self.eval(m, &inner, year)?;
                let is_int = matches!(v, Col::Int(_));
                // Fixed point while every sum fits (the common case, at full speed); exact rationals
                // for exact values or a sum beyond i128 — never a saturated figure.
                let out = match &v {
                    Col::Exact(_) => None,
                    other => {
                        let d = other.dec()?;
                        let at = |i: usize| if d.len() == 1 { 0 } else { i };
                        segments
                            .clone()
                            .map(|(a, b)| {
                                let mut vals = (a..b)
                                    .filter(|&i| keep.value(i) && d.is_valid(at(i)))
                                    .map(|i| d.value(at(i)));
                                match kind {
                                    AggKind::Sum => {
                                        vals.try_fold(0i128, i128::checked_add).map(Some)
                                    }
                                    AggKind::Min => Some(vals.min()),
                                    _ => Some(vals.max()),
                                }
                            })
                            .collect::<Option<Decimal128Array>>()
                            .map(Col::Dec)
                    }
                };
                let out = match out {
                    Some(fixed) => fixed,
                    None => {
                        let v = v.exact()?;
                        let exact: Vec<Option<exact::Q>> =
                            segments
                                .map(|(a, b)| {
                                    let vals =
                                        (a..b).filter(|&i| keep.value(i)).filter_map(|i| v.get(i));
                                    match kind {
                                        AggKind::Sum => Some(vals.fold(
                                            <exact::Q as num_traits::Zero>::zero(),
                                            |s, x| s + x,
                                        )),
                                        AggKind::Min => vals.min().cloned(),
                                        _ => vals.max().cloned(),
                                    }
                                })
                                .collect();
                        let out = Col::Exact(exact::Exact::new(exact));
                        out.dec().map_or(out, Col::Dec)
                    }
                };
                if is_int {
                    out.dec()?
                        .iter()
                        .map(|x| {
                            x.map(|x| {
                                i64::try_from(x / ONE).map_err(|_| {
                                    EngineError::internal("a sum of whole numbers beyond i64")
                                })
                            })
                            .transpose()
                        })
                        .collect::<Result<Int64Array, _>>()
                        .map(Col::Int)
                } else {
                    Ok(out)
                }
            }
        }
    }
}

fn distinct_years(years: &Int64Array) -> Vec<i32> {
    let mut out: Vec<i32> = years
        .iter()
        .flatten()
        .filter_map(|y| i32::try_from(y).ok())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn and(a: &BooleanArray, b: &BooleanArray, n: usize) -> Result<BooleanArray, EngineError> {
    let n = if a.len() == 1 && b.len() == 1 { 1 } else { n };
    Ok(arrow::compute::and_kleene(
        &broadcast_bool(a, n),
        &broadcast_bool(b, n),
    )?)
}

fn or(a: &BooleanArray, b: &BooleanArray, n: usize) -> Result<BooleanArray, EngineError> {
    let n = if a.len() == 1 && b.len() == 1 { 1 } else { n };
    Ok(arrow::compute::or_kleene(
        &broadcast_bool(a, n),
        &broadcast_bool(b, n),
    )?)
}

/// Arithmetic, exact ([`col::arith`]); whole numbers stay whole where the type says so.
fn arith(op: BinOp, a: &Col, b: &Col, ty: &Type) -> Result<Col, EngineError> {
    if let (Col::Int(x), Col::Int(y), Type::Int | Type::Year) = (a, b, ty) {
        return Ok(Col::Int(col::binary::<Int64Type, Int64Type>(
            x,
            y,
            |p, q| match op {
                BinOp::Add => p.checked_add(q),
                BinOp::Sub => p.checked_sub(q),
                BinOp::Mul => p.checked_mul(q),
                _ => None,
            },
        )?));
    }
    let op = match op {
        BinOp::Add => col::Arith::Add,
        BinOp::Sub => col::Arith::Sub,
        BinOp::Mul => col::Arith::Mul,
        BinOp::Div => col::Arith::Div,
        _ => return Err(EngineError::internal("not an arithmetic operator")),
    };
    col::arith(op, a, b)
}

/// Rounds a fixed-point value to a multiple of `step` (also fixed-point).
pub fn round_to(v: i128, step: i128, mode: RoundingMode) -> i128 {
    if step <= 0 {
        return v;
    }
    let q = v.div_euclid(step);
    let r = v.rem_euclid(step);
    let up = match mode {
        RoundingMode::Down => v < 0 && r != 0,
        RoundingMode::Up => v > 0 && r != 0,
        RoundingMode::HalfUp => {
            if v >= 0 {
                2 * r >= step
            } else {
                2 * r > step
            }
        }
        RoundingMode::HalfEven => 2 * r > step || (2 * r == step && q % 2 != 0),
    };
    (q + i128::from(up)) * step
}

/// A value of a column as a reader sees it: money in 万元 or 元, percents with `%`, records by id.
pub fn display(c: &Col, ty: &Type, row: usize, facts: &FactIndex) -> Option<String> {
    value_at(c, ty, row, facts).map(|v| match v {
        Value::Bool(b) => if b { "是" } else { "否" }.to_string(),
        other => other.to_string().trim_matches('"').to_string(),
    })
}

/// 首次, 连续, 首年 of bits where bit k says the condition held in year `first + k` (bits after
/// `year` clear): what [`Evaluator::history`] finds year by year.
fn history_of_bits(b: &Builtin, held: &[u64], first: i32, year: i32) -> Col {
    // `year` as a bit; past the 64 a row can hold, the condition never held in it.
    let now = u32::try_from(year - first).ok().filter(|k| *k < 64);
    let n = held.len();
    match b {
        Builtin::FirstTime => Col::Bool(BooleanArray::new(
            BooleanBuffer::collect_bool(n, |i| now.is_some_and(|k| held[i] == 1 << k)),
            None,
        )),
        // The ones from `year` down: the bits shifted so that `year` is the top one.
        Builtin::Streak => {
            Col::Int(Int64Array::from_iter_values(held.iter().map(|h| {
                now.map_or(0, |k| i64::from((!(h << (63 - k))).leading_zeros()))
            })))
        }
        _ => Col::Int(Int64Array::new(
            held.iter()
                .map(|h| i64::from(first) + i64::from(h.trailing_zeros()))
                .collect(),
            Some(NullBuffer::new(BooleanBuffer::collect_bool(n, |i| {
                held[i] != 0
            }))),
        )),
    }
}

/// A value of a column as a language value (records become their id as text).
pub fn value_at(c: &Col, ty: &Type, row: usize, facts: &FactIndex) -> Option<Value> {
    let row = if c.len() == 1 { 0 } else { row };
    if row >= c.len() || c.is_null(row) {
        return None;
    }
    Some(match (c, ty) {
        (Col::Bool(b), _) => Value::Bool(b.value(row)),
        (Col::Int(i), Type::Year) => Value::Year(i32::try_from(i.value(row)).unwrap_or(0)),
        (Col::Int(i), _) => Value::Int(i.value(row)),
        (Col::Dec(d), Type::Money) => Value::Money(col::from_fixed(d.value(row))),
        (Col::Dec(d), Type::Percent) => Value::Percent(col::from_fixed(d.value(row))),
        (Col::Dec(d), _) => Value::Decimal(col::from_fixed(d.value(row))),
        (Col::Exact(x), ty) => {
            let d = exact::to_decimal(x.get(row)?);
            match ty {
                Type::Money => Value::Money(d),
                Type::Percent => Value::Percent(d),
                _ => Value::Decimal(d),
            }
        }
        (Col::Text(t), Type::Enum(e)) => Value::Enum(e.clone(), t.value(row).to_string()),
        (Col::Text(t), _) => Value::Text(t.value(row).to_string()),
        (Col::Date(d), _) => Value::Date(jx555_lang::types::Date::from_days(d.value(row))),
        (Col::Ref(r), Type::Entity(kind)) => {
            let ids = &facts.table(*kind).ids;
            let i = r.value(row) as usize;
            Value::Text(if i < ids.len() && ids.is_valid(i) {
                ids.value(i).to_string()
            } else {
                String::new()
            })
        }
        (Col::Ref(r), _) => Value::Int(i64::from(r.value(row))),
    })
}

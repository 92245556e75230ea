//! Parameters: constants and tables of constants, checked against their declared types.

use crate::check::{Checker, coerce};
use crate::diag::{Code, Diagnostic};
use crate::ir::{self, ExprKind, ParamValue};
use crate::pack::literate::{Block, Citation, clause_number};
use crate::syntax::ast::{self, Expr, Span, Spanned, TableKey};
use crate::types::{Type, Value};

impl Checker<'_> {
    /// A constant of type `want`, or a report.
    pub(super) fn constant(&mut self, e: &Spanned<Expr>, want: Option<&Type>) -> Option<Value> {
        let x = self.expr(e, want);
        let value = match &x.kind {
            ExprKind::Const(v) if x.ty != Type::Error => v.clone(),
            ExprKind::Unary(ast::UnOp::Neg, inner) => match &inner.kind {
                ExprKind::Const(Value::Int(i)) => Value::Int(-i),
                ExprKind::Const(Value::Decimal(d)) => Value::Decimal(-d),
                ExprKind::Const(Value::Money(d)) => Value::Money(-d),
                ExprKind::Const(Value::Percent(d)) => Value::Percent(-d),
                _ => return self.not_constant(&x),
            },
            _ if x.ty == Type::Error => return None,
            _ => return self.not_constant(&x),
        };
        match want {
            None | Some(Type::Error) => Some(value),
            Some(t) => match coerce(value, t) {
                Ok(v) => Some(v),
                Err(v) => {
                    let shown = ir::Expr {
                        kind: ExprKind::Const(v.clone()),
                        ty: v.ty(),
                        span: x.span.clone(),
                    };
                    self.mismatch(&shown, t, "the value");
                    None
                }
            },
        }
    }

    pub(super) fn not_constant(&mut self, x: &ir::Expr) -> Option<Value> {
        self.report(
            Diagnostic::new(
                Code::NotConstant,
                self.file,
                x.span.clone(),
                "a constant is needed here",
            )
            .with_help("write the number the policy states, such as `150万` or `10%`"),
        );
        None
    }

    pub(super) fn param(&mut self, p: &ast::Param, block: &Block) -> Option<ir::Param> {
        let declared = p.ty.as_ref().map(|t| self.resolve_type(t));
        let citation = block.sentence.as_ref().map(|s| Citation {
            clause: block
                .headings
                .iter()
                .rev()
                .find_map(|h| clause_number(h).map(str::to_string))
                .unwrap_or_default(),
            headings: block.headings.clone(),
            sentence: s.clone(),
            line: self.sources.line_col(self.file, block.span.start).0,
        });
        let (ty, value) = match (&p.value.node, declared) {
            (_, Some(ty)) if p.pending.is_some() => (
                ty,
                ParamValue::Pending(p.pending.clone().unwrap_or_default()),
            ),
            (_, None) if p.pending.is_some() => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        p.name.span.clone(),
                        "a pending parameter needs its type",
                    )
                    .with_help(format!(
                        "write `param {}: percent = pending \"...\"`",
                        p.name.node
                    )),
                );
                return None;
            }
            (Expr::Table(entries), Some(Type::Table(k, v))) => {
                let value = self.table(entries, &k, &v, &p.value.span)?;
                (Type::Table(k, v), value)
            }
            (Expr::Table(_), _) => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        p.name.span.clone(),
                        "a table needs its type",
                    )
                    .with_help(format!(
                        "write `param {}: level -> money = {{ ... }}`",
                        p.name.node
                    )),
                );
                return None;
            }
            (_, Some(Type::Table(..))) => {
                self.report(Diagnostic::new(
                    Code::TypeMismatch,
                    self.file,
                    p.value.span.clone(),
                    "a table parameter needs `{ key => value, ... }`",
                ));
                return None;
            }
            (_, declared) => {
                let v = self.constant(&p.value, declared.as_ref())?;
                (declared.unwrap_or_else(|| v.ty()), ParamValue::Const(v))
            }
        };
        Some(ir::Param {
            name: p.name.node.clone(),
            ty,
            value,
            citation,
        })
    }

    pub(super) fn table(
        &mut self,
        entries: &[(TableKey, Spanned<Expr>)],
        k: &Type,
        v: &Type,
        span: &Span,
    ) -> Option<ParamValue> {
        let mut out: Vec<(Value, Value)> = Vec::new();
        let mut default = None;
        let mut ok = true;
        for (key, value) in entries {
            let value = self.constant(value, Some(v));
            match key {
                TableKey::Default => default = value.clone(),
                TableKey::Key(key) => {
                    let kv = self.constant(key, Some(k));
                    if let Some(kv) = &kv {
                        if out.iter().any(|(x, _)| x == kv) {
                            self.report(Diagnostic::new(
                                Code::GivenTwice,
                                self.file,
                                key.span.clone(),
                                format!("key {kv} is given twice"),
                            ));
                        }
                    }
                    match (kv, value) {
                        (Some(kv), Some(value)) => out.push((kv, value)),
                        _ => ok = false,
                    }
                }
            }
        }
        if default.is_none() {
            let missing: Vec<String> = match k {
                Type::Enum(name) => self
                    .catalog
                    .enums
                    .get(name)
                    .map(|e| {
                        e.values
                            .keys()
                            .filter(|v| {
                                !out.iter()
                                    .any(|(x, _)| *x == Value::Enum(name.clone(), (*v).clone()))
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                Type::Year => self
                    .manifest
                    .map(|m| {
                        (m.effective_from.year..=m.effective_until.year)
                            .filter(|y| !out.iter().any(|(x, _)| *x == Value::Year(*y)))
                            .map(|y| y.to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            if !missing.is_empty() {
                self.report(
                    Diagnostic::new(
                        Code::NonExhaustive,
                        self.file,
                        span.clone(),
                        format!("the table has no value for {}", missing.join(", ")),
                    )
                    .with_help("give every key a value, or `_ => ...` for the rest"),
                );
            }
        }
        ok.then_some(ParamValue::Table {
            entries: out,
            default,
        })
    }
}

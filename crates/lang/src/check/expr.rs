//! Typing of expressions: name resolution, unit rules and exhaustiveness.

use super::{Binding, Checker, suggest};
use crate::builtins;
use crate::diag::{Code, Diagnostic};
use crate::ir::{self, Builtin, ExprKind};
use crate::pack::manifest::RoundingMode;
use crate::schema::{self, FieldType};
use crate::syntax::ast::{AggKind, BinOp, CmpOp, Expr, Literal, Pattern, Span, Spanned, UnOp};
use crate::types::{Type, Value};
use rust_decimal::Decimal;
use std::collections::HashSet;

fn texpr(kind: ExprKind, ty: Type, span: Span) -> ir::Expr {
    ir::Expr { kind, ty, span }
}

fn error(span: Span) -> ir::Expr {
    texpr(ExprKind::Const(Value::Bool(false)), Type::Error, span)
}

/// The common type of two branches or operands, when they have one.
pub(super) fn unify(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Error, t) | (t, Error) => t.clone(),
        (a, b) if a == b => a.clone(),
        (Year, Int) | (Int, Year) => Year,
        (Int, Decimal) | (Decimal, Int) | (Percent, Decimal) | (Decimal, Percent) => Decimal,
        (Int, Percent) | (Percent, Int) => Decimal,
        _ => return None,
    })
}

impl Checker<'_> {
    /// Checks an expression; `expect` guides the reading of bare enum values and year literals.
    pub(super) fn expr(&mut self, e: &Spanned<Expr>, expect: Option<&Type>) -> ir::Expr {
        // A long chain such as `1 + 1 + ... + 1` is a deep tree: grow the stack rather than overflow it.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e, expect))
    }

    fn expr_inner(&mut self, e: &Spanned<Expr>, expect: Option<&Type>) -> ir::Expr {
        let span = e.span.clone();
        match &e.node {
            Expr::Lit(lit) => self.literal(lit, span, expect),
            Expr::Name(name) => self.name(name, span, expect),
            Expr::Field(base, field) => self.field(base, field),
            Expr::Index(table, key) => self.index(table, key, span),
            Expr::At(inner, year) => {
                let inner = self.expr(inner, expect);
                let year = self.expect_type(year, &Type::Year, "the year after `@`");
                let ty = inner.ty.clone();
                texpr(
                    ExprKind::At {
                        expr: Box::new(inner),
                        year: Box::new(year),
                    },
                    ty,
                    span,
                )
            }
            Expr::Call(f, args) => self.call(f, args, span),
            Expr::Agg {
                kind,
                var,
                coll,
                filter,
                map,
            } => self.agg(*kind, var, coll, filter.as_deref(), map.as_deref(), span),
            Expr::Unary(op, x) => self.unary(*op, x, span),
            Expr::Binary(op, l, r) => self.binary(*op, l, r, span),
            Expr::If(c, a, b) => {
                let c = self.expect_type(c, &Type::Bool, "the condition of `if`");
                let a = self.expr(a, expect);
                let b = self.expr(b, Some(&a.ty).filter(|t| **t != Type::Error).or(expect));
                let ty = match unify(&a.ty, &b.ty) {
                    Some(t) => t,
                    None => {
                        self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                self.file,
                                b.span.clone(),
                                format!("`else` gives {}, but `then` gives {}", b.ty, a.ty),
                            )
                            .with_help("both branches of `if` must have the same type"),
                        );
                        Type::Error
                    }
                };
                texpr(
                    ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    ty,
                    span,
                )
            }
            Expr::Match(scrutinee, arms) => self.match_(scrutinee, arms, span, expect),
            Expr::In(x, items) => {
                let x = self.expr(x, None);
                let items: Vec<_> = items
                    .iter()
                    .map(|i| {
                        let item = self.expr(i, Some(&x.ty));
                        if unify(&x.ty, &item.ty).is_none() {
                            self.mismatch(&item, &x.ty, "a value in the list");
                        }
                        item
                    })
                    .collect();
                texpr(ExprKind::In(Box::new(x), items), Type::Bool, span)
            }
            Expr::Table(_) => {
                self.report(
                    Diagnostic::new(Code::TypeMismatch, self.file, span.clone(), "a table here")
                        .with_help("a table can only be a parameter's value: `param name: level -> money = { ... }`"),
                );
                error(span)
            }
            Expr::Tuple(items) => {
                self.report(
                    Diagnostic::new(Code::TypeMismatch, self.file, span.clone(), "a tuple here")
                        .with_help("several values in parentheses are only a key of `exclusive` or `cap ... per`"),
                );
                let _ = items.iter().map(|i| self.expr(i, None)).count();
                error(span)
            }
            Expr::Error => error(span),
        }
    }

    /// Checks an expression and reports when its type is not `want`.
    pub(super) fn expect_type(&mut self, e: &Spanned<Expr>, want: &Type, what: &str) -> ir::Expr {
        let x = self.expr(e, Some(want));
        let fits = x.ty == Type::Error
            || x.ty == *want
            || (*want == Type::Year && x.ty == Type::Int)
            || (*want == Type::Decimal && x.ty == Type::Int);
        if !fits {
            self.mismatch(&x, want, what);
        }
        x
    }

    pub(super) fn mismatch(&mut self, x: &ir::Expr, want: &Type, what: &str) {
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            self.file,
            x.span.clone(),
            format!("{what} must be {want}, found {}", x.ty),
        );
        if *want == Type::Money && x.ty.is_ratio() {
            d = d.with_help("write money with its unit: `150元`, `50万`, `1.6万亿`");
        }
        self.report(d);
    }

    fn literal(&mut self, lit: &Literal, span: Span, expect: Option<&Type>) -> ir::Expr {
        let value = match lit {
            Literal::Number(d, true) => match i64::try_from(*d) {
                Ok(i) if expect == Some(&Type::Year) => match i32::try_from(i) {
                    Ok(y) => Value::Year(y),
                    Err(_) => Value::Int(i),
                },
                Ok(i) => Value::Int(i),
                Err(_) => Value::Decimal(*d),
            },
            Literal::Number(d, false) => Value::Decimal(*d),
            Literal::Money(d) => {
                if d.normalize().scale() > 2 {
                    self.report(
                        Diagnostic::new(
                            Code::FinerThanFen,
                            self.file,
                            span.clone(),
                            format!("{}元 is finer than one fen", d.normalize()),
                        )
                        .with_help("money has at most two decimals of 元 (one fen)"),
                    );
                }
                Value::Money(*d)
            }
            Literal::Percent(d) => Value::Percent(*d),
            Literal::Date(d) => Value::Date(*d),
            Literal::Text(s) => Value::Text(s.clone()),
            Literal::Bool(b) => Value::Bool(*b),
        };
        let ty = value.ty();
        texpr(ExprKind::Const(value), ty, span)
    }

    fn name(&mut self, name: &str, span: Span, expect: Option<&Type>) -> ir::Expr {
        if let Some(binding) = self.lookup(name) {
            return match binding {
                Binding::Local(ty) => texpr(ExprKind::Local(name.into()), ty, span),
                Binding::Var(kind) => texpr(ExprKind::Var(name.into()), Type::Entity(kind), span),
            };
        }
        if name == "year" {
            return texpr(ExprKind::Year, Type::Year, span);
        }
        if let Some(ty) = self.params.get(name).map(|p| p.ty.clone()) {
            self.used_params.insert(name.to_string());
            return texpr(ExprKind::Param(name.into()), ty, span);
        }
        if let Some(kind) = schema::collection(name) {
            return texpr(ExprKind::All(kind), Type::List(kind), span);
        }
        if let Some(Type::Enum(enum_name)) = expect {
            if let Some(en) = self.catalog.enums.get(enum_name) {
                if en.values.contains_key(name) {
                    let v = Value::Enum(enum_name.clone(), name.to_string());
                    return texpr(ExprKind::Const(v), Type::Enum(enum_name.clone()), span);
                }
                let values: Vec<&str> = en.values.keys().map(String::as_str).collect();
                let mut d = Diagnostic::new(
                    Code::UnknownVariant,
                    self.file,
                    span.clone(),
                    format!("`{name}` is not a value of `{enum_name}`"),
                );
                d = match suggest(name, values.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("`{enum_name}` has: {}", values.join(", "))),
                };
                self.report(d);
                return error(span);
            }
        }
        if let Some(en) = self.catalog.enum_of_value(name) {
            let v = Value::Enum(en.name.clone(), name.to_string());
            return texpr(ExprKind::Const(v), Type::Enum(en.name.clone()), span);
        }
        let candidates: Vec<String> = self
            .scope
            .iter()
            .map(|(n, _)| n.clone())
            .chain(self.params.keys().cloned())
            .chain(
                self.catalog
                    .enums
                    .values()
                    .flat_map(|e| e.values.keys().cloned()),
            )
            .chain(["year".to_string(), "enterprises".to_string()])
            .collect();
        let mut d = Diagnostic::new(
            Code::UnknownName,
            self.file,
            span.clone(),
            format!("unknown name `{name}`"),
        );
        if let Some(s) = suggest(name, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.report(d);
        error(span)
    }

    fn field(&mut self, base: &Spanned<Expr>, field: &Spanned<String>) -> ir::Expr {
        let base = self.expr(base, None);
        let span = base.span.start..field.span.end;
        let kind = match &base.ty {
            Type::Entity(k) => *k,
            Type::Error => return error(span),
            other => {
                self.report(Diagnostic::new(
                    Code::TypeMismatch,
                    self.file,
                    field.span.clone(),
                    format!("`.{}` needs a record, but this is {other}", field.node),
                ));
                return error(span);
            }
        };
        let Some(f) = schema::field(kind, &field.node) else {
            let names = schema::fields(kind).iter().map(|f| f.name);
            let mut d = Diagnostic::new(
                Code::UnknownField,
                self.file,
                field.span.clone(),
                format!("{} has no field `{}`", kind.name(), field.node),
            );
            d = match suggest(&field.node, names.clone()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!(
                    "{} has: {}",
                    kind.name(),
                    names.collect::<Vec<_>>().join(", ")
                )),
            };
            self.report(d);
            return error(span);
        };
        if let FieldType::Enum(enum_name) = f.ty {
            if !self.catalog.enums.contains_key(enum_name) {
                self.report(
                    Diagnostic::new(
                        Code::UnknownCatalogEntry,
                        self.file,
                        field.span.clone(),
                        format!(
                            "`{}` is a `{enum_name}`, which catalog.toml does not define",
                            f.name
                        ),
                    )
                    .with_help(format!("add [enums.{enum_name}] to catalog.toml")),
                );
                return error(span);
            }
        }
        let kind = ExprKind::Field {
            base: Box::new(base),
            field: f.name.to_string(),
            yearly: f.yearly,
        };
        texpr(kind, f.ty.to_type(), span)
    }

    fn index(&mut self, table: &Spanned<Expr>, key: &Spanned<Expr>, span: Span) -> ir::Expr {
        let t = self.expr(table, None);
        let (ExprKind::Param(name), Type::Table(k, v)) = (&t.kind, &t.ty) else {
            if t.ty != Type::Error {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        t.span.clone(),
                        format!("only a table parameter can be indexed, this is {}", t.ty),
                    )
                    .with_help("declare a table: `param name: level -> money = { national => 150万, ... }`"),
                );
            }
            let _ = self.expr(key, None);
            return error(span);
        };
        let (name, k, v) = (name.clone(), (**k).clone(), (**v).clone());
        let key = self.expect_type(key, &k, "the key");
        texpr(
            ExprKind::Lookup {
                table: name,
                key: Box::new(key),
            },
            v,
            span,
        )
    }

    fn call(&mut self, f: &Spanned<String>, args: &[Spanned<Expr>], span: Span) -> ir::Expr {
        let name = f.node.as_str();
        let Some(spec) = builtins::builtin(name) else {
            let _ = args.iter().map(|a| self.expr(a, None)).count();
            let names: Vec<&str> = builtins::BUILTINS.iter().map(|b| b.name).collect();
            let mut d = Diagnostic::new(
                Code::BadCall,
                self.file,
                f.span.clone(),
                format!("unknown function `{name}`"),
            );
            d = match suggest(name, names.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("the functions are: {}", names.join(", "))),
            };
            self.report(d);
            return error(span);
        };
        let bad = |this: &mut Self| {
            this.report(
                Diagnostic::new(
                    Code::BadCall,
                    this.file,
                    span.clone(),
                    format!("`{name}` is called with the wrong arguments"),
                )
                .with_help(format!("write `{}`", spec.usage)),
            );
            error(span.clone())
        };
        if !spec.arity.accepts(args.len()) {
            return bad(self);
        }
        match name {
            "round" => {
                let x = self.expect_type(&args[0], &Type::Money, "the value rounded");
                let unit = match &args[1].node {
                    Expr::Name(u) if u == "分" => Decimal::new(1, 2),
                    Expr::Name(u) if u == "角" => Decimal::new(1, 1),
                    Expr::Name(u) if u == "元" => Decimal::ONE,
                    Expr::Name(u) if u == "万元" => Decimal::from(10_000),
                    _ => {
                        return bad(self);
                    }
                };
                let mode = match &args[2].node {
                    Expr::Name(m) => RoundingMode::from_name(m),
                    _ => None,
                };
                let Some(mode) = mode else {
                    return bad(self);
                };
                texpr(
                    ExprKind::Call(Builtin::Round { unit, mode }, vec![x]),
                    Type::Money,
                    span,
                )
            }
            "floor" | "ceil" => {
                let x = self.expr(&args[0], None);
                if !x.ty.is_ratio() && x.ty != Type::Error {
                    self.mismatch(&x, &Type::Decimal, "the value");
                }
                let b = if name == "floor" {
                    Builtin::Floor
                } else {
                    Builtin::Ceil
                };
                texpr(ExprKind::Call(b, vec![x]), Type::Int, span)
            }
            "min" | "max" | "clamp" => {
                let xs: Vec<_> = args.iter().map(|a| self.expr(a, None)).collect();
                let mut ty = xs[0].ty.clone();
                for x in &xs[1..] {
                    match unify(&ty, &x.ty).filter(Type::is_ordered) {
                        Some(t) => ty = t,
                        None => {
                            self.mismatch(x, &ty, "every argument");
                            ty = Type::Error;
                        }
                    }
                }
                let b = match name {
                    "min" => Builtin::Min,
                    "max" => Builtin::Max,
                    _ => Builtin::Clamp,
                };
                texpr(ExprKind::Call(b, xs), ty, span)
            }
            "abs" => {
                let x = self.expr(&args[0], None);
                let ty = x.ty.clone();
                texpr(ExprKind::Call(Builtin::Abs, vec![x]), ty, span)
            }
            "growth" => {
                let x = self.expr(&args[0], None);
                if !(x.ty == Type::Money || x.ty.is_ratio() || x.ty == Type::Error) {
                    self.mismatch(&x, &Type::Money, "the value whose growth is taken");
                }
                texpr(
                    ExprKind::Call(Builtin::Growth, vec![x]),
                    Type::Percent,
                    span,
                )
            }
            "first_time" | "streak" | "first_year" => {
                let c = self.expect_type(&args[0], &Type::Bool, "the condition");
                let (b, ty) = match name {
                    "first_time" => (Builtin::FirstTime, Type::Bool),
                    "streak" => (Builtin::Streak, Type::Int),
                    _ => (Builtin::FirstYear, Type::Year),
                };
                texpr(ExprKind::Call(b, vec![c]), ty, span)
            }
            "year_of" => {
                let d = self.expect_type(&args[0], &Type::Date, "the argument");
                texpr(ExprKind::Call(Builtin::YearOf, vec![d]), Type::Year, span)
            }
            "exists" => {
                let x = self.expr(&args[0], None);
                texpr(ExprKind::Call(Builtin::Exists, vec![x]), Type::Bool, span)
            }
            // Every name of the table has an arm above.
            _ => bad(self),
        }
    }

    fn agg(
        &mut self,
        kind: AggKind,
        var: &Spanned<String>,
        coll: &Spanned<Expr>,
        filter: Option<&Spanned<Expr>>,
        map: Option<&Spanned<Expr>>,
        span: Span,
    ) -> ir::Expr {
        let coll = self.expr(coll, None);
        let entity = match &coll.ty {
            Type::List(k) => Some(*k),
            Type::Error => None,
            other => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        coll.span.clone(),
                        format!("an aggregate runs over records, but this is {other}"),
                    )
                    .with_help("use related records such as `e.recognitions`, or `enterprises`"),
                );
                None
            }
        };
        self.scope.push((
            var.node.clone(),
            entity.map_or(Binding::Local(Type::Error), Binding::Var),
        ));
        let filter = filter.map(|f| self.expect_type(f, &Type::Bool, "the filter after `where`"));
        let map = map.map(|m| self.expr(m, None));
        self.scope.pop();
        let ty = match (kind, &map) {
            (AggKind::Any, None) => Type::Bool,
            (AggKind::Count, None) => Type::Int,
            (AggKind::Sum | AggKind::Min | AggKind::Max, Some(m))
                if m.ty == Type::Money || m.ty.is_ratio() || m.ty == Type::Error =>
            {
                m.ty.clone()
            }
            (AggKind::Min | AggKind::Max, Some(m)) if m.ty.is_ordered() => m.ty.clone(),
            _ => {
                let usage = match kind {
                    AggKind::Any => "any(r in e.recognitions where r.level == national)",
                    AggKind::Count => "count(r in e.recognitions where r.level == national)",
                    _ => "sum(p in e.projects where p.year == year => p.investment)",
                };
                self.report(
                    Diagnostic::new(
                        Code::BadCall,
                        self.file,
                        span.clone(),
                        "this aggregate needs a different shape",
                    )
                    .with_help(format!("write `{usage}`")),
                );
                Type::Error
            }
        };
        let kind = ExprKind::Agg {
            kind,
            var: var.node.clone(),
            coll: Box::new(coll),
            filter: filter.map(Box::new),
            map: map.map(Box::new),
        };
        texpr(kind, ty, span)
    }

    fn unary(&mut self, op: UnOp, x: &Spanned<Expr>, span: Span) -> ir::Expr {
        let x = match op {
            UnOp::Not => self.expect_type(x, &Type::Bool, "the operand of `not`"),
            UnOp::Neg => {
                let x = self.expr(x, None);
                if !(x.ty.is_ratio() || matches!(x.ty, Type::Money | Type::Error)) {
                    self.mismatch(&x, &Type::Decimal, "the operand of `-`");
                }
                x
            }
        };
        let ty = if op == UnOp::Not {
            Type::Bool
        } else {
            x.ty.clone()
        };
        texpr(ExprKind::Unary(op, Box::new(x)), ty, span)
    }

    fn binary(&mut self, op: BinOp, l: &Spanned<Expr>, r: &Spanned<Expr>, span: Span) -> ir::Expr {
        if matches!(op, BinOp::And | BinOp::Or) {
            let what = format!("the operand of `{}`", op.symbol());
            let l = self.expect_type(l, &Type::Bool, &what);
            let r = self.expect_type(r, &Type::Bool, &what);
            return texpr(
                ExprKind::Binary(op, Box::new(l), Box::new(r)),
                Type::Bool,
                span,
            );
        }
        let l = self.expr(l, None);
        let r = self.expr(r, Some(&l.ty).filter(|t| **t != Type::Error));
        let ty = match arith_type(op, &l.ty, &r.ty) {
            Ok(t) => t,
            Err(help) => {
                let code = if l.ty == Type::Money || r.ty == Type::Money {
                    Code::UnitError
                } else {
                    Code::TypeMismatch
                };
                self.report(
                    Diagnostic::new(
                        code,
                        self.file,
                        span.clone(),
                        format!("cannot compute {} {} {}", l.ty, op.symbol(), r.ty),
                    )
                    .with_help(help),
                );
                Type::Error
            }
        };
        texpr(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span)
    }

    fn match_(
        &mut self,
        scrutinee: &Spanned<Expr>,
        arms: &[(Spanned<Pattern>, Spanned<Expr>)],
        span: Span,
        expect: Option<&Type>,
    ) -> ir::Expr {
        let s = self.expr(scrutinee, None);
        let enum_name = match &s.ty {
            Type::Enum(n) => Some(n.clone()),
            Type::Error => None,
            other => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        s.span.clone(),
                        format!("`match` needs a catalog enum, found {other}"),
                    )
                    .with_help("use `if ... then ... else` for other values"),
                );
                None
            }
        };
        let values: Vec<String> = enum_name
            .as_ref()
            .and_then(|n| self.catalog.enums.get(n))
            .map(|e| e.values.keys().cloned().collect())
            .unwrap_or_default();
        let mut covered: HashSet<String> = HashSet::new();
        let mut wildcard = false;
        let mut ty: Option<Type> = expect.cloned().filter(|t| *t != Type::Error);
        let mut out = Vec::new();
        for (pattern, body) in arms {
            let mut names = Vec::new();
            let unreachable = match &pattern.node {
                Pattern::Wildcard => std::mem::replace(&mut wildcard, true),
                Pattern::Variants(vs) => {
                    let mut dead = wildcard;
                    for v in vs {
                        if enum_name.is_some() && !values.contains(&v.node) {
                            let en = enum_name.clone().unwrap_or_default();
                            let mut d = Diagnostic::new(
                                Code::UnknownVariant,
                                self.file,
                                v.span.clone(),
                                format!("`{}` is not a value of `{en}`", v.node),
                            );
                            if let Some(s) = suggest(&v.node, values.iter().map(String::as_str)) {
                                d = d.with_help(format!("did you mean `{s}`?"));
                            }
                            self.report(d);
                        } else if !covered.insert(v.node.clone()) {
                            dead = true;
                        }
                        names.push(v.node.clone());
                    }
                    dead
                }
            };
            if unreachable {
                self.report(Diagnostic::new(
                    Code::UnreachableArm,
                    self.file,
                    pattern.span.clone(),
                    "this arm can never be taken: earlier arms already cover it",
                ));
            }
            let b = self.expr(body, ty.as_ref());
            ty = match &ty {
                None => Some(b.ty.clone()),
                Some(t) => match unify(t, &b.ty) {
                    Some(u) => Some(u),
                    None => {
                        self.mismatch(&b, t, "every arm");
                        Some(Type::Error)
                    }
                },
            };
            out.push((names, b));
        }
        let missing: Vec<&str> = values
            .iter()
            .filter(|v| !covered.contains(*v))
            .map(String::as_str)
            .collect();
        if !wildcard && enum_name.is_some() && !missing.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::NonExhaustive,
                    self.file,
                    span.clone(),
                    format!("`match` does not cover {}", missing.join(", ")),
                )
                .with_help("add an arm for each, or `_ => ...` for the rest"),
            );
        }
        texpr(
            ExprKind::Match(Box::new(s), out),
            ty.unwrap_or(Type::Error),
            span,
        )
    }
}

/// The type of `l op r` for arithmetic and comparison, or a hint on what would be right.
fn arith_type(op: BinOp, l: &Type, r: &Type) -> Result<Type, String> {
    use Type::*;
    if *l == Error || *r == Error {
        return Ok(if matches!(op, BinOp::Cmp(_)) {
            Bool
        } else {
            Error
        });
    }
    let money_hint = "money adds to money; money times a percent or a number is money; \
                      money divided by money is a ratio";
    match op {
        BinOp::Cmp(c) => {
            let same = unify(l, r).is_some() || (l.is_ratio() && r.is_ratio());
            let ordered = matches!(c, CmpOp::Eq | CmpOp::Ne) || (l.is_ordered() && r.is_ordered());
            if same && ordered && !matches!(l, List(_) | Table(..) | Entity(_)) {
                Ok(Bool)
            } else if *l == Money || *r == Money {
                Err(format!(
                    "compare money with money: write `10万`, not a bare number ({money_hint})"
                ))
            } else {
                Err(format!(
                    "both sides of `{}` must have the same type",
                    c.symbol()
                ))
            }
        }
        BinOp::Add | BinOp::Sub => match (l, r) {
            (Money, Money) => Ok(Money),
            (Year, Int) => Ok(Year),
            (Int, Year) if op == BinOp::Add => Ok(Year),
            (Year, Year) if op == BinOp::Sub => Ok(Int),
            (Int, Int) => Ok(Int),
            (Percent, Percent) => Ok(Percent),
            (a, b) if a.is_ratio() && b.is_ratio() => Ok(Decimal),
            (Money, _) | (_, Money) => Err(money_hint.to_string()),
            _ => Err(format!("`{}` works on numbers and money", op.symbol())),
        },
        BinOp::Mul => match (l, r) {
            (Money, x) | (x, Money) if x.is_ratio() => Ok(Money),
            (Money, Money) => Err(money_hint.to_string()),
            (Int, Int) => Ok(Int),
            (Percent, Percent) => Ok(Percent),
            (a, b) if a.is_ratio() && b.is_ratio() => Ok(Decimal),
            _ => Err("`*` works on numbers and money".to_string()),
        },
        BinOp::Div => match (l, r) {
            (Money, Money) => Ok(Decimal),
            (Money, x) if x.is_ratio() => Ok(Money),
            (a, b) if a.is_ratio() && b.is_ratio() => Ok(Decimal),
            (_, Money) => Err(money_hint.to_string()),
            _ => Err("`/` works on numbers and money".to_string()),
        },
        BinOp::And | BinOp::Or => Ok(Bool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_rules() {
        let mul = |a, b| arith_type(BinOp::Mul, &a, &b);
        let add = |a, b| arith_type(BinOp::Add, &a, &b);
        let div = |a, b| arith_type(BinOp::Div, &a, &b);
        assert_eq!(mul(Type::Money, Type::Percent), Ok(Type::Money));
        assert_eq!(mul(Type::Decimal, Type::Money), Ok(Type::Money));
        assert!(mul(Type::Money, Type::Money).is_err());
        assert_eq!(div(Type::Money, Type::Money), Ok(Type::Decimal));
        assert!(div(Type::Int, Type::Money).is_err());
        assert!(add(Type::Money, Type::Percent).is_err());
        assert_eq!(add(Type::Year, Type::Int), Ok(Type::Year));
        assert_eq!(
            arith_type(BinOp::Sub, &Type::Year, &Type::Year),
            Ok(Type::Int)
        );
    }
}

//! Rules: subject, conditions, amount steps, mode, exclusivity, recurrence, departments, fund, cost share.

use crate::check::{Binding, Checker, suggest};
use crate::diag::{Code, Diagnostic};
use crate::ir::{self, AmountStep, ExprKind, Mode, Recurrence};
use crate::pack::literate::Block;
use crate::source::Sources;
use crate::syntax::ast::{self, Expr, ModeSyntax, RuleItem, Span, Spanned};
use crate::types::{Date, EntityKind, Type, Value};
use std::collections::HashSet;

impl Checker<'_> {
    pub(super) fn rule(&mut self, r: &ast::Rule, block: &Block) -> Option<ir::Rule> {
        let subject = match EntityKind::from_name(&r.subject.node) {
            Some(k) => k,
            None => {
                let names = EntityKind::ALL.map(EntityKind::name);
                let mut d = Diagnostic::new(
                    Code::UnknownEntity,
                    self.file,
                    r.subject.span.clone(),
                    format!("`{}` is not an entity kind", r.subject.node),
                );
                d = match suggest(&r.subject.node, names.into_iter()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("a rule is for one of: {}", names.join(", "))),
                };
                self.report(d);
                return None;
            }
        };
        self.scope.clear();
        self.scope.push((r.var.node.clone(), Binding::Var(subject)));

        let (mut title, mut cite, mut mode, mut exclusive, mut recurrence) =
            (None, None, None, None, None);
        let (mut fund, mut city_ratio, mut effective) = (None, None, None);
        let (mut departments, mut tags) = (Vec::new(), Vec::new());
        let mut named_department = false;
        let (mut lets, mut conditions, mut amount) = (Vec::new(), Vec::new(), Vec::new());
        let mut award_span: Option<Span> = None;
        let mut names: HashSet<String> = HashSet::new();
        for item in &r.items {
            let span = &item.span;
            match &item.node {
                RuleItem::Title(t) => self.once(&mut title, t.clone(), span, "`title`"),
                RuleItem::Cite(t) => self.once(
                    &mut cite,
                    Spanned::new(t.clone(), span.clone()),
                    span,
                    "`cite`",
                ),
                RuleItem::Let(name, e) => {
                    self.fresh(&mut names, name);
                    let x = self.expr(e, None);
                    self.scope
                        .push((name.node.clone(), Binding::Local(x.ty.clone())));
                    lets.push((name.node.clone(), x));
                }
                RuleItem::When(name, e) => {
                    self.fresh(&mut names, name);
                    let x = self.expect_type(e, &Type::Bool, "a condition");
                    conditions.push(ir::Condition {
                        name: name.node.clone(),
                        expr: x,
                    });
                }
                RuleItem::Award(e) => {
                    if award_span.is_some() {
                        self.report(
                            Diagnostic::new(
                                Code::GivenTwice,
                                self.file,
                                span.clone(),
                                "`award` is given twice",
                            )
                            .with_help("use `scale` and `cap` to adjust one award"),
                        );
                    }
                    award_span.get_or_insert(span.clone());
                    amount.push(AmountStep::Award(self.expect_type(
                        e,
                        &Type::Money,
                        "an award",
                    )));
                }
                RuleItem::Scale(name, e) => {
                    self.fresh(&mut names, name);
                    let x = self.expr(e, None);
                    if !(x.ty.is_ratio() || x.ty == Type::Error) {
                        self.mismatch(&x, &Type::Percent, "a scale");
                    }
                    amount.push(AmountStep::Scale {
                        name: name.node.clone(),
                        factor: x,
                    });
                }
                RuleItem::Cap(e, per) => {
                    let cap = self.expect_type(e, &Type::Money, "a cap");
                    amount.push(match per {
                        None => AmountStep::Cap(cap),
                        Some(key) => {
                            let key = self.key(key);
                            self.lint_key(subject, &key, span, "cap ... per");
                            AmountStep::CapPer { cap, key }
                        }
                    });
                }
                RuleItem::Exclusive { group, key, top_up } => {
                    let ex = ir::Exclusive {
                        group: group.node.clone(),
                        key: self.key(key),
                        top_up: *top_up,
                    };
                    self.lint_key(subject, &ex.key, span, "exclusive");
                    self.once(&mut exclusive, ex, span, "`exclusive`");
                }
                RuleItem::Recurrence(rec) => {
                    let rec = match rec {
                        ast::Recurrence::Once => Recurrence::Once,
                        ast::Recurrence::Yearly(n) => Recurrence::Yearly(n.node),
                    };
                    self.once(&mut recurrence, rec, span, "how often the rule pays");
                }
                RuleItem::Department(ds) => {
                    named_department = true;
                    self.departments(ds, &mut departments);
                }
                RuleItem::Fund(f) => {
                    if self.catalog_entry(f, "fund") {
                        self.once(&mut fund, f.node.clone(), span, "`fund`");
                    }
                }
                RuleItem::Mode(m) => {
                    let m = match m {
                        ModeSyntax::Review { cap, approved } => Mode::Review {
                            cap: self.expect_type(cap, &Type::Money, "the review cap"),
                            approved: approved
                                .as_ref()
                                .map(|a| self.expect_type(a, &Type::Money, "the approved amount")),
                        },
                        ModeSyntax::CaseByCase => Mode::CaseByCase,
                        ModeSyntax::Pending(reason) => Mode::Pending(reason.clone()),
                    };
                    self.once(&mut mode, m, span, "the mode");
                }
                RuleItem::CostShare(e) => {
                    let x = self.expect_type(e, &Type::Percent, "the city's share");
                    self.once(&mut city_ratio, x, span, "`cost_share`");
                }
                RuleItem::Effective(from, until) => {
                    if let Some(window) = self.window(from, until) {
                        self.once(&mut effective, window, span, "`effective`");
                    }
                }
                RuleItem::Tags(ts) => tags.extend(ts.iter().map(|t| t.node.clone())),
            }
        }
        self.scope.clear();

        let mode = mode.unwrap_or(Mode::Automatic);
        match (&mode, &award_span) {
            (Mode::Automatic, None) => self.report(
                Diagnostic::new(Code::MissingAmount, self.file, r.id.span.clone(), format!("rule `{}` pays nothing: it has no `award`", r.id.node))
                    .with_help("add `award ...`, or say how the amount is decided: `review up to 1000万`, `case_by_case`, `pending \"reason\"`"),
            ),
            (Mode::CaseByCase | Mode::Pending(_), Some(span)) => self.report(
                Diagnostic::new(Code::InventedAmount, self.file, span.clone(), "an amount in a rule whose amount the document does not fix")
                    .with_help("a `case_by_case` or `pending` rule flags the line for a decision; remove the `award`"),
            ),
            _ => {}
        }
        if !named_department {
            self.report(
                Diagnostic::new(
                    Code::MissingDepartment,
                    self.file,
                    r.id.span.clone(),
                    format!("rule `{}` names no responsible department", r.id.node),
                )
                .with_help("add `department ...` from the clause's （责任单位：...）"),
            );
        }
        let citation = self.citation(block, cite.as_ref(), &r.id)?;
        Some(ir::Rule {
            id: r.id.node.clone(),
            title,
            subject,
            var: r.var.node.clone(),
            citation,
            lets,
            conditions,
            amount,
            mode,
            exclusive,
            recurrence: recurrence.unwrap_or(Recurrence::EachYear),
            departments,
            fund,
            city_ratio,
            effective,
            tags,
        })
    }

    pub(super) fn key(&mut self, key: &[Spanned<Expr>]) -> Vec<ir::Expr> {
        key.iter()
            .map(|k| {
                let x = self.expr(k, None);
                if matches!(x.ty, Type::List(_) | Type::Table(..)) {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        x.span.clone(),
                        format!("a key cannot be {}", x.ty),
                    ));
                }
                x
            })
            .collect()
    }

    pub(super) fn window(
        &mut self,
        from: &Spanned<Expr>,
        until: &Spanned<Expr>,
    ) -> Option<(Date, Date)> {
        let date = |c: &mut Self, e: &Spanned<Expr>| match c.constant(e, None) {
            Some(Value::Date(d)) => Some(d),
            Some(Value::Int(y)) => i32::try_from(y).ok().and_then(|y| Date::new(y, 1, 1)),
            Some(v) => {
                let shown = ir::Expr {
                    kind: ExprKind::Const(v.clone()),
                    ty: v.ty(),
                    span: e.span.clone(),
                };
                c.mismatch(&shown, &Type::Date, "a validity bound");
                None
            }
            None => None,
        };
        let from_d = date(self, from)?;
        let mut until_d = date(self, until)?;
        if let Expr::Lit(ast::Literal::Number(..)) = until.node {
            until_d = Date::new(until_d.year, 12, 31)?;
        }
        if from_d > until_d {
            self.report(Diagnostic::new(
                Code::OutsideWindow,
                self.file,
                until.span.clone(),
                format!("{until_d} is before {from_d}"),
            ));
            return None;
        }
        if let Some(m) = self.manifest {
            if from_d < m.effective_from || until_d > m.effective_until {
                self.report(
                    Diagnostic::new(
                        Code::OutsideWindow,
                        self.file,
                        from.span.start..until.span.end,
                        format!(
                            "{from_d} .. {until_d} reaches outside the pack's validity {} .. {}",
                            m.effective_from, m.effective_until
                        ),
                    )
                    .with_note(Sources::MANIFEST, 0..0, "the validity is set in pack.toml")
                    .with_help("a rule cannot apply when the policy does not"),
                );
            }
        }
        Some((from_d, until_d))
    }
}

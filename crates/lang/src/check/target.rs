//! Targets: a goal by a year, and exactly one way to know the value (`measure` or `indicator`).

use crate::check::Checker;
use crate::check::expr::unify;
use crate::diag::{Code, Diagnostic};
use crate::ir::{self};
use crate::pack::literate::Block;
use crate::syntax::ast::{self, Spanned, TargetItem};
use crate::types::{Type, Value};

impl Checker<'_> {
    pub(super) fn target(&mut self, t: &ast::Target, block: &Block) -> Option<ir::Target> {
        self.scope.clear();
        let (mut title, mut cite, mut goal, mut baseline, mut measure) =
            (None, None, None, None, None);
        let mut indicator = false;
        let mut departments = Vec::new();
        for item in &t.items {
            let span = &item.span;
            match &item.node {
                TargetItem::Title(s) => self.once(&mut title, s.clone(), span, "`title`"),
                TargetItem::Cite(s) => self.once(
                    &mut cite,
                    Spanned::new(s.clone(), span.clone()),
                    span,
                    "`cite`",
                ),
                TargetItem::Goal {
                    op,
                    value,
                    of,
                    from,
                    by,
                } => {
                    let v = match of {
                        Some(_) => self.constant(value, Some(&Type::Percent)),
                        None => self.constant(value, None),
                    };
                    let year = |this: &mut Self, e: &Spanned<ast::Expr>| match this
                        .constant(e, Some(&Type::Year))
                    {
                        Some(Value::Year(y)) => Some(y),
                        Some(Value::Date(d)) => Some(d.year),
                        _ => None,
                    };
                    let y = year(self, by);
                    let base = of.as_ref().map(|o| year(self, o));
                    let first = from.as_ref().map(|f| (year(self, f), f.span.clone()));
                    if let (Some((Some(f), fspan)), Some(y)) = (&first, y)
                        && (*f > y || of.is_some())
                    {
                        self.report(
                            Diagnostic::new(
                                Code::TargetIncomplete,
                                self.file,
                                fspan.clone(),
                                if of.is_some() {
                                    "a yearly floor cannot also be a share of a base year"
                                        .to_string()
                                } else {
                                    format!(
                                        "a yearly floor from {f} would end by {y}, before it starts"
                                    )
                                },
                            )
                            .with_help("write `goal >= 30% yearly from 2020 by 2025`"),
                        );
                    }
                    if let (Some(v), Some(y), None | Some(Some(_))) = (v, y, base) {
                        let first = first.and_then(|(f, _)| f);
                        self.once(
                            &mut goal,
                            (op.node, v, base.flatten(), y, first),
                            span,
                            "`goal`",
                        );
                    }
                }
                TargetItem::Baseline(value, year) => {
                    let v = self.constant(value, None);
                    if let (Some(v), Some(Value::Year(y))) =
                        (v, self.constant(year, Some(&Type::Year)))
                    {
                        self.once(&mut baseline, (v, y), span, "`baseline`");
                    }
                }
                TargetItem::Measure(e) => {
                    let x = self.expr(e, None);
                    self.once(&mut measure, x, span, "`measure`");
                }
                TargetItem::Indicator => indicator = true,
                TargetItem::Department(ds) => self.departments(ds, &mut departments),
            }
        }
        let Some((op, goal, relative_to, by, yearly_from)) = goal else {
            self.report(
                Diagnostic::new(
                    Code::TargetIncomplete,
                    self.file,
                    t.id.span.clone(),
                    format!("target `{}` has no goal", t.id.node),
                )
                .with_help("add `goal >= 1.6万亿 by 2025`"),
            );
            return None;
        };
        if measure.is_some() == indicator {
            self.report(
                Diagnostic::new(Code::TargetIncomplete, self.file, t.id.span.clone(), format!("target `{}` must say how its value is known", t.id.node))
                    .with_help("give either `measure <expression over the facts>` or `indicator` (entered as a fact), not both"),
            );
        }
        for (what, v) in [
            ("the measure", measure.as_ref().map(|m| m.ty.clone())),
            ("the baseline", baseline.as_ref().map(|(b, _)| b.ty())),
        ] {
            if let Some(ty) = v {
                if ty != Type::Error
                    && relative_to.is_none()
                    && unify(&ty, &goal.ty()).is_none()
                    && !(ty.is_ratio() && goal.ty().is_ratio())
                {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        t.id.span.clone(),
                        format!("{what} is {ty} but the goal is {}", goal.ty()),
                    ));
                }
            }
        }
        let citation = self.citation(block, cite.as_ref(), &t.id)?;
        Some(ir::Target {
            id: t.id.node.clone(),
            title,
            citation,
            op,
            goal,
            relative_to,
            by,
            yearly_from,
            baseline,
            measure,
            departments,
        })
    }
}

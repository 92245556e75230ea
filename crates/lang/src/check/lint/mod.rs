//! Lints over checked declarations: exclusivity groups that disagree, keys that pool enterprises.

use crate::check::{Checker, Located};
use crate::diag::{Code, Diagnostic};
use crate::ir::{self};
use crate::syntax::ast::{Decl, Span};
use crate::types::{EntityKind, Type};
use std::collections::HashMap;

impl Checker<'_> {
    /// A key of `exclusive` or `cap ... per` must name the enterprise (or a record of one) or the
    /// rule's subject: otherwise it pools the lines of many enterprises, and the explanation of one
    /// enterprise, which evaluates only its own records, could not show what the run pays it.
    pub(super) fn lint_key(
        &mut self,
        subject: EntityKind,
        key: &[ir::Expr],
        span: &Span,
        what: &str,
    ) {
        let names_one = key.iter().any(|k| match k.ty {
            Type::Entity(kind) => {
                kind == subject
                    || matches!(
                        kind,
                        EntityKind::Enterprise
                            | EntityKind::Recognition
                            | EntityKind::Project
                            | EntityKind::LandParcel
                    )
            }
            _ => false,
        });
        if !names_one && !key.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::KeyWithoutSubject,
                    self.file,
                    span.clone(),
                    format!("the key of `{what}` names neither the enterprise nor the rule's subject"),
                )
                .with_help("add the enterprise or the subject to the key, e.g. `by (e, year)` or `per (p.enterprise, p.name)`"),
            );
        }
    }

    /// Rules of one exclusivity group must pay the same kind of subject, with keys of the same shape.
    pub(super) fn lint_exclusive(&mut self, rules: &[ir::Rule], decls: &[Located<'_>]) {
        let span_of = |id: &str| {
            decls.iter().find_map(|d| match &d.decl.node {
                Decl::Rule(r) if r.id.node == id => Some(r.id.span.clone()),
                _ => None,
            })
        };
        let mut first: HashMap<&str, &ir::Rule> = HashMap::new();
        for r in rules {
            let Some(ex) = &r.exclusive else { continue };
            let Some(f) = first.get(ex.group.as_str()).copied() else {
                first.insert(&ex.group, r);
                continue;
            };
            let Some(fx) = &f.exclusive else { continue };
            let key_types =
                |e: &ir::Exclusive| e.key.iter().map(|k| k.ty.clone()).collect::<Vec<_>>();
            let problem = if f.subject != r.subject {
                Some(format!(
                    "is for {}, but `{}` in the same group is for {}",
                    r.subject.name(),
                    f.id,
                    f.subject.name()
                ))
            } else if key_types(ex) != key_types(fx) {
                Some(format!(
                    "has a key of a different shape than `{}` in the same group",
                    f.id
                ))
            } else if ex.top_up != fx.top_up {
                Some(format!(
                    "and `{}` in the same group disagree on `top_up`",
                    f.id
                ))
            } else {
                None
            };
            if let (Some(problem), Some(span)) = (problem, span_of(&r.id)) {
                let mut d = Diagnostic::new(
                    Code::ExclusiveMismatch,
                    self.file,
                    span,
                    format!("rule `{}` {problem}", r.id),
                )
                .with_help(
                    "rules in one exclusivity group pay the same achievement of the same subject",
                );
                if let Some(s) = span_of(&f.id) {
                    d = d.with_note(self.file, s, "first member of the group");
                }
                self.report(d);
            }
        }
    }
}

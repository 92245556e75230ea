//! Principles: a fund's share that must go to a tag (70% to 产业链).

use crate::check::Checker;
use crate::diag::{Code, Diagnostic};
use crate::ir::{self};
use crate::pack::literate::Block;
use crate::syntax::ast::{self, Spanned};
use crate::types::{Type, Value};

impl Checker<'_> {
    pub(super) fn principle(
        &mut self,
        p: &ast::Principle,
        block: &Block,
        rules: &[ir::Rule],
    ) -> Option<ir::Principle> {
        let (mut title, mut cite, mut fund, mut share) = (None, None, None, None);
        for item in &p.items {
            let span = &item.span;
            match &item.node {
                ast::PrincipleItem::Title(s) => self.once(&mut title, s.clone(), span, "`title`"),
                ast::PrincipleItem::Cite(s) => self.once(
                    &mut cite,
                    Spanned::new(s.clone(), span.clone()),
                    span,
                    "`cite`",
                ),
                ast::PrincipleItem::Fund(f) => {
                    if self.catalog_entry(f, "fund") {
                        self.once(&mut fund, f.node.clone(), span, "`fund`");
                    }
                }
                ast::PrincipleItem::Share(tag, op, value) => {
                    if !rules.iter().any(|r| r.tags.contains(&tag.node)) {
                        self.report(
                            Diagnostic::new(
                                Code::UnknownCatalogEntry,
                                self.file,
                                tag.span.clone(),
                                format!("no rule has the tag `{}`", tag.node),
                            )
                            .with_help("tag the rules it counts with `tags ...`"),
                        );
                    }
                    if let Some(Value::Percent(v)) = self.constant(value, Some(&Type::Percent)) {
                        self.once(&mut share, (tag.node.clone(), op.node, v), span, "`share`");
                    }
                }
            }
        }
        let citation = self.citation(block, cite.as_ref(), &p.id)?;
        match (fund, share) {
            (Some(fund), Some((tag, op, share))) => Some(ir::Principle {
                id: p.id.node.clone(),
                title,
                citation,
                fund,
                tag,
                op,
                share,
            }),
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::PrincipleIncomplete,
                        self.file,
                        p.id.span.clone(),
                        format!("principle `{}` needs a fund and a share", p.id.node),
                    )
                    .with_help("write `fund 工信专项资金` and `share tagged 产业链 >= 70%`"),
                );
                None
            }
        }
    }
}

//! Types written in a pack (`money`, `year -> percent`, entity kinds) resolved to the checker's types.

use crate::check::{Checker, suggest};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Spanned, TypeExpr};
use crate::types::Type;

impl Checker<'_> {
    pub(super) fn resolve_type(&mut self, t: &Spanned<TypeExpr>) -> Type {
        match &t.node {
            TypeExpr::Named(name) => match name.as_str() {
                "bool" => Type::Bool,
                "int" => Type::Int,
                "decimal" => Type::Decimal,
                "money" => Type::Money,
                "percent" => Type::Percent,
                "year" => Type::Year,
                "date" => Type::Date,
                "text" => Type::Text,
                n if self.catalog.enums.contains_key(n) => Type::Enum(n.to_string()),
                n => {
                    let builtin = [
                        "bool", "int", "decimal", "money", "percent", "year", "date", "text",
                    ];
                    let candidates: Vec<&str> = builtin
                        .into_iter()
                        .chain(self.catalog.enums.keys().map(String::as_str))
                        .collect();
                    let mut d = Diagnostic::new(
                        Code::UnknownName,
                        self.file,
                        t.span.clone(),
                        format!("unknown type `{n}`"),
                    );
                    if let Some(s) = suggest(n, candidates.into_iter()) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    self.report(d);
                    Type::Error
                }
            },
            TypeExpr::Table(key, value) => {
                let k = self.resolve_type(&Spanned::new(
                    TypeExpr::Named(key.node.clone()),
                    key.span.clone(),
                ));
                if !matches!(k, Type::Enum(_) | Type::Year | Type::Error) {
                    self.report(
                        Diagnostic::new(Code::TypeMismatch, self.file, key.span.clone(), format!("a table cannot be keyed by {k}"))
                            .with_help("key a table by a catalog enum (`level -> money`) or by year (`year -> percent`)"),
                    );
                }
                let v = self.resolve_type(value);
                Type::Table(Box::new(k), Box::new(v))
            }
        }
    }
}

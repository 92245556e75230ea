//! Name resolution, type checking and lints over every declaration of a pack, giving the IR.

mod expr;
mod lint;
mod param;
mod principle;
mod rule;
mod target;
mod types;

use crate::diag::{Code, Diagnostic};
use crate::ir::{self};
use crate::pack::catalog::Catalog;
use crate::pack::literate::{Block, Citation, clause_number};
use crate::pack::manifest::Manifest;
use crate::source::{FileId, Sources};
use crate::syntax::ast::{self, Decl, Span, Spanned};
use crate::types::{EntityKind, Type, Value};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// A name bound inside a rule.
#[derive(Debug, Clone)]
enum Binding {
    /// A `let`, with its type.
    Local(Type),
    /// The subject or an aggregate's record.
    Var(EntityKind),
}

/// The IR parts of every declaration, and what was found on the way.
pub struct CheckedDecls {
    /// Parameters.
    pub params: Vec<ir::Param>,
    /// Rules.
    pub rules: Vec<ir::Rule>,
    /// Targets.
    pub targets: Vec<ir::Target>,
    /// Principles.
    pub principles: Vec<ir::Principle>,
    /// Findings.
    pub diagnostics: Vec<Diagnostic>,
}

/// A declaration with the block it came from.
pub struct Located<'a> {
    /// The declaration.
    pub decl: &'a Spanned<Decl>,
    /// The block it sits in.
    pub block: &'a Block,
}

struct Checker<'a> {
    sources: &'a Sources,
    prose: &'a str,
    catalog: &'a Catalog,
    manifest: Option<&'a Manifest>,
    file: FileId,
    diagnostics: Vec<Diagnostic>,
    params: IndexMap<String, ir::Param>,
    param_spans: HashMap<String, Span>,
    used_params: HashSet<String>,
    scope: Vec<(String, Binding)>,
}

/// The best "did you mean" among candidates, if one is close enough.
fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let len = name.chars().count();
    let limit = if len <= 2 {
        1
    } else {
        (len / 3).max(1) + usize::from(len >= 6)
    };
    candidates
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Parameters the platform reads rather than a rule (and so not unread when no rule reads them):
/// the service desk's reading of clause （二十）'s 80 天 as working days (`true`) or calendar days.
pub const PLATFORM_PARAMS: &[&str] = &["审批时限按工作日计"];

/// Checks every declaration and returns the IR parts and the diagnostics.
pub fn check_decls(
    sources: &Sources,
    prose: &str,
    manifest: Option<&Manifest>,
    catalog: &Catalog,
    decls: &[Located<'_>],
) -> CheckedDecls {
    let mut c = Checker {
        sources,
        prose,
        catalog,
        manifest,
        file: Sources::POLICY,
        diagnostics: Vec::new(),
        params: IndexMap::new(),
        param_spans: HashMap::new(),
        used_params: HashSet::new(),
        scope: Vec::new(),
    };
    let mut ids: HashMap<String, Span> = HashMap::new();
    let mut unique = |c: &mut Checker<'_>, id: &ast::Ident| {
        if let Some(first) = ids.get(&id.node) {
            c.report(
                Diagnostic::new(
                    Code::DuplicateId,
                    c.file,
                    id.span.clone(),
                    format!("`{}` is declared twice", id.node),
                )
                .with_note(c.file, first.clone(), "first declared here")
                .with_help("give each parameter, rule, target and principle its own id"),
            );
            false
        } else {
            ids.insert(id.node.clone(), id.span.clone());
            true
        }
    };

    for d in decls {
        if let Decl::Param(p) = &d.decl.node {
            if unique(&mut c, &p.name) {
                if let Some(param) = c.param(p, d.block) {
                    c.param_spans
                        .insert(param.name.clone(), p.name.span.clone());
                    c.params.insert(param.name.clone(), param);
                }
            }
        }
    }
    let (mut rules, mut targets, mut principles) = (Vec::new(), Vec::new(), Vec::new());
    for d in decls {
        match &d.decl.node {
            Decl::Param(_) => {}
            Decl::Rule(r) => {
                if unique(&mut c, &r.id) {
                    rules.extend(c.rule(r, d.block));
                }
            }
            Decl::Target(t) => {
                if unique(&mut c, &t.id) {
                    targets.extend(c.target(t, d.block));
                }
            }
            Decl::Principle(_) => {}
        }
    }
    // Principles count rules by tag, wherever in the text those rules are.
    for d in decls {
        if let Decl::Principle(p) = &d.decl.node {
            if unique(&mut c, &p.id) {
                principles.extend(c.principle(p, d.block, &rules));
            }
        }
    }
    c.lint_exclusive(&rules, decls);
    // An error elsewhere (a misspelt name, say) can leave a parameter unread: report that error alone.
    let clean = !c
        .diagnostics
        .iter()
        .any(|d| d.severity() == crate::diag::Severity::Error);
    for (name, span) in &c.param_spans {
        if clean && !c.used_params.contains(name) && !PLATFORM_PARAMS.contains(&name.as_str()) {
            c.diagnostics.push(
                Diagnostic::new(
                    Code::UnusedParam,
                    c.file,
                    span.clone(),
                    format!("parameter `{name}` is never read"),
                )
                .with_help("read it in a rule, or remove it"),
            );
        }
    }
    CheckedDecls {
        params: c.params.into_values().collect(),
        rules,
        targets,
        principles,
        diagnostics: c.diagnostics,
    }
}

impl<'a> Checker<'a> {
    pub(super) fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
    }

    /// The citation of a declaration: its block's clause and sentence, or an explicit `cite`.
    pub(super) fn citation(
        &mut self,
        block: &Block,
        explicit: Option<&Spanned<String>>,
        at: &ast::Ident,
    ) -> Option<Citation> {
        let line = self.sources.line_col(self.file, block.span.start).0;
        let clause = block
            .headings
            .iter()
            .rev()
            .find_map(|h| clause_number(h).map(str::to_string))
            .or_else(|| block.headings.last().cloned());
        let sentence = match explicit {
            Some(cite) => {
                let policy: String = self.prose.split_whitespace().collect();
                let wanted: String = cite.node.split_whitespace().collect();
                if wanted.is_empty() || !policy.contains(&wanted) {
                    self.report(
                        Diagnostic::new(
                            Code::CiteNotFound,
                            self.file,
                            cite.span.clone(),
                            "the cited text is not in policy.md",
                        )
                        .with_help("cite words copied from the policy text exactly"),
                    );
                }
                Some(cite.node.clone())
            }
            None => block.sentence.clone(),
        };
        match (clause, sentence) {
            (Some(clause), Some(sentence)) => Some(Citation {
                clause,
                headings: block.headings.clone(),
                sentence,
                line,
            }),
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::MissingCitation,
                        self.file,
                        at.span.clone(),
                        format!("`{}` cites no sentence of the policy", at.node),
                    )
                    .with_help(
                        "put the block right under the sentence it implements, inside a clause \
                         heading such as `## （六）...`, or add `cite \"...\"`",
                    ),
                );
                None
            }
        }
    }

    pub(super) fn once<T>(&mut self, slot: &mut Option<T>, value: T, span: &Span, what: &str) {
        if slot.is_some() {
            self.report(Diagnostic::new(
                Code::GivenTwice,
                self.file,
                span.clone(),
                format!("{what} is given twice"),
            ));
        } else {
            *slot = Some(value);
        }
    }

    pub(super) fn fresh(&mut self, names: &mut HashSet<String>, name: &ast::Ident) {
        if !names.insert(name.node.clone()) {
            self.report(Diagnostic::new(
                Code::GivenTwice,
                self.file,
                name.span.clone(),
                format!("`{}` is already a name in this rule", name.node),
            ));
        }
    }

    pub(super) fn departments(&mut self, named: &[ast::Ident], into: &mut Vec<String>) {
        for d in named {
            if self.catalog_entry(d, "department") {
                into.push(d.node.clone());
            }
        }
    }

    pub(super) fn catalog_entry(&mut self, name: &ast::Ident, what: &str) -> bool {
        let list = if what == "fund" {
            &self.catalog.funds
        } else {
            &self.catalog.departments
        };
        if list.contains_key(&name.node) {
            return true;
        }
        let mut d = Diagnostic::new(
            Code::UnknownCatalogEntry,
            self.file,
            name.span.clone(),
            format!("`{}` is not a {what} of catalog.toml", name.node),
        );
        d = match suggest(&name.node, list.keys().map(String::as_str)) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!("add it under [{what}s] in catalog.toml")),
        };
        self.report(d);
        false
    }
}

/// A constant converted to a wanted type, where the conversion loses nothing.
fn coerce(v: Value, want: &Type) -> Result<Value, Value> {
    Ok(match (v, want) {
        (v, t) if v.ty() == *t => v,
        (Value::Int(i), Type::Decimal) => Value::Decimal(i.into()),
        (Value::Int(i), Type::Year) => match i32::try_from(i) {
            Ok(y) => Value::Year(y),
            Err(_) => return Err(Value::Int(i)),
        },
        (v, _) => return Err(v),
    })
}

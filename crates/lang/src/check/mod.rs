//! Name resolution, type checking and lints over every declaration of a pack, giving the IR.

mod expr;

use crate::diag::{Code, Diagnostic};
use crate::ir::{self, AmountStep, ExprKind, Mode, ParamValue, Recurrence};
use crate::pack::catalog::Catalog;
use crate::pack::literate::{Block, Citation, clause_number};
use crate::pack::manifest::Manifest;
use crate::source::{FileId, Sources};
use crate::syntax::ast::{
    self, Decl, Expr, ModeSyntax, RuleItem, Span, Spanned, TableKey, TargetItem, TypeExpr,
};
use crate::types::{Date, EntityKind, Type, Value};
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
        if clean && !c.used_params.contains(name) {
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
    fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
    }

    /// The citation of a declaration: its block's clause and sentence, or an explicit `cite`.
    fn citation(
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

    fn resolve_type(&mut self, t: &Spanned<TypeExpr>) -> Type {
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

    /// A constant of type `want`, or a report.
    fn constant(&mut self, e: &Spanned<Expr>, want: Option<&Type>) -> Option<Value> {
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

    fn not_constant(&mut self, x: &ir::Expr) -> Option<Value> {
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

    fn param(&mut self, p: &ast::Param, block: &Block) -> Option<ir::Param> {
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

    fn table(
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

    fn once<T>(&mut self, slot: &mut Option<T>, value: T, span: &Span, what: &str) {
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

    fn rule(&mut self, r: &ast::Rule, block: &Block) -> Option<ir::Rule> {
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
        let (mut fund, mut city_share, mut effective) = (None, None, None);
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
                    self.once(&mut city_share, x, span, "`cost_share`");
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
            city_share,
            effective,
            tags,
        })
    }

    fn fresh(&mut self, names: &mut HashSet<String>, name: &ast::Ident) {
        if !names.insert(name.node.clone()) {
            self.report(Diagnostic::new(
                Code::GivenTwice,
                self.file,
                name.span.clone(),
                format!("`{}` is already a name in this rule", name.node),
            ));
        }
    }

    fn key(&mut self, key: &[Spanned<Expr>]) -> Vec<ir::Expr> {
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

    fn departments(&mut self, named: &[ast::Ident], into: &mut Vec<String>) {
        for d in named {
            if self.catalog_entry(d, "department") {
                into.push(d.node.clone());
            }
        }
    }

    fn catalog_entry(&mut self, name: &ast::Ident, what: &str) -> bool {
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

    fn window(&mut self, from: &Spanned<Expr>, until: &Spanned<Expr>) -> Option<(Date, Date)> {
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

    fn target(&mut self, t: &ast::Target, block: &Block) -> Option<ir::Target> {
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
                TargetItem::Goal(op, value, of, by) => {
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
                    if let (Some(v), Some(y), None | Some(Some(_))) = (v, y, base) {
                        self.once(&mut goal, (op.node, v, base.flatten(), y), span, "`goal`");
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
        let Some((op, goal, relative_to, by)) = goal else {
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
            baseline,
            measure,
            departments,
        })
    }

    fn principle(
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

    /// A key of `exclusive` or `cap ... per` must name the enterprise (or a record of one) or the
    /// rule's subject: otherwise it pools the lines of many enterprises, and the explanation of one
    /// enterprise, which evaluates only its own records, could not show what the run pays it.
    fn lint_key(&mut self, subject: EntityKind, key: &[ir::Expr], span: &Span, what: &str) {
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
    fn lint_exclusive(&mut self, rules: &[ir::Rule], decls: &[Located<'_>]) {
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

use expr::unify;

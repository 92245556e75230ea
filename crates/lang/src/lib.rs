//! The jx555 policy language: literate packs in, a checked and typed IR out.
//!
//! ```text
//! pack.toml ──> manifest ─┐
//! catalog.toml ─> catalog ┤
//! policy.md ──> literate ─┴> rule blocks ─> lexer ─> parser ─> check ─> ir::Pack
//!                (cited)                                        └──> diagnostics (code, span, help)
//! ```
//!
//! The crate does no IO: the caller reads the files into [`Sources`] and gets back a [`Checked`] pack.
//! Everything the engine needs is in [`ir::Pack`]; it checks nothing again.
#![forbid(unsafe_code)]

pub mod builtins;
pub mod check;
pub mod coverage;
pub mod diag;
pub mod ir;
pub mod pack;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod types;

pub use diag::{Code, Diagnostic, Severity};
pub use source::{SourceFile, Sources};

use check::Located;
use pack::{catalog, literate, manifest};
use serde::Serialize;
use std::collections::BTreeMap;
use syntax::ast::Span;
use syntax::lexer::Token;

/// How deep brackets may nest in a block; deeper input is refused, not recursed into.
pub const MAX_NESTING: usize = 64;
/// How many tokens one rule block may hold; a longer block should be split under its sentences.
pub const MAX_BLOCK_TOKENS: usize = 4_000;
/// How many bytes one rule block may hold; checked before lexing, so a runaway block costs nothing.
pub const MAX_BLOCK_BYTES: usize = 256 * 1024;

/// The outcome of checking a pack.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The IR, when there is no error (warnings allowed).
    pub pack: Option<ir::Pack>,
    /// Every finding, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }
}

/// What a checked pack holds, for `jx555 check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The pack's id.
    pub id: String,
    /// Numbered clauses of the policy.
    pub clauses: usize,
    /// Rules.
    pub rules: usize,
    /// Parameters.
    pub params: usize,
    /// Targets.
    pub targets: usize,
    /// Principles.
    pub principles: usize,
    /// Rules by mode (automatic, review, case_by_case, pending).
    pub rules_by_mode: BTreeMap<String, usize>,
}

impl ir::Pack {
    /// Counts for a summary.
    pub fn summary(&self) -> Summary {
        let mut rules_by_mode = BTreeMap::new();
        for r in &self.rules {
            *rules_by_mode.entry(r.mode.name().to_string()).or_insert(0) += 1;
        }
        Summary {
            id: self.manifest.id.clone(),
            clauses: self.clauses.len(),
            rules: self.rules.len(),
            params: self.params.len(),
            targets: self.targets.len(),
            principles: self.principles.len(),
            rules_by_mode,
        }
    }
}

/// A single literal as a rule would write it (`200万`, `15%`, `1.5`, `2025-12-31`, `true`), for
/// values given outside a pack such as what-if overrides.
pub fn parse_literal(text: &str) -> Option<types::Value> {
    let (tokens, errors) = syntax::lexer::lex(text.trim(), 0);
    if !errors.is_empty() || tokens.len() != 1 {
        return None;
    }
    Some(match &tokens[0].0 {
        Token::Num(d, true) => {
            i64::try_from(*d).map_or(types::Value::Decimal(*d), types::Value::Int)
        }
        Token::Num(d, false) => types::Value::Decimal(*d),
        Token::Money(d) if d.normalize().scale() <= 2 => types::Value::Money(*d),
        Token::Percent(d) => types::Value::Percent(*d),
        Token::Date(d) => types::Value::Date(*d),
        Token::Str(s) => types::Value::Text(s.clone()),
        Token::Ident(w) if w == "true" || w == "false" => types::Value::Bool(w == "true"),
        _ => return None,
    })
}

/// Reads, parses and checks a pack.
pub fn check(sources: &Sources) -> Checked {
    let mut diagnostics = Vec::new();
    let manifest = manifest::parse(sources)
        .map_err(|d| diagnostics.extend(d))
        .ok();
    let catalog = match sources.catalog() {
        Some(id) => catalog::parse(id, &sources.file(id).text).map_err(|d| diagnostics.extend(d)),
        None => Ok(catalog::Catalog::default()),
    };
    // Without its catalog every enum and department would look unknown: report the catalog alone.
    let Ok(catalog) = catalog else {
        return Checked {
            pack: None,
            diagnostics,
        };
    };
    let doc = literate::read(&sources.file(Sources::POLICY).text);

    let mut parsed = Vec::new();
    for block in &doc.blocks {
        let (decls, found) = parse_block(block);
        diagnostics.extend(found);
        parsed.push((block, decls));
    }
    let located: Vec<Located<'_>> = parsed
        .iter()
        .flat_map(|(block, decls)| decls.iter().map(move |decl| Located { decl, block }))
        .collect();
    let checked = check::check_decls(sources, &doc.prose, manifest.as_ref(), &catalog, &located);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.file, d.span.start));

    let has_errors = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    let pack = match manifest {
        Some(manifest) if !has_errors => Some(ir::Pack {
            manifest,
            catalog,
            clauses: doc.clauses().map(str::to_string).collect(),
            params: checked.params,
            rules: checked.rules,
            targets: checked.targets,
            principles: checked.principles,
        }),
        _ => None,
    };
    Checked { pack, diagnostics }
}

/// Lexes and parses one block, refusing input nested or sized beyond what a policy needs.
fn parse_block(
    block: &literate::Block,
) -> (
    Vec<syntax::ast::Spanned<syntax::ast::Decl>>,
    Vec<Diagnostic>,
) {
    let file = Sources::POLICY;
    if block.nested {
        let d = Diagnostic::new(
            Code::Literate,
            file,
            block.span.clone(),
            "a rule block inside a list, a quote or an indent",
        )
        .with_help("start the ```rule fence at the beginning of a line, outside lists and quotes");
        return (Vec::new(), vec![d]);
    }
    if block.text.len() > MAX_BLOCK_BYTES {
        let at = block.span.start..block.span.start;
        let d = Diagnostic::new(
            Code::TooLong,
            file,
            at,
            format!("the block is longer than {MAX_BLOCK_BYTES} bytes"),
        )
        .with_help("split it into several blocks, each under the sentence it implements");
        return (Vec::new(), vec![d]);
    }
    let (tokens, lex_errors) = syntax::lexer::lex(&block.text, block.span.start);
    let mut diagnostics: Vec<Diagnostic> = lex_errors
        .into_iter()
        .map(|e| {
            let d = Diagnostic::new(Code::Lexical, file, e.span, e.message);
            match e.help {
                Some(h) => d.with_help(h),
                None => d,
            }
        })
        .collect();
    if let Some(d) = too_big(&tokens) {
        diagnostics.push(d);
        return (Vec::new(), diagnostics);
    }
    // After a lexical error the parser would see holes: its complaints, and checking what it
    // made of them, would repeat the same fault.
    if !diagnostics.is_empty() {
        return (Vec::new(), diagnostics);
    }
    let (decls, errors) = syntax::parser::parse(tokens, block.span.end);
    diagnostics.extend(errors.into_iter().map(|e| {
        Diagnostic::new(Code::Syntax, file, e.span, e.message)
            .with_help("see docs/language.md for the forms a rule block may hold")
    }));
    (decls, diagnostics)
}

fn too_big(tokens: &[(Token, Span)]) -> Option<Diagnostic> {
    let file = Sources::POLICY;
    if let Some((_, span)) = tokens.get(MAX_BLOCK_TOKENS) {
        return Some(
            Diagnostic::new(
                Code::TooLong,
                file,
                span.clone(),
                format!("the block is longer than {MAX_BLOCK_TOKENS} tokens"),
            )
            .with_help("split it into several blocks, each under the sentence it implements"),
        );
    }
    let mut depth = 0usize;
    for (t, span) in tokens {
        match t {
            Token::Punct("(" | "[" | "{") => depth += 1,
            Token::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Some(
                Diagnostic::new(
                    Code::TooDeep,
                    file,
                    span.clone(),
                    format!("brackets nest deeper than {MAX_NESTING}"),
                )
                .with_help("name the inner parts with `let`"),
            );
        }
    }
    None
}

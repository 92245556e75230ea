//! The checker never panics and never overflows the stack, whatever it is given.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use jx555_lang::{SourceFile, Sources};
use proptest::prelude::*;

const MANIFEST: &str = include_str!("../../../policies/example-555/pack.toml");
const CATALOG: &str = include_str!("../../../policies/example-555/catalog.toml");

fn check(policy: &str) -> jx555_lang::Checked {
    let sources = Sources::new(
        SourceFile::new("pack.toml", MANIFEST),
        SourceFile::new("policy.md", policy),
        Some(SourceFile::new("catalog.toml", CATALOG)),
    );
    let checked = jx555_lang::check(&sources);
    // Rendering and locating must not fail on any span the checker produced.
    let _ = sources.render(&checked.diagnostics, false);
    for d in &checked.diagnostics {
        let _ = sources.locate(d);
    }
    checked
}

fn in_block(body: &str) -> String {
    format!("## （六）培育强链企业\n\n对企业给予奖励。\n\n```rule\n{body}\n```\n")
}

fn codes(c: &jx555_lang::Checked) -> Vec<&'static str> {
    c.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn deep_nesting_is_refused_not_recursed() {
    let body = format!("param a = {}1{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(codes(&check(&in_block(&body))), vec!["E0003"]);
    // So deep that the block is too long before it is too deep.
    let body = format!("param a = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(codes(&check(&in_block(&body))), vec!["E0007"]);
    let body = format!("param a = {}1{}", "(".repeat(60), ")".repeat(60));
    assert!(
        check(&in_block(&body))
            .diagnostics
            .iter()
            .all(|d| d.code.as_str() != "E0003")
    );
}

#[test]
fn a_ten_megabyte_line_is_refused() {
    let line = "1 + ".repeat(2_500_000);
    assert_eq!(
        codes(&check(&in_block(&format!("param a = {line}1")))),
        vec!["E0007"]
    );
    // The same line as prose is just text.
    assert!(check(&format!("# 标题\n\n{line}\n")).diagnostics.is_empty());
}

#[test]
fn the_longest_accepted_expression_checks_on_a_small_stack() {
    let chain = vec!["1"; jx555_lang::MAX_BLOCK_TOKENS / 2 - 30].join(" + ");
    let policy = in_block(&format!(
        "param a = 2\nrule r for enterprise e {{\n when c: a + {chain} > 0\n award 1元\n department 市经信局\n}}"
    ));
    let run = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || check(&policy).has_errors());
    assert!(!run.expect("spawn").join().expect("no stack overflow"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_in_a_block_never_panics(body in "\\PC{0,200}") {
        let _ = check(&in_block(&body));
    }

    #[test]
    fn arbitrary_tokens_in_a_block_never_panic(
        words in prop::collection::vec(prop::sample::select(vec![
            "rule", "param", "for", "enterprise", "e", "{", "}", "(", ")", "[", "]", "when", "c", ":",
            "award", "150万", "10%", "2025-12-31", "match", "=>", "_", ",", "+", "*", "/", "-", "@",
            "if", "then", "else", "in", "where", "sum", "count", "r", "e.revenue", "year", "\"x\"",
            "exclusive", "by", "top_up", "cap", "per", "review", "up", "to", "national", "level",
            "->", "=", "not", "and", "or", "==", ">=", "，", "target", "goal", "principle",
        ]), 0..80)
    ) {
        let _ = check(&in_block(&words.join(" ")));
    }

    #[test]
    fn arbitrary_markdown_never_panics(text in "(\\PC|\n|```rule\n|# |（六）){0,300}") {
        let _ = check(&text);
    }
}

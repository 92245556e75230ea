//! docs/language.md is true: its `rule` blocks check clean, its `rule expect=CODE` blocks give that
//! code, and its tables list every diagnostic code and every field of the schema.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use jx555_lang::pack::literate;
use jx555_lang::types::EntityKind;
use jx555_lang::{Code, SourceFile, Sources, schema};

const DOC: &str = include_str!("../../../docs/language.md");
const MANIFEST: &str = include_str!("../../../policies/example-555/pack.toml");
const CATALOG: &str = include_str!("../../../policies/example-555/catalog.toml");

#[test]
fn every_example_checks_as_the_text_says() {
    let sources = Sources::new(
        SourceFile::new("pack.toml", MANIFEST),
        SourceFile::new("docs/language.md", DOC),
        Some(SourceFile::new("catalog.toml", CATALOG)),
    );
    let checked = jx555_lang::check(&sources);
    let blocks = literate::read(DOC).blocks;
    let fences: Vec<&str> = DOC.lines().filter(|l| l.starts_with("```rule")).collect();
    assert_eq!(blocks.len(), fences.len());
    assert!(
        blocks.len() >= 10,
        "the document should show the language by example"
    );

    let mut explained = vec![false; checked.diagnostics.len()];
    for (block, fence) in blocks.iter().zip(&fences) {
        let Some(code) = fence
            .split_whitespace()
            .find_map(|w| w.strip_prefix("expect="))
        else {
            continue;
        };
        let hit = checked.diagnostics.iter().position(|d| {
            d.code.as_str() == code
                && block.span.start <= d.span.start
                && d.span.start <= block.span.end
        });
        let line = sources.line_col(Sources::POLICY, block.span.start).0;
        let i = hit.unwrap_or_else(|| panic!("the block at line {line} should give {code}"));
        explained[i] = true;
    }
    let unexpected: Vec<_> = checked
        .diagnostics
        .iter()
        .zip(&explained)
        .filter(|(_, e)| !**e)
        .map(|(d, _)| d.clone())
        .collect();
    assert!(
        unexpected.is_empty(),
        "{}",
        sources.render(&unexpected, false)
    );
}

#[test]
fn every_code_is_documented() {
    for code in Code::ALL {
        assert!(
            DOC.contains(&format!("| {} |", code.as_str())),
            "{} is not in docs/language.md",
            code.as_str()
        );
    }
}

#[test]
fn every_builtin_is_documented() {
    for b in jx555_lang::builtins::BUILTINS {
        assert!(
            DOC.contains(&format!("`{}(", b.name)),
            "{} is not in docs/language.md's table of functions",
            b.name
        );
    }
}

#[test]
fn every_field_is_documented() {
    for kind in EntityKind::ALL {
        for f in schema::fields(kind) {
            let row = format!("| {} | `{}` |", kind.name(), f.name);
            assert!(DOC.contains(&row), "{row} is not in docs/language.md");
        }
    }
}

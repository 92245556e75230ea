//! Golden tests: packs under `tests/golden/good` must check without errors, packs under
//! `tests/golden/bad` hold one fault each; both list their expected diagnostics in `expected`,
//! one `CODE file:line:col` per line, and the diagnostics as a person reads them (message, snippet,
//! help) in `expected.txt`.
//!
//! A case folder holds `policy.md` and, when the case is about them, `pack.toml` or `catalog.toml`;
//! missing files are taken from `policies/example-555`.
//!
//! Refresh the expectations after a deliberate change with
//! `JX555_BLESS=1 cargo test -p jx555-lang --test golden`, then review the diff.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use jx555_lang::{Severity, SourceFile, Sources};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/example-555")
}

fn load(case: &Path) -> Sources {
    let file = |name: &str| {
        let own = case.join(name);
        let path = if own.exists() {
            own
        } else {
            example().join(name)
        };
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        SourceFile::new(name, text)
    };
    Sources::new(
        file("pack.toml"),
        file("policy.md"),
        Some(file("catalog.toml")),
    )
}

fn actual(sources: &Sources) -> (String, Vec<Severity>) {
    let checked = jx555_lang::check(sources);
    let mut lines = String::new();
    let mut severities = Vec::new();
    for d in &checked.diagnostics {
        let l = sources.locate(d);
        lines.push_str(&format!("{} {}:{}:{}\n", l.code, l.file, l.line, l.column));
        severities.push(d.severity());
    }
    (lines, severities)
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join(kind))
        .expect("golden folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no {kind} cases");
    dirs
}

fn compare(case: &Path, got: &str) -> Option<String> {
    compare_file(case, "expected", got)
}

/// The diagnostics rendered as `jx555 check` prints them (without colour).
fn rendered(sources: &Sources) -> String {
    sources.render(&jx555_lang::check(sources).diagnostics, false)
}

fn compare_file(case: &Path, name: &str, got: &str) -> Option<String> {
    let path = case.join(name);
    if std::env::var_os("JX555_BLESS").is_some() {
        fs::write(&path, got).expect("write expected");
        return None;
    }
    let want = fs::read_to_string(&path).unwrap_or_default();
    (want != got).then(|| format!("{}:\n--- expected\n{want}--- got\n{got}", case.display()))
}

#[test]
fn good_packs_check_without_errors() {
    let mut failures = Vec::new();
    for case in cases("good") {
        let sources = load(&case);
        let (got, severities) = actual(&sources);
        if severities.contains(&Severity::Error) {
            failures.push(format!(
                "{} has errors:\n{}",
                case.display(),
                sources.render(&jx555_lang::check(&sources).diagnostics, false)
            ));
        }
        failures.extend(compare(&case, &got));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_packs_give_their_code_at_their_place() {
    let mut failures = Vec::new();
    for case in cases("bad") {
        let sources = load(&case);
        let (got, severities) = actual(&sources);
        if severities.is_empty() {
            failures.push(format!("{} gives no diagnostic", case.display()));
        }
        failures.extend(compare(&case, &got));
        failures.extend(compare_file(&case, "expected.txt", &rendered(&sources)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_bad_case_named_in_its_expected_file() {
    let mut seen = String::new();
    for case in cases("bad") {
        seen.push_str(&fs::read_to_string(case.join("expected")).unwrap_or_default());
    }
    let missing: Vec<&str> = jx555_lang::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "no bad case exercises {missing:?}");
}

#[test]
fn bundled_packs_check_clean() {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    for entry in fs::read_dir(policies).expect("policies folder") {
        let dir = entry.expect("entry").path();
        let sources = load(&dir);
        let checked = jx555_lang::check(&sources);
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{}",
            dir.display(),
            sources.render(&checked.diagnostics, false)
        );
    }
}

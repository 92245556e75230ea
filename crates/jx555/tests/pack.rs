//! The bundled Jiaxing pack: `jx555 test` runs its YAML cases, `jx555 coverage` finds nothing left out,
//! and both fail, naming what, when a case is wrong or a sentence loses its rule.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, repo, temp, text};
use std::path::Path;

const PACK: &str = "policies/jiaxing-555-2020";

/// A copy of the Jiaxing pack with one file's text changed.
fn copy_with(change: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = temp();
    let src = repo().join(PACK);
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    let mut changed = false;
    for rel in walk(&src) {
        let mut body = std::fs::read_to_string(src.join(&rel)).unwrap();
        if rel == change {
            assert!(body.contains(from), "{rel} has no {from}");
            body = body.replacen(from, to, 1);
            changed = true;
        }
        std::fs::write(dir.path().join(&rel), body).unwrap();
    }
    assert!(changed, "no file {change}");
    dir
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            out.extend(walk(&p).into_iter().map(|f| format!("{name}/{f}")));
        } else {
            out.push(name);
        }
    }
    out
}

#[test]
fn every_case_of_the_pack_passes_and_every_rule_has_one() {
    let out = jx555(&["test", PACK]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("0 failed"), "{t}");
    assert!(!t.contains("rules without a case"), "{t}");
    assert!(!t.contains("targets without a case"), "{t}");
}

/// A target whose case is gone makes the run fail, naming it.
#[test]
fn a_target_without_a_case_fails() {
    let dir = copy_with(
        "tests/targets-指标.yaml",
        "{target: 产品质量合格率, year: 2025, met: true}",
        "{target: 制造业增加值占GDP比重, year: 2025, met: true}",
    );
    // The other expectation of that case still names it: drop that one too.
    let path = dir.path().join("tests/targets-指标.yaml");
    let text0 = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text0.replace(
            "{target: 产品质量合格率, year: 2024, met: false}",
            "{target: 制造业增加值占GDP比重, year: 2024, met: false}",
        ),
    )
    .unwrap();
    let out = jx555(&["test", dir.path().to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("targets without a case (1 of 51): 产品质量合格率"),
        "{t}"
    );
}

#[test]
fn a_wrong_expectation_fails_and_says_what_it_got() {
    let dir = copy_with(
        "tests/06-强链企业.yaml",
        "{rule: 强链企业地方贡献奖励, subject: E1, pays: 50万}",
        "{rule: 强链企业地方贡献奖励, subject: E1, pays: 51万}",
    );
    let out = jx555(&["test", dir.path().to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("FAIL 06-强链企业.yaml"), "{t}");
    assert!(
        t.contains("强链企业地方贡献奖励 E1 (2022): pays 50万元, expected 51万元"),
        "{t}"
    );
}

#[test]
fn facts_in_a_case_are_validated_like_an_import() {
    let dir = copy_with(
        "tests/12-品质标准.yaml",
        "county: 海盐县, industry: \"4411\"",
        "county: 上城区, industry: \"4411\"",
    );
    let t = text(&jx555(&["test", dir.path().to_str().unwrap()]));
    assert!(
        t.contains("the facts do not validate") && t.contains("上城区"),
        "{t}"
    );
}

#[test]
fn nothing_that_promises_money_or_sets_a_number_is_left_out() {
    let out = jx555(&["coverage", PACK]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("every sentence of source.txt is in policy.md"),
        "{t}"
    );
    let line = t
        .lines()
        .find(|l| l.contains("sentences that promise money"))
        .unwrap();
    let (encoded, all) = line.split_once(": ").unwrap().1.split_once(" of ").unwrap();
    assert_eq!(encoded, all.split(' ').next().unwrap(), "{line}");
    assert!(
        t.contains("（六）") && t.contains("规则 升规连续三年奖励"),
        "{t}"
    );
}

#[test]
fn a_sentence_without_its_rule_is_reported_missing() {
    let dir = copy_with(
        "policy.md",
        "对获得驰名商标（不含司法认定）的工业企业给予50万元奖励。\n\n```rule",
        "对获得驰名商标（不含司法认定）的工业企业给予50万元奖励。\n\n```text",
    );
    let out = jx555(&["coverage", dir.path().to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("missing: （十二）")
            && t.contains("对获得驰名商标（不含司法认定）的工业企业给予50万元奖励。"),
        "{t}"
    );
}

#[test]
fn a_sentence_dropped_from_the_text_is_reported_lost() {
    let dir = copy_with("policy.md", "鼓励发展中小微企业贷款保证保险。", "");
    let t = text(&jx555(&["coverage", dir.path().to_str().unwrap()]));
    assert!(
        t.contains("lost from source.txt: 鼓励发展中小微企业贷款保证保险"),
        "{t}"
    );
}

#[test]
fn a_rule_without_a_case_fails_the_run() {
    let dir = copy_with(
        "policy.md",
        "rule 优秀企业家奖励 for recognition r {",
        "rule 优秀企业家表彰奖励 for recognition r {",
    );
    let out = jx555(&["test", dir.path().to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("rules without a case: 优秀企业家表彰奖励"),
        "{t}"
    );
    assert!(t.contains("the pack has no rule 优秀企业家奖励"), "{t}");
}

/// The notes are read by officials on the policy page: they speak of the policy, not of the pack's
/// files, enums or commands.
#[test]
fn notes_speak_to_officials_not_to_pack_authors() {
    let policy = std::fs::read_to_string(repo().join(PACK).join("policy.md")).unwrap();
    let doc = jx555_lang::pack::literate::read(&policy);
    for n in &doc.notes {
        for word in [".toml", "枚举", "effective_", "evaluate", "字段"] {
            assert!(
                !n.text.contains(word),
                "a note for pack authors ({word}): {}",
                n.text
            );
        }
    }
}

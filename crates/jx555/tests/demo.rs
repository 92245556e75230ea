//! The demo Jiaxing (its default size and seed) exercises the whole opinion: under the bundled pack, every rule has lines in
//! every year of the opinion (2020–2025) that the rule can pay in, so the dashboard of any year
//! shows every clause.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use jx555_engine::{FactIndex, Ledger, Request};
use jx555_lang::{SourceFile, Sources};
use std::collections::BTreeSet;

#[test]
fn every_rule_has_lines_in_every_year_of_the_opinion() {
    let root = common::repo().join("policies/jiaxing-555-2020");
    let read = |f: &str| SourceFile::new(f, std::fs::read_to_string(root.join(f)).unwrap());
    let pack = jx555_lang::check(&Sources::new(
        read("pack.toml"),
        read("policy.md"),
        Some(read("catalog.toml")),
    ))
    .pack
    .unwrap();
    let data = jx555_facts::demo::generate(10_000, 555).unwrap();
    let facts = FactIndex::from_batches(&data.tables).unwrap();
    for year in 2020..=2025 {
        let run = jx555_engine::evaluate(&Request {
            packs: &[&pack],
            facts: &facts,
            ledger: &Ledger::default(),
            year,
            overrides: &[],
        })
        .unwrap();
        let with_lines: BTreeSet<&str> = run.lines.iter().map(|l| l.rule.id.as_str()).collect();
        let without: Vec<&str> = pack
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !with_lines.contains(id))
            // Upgraded in 2019 or later and three years in a row: 2021 is the first year it can pay.
            .filter(|id| !(year == 2020 && *id == "升规连续三年奖励"))
            .collect();
        assert!(without.is_empty(), "{year}: no lines for {without:?}");
    }
}

/// A year approved directly leaves its review, 一事一议 and pending lines undecided: the 终期评估
/// counts every one of them, by rule, as many as the run flagged.
#[test]
fn the_review_counts_the_lines_a_direct_approval_left_undecided() {
    let tmp = common::temp();
    let db = tmp.path().join("d.db");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("r");
    let demo = common::jx555(&[
        "demo",
        "--enterprises",
        "1000",
        "--year",
        "2022",
        "--db",
        db,
        "--out",
        out.to_str().unwrap(),
    ]);
    let said = common::text(&demo);
    assert_eq!(demo.status.code(), Some(0), "{said}");
    // The run's flagged lines, as its summary counts them.
    let count = |what: &str| -> usize {
        said.lines()
            .find(|l| l.trim_start().starts_with(what))
            .and_then(|l| l.split_whitespace().nth(1))
            .map_or(0, |n| n.parse().unwrap())
    };
    let flagged = count("待审核（最高限额）") + count("一事一议") + count("金额待定");
    assert!(flagged > 0, "{said}");
    let review = |from: &str| {
        let o = common::jx555(&["review", "--from", from, "--to", "2022", "--db", db]);
        assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
        common::text(&o)
    };
    let rows = |text: &str| -> usize {
        text.lines()
            .filter(|l| l.contains("年度直接审定，未经审核"))
            .map(|l| {
                l.rsplit('｜')
                    .next()
                    .unwrap()
                    .trim()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum()
    };
    assert_eq!(
        rows(&review("2022")),
        0,
        "neither approved nor released: the year is not yet the platform's"
    );
    let approve = common::jx555(&["approve", "1", "--db", db]);
    assert_eq!(approve.status.code(), Some(0), "{}", common::text(&approve));
    assert_eq!(rows(&review("2022")), flagged);
    assert_eq!(
        rows(&review("2020")),
        flagged,
        "a longer period holds it too"
    );
}

/// The city's shares (市区共担) are a setting of the run, not a what-if: a run that fixes them is
/// released like any and its lines carry the city's and the county's parts; a run that changes a
/// parameter the document fixes is a what-if, never released.
#[test]
fn a_run_that_sets_the_shares_is_released_and_a_what_if_is_not() {
    let tmp = common::temp();
    let db = tmp.path().join("d.db");
    let db = db.to_str().unwrap();
    let out = tmp.path().join("r");
    let run = |args: &[&str]| {
        let o = common::jx555(args);
        (o.status.code(), common::text(&o))
    };
    let (code, said) = run(&[
        "demo",
        "--enterprises",
        "500",
        "--year",
        "2022",
        "--db",
        db,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = run(&[
        "evaluate",
        "--year",
        "2023",
        "--db",
        db,
        "--set",
        "市级承担比例[南湖区]=50%",
    ]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("jx555 release 2") && !said.contains("what-if"),
        "{said}"
    );
    assert!(
        said.contains("市区共担：市级 ") && !said.contains("市区共担：市级 0.00万元"),
        "南湖区's lines are split: {said}"
    );
    let (code, said) = run(&["release", "2", "--db", db]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = run(&[
        "evaluate",
        "--year",
        "2024",
        "--db",
        db,
        "--set",
        "小微园补助上限=800万",
    ]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("what-if"), "{said}");
    let (code, said) = run(&["release", "3", "--db", db]);
    assert_ne!(code, Some(0), "{said}");
}
